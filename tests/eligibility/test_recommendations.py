"""On the person page an adviser sees the services to offer, with why and who provides
them, hides those not applicable (saying why), and records what the resident said;
an accepted offer goes into the open contact."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from onestop.catalogue.models import Service
from onestop.contacts.models import ContactService, WorkSession
from onestop.eligibility.actions import OfferError, do_record_offer
from onestop.eligibility.models import Offer
from onestop.eligibility.queries import cross_service_take_up, recommendations_for
from onestop.people.actions import do_register_person
from onestop.people.models import BenefitAward, ServiceReceived
from tests.personas import a_property, a_resident, a_resident_who_moved_away, an_adviser

pytestmark = pytest.mark.django_db


def terminal(name: str = "a") -> Client:
    client = Client()
    client.cookies["onestop_terminal"] = (name * 32)[:32]
    return client


def signed_in(adviser) -> Client:
    client = terminal()
    response = client.post("/sign-in/", {"card_number": adviser.card_number, "pin": "1234"})
    assert response.status_code == 302
    return client


def a_family_on_housing_benefit(**home):
    """A mother on Housing Benefit with a daughter in Year 4, renting a house."""
    prop = a_property(tenure="private_rented", **home)
    mother = a_resident(property=prop, given_name="Dawn", family_name="Archer",
                        date_of_birth=dt.date(1988, 6, 2))
    do_register_person(given_name="Lily", family_name="Archer", property=prop,
                       date_of_birth=dt.date(2017, 10, 12))
    BenefitAward.objects.create(person=mother, benefit="housing_benefit")
    return mother


def offer_section(html: str) -> str:
    return html[html.index('id="recommendations"'):html.index('id="not-applicable"')
                if 'id="not-applicable"' in html else None]


def test_a_family_on_housing_benefit_is_offered_free_school_meals_from_the_county(rules):
    mother = a_family_on_housing_benefit()
    page = signed_in(an_adviser()).get(f"/people/{mother.pk}/").content.decode()
    offers = offer_section(page)
    assert "Free school meals" in offers
    card = offers[offers.index('data-lgsl="4"'):]
    card = card[:card.index("</form>")]
    assert "A child of school age lives here" in card
    assert ("school-age children in the household: 1; aged 18 or over; receives Housing "
            "Benefit") in card
    assert "Suffolk County Council" in card


def test_a_second_floor_flat_is_not_offered_garden_waste_and_the_page_says_why(rules):
    prop = a_property(property_type="flat", floor=2, tenure="private_rented")
    resident = a_resident(property=prop)
    page = signed_in(an_adviser()).get(f"/people/{resident.pk}/").content.decode()
    assert 'data-lgsl="530"' not in offer_section(page)
    hidden = page[page.index('id="not-applicable"'):]
    line = hidden[hidden.index('data-lgsl="530"'):]
    line = line[:line.index("</li>")]
    assert "a flat above the ground floor has none" in line
    assert "type of home: flat; floor of the flat (0 is the ground floor): 2" in line


def test_a_service_already_received_is_not_offered_again(rules):
    resident = a_resident(property=a_property(property_type="house"))
    garden = Service.objects.get(lgsl=530)
    before = {r.service.lgsl for r in recommendations_for(resident).to_offer}
    ServiceReceived.objects.create(person=resident, service=garden, source="garden_waste")
    after = recommendations_for(resident)
    assert 530 in before and 530 not in {r.service.lgsl for r in after.to_offer}
    assert next(r for r in after.others if r.service.lgsl == 530).outcome.reason == \
        "Someone in the household already receives it"


def test_accepting_an_offer_adds_the_service_to_the_open_contact(rules):
    mother = a_family_on_housing_benefit()
    adviser = an_adviser()
    client = signed_in(adviser)
    client.post(f"/people/{mother.pk}/contacts/start/", {"channel": "phone"})
    response = client.post(f"/eligibility/people/{mother.pk}/offers/",
                           {"lgsl": "4", "outcome": "accepted"})
    assert response.status_code == 302
    offer = Offer.objects.get(person=mother, service__lgsl=4)
    assert offer.status == Offer.Status.ACCEPTED and offer.contact is not None
    assert "receives Housing Benefit" in offer.reason
    assert ContactService.objects.filter(contact=offer.contact, service__lgsl=4).exists()


def test_accepting_without_an_open_contact_is_refused_and_records_nothing(rules):
    mother = a_family_on_housing_benefit()
    client = signed_in(an_adviser())
    response = client.post(f"/eligibility/people/{mother.pk}/offers/",
                           {"lgsl": "4", "outcome": "accepted"}, follow=True)
    assert "start a contact with Dawn Archer first" in response.content.decode()
    assert not Offer.objects.exists()


def test_offered_then_declined_is_one_offer_and_cannot_be_declined_twice(rules):
    mother = a_family_on_housing_benefit()
    adviser = an_adviser()
    meals = Service.objects.get(lgsl=4)
    do_record_offer(mother, meals, "offered", by=adviser)
    offer = do_record_offer(mother, meals, "declined", by=adviser)
    assert Offer.objects.get().status == Offer.Status.DECLINED == offer.status
    with pytest.raises(OfferError, match="choose offered, accepted or declined"):
        do_record_offer(mother, meals, "maybe", by=adviser)


def test_a_service_not_recommended_cannot_be_recorded_from_the_page(rules):
    resident = a_resident(property=a_property(property_type="flat", floor=3))
    client = signed_in(an_adviser())
    response = client.post(f"/eligibility/people/{resident.pk}/offers/",
                           {"lgsl": "530", "outcome": "offered"}, follow=True)
    assert "not recommended for this resident" in response.content.decode()
    assert not Offer.objects.exists()


def test_taking_two_extra_services_in_one_contact_counts_as_cross_service_take_up(rules):
    mother = a_family_on_housing_benefit()
    adviser = an_adviser()
    client = signed_in(adviser)
    client.post(f"/people/{mother.pk}/contacts/start/", {"channel": "phone"})
    contact = WorkSession.objects.get(owner=adviser).contact
    to_offer = [r.service.lgsl for r in recommendations_for(mother).to_offer]
    assert {4, 530} <= set(to_offer)

    def accept(lgsl: int) -> None:
        client.post(f"/eligibility/people/{mother.pk}/offers/",
                    {"lgsl": str(lgsl), "outcome": "accepted"})

    accept(4)
    accept(530)
    # Two offers taken, but the resident got in touch about nothing else: not counted.
    assert cross_service_take_up() == 0
    client.post(f"/contacts/{contact.pk}/", {"action": "add", "lgsl": "524"})
    assert cross_service_take_up() == 1


def test_without_an_address_the_page_says_the_provider_is_not_known_yet(rules):
    parent = a_resident_who_moved_away(given_name="Sam", family_name="Hale",
                                       date_of_birth=dt.date(1990, 1, 1), has_disability=True)
    BenefitAward.objects.create(person=parent, benefit="pip")
    page = signed_in(an_adviser()).get(f"/people/{parent.pk}/").content.decode()
    card = offer_section(page)[offer_section(page).index('data-lgsl="279"'):]
    assert "Not known without the resident's address" in card[:card.index("</form>")]
