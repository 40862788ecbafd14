"""Raising a case routes it to the team of the authority that provides the service there,
and starts its SLA clock in working days."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from onestop.cases.actions import CaseError, RoutingError, do_raise_case
from onestop.cases.models import Case, CaseEvent
from tests.cases.factories import (
    BINS,
    FREE_SCHOOL_MEALS,
    PARKING,
    a_case,
    a_service,
    a_team,
    at,
)
from tests.personas import BABERGH, MID_SUFFOLK, SUFFOLK, a_property, a_resident, an_adviser

pytestmark = pytest.mark.django_db


def test_a_district_service_goes_to_the_district_team_where_the_property_is():
    mid_suffolk_bins = a_team(MID_SUFFOLK, services=[BINS])
    babergh_bins = a_team(BABERGH, services=[BINS])
    case = a_case(service=BINS, property=a_property(BABERGH))
    assert case.team == babergh_bins
    assert case.authority.slug == BABERGH
    assert case.team != mid_suffolk_bins


def test_a_county_service_goes_to_the_county_team_from_a_district_address():
    county = a_team(SUFFOLK, services=[FREE_SCHOOL_MEALS])
    a_team(MID_SUFFOLK, services=[BINS])
    case = a_case(service=FREE_SCHOOL_MEALS, property=a_property(MID_SUFFOLK))
    assert (case.team, case.authority.slug) == (county, SUFFOLK)


def test_a_service_every_tier_provides_goes_to_the_district():
    district = a_team(MID_SUFFOLK, services=[PARKING])
    a_team(SUFFOLK, services=[PARKING])
    assert a_case(service=PARKING).team == district


def test_a_case_gets_a_reference_its_details_and_a_raised_event():
    a_team(MID_SUFFOLK, services=[BINS])
    adviser = an_adviser()
    case = a_case(raised_by=adviser, priority="urgent", requester_phone=" 01449 123456 ")
    assert case.reference == f"C-{case.pk:06d}"
    assert case.details == [["Which bin was not emptied?", "Black bin"]]
    assert (case.status, case.priority, case.requester_phone) == ("new", "urgent",
                                                                   "01449 123456")
    [event] = case.events.all()
    assert (event.kind, event.by, event.status_to) == (CaseEvent.Kind.RAISED, adviser, "new")


def test_a_case_for_a_resident_with_no_property_given_routes_by_their_home():
    babergh_bins = a_team(BABERGH, services=[BINS])
    resident = a_resident(BABERGH)
    case = a_case(person=resident)
    assert case.team == babergh_bins
    assert case.property == resident.household.property


def test_with_no_address_a_case_routes_by_the_raising_users_only_provider():
    county = a_team(SUFFOLK, services=[FREE_SCHOOL_MEALS])
    a_team(MID_SUFFOLK, services=[BINS])
    a_team(BABERGH, services=[BINS])
    case = do_raise_case(kind="service_request", service=a_service(FREE_SCHOOL_MEALS),
                         title="Apply for free school meals", sla_working_days=5,
                         raised_by=an_adviser())
    assert case.team == county
    with pytest.raises(RoutingError, match=r"without an address.*Babergh.*Mid Suffolk"):
        do_raise_case(kind="referral", service=a_service(BINS), title="Missed bin",
                      sla_working_days=2, raised_by=an_adviser())
    mid_suffolk_adviser = an_adviser(acts_for=(MID_SUFFOLK,))
    assert do_raise_case(kind="referral", service=a_service(BINS), title="Missed bin",
                         sla_working_days=2,
                         raised_by=mid_suffolk_adviser).authority.slug == MID_SUFFOLK


def test_no_team_for_the_service_is_a_routing_error_naming_service_and_authority():
    a_team(BABERGH, services=[BINS])
    with pytest.raises(RoutingError, match=r"Mid Suffolk.*has no team that handles.*LGSL 524"):
        a_case(service=BINS, property=a_property(MID_SUFFOLK))
    assert not Case.objects.exists()


def test_a_routing_error_inside_the_callers_transaction_leaves_nothing_written():
    a_team(MID_SUFFOLK, services=[BINS])
    with pytest.raises(RoutingError), transaction.atomic():
        a_case(service=BINS)
        a_case(service=FREE_SCHOOL_MEALS)  # the county has no team for it
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()


def test_a_routing_error_is_a_value_error():
    assert issubclass(RoutingError, ValueError)


@pytest.mark.parametrize(("change", "message"), [
    ({"kind": "members_enquiry"}, "kind must be referral or service_request"),
    ({"priority": "whenever"}, "priority 'whenever' is not one of"),
    ({"title": "  "}, "needs a title"),
    ({"title": "x" * 201}, "at most 200 characters"),
    ({"sla_working_days": -1}, "sla_working_days must be a whole number"),
    ({"details": [("only a question",)]}, "detail 1 must be a"),
    ({"raised_at": dt.datetime(2025, 12, 19, 10)}, "timezone-aware"),
])
def test_bad_input_is_refused_with_a_message_naming_it(change, message):
    a_team(MID_SUFFOLK, services=[BINS])
    arguments = {"kind": "referral", "service": a_service(BINS), "property": a_property(),
                 "title": "Missed bin", "details": [("Bin?", "Black")],
                 "sla_working_days": 2, **change}
    with pytest.raises(CaseError, match=message):
        do_raise_case(**arguments)
    assert not Case.objects.exists()


def test_a_ten_day_clock_from_friday_19_december_2025_is_due_wednesday_7_january_2026():
    a_team(MID_SUFFOLK, services=[BINS])
    case = a_case(sla_working_days=10, raised_at=at(2025, 12, 19, 16, 30))
    assert case.due_on == dt.date(2026, 1, 7)
    assert case.due_on.strftime("%A") == "Wednesday"


def test_a_case_is_breached_only_after_its_due_date_and_while_open():
    a_team(MID_SUFFOLK, services=[BINS])
    case = a_case(sla_working_days=10, raised_at=at(2025, 12, 19))
    assert not case.is_breached(dt.date(2026, 1, 7))
    assert case.is_breached(dt.date(2026, 1, 8))
    assert case.working_days_overdue(dt.date(2026, 1, 8)) == 1
    # Friday 9 January to Monday 12 January: three working days overdue.
    assert case.working_days_overdue(dt.date(2026, 1, 12)) == 3
    assert case.working_days_overdue(dt.date(2026, 1, 7)) == 0
