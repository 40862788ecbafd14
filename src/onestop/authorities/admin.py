from __future__ import annotations

from django.contrib import admin

from onestop.authorities.models import Authority, SharedService


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "tier", "parent", "country", "gss"]
    list_filter = ["tier", "country"]
    search_fields = ["name", "slug", "gss"]
    raw_id_fields = ["parent"]


@admin.register(SharedService)
class SharedServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    filter_horizontal = ["authorities"]
