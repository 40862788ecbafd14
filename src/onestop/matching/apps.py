from __future__ import annotations

from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "onestop.matching"
    label = "matching"
    verbose_name = "Master citizen index"
