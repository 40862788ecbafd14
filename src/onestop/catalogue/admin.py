from __future__ import annotations

from django.contrib import admin

from onestop.catalogue.models import Function, Service
from onestop.core.admin import InstallationSettingsAdmin


@admin.register(Service)
class ServiceAdmin(InstallationSettingsAdmin):
    list_display = ["lgsl", "label", "providing_tier", "tier_source", "common_rank"]
    list_filter = ["providing_tier", "tier_source"]
    search_fields = ["label", "description", "=lgsl"]
    ordering = ["lgsl"]


@admin.register(Function)
class FunctionAdmin(InstallationSettingsAdmin):
    list_display = ["identifier", "label", "parent"]
    search_fields = ["label"]
    raw_id_fields = ["parent"]
