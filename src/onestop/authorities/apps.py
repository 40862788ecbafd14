from __future__ import annotations

from django.apps import AppConfig


class AuthoritiesConfig(AppConfig):
    name = "onestop.authorities"
    label = "authorities"
    verbose_name = "Authorities"
