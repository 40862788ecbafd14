"""Who may see a resident is derived from every authority their data belongs to, never
"everyone": a resident who moved away or died stays invisible to other councils."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from onestop.core.models import RecordAccess
from onestop.lifeevents.actions import Informant, do_report_life_event
from onestop.matching.holders import assign_holders
from onestop.matching.linkage.golden import write_golden
from onestop.people.access import authorities_of, can_see_person, visible_people
from onestop.people.actions import do_move_person, do_register_person
from onestop.people.models import FormerHome
from onestop.people.queries import PersonSearch, find_people
from onestop.staff.actions import do_create_staff_user, do_issue_api_token
from onestop.staff.models import Role
from tests.cases.factories import a_case, a_team
from tests.matching.factories import a_source_record, an_extract_import
from tests.personas import (
    BABERGH,
    MID_SUFFOLK,
    SUFFOLK,
    a_babergh_adviser,
    a_property,
    a_resident,
    a_staff_member,
    an_adviser,
    authorities,
)

pytestmark = pytest.mark.django_db

TOKEN = "a-partner-token-for-the-probes-0000000"


def mid_suffolk_adviser():
    return an_adviser(acts_for=(MID_SUFFOLK,))


def ids(authority_slugs) -> set[int]:
    return {a.pk for a in authorities(*authority_slugs)}


def refused_everywhere(client: Client, person) -> None:
    """The person's page, search by name and the API all refuse or leave them out."""
    before = RecordAccess.objects.filter(granted=False).count()
    assert client.get(f"/people/{person.pk}/").status_code == 403
    assert RecordAccess.objects.filter(granted=False, person=person).count() == before + 1
    page = client.get("/", {"name": person.full_name}).content.decode()
    assert f"/people/{person.pk}/" not in page


@pytest.mark.parametrize("event", ["moving_out", "death"])
def test_a_resident_who_moved_out_or_died_stays_invisible_to_other_councils(event):
    resident = a_resident(MID_SUFFOLK, given_name="Walter", family_name="Pryce")
    details = {}
    do_report_life_event(event, resident, dt.date(2026, 11, 20), details, mid_suffolk_adviser(),
                         informant=Informant(name="June Pryce", email="june@example.org"))
    resident.refresh_from_db()
    assert resident.household_id is None  # what once made them everyone's
    babergh = a_babergh_adviser()
    assert not can_see_person(babergh, resident)
    client = Client()
    client.force_login(babergh)
    refused_everywhere(client, resident)
    # Their own councils still hold their records from when they lived there.
    assert can_see_person(mid_suffolk_adviser(), resident)
    assert authorities_of(resident) == {a: {"former home"} for a in ids([SUFFOLK, MID_SUFFOLK])}


def test_the_partner_api_does_not_list_a_resident_who_moved_out_of_its_councils():
    resident = a_resident(MID_SUFFOLK, given_name="Walter", family_name="Pryce")
    do_move_person(resident, None)
    partner = do_create_staff_user(username="babergh-system", first_name="Babergh",
                                   last_name="System", roles=[Role.PARTNER_SYSTEM, Role.ADVISER],
                                   authorities=authorities(BABERGH))
    key = do_issue_api_token(partner, key=TOKEN)
    answer = Client().get("/api/v1/people", {"q": "walter pryce"},
                          HTTP_AUTHORIZATION=f"Token {key}")
    assert answer.status_code == 200
    assert answer.json()["results"] == []


def test_a_resident_nobody_holds_data_about_is_seen_only_by_superusers():
    nobody_s = do_register_person(given_name="Ada", family_name="Lovelace")
    everywhere = (SUFFOLK, MID_SUFFOLK, BABERGH)
    for role in (Role.ADVISER, Role.TEAM_LEADER, Role.ADMINISTRATOR):
        assert not can_see_person(a_staff_member(role, acts_for=everywhere), nobody_s)
    superuser = do_create_staff_user(username="installer", first_name="Installation",
                                     last_name="Owner", roles=[])
    superuser.is_superuser = True
    assert can_see_person(superuser, nobody_s)
    assert authorities_of(nobody_s) == {}


def test_a_shared_systems_record_belongs_to_the_council_its_address_lies_in():
    """Benefits is one system for Mid Suffolk and Babergh: a record at a Babergh address
    is Babergh's business, not Mid Suffolk's."""
    in_babergh = a_property(BABERGH, postcode="CO10 2AA", town="Sudbury")
    person = do_register_person(given_name="Iris", family_name="Bell")
    seen = an_extract_import("benefits")
    record = a_source_record("benefits", person=person, uprn=in_babergh.uprn, seen=seen)
    unplaced = a_source_record("benefits", person=do_register_person(
        given_name="Noel", family_name="Bell"), uprn=None, seen=seen)
    assign_holders(seen, sorted(ids([MID_SUFFOLK, BABERGH])))
    record.refresh_from_db()
    unplaced.refresh_from_db()
    assert record.held_by.slug == BABERGH
    assert unplaced.held_by is None  # no address: no council is given the right by it
    assert can_see_person(a_babergh_adviser(), person)
    assert not can_see_person(mid_suffolk_adviser(), person)
    assert authorities_of(person) == {record.held_by_id: {"source record"}}


def test_a_county_systems_record_belongs_to_the_county():
    person = do_register_person(given_name="Tom", family_name="Ash")
    seen = an_extract_import("school_admissions")
    a_source_record("school_admissions", person=person, seen=seen)
    [county] = ids([SUFFOLK])
    assign_holders(seen, [county])
    assert can_see_person(an_adviser(acts_for=(SUFFOLK,)), person)
    assert not can_see_person(a_babergh_adviser(), person)


def test_a_case_gives_its_authority_the_resident():
    person = do_register_person(given_name="Rose", family_name="Quinn")
    a_team(BABERGH)
    a_case(person=person, property=a_property(BABERGH, postcode="CO10 2AA", town="Sudbury"))
    assert can_see_person(a_babergh_adviser(), person)
    assert not can_see_person(mid_suffolk_adviser(), person)


def test_a_move_by_the_master_index_keeps_the_home_left():
    old_home, new_home = a_property(MID_SUFFOLK), a_property(BABERGH, postcode="CO10 2AA")
    resident = a_resident(property=old_home)
    fact = ("council_tax", "", "iris", "", "bell", None, "", new_home.uprn, None, None)
    write_golden({resident.pk: [fact]})
    resident.refresh_from_db()
    assert resident.household.property == new_home
    assert FormerHome.objects.filter(person=resident, property=old_home).exists()
    assert can_see_person(mid_suffolk_adviser(), resident)


def test_search_and_visibility_agree():
    """The desktop search lists exactly the people the rule lets the user see."""
    here = a_resident(MID_SUFFOLK, given_name="Mary", family_name="Keel")
    gone = a_resident(MID_SUFFOLK, given_name="Mary", family_name="Keel",
                      date_of_birth=dt.date(1960, 1, 1))
    do_move_person(gone, None)
    elsewhere = a_resident(BABERGH, given_name="Mary", family_name="Keel",
                           date_of_birth=dt.date(1970, 1, 1))
    babergh = a_babergh_adviser()
    found = set(find_people(babergh, PersonSearch(name="mary keel")))
    assert found == {elsewhere}
    assert found == set(visible_people(babergh).filter(family_name="Keel"))
    assert here not in found and gone not in found
