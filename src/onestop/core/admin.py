"""The audit trail is read-only in the admin: nobody edits history."""

from __future__ import annotations

from django.contrib import admin

from onestop.core.models import AuditEvent, RecordAccess
from onestop.core.queries import AccessSearch, search_record_access


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "claimed_identity", "user", "actor", "terminal", "detail"]
    list_filter = ["kind"]
    search_fields = ["claimed_identity", "user__username", "terminal"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        # Administrators act within their authorities here too: events about staff who
        # act for one of them (a superuser sees every event).
        events = super().get_queryset(request)
        if request.user.is_superuser:
            return events
        return events.filter(user__authorities__in=request.user.authority_ids()).distinct()


@admin.register(RecordAccess)
class RecordAccessAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "person", "contact", "subject", "purpose", "granted"]
    list_filter = ["granted"]
    search_fields = ["user__username", "=person__id"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        # The same entries as the access log page shows this administrator.
        return search_record_access(AccessSearch(), request.user)
