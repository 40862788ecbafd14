"""A Mid Suffolk resident with one of everything that names them, and staff of every role
who act for Babergh only: the probes' world."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from onestop.catalogue.models import Service
from onestop.contacts.actions import do_add_service, do_start_contact
from onestop.lifeevents.actions import do_hold_self_service_report, do_report_life_event
from onestop.staff.models import Role
from tests.cases.factories import BINS, a_back_office_officer, a_case, a_councillor, a_team
from tests.matching.factories import a_pair, a_source_record
from tests.personas import BABERGH, MID_SUFFOLK, SUFFOLK, a_resident, a_staff_member, an_adviser


@pytest.fixture
def mid_suffolk():
    """A Mid Suffolk resident, their case, an adviser's contact under way, a life event, a
    self-service report and a pair of their records waiting for review."""
    resident = a_resident(MID_SUFFOLK, given_name="Edith", family_name="Moss")
    neighbour = a_resident(MID_SUFFOLK, given_name="Arthur", family_name="Moss")
    team = a_team(MID_SUFFOLK, services=(BINS,))
    case = a_case(person=resident, property=resident.household.property,
                  title="Carer says she has dementia: knock loudly")
    adviser = an_adviser(acts_for=(SUFFOLK, MID_SUFFOLK))
    session = do_start_contact(adviser=adviser, person=resident, channel="phone",
                               terminal="desk-1")
    item = do_add_service(session, Service.objects.get(lgsl=BINS), by=adviser,
                          terminal="desk-1")
    event = do_report_life_event("disability", neighbour, dt.date(2026, 11, 2), {}, adviser)
    report = do_hold_self_service_report("disability", resident, dt.date(2026, 11, 3), {},
                                         None, client_key="0" * 64)
    pair = a_pair(a_source_record(person=resident), a_source_record(person=neighbour))
    return SimpleNamespace(resident=resident, neighbour=neighbour, team=team, case=case,
                           contact=session.contact, item=item, event=event, report=report,
                           pair=pair, adviser=adviser)


@pytest.fixture
def babergh_staff():
    """One member of staff of each role that meets residents, acting for Babergh only."""
    team = a_team(BABERGH, services=(BINS,))
    leader = a_staff_member(Role.TEAM_LEADER, acts_for=(BABERGH,))
    team.leader = leader
    team.save(update_fields=["leader"])
    return {
        "adviser": an_adviser(acts_for=(BABERGH,)),
        "back-office officer": a_back_office_officer(team, acts_for=(BABERGH,)),
        "team leader": leader,
        "administrator": a_staff_member(Role.ADMINISTRATOR, acts_for=(BABERGH,)),
        "councillor": a_councillor(acts_for=(BABERGH,)),
    }
