from __future__ import annotations

from django.urls import path

from onestop.contacts import views

app_name = "contacts"
urlpatterns = [
    path("", views.find_person, name="find-person"),
    path("people/<int:person_id>/", views.person_page, name="person"),
    path("people/<int:person_id>/contacts/new/", views.log_contact, name="log-contact"),
    path("contacts/new/", views.log_contact, name="log-anonymous-contact"),
]
