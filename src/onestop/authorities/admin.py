from __future__ import annotations

from django.contrib import admin

from onestop.authorities.models import Authority, SharedService
from onestop.core.admin import InstallationSettingsAdmin


@admin.register(Authority)
class AuthorityAdmin(InstallationSettingsAdmin):
    list_display = ["name", "slug", "tier", "parent", "country", "gss"]
    list_filter = ["tier", "country"]
    search_fields = ["name", "slug", "gss"]
    raw_id_fields = ["parent"]


@admin.register(SharedService)
class SharedServiceAdmin(InstallationSettingsAdmin):
    list_display = ["name", "slug"]
    filter_horizontal = ["authorities"]
