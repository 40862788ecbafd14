"""The partner API answers hostile input with a 400 (or 413) naming what is wrong, never a
server error: integers too large for any column, a huge page, JSON nested 100,000 deep, a
body too large, a number where text belongs."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from onestop.contacts.models import Contact
from onestop.core.api.parsers import MAX_BODY_BYTES
from onestop.lifeevents.models import LifeEvent
from onestop.staff.actions import do_issue_api_token
from onestop.staff.models import Role
from tests.personas import MID_SUFFOLK, a_resident, a_staff_member, an_adviser

pytestmark = pytest.mark.django_db

HUGE = 12345678901234567890  # 20 digits: more than a 64-bit column holds


def partner() -> APIClient:
    client = APIClient()
    user = a_staff_member(Role.PARTNER_SYSTEM, acts_for=(MID_SUFFOLK,))
    client.credentials(HTTP_AUTHORIZATION=f"Token {do_issue_api_token(user)}")
    return client


def a_contact(**changes) -> dict:
    return {"channel": "web", "outcome": "resolved", "services": [530], **changes}


def a_birth(person, **changes) -> dict:
    return {"kind": "birth", "person": person.pk, "occurred_on": "2026-11-20",
            "details": {"child_given_name": "Ada", "child_family_name": "Okafor"}, **changes}


def post(client: APIClient, url: str, body) -> object:
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(("changes", "field"), [
    ({"services": [HUGE]}, "services"),
    ({"services": [530, -HUGE]}, "services"),
    ({"person": HUGE}, "person"),
])
def test_a_20_digit_integer_in_a_contact_is_400_naming_the_field(changes, field):
    response = post(partner(), "/api/v1/contacts", a_contact(**changes))
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert not Contact.objects.exists()


@pytest.mark.parametrize("where", ["person", "informant"])
def test_a_20_digit_person_id_in_a_life_event_is_400_naming_the_field(where):
    resident = a_resident()
    body = a_birth(resident)
    if where == "person":
        body["person"] = HUGE
    else:
        body["informant"] = {"person": HUGE}
    response = post(partner(), "/api/v1/life-events", body)
    assert response.status_code == 400, response.content
    assert list(response.json()) == [where]
    assert not LifeEvent.objects.exists()


@pytest.mark.parametrize(("query", "field"), [
    ({"lgsl": HUGE, "uprn": 1}, "lgsl"),
    ({"lgsl": 530, "uprn": HUGE}, "uprn"),
])
def test_a_20_digit_integer_in_a_responsibility_query_is_400_naming_it(query, field):
    response = APIClient().get("/api/v1/responsibility", query)
    assert response.status_code == 400
    assert list(response.json()) == [field]


@pytest.mark.parametrize(("query", "field"), [
    ({"limit": "99999999999999999999"}, "limit"),
    ({"limit": "0"}, "limit"),
    ({"offset": "99999999999999999999"}, "offset"),
    ({"offset": "null"}, "offset"),
    ({"limit": "ten"}, "limit"),
])
def test_a_page_too_large_or_unreadable_is_400_naming_the_parameter(query, field):
    response = APIClient().get("/api/v1/services", query)
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]


def test_a_page_within_bounds_still_pages():
    body = APIClient().get("/api/v1/services", {"limit": "2", "offset": "1"}).json()
    assert len(body["results"]) == 2 and body["count"] > 2


def test_a_people_search_with_a_huge_limit_is_400_and_a_small_one_is_kept():
    a_resident(given_name="Margaret", family_name="Okafor")
    a_resident(given_name="Margaret", family_name="Okafor", phone="07712 345678")
    client = APIClient()
    client.force_authenticate(an_adviser())
    response = client.get("/api/v1/people", {"q": "Margaret Okafor",
                                             "limit": "99999999999999999999"})
    assert response.status_code == 400
    assert list(response.json()) == ["limit"]
    one = client.get("/api/v1/people", {"q": "Margaret Okafor", "limit": "1"}).json()
    assert one["count"] == 1


def test_json_nested_100000_deep_is_400_saying_so():
    deep = "[" * 100_000 + "]" * 100_000
    response = partner().post("/api/v1/contacts", deep, content_type="application/json")
    assert response.status_code == 400
    assert "nests arrays and objects more than 20 levels deep" in response.json()["detail"]
    assert not Contact.objects.exists()


def test_brackets_inside_text_do_not_count_as_nesting():
    notes = "[" * 5_000 + "{" * 5_000
    response = post(partner(), "/api/v1/contacts", a_contact(notes=notes))
    assert response.status_code == 201, response.content
    assert Contact.objects.get().notes == notes


def test_a_body_too_large_is_413_and_writes_nothing():
    body = json.dumps(a_contact(notes="x" * 9_000, padding="x" * MAX_BODY_BYTES))
    response = partner().post("/api/v1/contacts", body, content_type="application/json")
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]
    assert not Contact.objects.exists()


def test_a_body_that_is_not_json_is_415():
    response = partner().post("/api/v1/contacts", {"channel": "web"}, format="multipart")
    assert response.status_code == 415


@pytest.mark.parametrize(("changes", "field"), [
    ({"source_reference": 1042}, "source_reference"),
    ({"notes": ["a", "list"]}, "notes"),
    ({"services": ["530"]}, "services"),
    ({"services": [True]}, "services"),
    ({"person": "1"}, "person"),
])
def test_a_value_of_the_wrong_json_type_is_400_not_quietly_converted(changes, field):
    response = post(partner(), "/api/v1/contacts", a_contact(**changes))
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]


def test_nan_is_not_json():
    response = partner().post("/api/v1/contacts", '{"services": [NaN]}',
                              content_type="application/json")
    assert response.status_code == 400
    assert "NaN is not a JSON value" in response.json()["detail"]
