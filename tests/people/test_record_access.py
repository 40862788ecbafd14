"""Staff see a resident's record only where they act for the resident's council; every
view, and every refusal, is in the access log."""

from __future__ import annotations

import pytest

from onestop.core.models import RecordAccess
from onestop.people.queries import PersonSearch, find_people
from onestop.staff.models import Role
from tests.personas import (
    BABERGH,
    MID_SUFFOLK,
    a_babergh_adviser,
    a_resident,
    a_staff_member,
    an_adviser,
)

pytestmark = pytest.mark.django_db


def test_a_babergh_only_adviser_gets_403_on_a_mid_suffolk_resident_and_it_is_logged(client):
    resident = a_resident(MID_SUFFOLK)
    adviser = a_babergh_adviser()
    client.force_login(adviser)
    response = client.get(f"/people/{resident.pk}/")
    assert response.status_code == 403
    assert "record are logged" in response.content.decode()
    access = RecordAccess.objects.get(person=resident)
    assert (access.user, access.granted) == (adviser, False)


def test_an_adviser_for_mid_suffolk_sees_the_record_and_the_view_is_logged(client):
    resident = a_resident(MID_SUFFOLK, given_name="Aisha", family_name="Nwosu")
    adviser = an_adviser()
    client.force_login(adviser)
    response = client.get(f"/people/{resident.pk}/")
    assert response.status_code == 200
    assert "Aisha Nwosu" in response.content.decode()
    access = RecordAccess.objects.get(person=resident)
    assert (access.user, access.granted, access.purpose) == (adviser, True, "view")


def test_search_only_finds_residents_in_authorities_the_user_acts_for():
    in_babergh = a_resident(BABERGH, family_name="Pemberton")
    a_resident(MID_SUFFOLK, family_name="Pemberton")
    found = find_people(a_babergh_adviser(), PersonSearch(name="pemberton"))
    assert found == [in_babergh]


def test_a_user_who_acts_for_no_authority_sees_nobody():
    a_resident(MID_SUFFOLK, family_name="Pemberton")
    nobody = a_staff_member(Role.ADVISER, acts_for=())
    assert find_people(nobody, PersonSearch(name="pemberton")) == []


def test_administrators_search_the_access_log_by_user_and_outcome(client):
    resident = a_resident(MID_SUFFOLK)
    snooper = a_babergh_adviser(username="snooper")
    client.force_login(snooper)
    client.get(f"/people/{resident.pk}/")
    admin = a_staff_member(Role.ADMINISTRATOR)
    client.force_login(admin)
    page = client.get("/access-log/", {"username": "snooper", "granted": "no"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "1 record access" in html
    assert f"{resident.full_name} ({resident.pk})" in html
    assert "Refused" in html
    assert "0 record accesses" in client.get(
        "/access-log/", {"username": "snooper", "granted": "yes"}).content.decode()


def test_only_administrators_open_the_access_log(client):
    client.force_login(an_adviser())
    assert client.get("/access-log/").status_code == 403
