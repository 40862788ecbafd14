"""Officers of the case's team, its leader and administrators move a case through its
statuses; every other move, and every other user, is refused."""

from __future__ import annotations

import pytest

from onestop.cases.actions import (
    CaseAccessDenied,
    do_acknowledge_case,
    do_close_case,
    do_reopen_case,
    do_resolve_case,
    do_start_case,
)
from onestop.cases.models import Case, CaseEvent, CaseTransitionError
from tests.cases.factories import (
    a_back_office_officer,
    a_case,
    a_team,
    an_administrator,
)
from tests.personas import BABERGH, MID_SUFFOLK, a_team_leader, an_adviser

pytestmark = pytest.mark.django_db

S = Case.Status


@pytest.fixture
def team():
    return a_team(MID_SUFFOLK)


@pytest.fixture
def officer(team):
    return a_back_office_officer(team)


def case_in(status: str, officer) -> Case:
    """A case brought to `status` the way an officer would."""
    case = a_case()
    if status == S.ACKNOWLEDGED:
        do_acknowledge_case(case, officer)
    elif status == S.IN_PROGRESS:
        do_start_case(case, officer)
    elif status in (S.RESOLVED, S.CLOSED, S.REOPENED):
        do_resolve_case(case, officer, "Crew returned and emptied the bin")
        if status == S.CLOSED:
            do_close_case(case, officer)
        if status == S.REOPENED:
            do_reopen_case(case, officer, "The bin was missed again")
    assert case.status == status
    return case


def move(case: Case, verb: str, officer) -> None:
    if verb == "acknowledge":
        do_acknowledge_case(case, officer)
    elif verb == "start":
        do_start_case(case, officer)
    elif verb == "resolve":
        do_resolve_case(case, officer, "Done")
    elif verb == "close":
        do_close_case(case, officer)
    elif verb == "reopen":
        do_reopen_case(case, officer, "Not done after all")


ALLOWED = {
    "acknowledge": {S.NEW: S.ACKNOWLEDGED},
    "start": {S.NEW: S.IN_PROGRESS, S.ACKNOWLEDGED: S.IN_PROGRESS, S.REOPENED: S.IN_PROGRESS},
    "resolve": {S.NEW: S.RESOLVED, S.ACKNOWLEDGED: S.RESOLVED, S.IN_PROGRESS: S.RESOLVED,
                S.REOPENED: S.RESOLVED},
    "close": {S.RESOLVED: S.CLOSED},
    "reopen": {S.RESOLVED: S.REOPENED, S.CLOSED: S.REOPENED},
}
CASES = [(verb, status, ALLOWED[verb].get(status)) for verb in ALLOWED for status in S.values]


@pytest.mark.parametrize(("verb", "status", "to"), CASES,
                         ids=[f"{verb}-{status}" for verb, status, _ in CASES])
def test_each_move_is_allowed_only_from_its_source_statuses(verb, status, to, officer):
    case = case_in(status, officer)
    events_before = case.events.count()
    if to is None:
        label = S(status).label.lower()
        with pytest.raises(CaseTransitionError, match=f"cannot {verb} a case that is {label}"):
            move(case, verb, officer)
        case.refresh_from_db()
        assert case.status == status
        assert case.events.count() == events_before
    else:
        move(case, verb, officer)
        case.refresh_from_db()
        assert case.status == to
        event = case.events.exclude(kind=CaseEvent.Kind.FEEDBACK).last()
        assert (event.status_from, event.status_to, event.by) == (status, to, officer)


def test_a_move_checks_the_status_in_the_database_not_a_stale_copy(officer):
    case = a_case()
    stale = Case.objects.get(pk=case.pk)
    do_acknowledge_case(case, officer)
    with pytest.raises(CaseTransitionError, match="cannot acknowledge a case that is "
                                                  "acknowledged"):
        do_acknowledge_case(stale, officer)


def test_resolving_needs_a_response_and_stamps_acknowledgement_if_unset(officer):
    case = a_case()
    with pytest.raises(CaseTransitionError, match="response is needed"):
        do_resolve_case(case, officer, "  ")
    case.refresh_from_db()
    assert case.status == S.NEW
    do_resolve_case(case, officer, "  Crew returned on Tuesday. ")
    case.refresh_from_db()
    assert case.response == "Crew returned on Tuesday."
    assert case.acknowledged_at == case.resolved_at


def test_reopening_needs_a_reason_and_keeps_it_in_the_history(officer):
    case = case_in(S.CLOSED, officer)
    with pytest.raises(CaseTransitionError, match="reason is needed"):
        do_reopen_case(case, officer, "")
    do_reopen_case(case, officer, "The bin was missed again")
    case.refresh_from_db()
    assert (case.resolved_at, case.closed_at) == (None, None)
    assert case.events.last().note == "The bin was missed again"


def test_the_team_leader_and_an_administrator_may_work_the_case(team):
    leader = a_team_leader()
    team.leader = leader
    team.save(update_fields=["leader"])
    case = a_case()
    do_acknowledge_case(case, leader)
    do_start_case(case, an_administrator())
    assert case.status == S.IN_PROGRESS


def test_officers_of_other_teams_advisers_and_other_leaders_may_not(team):
    other_team = a_team(BABERGH)
    case = a_case()
    for outsider in (a_back_office_officer(other_team), an_adviser(), a_team_leader()):
        with pytest.raises(CaseAccessDenied, match=r"only .* its leader or an administrator"):
            do_acknowledge_case(case, outsider)
    case.refresh_from_db()
    assert case.status == S.NEW
