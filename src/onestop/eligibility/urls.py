from __future__ import annotations

from django.urls import path

from onestop.eligibility import rule_views, views

app_name = "eligibility"
urlpatterns = [
    path("people/<int:person_id>/offers/", views.record_offer, name="record-offer"),
    path("rules/", rule_views.rule_list, name="rules"),
    path("rules/new/", rule_views.start_rule, name="rule-start"),
    path("rules/<int:lgsl>/", rule_views.rule_detail, name="rule-detail"),
    path("rules/<int:lgsl>/draft/", rule_views.edit_rule, name="rule-draft"),
    path("rules/<int:lgsl>/versions/<int:number>/preview/", rule_views.preview_rule,
         name="rule-preview"),
    path("rules/<int:lgsl>/versions/<int:number>/publish/", rule_views.publish_rule,
         name="rule-publish"),
]
