"""Named people for tests: the same adviser, officer and residents across every tier.

Each factory goes through the project's actions, as the product itself would.
"""

from __future__ import annotations

import datetime as dt
import itertools

from onestop.authorities.models import Authority
from onestop.people.actions import (
    do_add_phone,
    do_move_person,
    do_register_person,
    do_register_property,
)
from onestop.staff.actions import do_create_staff_user, do_issue_id_card
from onestop.staff.models import Role

_uprns = itertools.count(200_000_000_001)
_cards = itertools.count(900_001)

SUFFOLK, MID_SUFFOLK, BABERGH = "suffolk", "mid-suffolk", "babergh"


def authorities(*slugs: str) -> list[Authority]:
    found = {a.slug: a for a in Authority.objects.filter(slug__in=slugs)}
    return [found[slug] for slug in slugs]


def a_property(district: str = MID_SUFFOLK, *, property_type: str = "house", floor=None,
               postcode: str = "IP14 1AB", town: str = "Stowmarket", **extra):
    """A property in `district` and its county (Suffolk)."""
    return do_register_property(
        uprn=next(_uprns), address_line_1=f"{next(_uprns) % 200} Station Road", town=town,
        postcode=postcode, property_type=property_type, floor=floor,
        authorities=authorities(district, SUFFOLK), **extra)


def a_resident(district: str = MID_SUFFOLK, *, given_name: str = "Margaret",
               family_name: str = "Okafor", date_of_birth=dt.date(1958, 3, 14),
               phone: str | None = None, property=None, **extra):
    prop = property or a_property(district)
    person = do_register_person(given_name=given_name, family_name=family_name,
                                date_of_birth=date_of_birth, property=prop, **extra)
    if phone:
        do_add_phone(person, phone)
    return person


def a_resident_who_moved_away(district: str = MID_SUFFOLK, **extra):
    """A resident whose address is no longer known: they left a home in `district`, whose
    councils may still see them (onestop.people.access)."""
    person = a_resident(district, **extra)
    do_move_person(person, None)
    return person


def a_staff_member(role: str, *, acts_for=(SUFFOLK, MID_SUFFOLK, BABERGH),
                   username: str | None = None, password: str | None = None, **extra):
    username = username or f"{role}-{next(_cards)}"
    return do_create_staff_user(username=username, first_name=role.replace("_", " ").title(),
                                last_name="Tester", roles=[role], password=password,
                                authorities=authorities(*acts_for), **extra)


def an_adviser(*, acts_for=(SUFFOLK, MID_SUFFOLK, BABERGH), pin: str = "1234", **extra):
    """An adviser with an ID card; the card number is on `adviser.card_number`."""
    adviser = a_staff_member(Role.ADVISER, acts_for=acts_for, **extra)
    card = do_issue_id_card(adviser, number=str(next(_cards)), pin=pin)
    adviser.card_number = card.number
    return adviser


def a_babergh_adviser(**extra):
    return an_adviser(acts_for=(BABERGH,), **extra)


def a_team_leader(*, acts_for=(SUFFOLK, MID_SUFFOLK, BABERGH), **extra):
    """A team leader: watches the queues and decides uncertain identity matches."""
    return a_staff_member(Role.TEAM_LEADER, acts_for=acts_for, **extra)
