"""The audit trail is read-only in the admin: nobody edits history."""

from __future__ import annotations

import hashlib

from django.contrib import admin

from onestop.core.actions import do_record_audit_event, terminal_of
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


def snapshot(obj) -> dict:
    """A model instance's fields as JSON-friendly text, secrets masked, for the audit."""
    values = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if "secret" in field.name and value:
            # Enough to see that it changed, nothing that helps to guess it.
            digest = hashlib.sha256(str(value).encode()).hexdigest()[:8]
            values[field.name] = f"(hidden; sha256 starts {digest})"
        else:
            values[field.name] = value if isinstance(value, bool | int | float | type(None)) \
                else str(value)
    if obj.pk:
        for field in obj._meta.many_to_many:
            values[field.name] = sorted(str(related) for related in getattr(obj, field.name).all())
    return values


class InstallationSettingsAdmin(admin.ModelAdmin):
    """Installation-wide reference data (authorities, services, endpoints): administrators of
    any one council read it; only superusers, who act for the whole installation, change it,
    and every change is an audit event with the values before and after."""

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def save_model(self, request, obj, form, change) -> None:
        # Before any field or relation is saved: log_change below writes the audit after.
        request._setting_before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)

    def _audit(self, request, obj, detail: str, before: dict, after: dict) -> None:
        do_record_audit_event(AuditEvent.Kind.SETTING_CHANGED, actor=request.user,
                              claimed_identity=request.user.username,
                              terminal=terminal_of(request), before=before, after=after,
                              detail=f"{obj._meta.verbose_name} {obj}: {detail}")

    def log_addition(self, request, obj, message):
        self._audit(request, obj, "added", {}, snapshot(obj))
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        before, after = getattr(request, "_setting_before", {}), snapshot(obj)
        changed = {key for key in after if before.get(key) != after[key]}
        self._audit(request, obj, "changed " + (", ".join(sorted(changed)) or "nothing"),
                    {key: before.get(key) for key in changed},
                    {key: after[key] for key in changed})
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._audit(request, obj, "deleted", snapshot(obj), {})
        return super().log_deletions(request, queryset)
