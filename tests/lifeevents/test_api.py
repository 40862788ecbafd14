"""Partners report life events through POST /api/v1/life-events with a token; a malformed
or unauthorised post gets a clear 4xx and changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from onestop.integrations.models import OutboxMessage
from onestop.lifeevents.models import LifeEvent
from onestop.people.models import Person
from onestop.staff.actions import do_issue_api_token
from onestop.staff.models import Role
from tests.lifeevents.factories import a_couple, teams_for_every_service
from tests.personas import BABERGH, MID_SUFFOLK, a_resident, a_staff_member

pytestmark = pytest.mark.django_db
URL = "/api/v1/life-events"


def partner_client(acts_for=(MID_SUFFOLK,), role=Role.PARTNER_SYSTEM) -> APIClient:
    """A client with a partner system's token; with another `role`, the token's user is
    then given that role instead."""
    partner = a_staff_member(Role.PARTNER_SYSTEM, acts_for=acts_for)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {do_issue_api_token(partner)}")
    if role != Role.PARTNER_SYSTEM:
        a_staff_member(role)  # so that the role's group exists
        partner.groups.set([Group.objects.get(name=role)])
    return client


def a_death(who: Person, **extra) -> dict:
    return {"kind": "death", "person": who.pk, "occurred_on": "2026-11-20",
            "informant": {"name": "Grace Okafor", "email": "grace@example.org"}, **extra}


def nothing_changed(*people: Person) -> None:
    assert not LifeEvent.objects.exists()
    assert not OutboxMessage.objects.exists()
    for person in people:
        person.refresh_from_db()
        assert person.date_of_death is None and person.household_id is not None


def test_a_registrar_reports_a_death_once_and_a_repeat_changes_nothing():
    teams_for_every_service("http://127.0.0.1:9/hooks")
    margaret, _ = a_couple()
    client = partner_client()

    created = client.post(URL, a_death(margaret), format="json")

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["kind"] == "death" and body["person"] == margaret.pk
    assert body["reference"] == f"LE-{body['id']:06d}" and body["confirmation_sent"] is True
    assert {n["lgsl"] for n in body["notices"]} >= {58, 69, 364, 279, 437}
    assert {n["delivery"] for n in body["notices"]} == {"webhook"}
    messages = OutboxMessage.objects.count()
    again = client.post(URL, a_death(margaret), format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert OutboxMessage.objects.count() == messages


def test_without_a_token_the_post_is_refused_with_401_and_changes_nothing():
    margaret, daniel = a_couple()
    response = APIClient().post(URL, a_death(margaret), format="json")
    assert response.status_code == 401
    assert "credentials were not provided" in response.json()["detail"]
    bad_token = APIClient()
    bad_token.credentials(HTTP_AUTHORIZATION="Token not-a-real-token-000000000000")
    assert bad_token.post(URL, a_death(margaret), format="json").status_code == 401
    nothing_changed(margaret, daniel)


def test_a_user_who_may_not_report_gets_403_and_changes_nothing():
    margaret, daniel = a_couple()
    response = partner_client(role=Role.COUNCILLOR).post(URL, a_death(margaret), format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "Only partner systems and advisers may report life events."
    outside = partner_client(acts_for=(BABERGH,)).post(URL, a_death(margaret), format="json")
    assert outside.status_code == 403 and "does not act for" in outside.json()["detail"]
    nothing_changed(margaret, daniel)


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"kind": "wedding"}, "kind", '"wedding" is not a valid choice.'),
    ({"occurred_on": "20/11/2026"}, "occurred_on", "Date has wrong format"),
    ({"occurred_on": "2099-01-01"}, "occurred_on", "is in the future"),
    ({"person": 987654}, "person", "no person with id 987654"),
    ({"informant": None}, "informant", "This field may not be null."),
    ({"informant": {"email": "grace@example.org"}}, "informant",
     "give the informant's person id, or their name"),
    ({"informant": {"name": "Grace", "email": "not-an-email"}}, "informant",
     "'not-an-email' is not an email address"),
    ({"details": "none"}, "details", 'Expected a dictionary of items but got type "str".'),
])
def test_a_malformed_post_gets_400_naming_what_is_wrong_and_changes_nothing(change, field,
                                                                            message):
    margaret, daniel = a_couple()
    response = partner_client().post(URL, a_death(margaret, **change), format="json")
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors, errors
    assert message in str(errors[field])
    nothing_changed(margaret, daniel)


def test_a_death_with_no_informant_is_refused_naming_the_informant():
    margaret, daniel = a_couple()
    payload = a_death(margaret)
    del payload["informant"]
    response = partner_client().post(URL, payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"informant": ["a death is reported by an informant: give their "
                                             "name and an email or phone number"]}
    nothing_changed(margaret, daniel)


def test_a_move_to_an_unknown_address_is_refused_naming_the_detail():
    margaret, daniel = a_couple()
    response = partner_client().post(URL, {"kind": "moving_within", "person": margaret.pk,
                                           "occurred_on": "2026-11-01",
                                           "details": {"uprn": 1}}, format="json")
    assert response.status_code == 400
    assert response.json() == {"details.uprn": ["no address in the register has UPRN 1"]}
    nothing_changed(margaret, daniel)


def test_the_endpoint_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/life-events" in schema and "LifeEventIn" in schema


def test_an_informant_on_our_records_is_named_by_id_and_gets_the_confirmation():
    margaret, daniel = a_couple()
    response = partner_client().post(URL, a_death(margaret, informant={"person": daniel.pk}),
                                     format="json")
    assert response.status_code == 201, response.content
    event = LifeEvent.objects.get()
    assert event.informant_person == daniel
    assert event.confirmation.payload["to"] == "d.okafor@example.org"
    missing = partner_client().post(URL, a_death(daniel, informant={"person": 987654}),
                                    format="json")
    assert missing.status_code == 400
    assert "no person with id 987654" in str(missing.json()["informant"])


def test_a_death_whose_informant_gives_only_a_name_is_refused_naming_the_informant():
    margaret, daniel = a_couple()
    response = partner_client().post(URL, a_death(margaret, informant={"name": "Grace"}),
                                     format="json")
    assert response.status_code == 400
    assert response.json() == {"informant": ["a death is reported by an informant: give their "
                                             "name and an email or phone number"]}
    nothing_changed(margaret, daniel)


def test_an_informant_the_partner_may_not_see_is_refused_naming_the_informant():
    margaret, daniel = a_couple()
    elsewhere = a_resident(BABERGH, given_name="Ruth")
    response = partner_client().post(URL, a_death(margaret, informant={"person": elsewhere.pk}),
                                     format="json")
    assert response.status_code == 400
    assert response.json() == {"informant": [f"informant: no person with id {elsewhere.pk} "
                                             f"that you may see"]}
    nothing_changed(margaret, daniel)


def test_a_birth_reported_against_each_parent_is_one_baby_told_once():
    margaret, daniel = a_couple()
    teams_for_every_service("http://127.0.0.1:9/hooks")
    birth = {"kind": "birth", "occurred_on": "2026-11-02",
             "details": {"child_given_name": "Ada", "child_family_name": "Okafor"}}
    first = partner_client().post(URL, {**birth, "person": margaret.pk}, format="json")
    second = partner_client().post(URL, {**birth, "person": daniel.pk}, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Person.objects.filter(given_name="Ada").count() == 1
