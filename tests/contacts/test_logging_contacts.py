"""Advisers log a contact: channel, services discussed, outcome, notes."""

from __future__ import annotations

import pytest

from onestop.catalogue.models import Service
from onestop.contacts.actions import ContactError, do_log_contact
from onestop.contacts.models import Contact
from onestop.core.models import RecordAccess
from tests.personas import MID_SUFFOLK, a_babergh_adviser, a_resident, an_adviser

pytestmark = pytest.mark.django_db


def services(*lgsls: int) -> list[Service]:
    return list(Service.objects.filter(lgsl__in=lgsls).order_by("lgsl"))


def test_logging_a_contact_records_channel_services_outcome_and_notes():
    resident = a_resident()
    adviser = an_adviser()
    contact = do_log_contact(recorded_by=adviser, person=resident, channel="phone",
                             outcome="resolved", services=services(58, 530),
                             notes="  Asked about bins and the bill. ")
    assert contact.person == resident
    assert sorted(contact.services.values_list("lgsl", flat=True)) == [58, 530]
    assert contact.notes == "Asked about bins and the bill."
    assert contact.started_at <= contact.ended_at
    assert contact.resolved_at_first_contact is True
    referred = do_log_contact(recorded_by=adviser, person=resident, channel="phone",
                              outcome="referred", services=services(58))
    assert referred.resolved_at_first_contact is False


def test_a_contact_needs_at_least_one_service_and_a_known_channel():
    with pytest.raises(ContactError, match="at least one service") as raised:
        do_log_contact(recorded_by=an_adviser(), channel="phone", outcome="resolved",
                       services=[])
    assert raised.value.field == "services"
    with pytest.raises(ContactError, match="channel 'pigeon' is not one of"):
        do_log_contact(recorded_by=an_adviser(), channel="pigeon", outcome="resolved",
                       services=services(58))


def test_an_adviser_cannot_log_a_contact_for_a_resident_outside_their_councils():
    with pytest.raises(ContactError, match="do not act for"):
        do_log_contact(recorded_by=a_babergh_adviser(), person=a_resident(MID_SUFFOLK),
                       channel="phone", outcome="resolved", services=services(58))
    assert not Contact.objects.exists()


def test_the_desktop_form_finds_services_keeps_choices_and_saves_the_contact(client):
    resident = a_resident()
    client.force_login(an_adviser())
    url = f"/people/{resident.pk}/contacts/new/"
    searched = client.post(url, {"action": "search", "service_query": "garden waste",
                                 "channel": "phone"})
    assert searched.status_code == 200
    html = searched.content.decode()
    assert 'value="530"' in html
    assert "There is a problem" not in html  # searching is not submitting
    searched_again = client.post(url, {"action": "search", "service_query": "council tax",
                                       "services": ["530"]}).content.decode()
    assert 'value="530" checked' in searched_again
    saved = client.post(url, {"action": "save", "services": ["530", "58"], "channel": "phone",
                              "outcome": "resolved", "notes": "Subscribed to garden waste"})
    contact = Contact.objects.get()
    assert saved.status_code == 302
    assert saved["Location"] == f"/people/{resident.pk}/?contact={contact.pk}"
    assert sorted(contact.services.values_list("lgsl", flat=True)) == [58, 530]
    page = client.get(saved["Location"]).content.decode()
    assert f"Contact {contact.pk} logged" in page
    assert RecordAccess.objects.filter(person=resident, contact=contact).exists()


def test_the_desktop_form_explains_what_is_missing(client):
    resident = a_resident()
    client.force_login(an_adviser())
    response = client.post(f"/people/{resident.pk}/contacts/new/", {"action": "save"})
    assert response.status_code == 400
    html = response.content.decode()
    for message in ("Select how they contacted us", "Choose at least one service discussed",
                    "Select the outcome of the contact"):
        assert message in html
    assert not Contact.objects.exists()


def test_the_person_page_shows_who_provides_each_common_service_at_their_address(client):
    resident = a_resident(MID_SUFFOLK)
    client.force_login(an_adviser())
    html = client.get(f"/people/{resident.pk}/").content.decode()
    garden = html.index("Household garden waste")
    meals = html.index("Free school meals")
    assert "Mid Suffolk District Council" in html[garden:garden + 300]
    assert "Suffolk County Council" in html[meals:meals + 300]


def test_the_person_page_shows_only_the_latest_answer_to_each_consent_question(client):
    from onestop.people.actions import do_record_consent

    resident = a_resident()
    do_record_consent(resident, "proactive_offers", given=True)
    do_record_consent(resident, "contact_by_sms", given=True)
    do_record_consent(resident, "proactive_offers", given=False)
    client.force_login(an_adviser())
    html = client.get(f"/people/{resident.pk}/").content.decode()
    assert html.count("Be told about services they may be eligible for") == 1
    assert "Be told about services they may be eligible for: no" in html
    assert "Be contacted by text message: yes" in html
