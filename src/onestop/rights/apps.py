from __future__ import annotations

from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "onestop.rights"
    label = "rights"
    verbose_name = "A resident's rights over their record"
