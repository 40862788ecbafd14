"""Who provides a service at a property follows from its authorities and the service's tier."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from onestop.authorities.models import Authority
from onestop.authorities.responsibility import NoProvider, providing_authority
from tests.personas import BABERGH, MID_SUFFOLK, SUFFOLK, a_property, authorities

pytestmark = pytest.mark.django_db


def who_provides(lgsl: int, uprn: int) -> str:
    out = StringIO()
    call_command("who_provides", lgsl=lgsl, uprn=uprn, stdout=out)
    return out.getvalue().strip()


def test_free_school_meals_in_mid_suffolk_come_from_suffolk_county_council():
    prop = a_property(MID_SUFFOLK)
    assert who_provides(4, prop.uprn) == "Suffolk County Council"


def test_garden_waste_in_mid_suffolk_comes_from_mid_suffolk_district_council():
    prop = a_property(MID_SUFFOLK)
    assert who_provides(530, prop.uprn) == "Mid Suffolk District Council"


def test_garden_waste_in_babergh_comes_from_babergh():
    prop = a_property(BABERGH, postcode="CO10 2AA", town="Sudbury")
    assert who_provides(530, prop.uprn) == "Babergh District Council"


def test_a_service_every_tier_provides_is_answered_by_the_most_local_authority():
    county, district = authorities(SUFFOLK, MID_SUFFOLK)
    assert providing_authority("all", [county, district]) == district
    assert providing_authority("all", [county]) == county


def test_a_unitary_authority_provides_services_of_both_tiers():
    southwark = Authority.objects.get(slug="southwark")
    for tier in ("county/unitary", "district/unitary", "all"):
        assert providing_authority(tier, [southwark]) == southwark


def test_a_property_with_no_authority_of_the_right_tier_has_no_provider():
    (district,) = authorities(MID_SUFFOLK)
    with pytest.raises(NoProvider, match="no county/unitary authority among Mid Suffolk"):
        providing_authority("county/unitary", [district])


def test_who_provides_names_an_unknown_uprn_or_service():
    prop = a_property(MID_SUFFOLK)
    with pytest.raises(CommandError, match="no property with UPRN 1"):
        who_provides(530, 1)
    with pytest.raises(CommandError, match="no service with LGSL 99999"):
        who_provides(99999, prop.uprn)
