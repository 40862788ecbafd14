from __future__ import annotations

from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "onestop.staff"
    label = "staff"
    verbose_name = "Staff and access"
