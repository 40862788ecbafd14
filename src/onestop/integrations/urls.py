from __future__ import annotations

from django.urls import path

from onestop.integrations import views

app_name = "integrations"
urlpatterns = [
    path("dead-letters/", views.dead_letters, name="dead-letters"),
    path("dead-letters/replay-all/", views.replay_all, name="replay-all"),
    path("dead-letters/<int:message_id>/", views.dead_letter, name="dead-letter"),
    path("dead-letters/<int:message_id>/replay/", views.replay, name="replay"),
]
