from __future__ import annotations

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "onestop.cases"
    label = "cases"
    verbose_name = "Service requests, referrals and members' enquiries"
