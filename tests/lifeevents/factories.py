"""Teams with back-office systems, and residents in a household, for the life-event tests."""

from __future__ import annotations

import datetime as dt
import itertools

from onestop.catalogue.models import Service
from onestop.integrations.endpoints import do_save_endpoint
from onestop.people.actions import do_add_email, do_register_person
from onestop.people.models import BenefitAward
from onestop.staff.actions import do_create_team
from tests.personas import MID_SUFFOLK, SUFFOLK, a_resident, authorities

SECRET = "a-back-office-shared-secret"
_numbers = itertools.count(1)

# The services a death is told to in Mid Suffolk, by the council that provides each.
DISTRICT_SERVICES = (58, 69, 364, 530, 474, 524, 61, 59)
COUNTY_SERVICES = (279, 437, 209, 273, 178, 225)


def teams_for_every_service(url: str | None = None) -> dict[int, object]:
    """One team per service (district ones at Mid Suffolk, county ones at Suffolk); with
    `url`, each has an endpoint there. Returns LGSL → team."""
    [district, county] = authorities(MID_SUFFOLK, SUFFOLK)
    services = {s.lgsl: s for s in Service.objects.filter(
        lgsl__in=DISTRICT_SERVICES + COUNTY_SERVICES)}
    teams = {}
    for lgsl in DISTRICT_SERVICES + COUNTY_SERVICES:
        number = next(_numbers)
        team = do_create_team(slug=f"team-{number}-{lgsl}", name=f"Team for {lgsl}",
                              authority=district if lgsl in DISTRICT_SERVICES else county,
                              services=[services[lgsl]])
        if url:
            do_save_endpoint(slug=f"system-{number}-{lgsl}", name=f"System {lgsl}", url=url,
                             secret=SECRET, team=team)
        teams[lgsl] = team
    return teams


def a_couple():
    """Margaret and her husband Daniel at one home; Daniel has housing benefit."""
    margaret = a_resident()
    daniel = do_register_person(given_name="Daniel", family_name="Okafor",
                                date_of_birth=dt.date(1955, 6, 1),
                                household=margaret.household)
    BenefitAward.objects.create(person=daniel, benefit="housing_benefit")
    do_add_email(daniel, "d.okafor@example.org")
    return margaret, daniel


def receives(person, lgsl: int) -> None:
    from onestop.people.models import ServiceReceived

    ServiceReceived.objects.create(person=person, service=Service.objects.get(lgsl=lgsl),
                                   source="test")
