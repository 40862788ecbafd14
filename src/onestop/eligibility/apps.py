from __future__ import annotations

from django.apps import AppConfig


class EligibilityConfig(AppConfig):
    name = "onestop.eligibility"
    label = "eligibility"
    verbose_name = "Eligibility rules and recommendations"
