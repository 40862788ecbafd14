from __future__ import annotations

from django.urls import path

from onestop.dialogues import views

app_name = "dialogues"
urlpatterns = [
    path("", views.script_list, name="scripts"),
    path("new/", views.start_script, name="start"),
    path("<int:lgsl>/", views.script_detail, name="detail"),
    path("<int:lgsl>/draft/", views.edit_draft, name="draft"),
    path("<int:lgsl>/versions/<int:number>/preview/", views.preview, name="preview"),
    path("<int:lgsl>/versions/<int:number>/publish/", views.publish, name="publish"),
]
