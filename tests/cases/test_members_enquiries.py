"""Councillors raise enquiries for constituents, with clocks to acknowledge and to answer
from the settings; they rate the answers; leaders see how timely and good answers are."""

from __future__ import annotations

import datetime as dt
import runpy

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

import onestop.settings
from onestop.cases.actions import (
    CaseAccessDenied,
    CaseError,
    RoutingError,
    do_acknowledge_case,
    do_raise_members_enquiry,
    do_rate_enquiry,
    do_resolve_case,
)
from onestop.cases.models import Case
from onestop.cases.queries import default_period, enquiry_performance
from onestop.staff.models import Role
from tests.cases.factories import (
    BINS,
    FREE_SCHOOL_MEALS,
    a_back_office_officer,
    a_case,
    a_councillor,
    a_service,
    a_team,
    at,
)
from tests.personas import BABERGH, MID_SUFFOLK, SUFFOLK, a_property, a_resident, a_staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def bins_team():
    return a_team(MID_SUFFOLK, services=[BINS], name="Mid Suffolk bins")


def an_enquiry(councillor, *, service=BINS, raised_at=None, **extra) -> Case:
    if not {"person", "property", "constituent_name"} & extra.keys():
        extra["person"] = a_resident(MID_SUFFOLK)
    return do_raise_members_enquiry(councillor, service=a_service(service),
                                    question="Why was the bin on Church Lane missed twice?",
                                    raised_at=raised_at, **extra)


def test_an_enquiry_is_routed_like_a_referral_with_both_clocks_from_the_settings(
        bins_team, settings):
    settings.MEMBERS_ENQUIRY_ACKNOWLEDGE_WORKING_DAYS = 3
    settings.MEMBERS_ENQUIRY_RESPONSE_WORKING_DAYS = 10
    councillor = a_councillor()
    enquiry = an_enquiry(councillor, raised_at=at(2025, 12, 19))
    assert (enquiry.kind, enquiry.team, enquiry.councillor) == ("members_enquiry", bins_team,
                                                                councillor)
    assert enquiry.acknowledge_due_on == dt.date(2025, 12, 24)
    assert enquiry.due_on == dt.date(2026, 1, 7)
    assert enquiry.sla_working_days == 10
    assert enquiry.details == [["Question", "Why was the bin on Church Lane missed twice?"]]
    assert enquiry.requester_name == enquiry.person.full_name


def test_a_constituent_typed_in_routes_by_the_councillors_area(bins_team):
    county = a_team(SUFFOLK, services=[FREE_SCHOOL_MEALS])
    councillor = a_councillor()  # acts for Mid Suffolk alone
    enquiry = an_enquiry(councillor, constituent_name="Ada Lovell",
                         constituent_address="3 Mill Lane, Stowmarket IP14 2AA")
    assert enquiry.team == bins_team
    assert enquiry.requester_address == "3 Mill Lane, Stowmarket IP14 2AA"
    # Free school meals are the county's, even for a councillor of a district.
    assert an_enquiry(councillor, service=FREE_SCHOOL_MEALS, constituent_name="Ada Lovell",
                      constituent_address="3 Mill Lane").team == county


def test_a_property_routes_the_enquiry_where_it_is(bins_team):
    babergh = a_team(BABERGH, services=[BINS])
    enquiry = an_enquiry(a_councillor(acts_for=(MID_SUFFOLK, BABERGH)),
                         property=a_property(BABERGH), constituent_name="Ada Lovell")
    assert enquiry.team == babergh


def test_an_enquiry_needs_a_councillor_a_question_and_a_constituent_they_may_see(bins_team):
    councillor = a_councillor()
    with pytest.raises(CaseAccessDenied, match="only a councillor"):
        an_enquiry(a_back_office_officer(bins_team))
    with pytest.raises(CaseError, match="question"):
        do_raise_members_enquiry(councillor, service=a_service(BINS), question=" ",
                                 person=a_resident())
    with pytest.raises(CaseError, match="name and address"):
        do_raise_members_enquiry(councillor, service=a_service(BINS), question="Why?",
                                 constituent_name="Ada Lovell")
    with pytest.raises(CaseAccessDenied, match="outside the authorities"):
        an_enquiry(councillor, person=a_resident(BABERGH))
    assert not Case.objects.exists()


def test_an_enquiry_no_team_takes_is_a_routing_error(bins_team):
    with pytest.raises(RoutingError, match="Suffolk County Council has no team"):
        an_enquiry(a_councillor(), service=FREE_SCHOOL_MEALS)


