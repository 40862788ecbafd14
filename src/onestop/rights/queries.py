"""Reads of the rights context that views and actions share."""

from __future__ import annotations

from onestop.people.models import Person
from onestop.people.queries import can_see_person
from onestop.staff.models import Role


def subject_access_refusal(user, person: Person | None) -> str | None:
    """Why `user` may not export `person`'s record, or None when they may: the one place
    that decides it. Only an administrator, and only for a resident they may see."""
    if not user.is_authenticated or not user.has_role(Role.ADMINISTRATOR):
        return "only an administrator can export a resident's record"
    if person is None or not can_see_person(user, person):
        return "this resident is outside the authorities you act for"
    return None
