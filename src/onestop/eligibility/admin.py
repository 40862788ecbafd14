"""Rules, their versions and offers, read-only in the admin: rules change only through
the actions, which refuse a definition that does not parse or names an unknown fact."""

from __future__ import annotations

from django.contrib import admin

from onestop.core.admin import ReadOnlyAdmin
from onestop.eligibility.models import Offer, Rule, RuleVersion


@admin.register(Rule)
class RuleAdmin(ReadOnlyAdmin):
    list_display = ["service", "owner", "published"]
    list_select_related = ["service", "owner", "published"]
    search_fields = ["service__label", "=service__lgsl", "owner__username"]


@admin.register(RuleVersion)
class RuleVersionAdmin(ReadOnlyAdmin):
    list_display = ["rule", "number", "status", "published_at", "review_by", "change_note"]
    list_filter = ["status"]
    list_select_related = ["rule__service"]
    search_fields = ["rule__service__label", "=rule__service__lgsl"]


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = ["service", "person", "status", "offered_at", "offered_by", "contact"]
    list_filter = ["status"]
    list_select_related = ["service", "person", "offered_by"]
    search_fields = ["=service__lgsl", "person__family_name"]
