"""A life event's confirmation obeys consent as case feedback does: never by email or text
to someone whose latest answer says no to it, the preferred channel first when allowed,
and the adviser's page says what was ruled out and what was done instead."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest

from onestop.integrations.models import OutboxMessage
from onestop.lifeevents.actions import do_report_life_event
from onestop.people.actions import do_add_email, do_add_phone, do_record_consent
from onestop.people.models import Consent
from tests.personas import a_resident, an_adviser

pytestmark = pytest.mark.django_db

BECAME_DISABLED = dt.date(2026, 11, 20)
BY_EMAIL, BY_SMS = Consent.Purpose.CONTACT_BY_EMAIL, Consent.Purpose.CONTACT_BY_SMS


def a_resident_with_email_and_mobile(**extra):
    resident = a_resident(**extra)
    do_add_email(resident, "m.okafor@example.org")
    do_add_phone(resident, "07712 345678")
    return resident


def report(resident, adviser=None):
    return do_report_life_event("disability", resident, BECAME_DISABLED, {},
                                adviser or an_adviser())


def notify_kinds() -> list[str]:
    return list(OutboxMessage.objects.filter(kind__startswith="notify.")
                .values_list("kind", flat=True))


def test_a_resident_who_said_no_to_email_is_confirmed_by_text_and_the_event_says_why():
    resident = a_resident_with_email_and_mobile()
    do_record_consent(resident, BY_EMAIL, given=False)
    event = report(resident)
    assert event.confirmation.kind == "notify.sms"
    assert event.confirmation.payload["to"] == "+447712345678"
    assert event.confirmation.payload["consent_of"] == resident.pk
    assert event.confirmation_note == ("The resident asked not to be contacted by email; "
                                       "sent by text message instead")
    assert notify_kinds() == ["notify.sms"]


def test_no_to_email_and_text_sends_no_confirmation_and_says_to_tell_them_another_way():
    resident = a_resident_with_email_and_mobile()
    do_record_consent(resident, BY_EMAIL, given=False)
    do_record_consent(resident, BY_SMS, given=False)
    event = report(resident)
    assert event.confirmation is None
    assert event.confirmation_note == (
        "No confirmation sent: the resident asked not to be contacted by email or by text "
        "message; tell the resident by phone or letter")
    assert notify_kinds() == []


def test_with_no_answer_recorded_the_email_goes_and_the_preferred_text_comes_first():
    assert report(a_resident_with_email_and_mobile()).confirmation.kind == "notify.email"
    prefers_text = a_resident_with_email_and_mobile(given_name="Ada", preferred_channel="sms")
    event = report(prefers_text)
    assert (event.confirmation.kind, event.confirmation_note) == ("notify.sms", "")


def test_a_yes_after_a_no_lets_the_email_go():
    resident = a_resident_with_email_and_mobile()
    do_record_consent(resident, BY_EMAIL, given=False)
    do_record_consent(resident, BY_EMAIL, given=True)
    assert report(resident).confirmation.kind == "notify.email"


def test_a_deaths_informant_on_our_records_is_asked_too():
    deceased = a_resident(given_name="Daniel")
    informant = a_resident_with_email_and_mobile(given_name="Grace")
    do_record_consent(informant, BY_EMAIL, given=False)
    do_record_consent(informant, BY_SMS, given=False)
    event = do_report_life_event("death", deceased, BECAME_DISABLED, {}, an_adviser(),
                                 informant=informant)
    assert event.confirmation is None
    assert event.confirmation_note.startswith(
        "No confirmation sent: the informant asked not to be contacted by email or by text")
    assert notify_kinds() == []


def test_the_advisers_page_says_why_the_confirmation_went_by_text(client):
    adviser = an_adviser()
    resident = a_resident_with_email_and_mobile()
    do_record_consent(resident, BY_EMAIL, given=False)
    event = report(resident, adviser)
    client.force_login(adviser)
    response = client.get(f"/life-events/{event.pk}/")
    assert response.status_code == 200
    page = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))
    assert "Text message to +447712345678" in page
    assert "The resident asked not to be contacted by email; sent by text message instead." \
        in page
