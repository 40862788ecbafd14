from __future__ import annotations

from django.urls import path

from onestop.rights import views

app_name = "rights"
urlpatterns = [
    path("people/<int:person_id>/subject-access/", views.subject_access, name="subject-access"),
]
