from __future__ import annotations

from django.urls import path

from onestop.contacts import views, work_views

app_name = "contacts"
urlpatterns = [
    path("", views.find_person, name="find-person"),
    path("people/<int:person_id>/", views.person_page, name="person"),
    path("people/<int:person_id>/contacts/new/", views.log_contact, name="log-contact"),
    path("contacts/new/", views.log_contact, name="log-anonymous-contact"),
    path("people/<int:person_id>/contacts/start/", work_views.start_contact,
         name="start-contact"),
    path("contacts/start/", work_views.start_contact, name="start-anonymous-contact"),
    path("contacts/resume/", work_views.resume, name="resume"),
    path("contacts/<int:contact_id>/", work_views.contact_page, name="contact"),
    path("contacts/<int:contact_id>/take-over/", work_views.take_over, name="take-over"),
    path("contacts/<int:contact_id>/services/<int:item_id>/", work_views.run_service,
         name="run-service"),
]
