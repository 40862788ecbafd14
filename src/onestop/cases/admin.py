from __future__ import annotations

from django.contrib import admin

from onestop.cases.models import Case, CaseEvent, Feedback
from onestop.core.admin import ReadOnlyAdmin


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "by", "kind", "status_from", "status_to", "note"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    """Cases change only through their actions, which check access and keep the history;
    here they are only read."""

    list_display = ["reference", "kind", "service", "team", "status", "priority", "due_on",
                    "escalated_at"]
    list_filter = ["kind", "status", "priority", "team"]
    search_fields = ["reference", "title", "requester_name"]
    list_select_related = ["service", "team"]
    inlines = [CaseEventInline]


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ["case", "at", "channel", "to", "delivered_at"]
    list_select_related = ["case"]
