"""`{{ group.name|role_label }}`: a role's name as people say it ("Back-office officer")."""

from __future__ import annotations

from django import template

from onestop.staff.models import Role

register = template.Library()


@register.filter
def role_label(name: str) -> str:
    return Role(name).label if name in Role.values else name
