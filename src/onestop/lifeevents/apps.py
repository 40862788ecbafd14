from __future__ import annotations

from django.apps import AppConfig


class LifeEventsConfig(AppConfig):
    name = "onestop.lifeevents"
    label = "lifeevents"
    verbose_name = "Life events (tell us once)"
