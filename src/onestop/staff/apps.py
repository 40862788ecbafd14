from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StaffConfig(AppConfig):
    name = "onestop.staff"
    label = "staff"
    verbose_name = "Staff and access"

    def ready(self) -> None:
        from onestop.staff.roles import grant_role_permissions

        post_migrate.connect(grant_role_permissions, sender=self)
