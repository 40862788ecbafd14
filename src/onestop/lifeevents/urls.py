from __future__ import annotations

from django.urls import path

from onestop.lifeevents import views

app_name = "lifeevents"
urlpatterns = [
    path("people/<int:person_id>/life-events/new/", views.report, name="report"),
    path("life-events/<int:event_id>/", views.event_page, name="event"),
    # Residents' own page sits with the other self-service pages under /services/.
    path("services/life-events/", views.resident_report, name="resident-report"),
    path("services/life-events/<int:event_id>/done/", views.resident_done,
         name="resident-done"),
]