def test_only_the_councillor_who_raised_it_rates_it_once_it_is_answered(bins_team):
    councillor = a_councillor()
    officer = a_back_office_officer(bins_team)
    enquiry = an_enquiry(councillor)
    with pytest.raises(CaseError, match="once it is answered"):
        do_rate_enquiry(enquiry, councillor, 5)
    do_resolve_case(enquiry, officer, "The crew has been briefed; collections resume Monday")
    with pytest.raises(CaseAccessDenied, match="only the councillor who raised"):
        do_rate_enquiry(enquiry, a_councillor(), 5)
    for bad in (0, 6, "5", True):
        with pytest.raises(CaseError, match="whole number from 1 to 5"):
            do_rate_enquiry(enquiry, councillor, bad)
    do_rate_enquiry(enquiry, councillor, 4, " Quick and clear ")
    enquiry.refresh_from_db()
    assert (enquiry.rating, enquiry.rating_comment) == (4, "Quick and clear")
    with pytest.raises(CaseError, match="already rated"):
        do_rate_enquiry(enquiry, councillor, 5)


def test_a_referral_cannot_be_rated(bins_team):
    with pytest.raises(CaseError, match="not a members' enquiry"):
        do_rate_enquiry(a_case(), a_councillor(), 3)


def test_the_answer_goes_to_the_councillor_by_email(bins_team):
    councillor = a_councillor(email="cllr.whitby@example.org")
    enquiry = an_enquiry(councillor)
    do_resolve_case(enquiry, a_back_office_officer(bins_team), "Fixed")
    assert (enquiry.feedback.get().channel, enquiry.feedback.get().to) == (
        "email", "cllr.whitby@example.org")


def test_performance_counts_timeliness_overdue_and_mean_rating(bins_team,
                                                                django_assert_max_num_queries):
    county = a_team(SUFFOLK, services=[FREE_SCHOOL_MEALS], name="Suffolk school meals")
    councillor = a_councillor()
    officer = a_back_office_officer(bins_team, county)
    now = timezone.now()
    month_ago = now - dt.timedelta(days=30)
    on_time = an_enquiry(councillor, raised_at=now)
    do_acknowledge_case(on_time, officer)
    do_resolve_case(on_time, officer, "Done")
    do_rate_enquiry(on_time, councillor, 5)
    late = an_enquiry(councillor, raised_at=month_ago)
    do_resolve_case(late, officer, "Done at last")  # acknowledged and answered late
    do_rate_enquiry(late, councillor, 2)
    an_enquiry(councillor, raised_at=month_ago)  # still open, overdue
    an_enquiry(councillor, service=FREE_SCHOOL_MEALS, raised_at=now)  # open, not yet due
    an_enquiry(councillor, raised_at=now - dt.timedelta(days=200))  # outside the period

    with django_assert_max_num_queries(3):
        figures = enquiry_performance(*default_period())
    bins = next(r for r in figures.by_service if "LGSL 524" in r.label)
    assert (bins.raised, bins.acknowledged_on_time, bins.answered_on_time,
            bins.open_overdue, bins.mean_rating) == (3, 1, 1, 1, 3.5)
    assert bins.acknowledged_on_time_percent == pytest.approx(33.3)
    meals = next(r for r in figures.by_service if "LGSL 4)" in r.label)
    assert (meals.raised, meals.open_overdue, meals.mean_rating) == (1, 0, None)
    assert [r.label for r in figures.by_team] == ["Mid Suffolk bins", "Suffolk school meals"]
    assert figures.total.raised == 4
    assert figures.total.answered_on_time_percent == 25.0
    # A team leader sees the enquiries of the councils they act for, no others.
    babergh_leader = a_staff_member(Role.TEAM_LEADER, acts_for=(BABERGH,))
    assert enquiry_performance(*default_period(), viewer=babergh_leader).total.raised == 0
    county_leader = a_staff_member(Role.TEAM_LEADER, acts_for=(SUFFOLK,))
    assert enquiry_performance(*default_period(), viewer=county_leader).total.raised == 1
    # Administrators too.
    babergh_admin = a_staff_member(Role.ADMINISTRATOR, acts_for=(BABERGH,))
    assert enquiry_performance(*default_period(), viewer=babergh_admin).total.raised == 0


def test_the_default_period_is_the_last_90_days():
    start, end = default_period(dt.date(2026, 3, 31))
    assert (end - start).days + 1 == 90
    assert end == dt.date(2026, 3, 31)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("MEMBERS_ENQUIRY_RESPONSE_WORKING_DAYS", "ten", "is not a whole number"),
    ("MEMBERS_ENQUIRY_RESPONSE_WORKING_DAYS", "0", "must be at least 1"),
    ("MEMBERS_ENQUIRY_ACKNOWLEDGE_WORKING_DAYS", "-1", "must be at least 0"),
])
def test_a_bad_enquiry_clock_setting_is_refused_naming_it(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=f"{name}={value!r} {message}"):
        runpy.run_path(onestop.settings.__file__)
