"""The audit trail is read-only in the admin: nobody edits history."""

from __future__ import annotations

from django.contrib import admin

from onestop.core.models import AuditEvent, RecordAccess


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "claimed_identity", "user", "terminal", "detail"]
    list_filter = ["kind"]
    search_fields = ["claimed_identity", "user__username", "terminal"]
    date_hierarchy = "at"


@admin.register(RecordAccess)
class RecordAccessAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "person", "contact", "purpose", "granted"]
    list_filter = ["granted", "purpose"]
    search_fields = ["user__username", "=person__id"]
    date_hierarchy = "at"
