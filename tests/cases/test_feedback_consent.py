"""Case feedback obeys the resident's consent: never by email or text against their latest
"no", their preferred channel first when they allow it, and when the channel it would have
gone by is ruled out the officer's page and the case history say why and what was done
instead."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.utils import timezone

from onestop.cases.actions import do_send_feedback, feedback_route
from onestop.cases.models import CaseEvent, Feedback
from onestop.integrations.models import OutboxMessage
from onestop.integrations.notify import FakeNotifier, notifier_in_use
from onestop.integrations.worker import Worker
from onestop.people.actions import do_add_email, do_add_phone, do_record_consent
from onestop.people.consent import choose_channel, may_contact
from onestop.people.models import Consent
from tests.cases.factories import a_back_office_officer, a_case, a_team
from tests.personas import MID_SUFFOLK, a_resident

pytestmark = pytest.mark.django_db

EMAIL_ADDRESS, MOBILE, LANDLINE = "m.okafor@example.org", "07712 345678", "01449 720000"
BY_EMAIL, BY_SMS = Consent.Purpose.CONTACT_BY_EMAIL, Consent.Purpose.CONTACT_BY_SMS
MESSAGE = "We have booked the crew for Thursday"


@pytest.fixture
def officer():
    return a_back_office_officer(a_team(MID_SUFFOLK))


def a_resident_with_email_and_mobile(**extra):
    resident = a_resident(**extra)
    do_add_email(resident, EMAIL_ADDRESS)
    do_add_phone(resident, MOBILE)
    return resident


def said(resident, purpose, given: bool, *, days_ago: int = 0):
    answer = do_record_consent(resident, purpose, given=given)
    Consent.objects.filter(pk=answer.pk).update(
        recorded_at=timezone.now() - dt.timedelta(days=days_ago))


def notify_messages():
    return list(OutboxMessage.objects.filter(kind__startswith="notify."))


def text(html: bytes) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode())))


# --- the actions ---------------------------------------------------------------------------

def test_a_resident_who_said_no_to_email_is_texted_instead_and_the_history_says_why(officer):
    resident = a_resident_with_email_and_mobile()
    said(resident, BY_EMAIL, False)
    case = a_case(person=resident)
    feedback = do_send_feedback(case, officer, MESSAGE)
    assert (feedback.channel, feedback.to) == ("sms", MOBILE)
    assert feedback.consent_note == ("the resident asked not to be contacted by email; sent "
                                     "by text message instead")
    [message] = notify_messages()
    assert message.kind == "notify.sms"
    assert EMAIL_ADDRESS not in str(message.payload)
    event = case.events.get(kind=CaseEvent.Kind.FEEDBACK)
    assert event.note == (f"by text message to {MOBILE} (the resident asked not to be "
                          f"contacted by email; sent by text message instead)")


def test_no_to_email_and_text_makes_it_a_call_for_the_team_and_nothing_goes_to_notify(
        officer):
    resident = a_resident_with_email_and_mobile()
    said(resident, BY_EMAIL, False)
    said(resident, BY_SMS, False)
    feedback = do_send_feedback(a_case(person=resident), officer, MESSAGE)
    assert (feedback.channel, feedback.to) == ("phone", MOBILE)
    assert feedback.consent_note == ("the resident asked not to be contacted by email or by "
                                     "text message; a phone call for the team to make instead")
    assert notify_messages() == []


def test_with_no_phone_either_it_is_a_letter_for_the_team_to_post(officer):
    resident = a_resident()
    do_add_email(resident, EMAIL_ADDRESS)
    said(resident, BY_EMAIL, False)
    feedback = do_send_feedback(a_case(person=resident), officer, MESSAGE)
    assert feedback.channel == "letter"
    assert feedback.to == resident.household.property.one_line_address
    assert feedback.consent_note.endswith("a letter for the team to post instead")
    assert notify_messages() == []


def test_the_latest_answer_counts(officer):
    resident = a_resident_with_email_and_mobile()
    said(resident, BY_EMAIL, False, days_ago=30)
    said(resident, BY_EMAIL, True, days_ago=1)
    assert feedback_route(a_case(person=resident)).channel == "email"
    said(resident, BY_EMAIL, False)
    assert feedback_route(a_case(person=resident)).channel == "sms"


def test_no_answer_recorded_is_not_a_no(officer):
    """The resident gave the address to be answered on; only a "no" stops it."""
    resident = a_resident_with_email_and_mobile()
    route = feedback_route(a_case(person=resident))
    assert route == ("email", EMAIL_ADDRESS, "")
    assert may_contact(resident, "email") and may_contact(resident, "sms")


def test_the_preferred_channel_comes_first_when_it_is_allowed(officer):
    resident = a_resident_with_email_and_mobile(preferred_channel="sms")
    said(resident, BY_EMAIL, False)  # a no to another channel changes nothing here
    route = feedback_route(a_case(person=resident))
    assert route == ("sms", MOBILE, "")


def test_a_preferred_channel_the_resident_said_no_to_is_passed_over_and_said(officer):
    resident = a_resident_with_email_and_mobile(preferred_channel="email")
    said(resident, BY_EMAIL, False)
    route = feedback_route(a_case(person=resident))
    assert (route.channel, route.to) == ("sms", MOBILE)
    assert "asked not to be contacted by email" in route.note


def test_the_choice_never_picks_a_channel_said_no_to_whatever_the_order():
    resident = a_resident(preferred_channel="sms")
    said(resident, BY_SMS, False)
    choice = choose_channel(resident, {"email": "", "sms": MOBILE}, ["email", "sms"])
    assert (choice.channel, choice.to, choice.wanted, choice.refused) == ("", "", "sms",
                                                                          ("sms",))
    assert choice.note() == "the resident asked not to be contacted by text message; " \
                            "nothing sent"


def test_a_no_given_while_the_message_waited_stops_it_before_notify(officer):
    resident = a_resident_with_email_and_mobile()
    feedback = do_send_feedback(a_case(person=resident), officer, MESSAGE)
    assert feedback.channel == "email"
    said(resident, BY_EMAIL, False)  # the resident rings before the worker runs
    with notifier_in_use(FakeNotifier()) as fake:
        assert Worker().run_once() == (0, 1)
    assert fake.sent == []
    message = OutboxMessage.objects.get(key=f"feedback:{feedback.pk}")
    assert message.status == OutboxMessage.Status.DEAD
    assert "has asked not to be contacted by email" in message.last_error
    assert Feedback.objects.get(pk=feedback.pk).delivered_at is None


# --- the officer's page --------------------------------------------------------------------

def test_the_officer_is_told_why_the_feedback_goes_another_way(client, officer):
    resident = a_resident_with_email_and_mobile()
    said(resident, BY_EMAIL, False)
    case = a_case(person=resident)
    client.force_login(officer)
    response = client.post(f"/cases/{case.reference}/feedback/", {"message": MESSAGE},
                           follow=True)
    assert response.status_code == 200
    page = text(response.content)
    assert ("Feedback saved to send by text message: the resident asked not to be contacted "
            "by email; sent by text message instead") in page
    assert "The resident asked not to be contacted by email; sent by text message instead." \
        in page  # beside the feedback sent
    assert f"by text message to {MOBILE} (the resident asked not to be contacted by email" \
        in page  # in the history
    assert [m.kind for m in notify_messages()] == ["notify.sms"]
