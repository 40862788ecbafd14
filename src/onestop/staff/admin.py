from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from onestop.core.admin import ReadOnlyAdmin
from onestop.staff.models import IdCard, Team, User


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    fieldsets = [*UserAdmin.fieldsets, ("Acts for", {"fields": ["authorities", "teams"]})]
    filter_horizontal = [*UserAdmin.filter_horizontal, "authorities", "teams"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "authority"]


@admin.register(IdCard)
class IdCardAdmin(ReadOnlyAdmin):
    """Cards are issued and unlocked through actions, which audit; here they are only read."""

    list_display = ["number", "user", "failed_attempts", "locked_at", "revoked_at"]
    exclude = ["pin_hash"]
    search_fields = ["number", "user__username"]
