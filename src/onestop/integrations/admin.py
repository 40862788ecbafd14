from __future__ import annotations

from django.contrib import admin

from onestop.core.admin import InstallationSettingsAdmin
from onestop.integrations.models import DeliveryAttempt, Endpoint, OutboxMessage


@admin.register(Endpoint)
class EndpointAdmin(InstallationSettingsAdmin):
    list_display = ["name", "slug", "url", "team", "active"]
    list_filter = ["active"]


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["started_at", "finished_at", "ok", "status_code", "error", "worker"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    # Read only: messages change through the worker and the dead-letter page's replay.
    list_display = ["key", "kind", "endpoint", "status", "attempts", "created_at",
                    "delivered_at"]
    list_filter = ["status", "kind"]
    search_fields = ["key"]
    inlines = [DeliveryAttemptInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
