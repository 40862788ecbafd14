from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "onestop.demo"
    label = "demo"
    verbose_name = "Synthetic demo area"
