from __future__ import annotations

from django.urls import path

from onestop.lifeevents import views

app_name = "lifeevents"
urlpatterns = [
    path("people/<int:person_id>/life-events/new/", views.report, name="report"),
    path("life-events/<int:event_id>/", views.event_page, name="event"),
    # Residents' own page sits with the other self-service pages under /services/.
    path("services/life-events/", views.resident_report, name="resident-report"),
    path("services/life-events/done/", views.resident_done, name="resident-done"),
    # Advisers check what was reported there before anything changes.
    path("life-events/self-service/", views.self_service_reports, name="self-service"),
    path("life-events/self-service/<int:report_id>/confirm/", views.self_service_confirm,
         name="self-service-confirm"),
    path("life-events/self-service/<int:report_id>/drop/", views.self_service_drop,
         name="self-service-drop"),
]
