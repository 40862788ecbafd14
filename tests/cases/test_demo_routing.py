"""In the demo area every service the demo's scripts refer or request reaches a team
with officers and a leader."""

from __future__ import annotations

import pytest

from onestop.authorities.models import Authority
from onestop.cases.actions import route
from onestop.demo.actions import do_set_up_demo_staff
from onestop.demo.staff import TEAMS
from onestop.staff.models import Team
from tests.cases.factories import a_service
from tests.personas import BABERGH, MID_SUFFOLK, SUFFOLK, a_property

pytestmark = pytest.mark.django_db

COUNTY_SERVICES = (4, 279, 557, 437)
DISTRICT_SERVICES = (524, 530, 528, 58, 69, 474, 139, 156, 412, 364)


@pytest.fixture
def demo_staff():
    authorities = {a.slug: a for a in Authority.objects.filter(
        slug__in=[SUFFOLK, MID_SUFFOLK, BABERGH])}
    do_set_up_demo_staff(authorities)
    # Set up twice, as a rebuild does: the teams are put back, not duplicated.
    return do_set_up_demo_staff(authorities)


@pytest.mark.parametrize("district", [MID_SUFFOLK, BABERGH])
def test_every_demo_service_routes_to_a_team_of_its_provider(demo_staff, district):
    prop = a_property(district)
    for lgsl in COUNTY_SERVICES + DISTRICT_SERVICES:
        authority, team = route(a_service(lgsl), prop)
        expected = SUFFOLK if lgsl in COUNTY_SERVICES else district
        assert (lgsl, authority.slug) == (lgsl, expected)
        assert team.authority == authority


def test_every_demo_team_has_a_leader_and_an_officer(demo_staff):
    teams = Team.objects.prefetch_related("members__groups").select_related("leader")
    assert teams.count() == len(TEAMS)
    for team in teams:
        assert team.leader is not None, team.slug
        assert team.leader.has_role("team_leader"), team.slug
        assert any(member.has_role("back_office_officer") for member in team.members.all()), \
            team.slug
    bins = Team.objects.get(slug="mid-suffolk-waste-services")
    assert sorted(bins.services.values_list("lgsl", flat=True)) == [524, 528, 530]
    assert bins.leader.username == "team-leader"
    assert Team.objects.get(slug="suffolk-highways").leader.username == "county-team-leader"
