from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StaffConfig(AppConfig):
    name = "onestop.staff"
    label = "staff"
    verbose_name = "Staff and access"

    def ready(self) -> None:
        from onestop.staff.roles import grant_role_permissions

        # Not only after staff's own migrations: permissions of apps migrated later (cases,
        # dialogues) exist only once the whole migrate has run.
        post_migrate.connect(grant_role_permissions, dispatch_uid="grant_role_permissions")
