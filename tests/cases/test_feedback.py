"""Feedback goes back to the requester on their channel; it is stored now and delivered
later through the outbox."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from onestop.cases.actions import (
    CaseAccessDenied,
    CaseError,
    do_raise_members_enquiry,
    do_resolve_case,
    do_send_feedback,
)
from onestop.cases.models import CaseEvent, Feedback
from onestop.cases.queries import cases_for_person
from onestop.people.actions import do_add_email, do_add_phone
from tests.cases.factories import a_back_office_officer, a_case, a_councillor, a_team
from tests.personas import MID_SUFFOLK, a_property, a_resident

pytestmark = pytest.mark.django_db

MOBILE, LANDLINE = "07712 345678", "01449 720000"


@pytest.fixture
def officer():
    return a_back_office_officer(a_team(MID_SUFFOLK))


def feedback_for(person=None, officer=None, **case_extra) -> Feedback:
    case = a_case(person=person, **case_extra)
    return do_send_feedback(case, officer, "We have booked the crew for Thursday")


def test_the_persons_preferred_channel_is_used_when_we_hold_an_address_for_it(officer):
    resident = a_resident(preferred_channel="sms")
    do_add_email(resident, "m.okafor@example.org")
    do_add_phone(resident, MOBILE)
    feedback = feedback_for(resident, officer)
    assert (feedback.channel, feedback.to) == ("sms", MOBILE)
    assert feedback.delivered_at is None


def test_without_a_preference_email_comes_first(officer):
    resident = a_resident()
    do_add_phone(resident, MOBILE)
    do_add_email(resident, "m.okafor@example.org")
    assert (feedback_for(resident, officer).channel,
            feedback_for(resident, officer).to) == ("email", "m.okafor@example.org")


def test_a_preference_we_cannot_reach_falls_back_to_email(officer):
    resident = a_resident(preferred_channel="sms")
    do_add_email(resident, "m.okafor@example.org")
    assert feedback_for(resident, officer).channel == "email"


def test_with_no_email_a_mobile_gets_a_text_and_a_landline_a_call(officer):
    texted = a_resident()
    do_add_phone(texted, MOBILE)
    assert (feedback_for(texted, officer).channel) == "sms"
    called = a_resident()
    do_add_phone(called, LANDLINE)
    assert (feedback_for(called, officer).channel, feedback_for(called, officer).to) == (
        "phone", LANDLINE)


def test_with_nothing_else_known_a_letter_goes_to_the_home_address(officer):
    resident = a_resident()
    feedback = feedback_for(resident, officer)
    assert (feedback.channel, feedback.to) == (
        "letter", resident.household.property.one_line_address)


def test_a_self_service_requester_is_answered_on_the_details_they_gave(officer):
    feedback = feedback_for(None, officer, property=a_property(),
                            requester_name="Sam", requester_email="sam@example.org")
    assert (feedback.channel, feedback.to) == ("email", "sam@example.org")


def test_resolving_stores_the_response_as_feedback(officer):
    resident = a_resident()
    do_add_email(resident, "m.okafor@example.org")
    case = a_case(person=resident)
    do_resolve_case(case, officer, "The crew emptied your bin this morning")
    [feedback] = case.feedback.all()
    assert feedback.message == "The crew emptied your bin this morning"
    assert feedback.channel == "email"
    assert case.events.filter(kind=CaseEvent.Kind.FEEDBACK).exists()


def test_feedback_needs_a_message_and_a_user_who_works_the_case(officer):
    case = a_case()
    with pytest.raises(CaseError, match="enter the feedback"):
        do_send_feedback(case, officer, " ")
    other = a_back_office_officer(a_team(MID_SUFFOLK))
    with pytest.raises(CaseAccessDenied):
        do_send_feedback(case, other, "Hello")
    assert not Feedback.objects.exists()


def test_a_persons_cases_come_newest_first_with_their_feedback_in_fixed_queries(
        officer, django_assert_num_queries):
    resident = a_resident()
    older, newer = a_case(person=resident), a_case(person=resident)
    for case in (older, newer, newer):
        do_send_feedback(case, officer, "Update")
    assert officer.role_names  # the viewer's roles are read once per request, before
    with django_assert_num_queries(2):
        cases = list(cases_for_person(resident, officer))
        counts = [len(case.feedback.all()) for case in cases]
        services = [case.service.lgsl for case in cases]
    assert cases == [newer, older]
    assert counts == [2, 1]
    assert services == [524, 524]


def test_the_person_page_include_lists_each_case_with_its_feedback(officer):
    resident = a_resident()
    case = a_case(person=resident)
    do_send_feedback(case, officer, "We have booked the crew for Thursday")
    html = render_to_string("cases/includes/person_cases.html",
                            {"person_cases": cases_for_person(resident, officer)})
    assert case.reference in html
    assert "We have booked the crew for Thursday" in html
    assert "by letter" in html
    assert "No cases." in render_to_string("cases/includes/person_cases.html",
                                           {"person_cases": cases_for_person(a_resident(),
                                                                             officer)})


def test_a_councillor_reads_only_their_own_enquiries_among_a_residents_cases(officer):
    resident = a_resident()
    referral = a_case(person=resident)
    mine, theirs = a_councillor(), a_councillor()
    enquiry = do_raise_members_enquiry(mine, service=referral.service, person=resident,
                                       question="When will the bin be emptied?")
    do_raise_members_enquiry(theirs, service=referral.service, person=resident,
                             question="A confidential question")
    assert list(cases_for_person(resident, mine)) == [enquiry]
    assert referral in cases_for_person(resident, officer)
