from __future__ import annotations

app_name = "dialogues"
urlpatterns: list = []
