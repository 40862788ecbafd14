"""What each role may do in the Django admin, kept in step with the code after migrating.

Permissions are created by Django after migrations run, so they are granted from a
post_migrate handler rather than from a data migration, which would run before them.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

# role → (app label, model, actions)
ROLE_PERMISSIONS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "administrator": [
        ("core", "auditevent", ("view",)),
        ("core", "recordaccess", ("view",)),
        ("authorities", "authority", ("view", "change", "add")),
        ("authorities", "sharedservice", ("view", "change", "add")),
        ("catalogue", "service", ("view", "change", "add")),
        ("catalogue", "function", ("view", "change", "add")),
        # Staff and teams are changed only on OneStop's own pages, within the
        # administrator's authorities (staff.powers); the admin shows them read only.
        ("staff", "user", ("view",)),
        ("staff", "team", ("view",)),
        ("staff", "idcard", ("view",)),
        ("dialogues", "dialogue", ("view",)),
        ("dialogues", "dialogueversion", ("view",)),
    ],
}


def grant_role_permissions(**kwargs) -> None:
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = [(app, f"{action}_{model}") for app, model, actions in grants
                  for action in actions]
        permissions = Permission.objects.filter(
            content_type__app_label__in={app for app, _ in wanted},
            codename__in={codename for _, codename in wanted})
        # Set, not added to: a permission taken out of the list is taken away from the role
        # (administrators once could change staff in the admin).
        group.permissions.set([p for p in permissions
                               if (p.content_type.app_label, p.codename) in wanted])
