"""Breached cases are escalated to their team's leader, once."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from onestop.cases.actions import do_escalate_breaches, do_resolve_case
from onestop.cases.models import CaseEvent
from onestop.staff.actions import do_create_team
from tests.cases.factories import a_back_office_officer, a_case, a_team, at
from tests.personas import BABERGH, MID_SUFFOLK, a_property, a_team_leader

pytestmark = pytest.mark.django_db

RAISED = at(2025, 12, 19)  # due on 7 January 2026 with 10 working days
AFTER_DUE = dt.date(2026, 1, 8)


def test_a_breached_open_case_is_escalated_to_the_team_leader():
    leader = a_team_leader()
    a_team(MID_SUFFOLK, leader=leader)
    case = a_case(sla_working_days=10, raised_at=RAISED)
    assert do_escalate_breaches(today=dt.date(2026, 1, 7)) == []
    [escalated] = do_escalate_breaches(today=AFTER_DUE)
    case.refresh_from_db()
    assert escalated == case
    assert case.escalated_to == leader
    assert case.escalated_at is not None
    event = case.events.get(kind=CaseEvent.Kind.ESCALATED)
    assert "escalated to" in event.note


def test_escalating_again_escalates_nothing_more():
    a_team(MID_SUFFOLK, leader=a_team_leader())
    a_case(sla_working_days=10, raised_at=RAISED)
    assert len(do_escalate_breaches(today=AFTER_DUE)) == 1
    assert do_escalate_breaches(today=AFTER_DUE) == []
    assert do_escalate_breaches(today=AFTER_DUE + dt.timedelta(days=5)) == []
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.ESCALATED).count() == 1


def test_resolved_cases_are_not_escalated():
    team = a_team(MID_SUFFOLK, leader=a_team_leader())
    case = a_case(sla_working_days=10, raised_at=RAISED)
    do_resolve_case(case, a_back_office_officer(team), "Done")
    assert do_escalate_breaches(today=AFTER_DUE) == []


def test_a_team_without_a_leader_still_has_its_breach_marked():
    a_team(MID_SUFFOLK)
    case = a_case(sla_working_days=10, raised_at=RAISED)
    do_escalate_breaches(today=AFTER_DUE)
    case.refresh_from_db()
    assert case.escalated_at is not None and case.escalated_to is None
    assert "has no leader" in case.events.get(kind=CaseEvent.Kind.ESCALATED).note
    assert do_escalate_breaches(today=AFTER_DUE) == []  # still nobody to tell


def test_a_breach_marked_without_a_leader_goes_to_the_leader_appointed_later():
    team = a_team(MID_SUFFOLK)
    case = a_case(sla_working_days=10, raised_at=RAISED)
    do_escalate_breaches(today=AFTER_DUE)
    leader = a_team_leader()
    do_create_team(slug=team.slug, name=team.name, authority=team.authority, leader=leader)
    assert do_escalate_breaches(today=AFTER_DUE) == [case]
    case.refresh_from_db()
    assert case.escalated_to == leader
    assert do_escalate_breaches(today=AFTER_DUE) == []


def test_the_command_prints_how_many_per_team_and_is_idempotent():
    mid = a_team(MID_SUFFOLK, leader=a_team_leader(), name="Mid Suffolk bins")
    babergh = a_team(BABERGH, leader=a_team_leader(), name="Babergh bins")
    a_case(sla_working_days=10, raised_at=RAISED)
    a_case(sla_working_days=10, raised_at=RAISED)
    a_case(sla_working_days=10, raised_at=RAISED, property=a_property(BABERGH))
    out = StringIO()
    call_command("escalate_breaches", "--today", "2026-01-08", stdout=out)
    assert "Escalated 3 breached cases" in out.getvalue()
    assert f"{babergh.name}: 1" in out.getvalue()
    assert f"{mid.name}: 2" in out.getvalue()
    out = StringIO()
    call_command("escalate_breaches", "--today", "2026-01-08", stdout=out)
    assert "Escalated 0 breached cases" in out.getvalue()


def test_the_command_refuses_a_date_it_cannot_read():
    with pytest.raises(CommandError, match="--today '8/1/26' is not a date"):
        call_command("escalate_breaches", "--today", "8/1/26", stdout=StringIO())
