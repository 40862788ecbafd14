"""Advisers find a resident by name, date of birth, postcode or phone."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.people.phones import BadPhoneNumber, normalise_phone
from onestop.people.postcodes import normalise_postcode
from onestop.people.queries import BadSearch, PersonSearch, find_people
from tests.personas import MID_SUFFOLK, a_property, a_resident, an_adviser

pytestmark = pytest.mark.django_db


def test_phone_numbers_are_normalised_to_e164_and_mobiles_recognised():
    assert normalise_phone("07911 123456") == ("+447911123456", True)
    assert normalise_phone("(01449) 724 500") == ("+441449724500", False)
    with pytest.raises(BadPhoneNumber, match="'12' is not a valid phone number"):
        normalise_phone("12")


def test_postcodes_are_normalised_whatever_the_spacing_and_case():
    assert normalise_postcode("ip141ab") == "IP14 1AB"
    assert normalise_postcode(" co10  2aa ") == "CO10 2AA"
    assert normalise_postcode("not a postcode") is None


def test_find_by_given_and_family_name_prefixes():
    margaret = a_resident(given_name="Margaret", family_name="Okafor")
    a_resident(given_name="Mark", family_name="Oliver")
    assert find_people(an_adviser(), PersonSearch(name="marg oka")) == [margaret]


def test_find_by_date_of_birth_and_postcode_together():
    home = a_property(MID_SUFFOLK, postcode="IP14 2XY")
    target = a_resident(property=home, date_of_birth=dt.date(1990, 6, 1))
    a_resident(property=home, date_of_birth=dt.date(1992, 6, 1))
    a_resident(date_of_birth=dt.date(1990, 6, 1))
    search = PersonSearch(date_of_birth=dt.date(1990, 6, 1), postcode="ip142xy")
    assert find_people(an_adviser(), search) == [target]


def test_find_by_phone_in_any_format():
    caller = a_resident(phone="07712 345678")
    a_resident(phone="07712 345679")
    assert find_people(an_adviser(), PersonSearch(phone="+44 7712 345678")) == [caller]


def test_a_malformed_postcode_names_the_field():
    with pytest.raises(BadSearch) as raised:
        find_people(an_adviser(), PersonSearch(postcode="IP"))
    assert raised.value.field == "postcode"


def test_the_search_page_shows_matches_and_explains_bad_input(client):
    a_resident(given_name="Olu", family_name="Adeyemi")
    client.force_login(an_adviser())
    found = client.get("/", {"name": "adeyemi"}).content.decode()
    assert "1 resident found" in found
    assert "Olu Adeyemi" in found
    bad = client.get("/", {"phone": "12"}).content.decode()
    assert "There is a problem" in bad
    assert "is not a valid phone number" in bad


def test_the_desktop_asks_staff_to_sign_in_first(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")
