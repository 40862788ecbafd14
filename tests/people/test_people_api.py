"""Staff systems find residents through GET /api/v1/people?q=, as advisers do on the desktop."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from rest_framework.test import APIClient

from onestop.staff.actions import do_create_staff_user, do_issue_api_token
from onestop.staff.models import Role
from tests.personas import (
    BABERGH,
    MID_SUFFOLK,
    a_babergh_adviser,
    a_property,
    a_resident,
    a_resident_who_moved_away,
    a_staff_member,
    an_adviser,
    authorities,
)

pytestmark = pytest.mark.django_db


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def search(user, q: str):
    return api_as(user).get("/api/v1/people", {"q": q})


def test_an_adviser_finds_a_resident_despite_typos_and_gets_their_details():
    john = a_resident(given_name="John", family_name="Smith", date_of_birth=dt.date(1958, 3, 14),
                      property=a_property(MID_SUFFOLK, postcode="IP14 1AB", town="Stowmarket"))
    response = search(an_adviser(), "Jonh Smtih")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 1
    [result] = body["results"]
    assert set(result) == {"id", "name", "date_of_birth", "address", "postcode", "score"}
    assert (result["id"], result["name"], result["date_of_birth"], result["postcode"]) == (
        john.pk, "John Smith", "1958-03-14", "IP14 1AB")
    assert result["address"].endswith("Stowmarket, IP14 1AB")
    assert 0 < result["score"] < 60  # a typo in each name is not an exact match


def test_nickname_swapped_names_postcode_and_date_in_one_query_rank_the_caller_first():
    caller = a_resident(given_name="Robert", family_name="Smith",
                        date_of_birth=dt.date(1958, 3, 14),
                        property=a_property(MID_SUFFOLK, postcode="IP14 1AB"))
    namesake = a_resident(given_name="Robert", family_name="Smith",
                          date_of_birth=dt.date(1962, 1, 2),
                          property=a_property(MID_SUFFOLK, postcode="IP6 8DQ"))
    results = search(an_adviser(), "smith bob ip141 14 Mar 1958").json()["results"]
    assert [r["id"] for r in results] == [caller.pk, namesake.pk]
    assert results[0]["score"] > results[1]["score"]


def test_a_resident_without_an_address_is_listed_with_nulls():
    homeless = a_resident_who_moved_away(given_name="Ada", family_name="Lovelace",
                                         date_of_birth=None)
    [result] = search(an_adviser(), "ada lovelace").json()["results"]
    assert result["id"] == homeless.pk
    assert (result["address"], result["postcode"], result["date_of_birth"]) == (None, None, None)


def test_a_back_office_system_may_search_with_an_api_token():
    resident = a_resident(given_name="Olu", family_name="Adeyemi")
    # Tokens are issued to partner-system users; this one also works a back-office queue.
    system = do_create_staff_user(username="revenues-system", first_name="Revenues",
                                  last_name="System",
                                  roles=[Role.PARTNER_SYSTEM, Role.BACK_OFFICE_OFFICER],
                                  authorities=authorities(MID_SUFFOLK))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {do_issue_api_token(system)}")
    response = client.get("/api/v1/people", {"q": "adeyemi"})
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [resident.pk]


@pytest.mark.parametrize("role", [Role.TEAM_LEADER, Role.ADMINISTRATOR])
def test_team_leaders_and_administrators_may_search(role):
    a_resident(given_name="Olu", family_name="Adeyemi")
    assert search(a_staff_member(role), "adeyemi").json()["count"] == 1


@pytest.mark.parametrize("role", [Role.COUNCILLOR, Role.SERVICE_OWNER, Role.PARTNER_SYSTEM])
def test_other_roles_are_refused(role):
    a_resident(given_name="Olu", family_name="Adeyemi")
    response = search(a_staff_member(role), "adeyemi")
    assert response.status_code == 403
    assert "may search for residents" in response.json()["detail"]


def test_without_signing_in_the_api_refuses():
    assert APIClient().get("/api/v1/people", {"q": "smith"}).status_code in (401, 403)


@pytest.mark.parametrize(("params", "message"), [
    ({}, "q is required"),
    ({"q": ""}, "q is empty"),
    ({"q": "a"}, "q must be at least 2 characters"),
    ({"q": "!!"}, "Enter a name, postcode, date of birth or phone number"),
    ({"q": "smith 31/02/1958"}, "'31/02/1958' is not a real date"),
    ({"q": "smith 42"}, "'42' is not a name"),
])
def test_a_query_that_cannot_be_searched_is_a_400_naming_q(params, message):
    response = api_as(an_adviser()).get("/api/v1/people", params)
    assert response.status_code == 400
    assert list(response.json()) == ["q"]
    assert message in response.json()["q"][0]


def test_an_adviser_for_babergh_does_not_find_a_mid_suffolk_resident():
    a_resident(MID_SUFFOLK, given_name="Margaret", family_name="Okafor")
    babergh = a_resident(BABERGH, given_name="Margaret", family_name="Okafor",
                         property=a_property(BABERGH, postcode="CO10 2AA"))
    results = search(a_babergh_adviser(), "okafor margaret").json()["results"]
    assert [r["id"] for r in results] == [babergh.pk]
    assert search(a_babergh_adviser(), "IP14 1AB").json() == {"count": 0, "results": []}


def test_at_most_fifty_results_come_back():
    home = a_property(MID_SUFFOLK)
    for i in range(55):
        a_resident(given_name=f"Ann{'abcdefghijklmnopqrstuvwxyz'[i % 26]}", family_name="Lee",
                   property=home)
    body = search(an_adviser(), "lee").json()
    assert body["count"] == 50 == len(body["results"])


def test_the_desktop_and_the_api_list_the_same_people_in_the_same_order(client):
    home = a_property(MID_SUFFOLK, postcode="IP14 1AB")
    people = [
        a_resident(given_name="Bob", family_name="Smyth", property=home),
        a_resident(given_name="Robert", family_name="Smith",
                   property=a_property(BABERGH, postcode="CO10 2AA")),
        a_resident(given_name="Bob", family_name="Smith", date_of_birth=dt.date(1990, 1, 1),
                   property=home),
        a_resident(given_name="Roberto", family_name="Smithers", property=home),
        a_resident(given_name="Bobby", family_name="Smith", date_of_birth=dt.date(1958, 3, 14),
                   property=a_property(MID_SUFFOLK, postcode="IP6 8DQ")),
    ]
    adviser = an_adviser()
    client.force_login(adviser)
    for q in ("bob smith", "bob smith IP14 14/03/1958", "smith", "IP14"):
        api_ids = [r["id"] for r in search(adviser, q).json()["results"]]
        page = client.get("/", {"q": q}).content.decode()
        page_ids = [int(pk) for pk in re.findall(r'href="/people/(\d+)/"', page)]
        assert page_ids == api_ids, q
        assert api_ids, q
    # The last query, IP14, finds everyone at the IP14 house and no one else.
    assert sorted(api_ids) == sorted(p.pk for p in (people[0], people[2], people[3]))


def test_the_desktop_search_box_finds_and_explains(client):
    a_resident(given_name="Olu", family_name="Adeyemi")
    client.force_login(an_adviser())
    html = client.get("/", {"q": "adeymei IP14"}).content.decode()
    assert "1 resident found" in html
    assert "Olu Adeyemi" in html
    bad = client.get("/", {"q": "adeyemi 31/02/1958"}).content.decode()
    assert "There is a problem" in bad
    assert 'href="#id_q"' in bad
    assert "is not a real date" in bad
    empty = client.get("/", {"q": "", "name": ""}).content.decode()
    assert "Enter a name, postcode, date of birth or phone number" in empty
