from __future__ import annotations

from django.urls import path

from onestop.eligibility import views

app_name = "eligibility"
urlpatterns = [
    path("people/<int:person_id>/offers/", views.record_offer, name="record-offer"),
]
