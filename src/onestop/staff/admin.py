"""Staff in the Django admin are read only: they are managed on OneStop's own pages
(/staff/), which hold administrators to their authorities and audit every change. No form
here sets is_superuser, groups, permissions, authorities or teams; superusers are made only
from the command line (`onestop createsuperuser`)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.models import Group

from onestop.core.admin import ReadOnlyAdmin
from onestop.staff.models import IdCard, Team, User

# Roles are groups whose permissions are kept by code (staff.roles): not to be edited.
admin.site.unregister(Group)


@admin.register(User)
class StaffUserAdmin(ReadOnlyAdmin):
    list_display = ["username", "first_name", "last_name", "is_active", "is_superuser"]
    list_filter = ["is_active", "groups"]
    search_fields = ["username", "first_name", "last_name", "email"]
    fields = ["username", "first_name", "last_name", "email", "is_active", "is_superuser",
              "groups", "authorities", "teams", "last_login", "date_joined"]


@admin.register(Team)
class TeamAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug", "authority"]


@admin.register(IdCard)
class IdCardAdmin(ReadOnlyAdmin):
    """Cards are issued and unlocked through actions, which audit; here they are only read."""

    list_display = ["number", "user", "failed_attempts", "locked_at", "revoked_at"]
    exclude = ["pin_hash"]
    search_fields = ["number", "user__username"]
