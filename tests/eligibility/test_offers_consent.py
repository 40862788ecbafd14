"""A resident who said no to being told about services is offered nothing: the person page
says so instead of the offers, an offer cannot be recorded, and `onestop screen` leaves them
off the campaign list and counts them. If they ask, the adviser can see what applies and
add a service they accept."""

from __future__ import annotations

import csv

import pytest
from django.core.management import call_command

from onestop.catalogue.models import Service
from onestop.contacts.models import ContactService
from onestop.eligibility.actions import OfferError, do_record_offer
from onestop.eligibility.models import Offer
from onestop.eligibility.queries import recommendations_for
from onestop.people.actions import do_record_consent
from onestop.people.models import Consent
from tests.eligibility.test_recommendations import (
    a_family_on_housing_benefit,
    offer_section,
    signed_in,
)
from tests.personas import an_adviser

pytestmark = pytest.mark.django_db

OFFERS = Consent.Purpose.PROACTIVE_OFFERS
NOT_TOLD = "Not offered: the resident asked not to be told about services"


def refusing(person):
    do_record_consent(person, OFFERS, given=False)
    return person


def test_the_person_page_says_not_offered_instead_of_the_offers(rules):
    mother = refusing(a_family_on_housing_benefit())
    client = signed_in(an_adviser())
    page = client.get(f"/people/{mother.pk}/").content.decode()
    offers = offer_section(page)
    assert NOT_TOLD in offers
    assert 'name="outcome" value="offered"' not in offers
    assert 'value="declined"' not in offers
    # What applies is folded away, for when the resident asks.
    asked = offers[offers.index('id="on-request"'):]
    assert "Only if the resident asks what they may be eligible for" in asked
    assert "Free school meals" in asked


def test_a_resident_who_said_yes_again_is_offered_services_again(rules):
    mother = refusing(a_family_on_housing_benefit())
    do_record_consent(mother, OFFERS, given=True)
    found = recommendations_for(mother)
    assert not found.offers_refused
    assert 4 in {r.service.lgsl for r in found.to_offer}
    refusing(mother)  # and no again: the latest answer counts
    assert recommendations_for(mother).offers_refused


def test_no_answer_recorded_is_not_a_no_to_offers(rules):
    found = recommendations_for(a_family_on_housing_benefit())
    assert not found.offers_refused and found.to_offer and not found.on_request


def test_an_offer_to_a_resident_who_said_no_is_refused_by_the_action_and_the_page(rules):
    mother = refusing(a_family_on_housing_benefit())
    meals = Service.objects.get(lgsl=4)
    adviser = an_adviser()
    for outcome in ("offered", "declined"):
        with pytest.raises(OfferError, match=NOT_TOLD):
            do_record_offer(mother, meals, outcome, by=adviser)
    response = signed_in(adviser).post(f"/eligibility/people/{mother.pk}/offers/",
                                       {"lgsl": "4", "outcome": "offered"}, follow=True)
    assert NOT_TOLD in response.content.decode()
    assert not Offer.objects.exists()


def test_a_resident_who_asks_can_accept_a_service_into_the_contact(rules):
    mother = refusing(a_family_on_housing_benefit())
    client = signed_in(an_adviser())
    client.post(f"/people/{mother.pk}/contacts/start/", {"channel": "phone"})
    page = offer_section(client.get(f"/people/{mother.pk}/").content.decode())
    assert "They asked and accept" in page
    response = client.post(f"/eligibility/people/{mother.pk}/offers/",
                           {"lgsl": "4", "outcome": "accepted"})
    assert response.status_code == 302
    offer = Offer.objects.get(person=mother, service__lgsl=4)
    assert offer.status == Offer.Status.ACCEPTED
    assert ContactService.objects.filter(contact=offer.contact, service__lgsl=4).exists()


def test_screen_leaves_out_residents_who_said_no_and_counts_them(rules, tmp_path, capsys):
    told = a_family_on_housing_benefit()
    not_told = refusing(a_family_on_housing_benefit(postcode="IP14 2AA"))
    changed_mind = a_family_on_housing_benefit(postcode="IP14 3AA")
    refusing(changed_mind)
    do_record_consent(changed_mind, OFFERS, given=True)
    out = tmp_path / "meals.csv"
    call_command("screen", "--service", "4", "--out", str(out))
    with out.open(newline="", encoding="utf-8") as handle:
        listed = {int(row["person_id"]) for row in csv.DictReader(handle)}
    assert listed == {told.pk, changed_mind.pk}
    assert not_told.pk not in listed
    err = capsys.readouterr().err
    assert "2 offers to make to 2 residents" in err
    assert "1 residents likely eligible left out: they asked not to be told about services" \
        in err
