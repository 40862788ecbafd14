from __future__ import annotations

from django.apps import AppConfig


class DialoguesConfig(AppConfig):
    name = "onestop.dialogues"
    label = "dialogues"
    verbose_name = "Dialogues (service scripts)"
