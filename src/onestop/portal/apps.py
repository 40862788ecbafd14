from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "onestop.portal"
    label = "portal"
    verbose_name = "Public self-service and kiosks"
