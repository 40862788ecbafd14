"""Scripts and their versions, read-only in the admin: they change only through the
authoring pages, which validate every draft and publish with a review date."""

from __future__ import annotations

from django.contrib import admin

from onestop.core.admin import ReadOnlyAdmin
from onestop.dialogues.models import Dialogue, DialogueVersion


@admin.register(Dialogue)
class DialogueAdmin(ReadOnlyAdmin):
    list_display = ["service", "owner", "published"]
    list_select_related = ["service", "owner", "published"]
    search_fields = ["service__label", "=service__lgsl", "owner__username"]


@admin.register(DialogueVersion)
class DialogueVersionAdmin(ReadOnlyAdmin):
    list_display = ["dialogue", "number", "status", "published_at", "published_by",
                    "review_by", "change_note"]
    list_filter = ["status"]
    list_select_related = ["dialogue__service", "published_by"]
    search_fields = ["dialogue__service__label", "=dialogue__service__lgsl"]
    date_hierarchy = "published_at"
