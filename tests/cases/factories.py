"""Teams, officers, councillors and cases for the cases tests, made through the actions."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

from onestop.cases.actions import do_raise_case
from onestop.catalogue.models import Service
from onestop.staff.actions import do_create_team
from onestop.staff.models import Role
from tests.personas import BABERGH, MID_SUFFOLK, SUFFOLK, a_property, a_staff_member, authorities

LONDON = zoneinfo.ZoneInfo("Europe/London")
_teams = itertools.count(1)

BINS, FREE_SCHOOL_MEALS, PARKING, HOUSING_BENEFIT = 524, 4, 474, 69


def a_service(lgsl: int = BINS) -> Service:
    return Service.objects.get(lgsl=lgsl)


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A time on a day in the council's time zone."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def a_team(authority: str = MID_SUFFOLK, *, services=(BINS,), leader=None, name: str = ""):
    number = next(_teams)
    [found] = authorities(authority)
    return do_create_team(slug=f"{authority}-team-{number}",
                          name=name or f"{found.name} team {number}", authority=found,
                          services=[a_service(lgsl) for lgsl in services], leader=leader)


def a_back_office_officer(*teams, acts_for=(SUFFOLK, MID_SUFFOLK, BABERGH), **extra):
    return a_staff_member(Role.BACK_OFFICE_OFFICER, acts_for=acts_for, teams=list(teams),
                          **extra)


def a_councillor(*, acts_for=(MID_SUFFOLK,), **extra):
    return a_staff_member(Role.COUNCILLOR, acts_for=acts_for, **extra)


def an_administrator(**extra):
    return a_staff_member(Role.ADMINISTRATOR, **extra)


def a_case(*, service: int = BINS, property=None, person=None, sla_working_days: int = 2,
           raised_at: dt.datetime | None = None, kind: str = "referral",
           title: str = "Crew to return for the missed bin", **extra):
    """A referral; the property defaults to a new one in Mid Suffolk."""
    if property is None and person is None:
        property = a_property(MID_SUFFOLK)
    return do_raise_case(kind=kind, service=a_service(service), property=property,
                         person=person, title=title,
                         details=[("Which bin was not emptied?", "Black bin")],
                         sla_working_days=sla_working_days, raised_at=raised_at, **extra)
