"""Partner systems log contacts through POST /api/v1/contacts with a token."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from onestop.contacts.models import Contact
from onestop.core.models import RecordAccess
from onestop.staff.actions import do_issue_api_token
from onestop.staff.models import Role
from tests.personas import BABERGH, MID_SUFFOLK, a_resident, a_staff_member

pytestmark = pytest.mark.django_db


def partner_client(acts_for=(MID_SUFFOLK,)) -> APIClient:
    partner = a_staff_member(Role.PARTNER_SYSTEM, acts_for=acts_for)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {do_issue_api_token(partner)}")
    return client


def test_a_partner_logs_a_contact_for_a_resident(client):
    resident = a_resident(MID_SUFFOLK)
    response = partner_client().post("/api/v1/contacts", {
        "person": resident.pk, "channel": "web", "outcome": "referred", "services": [530, 58],
        "notes": "Web form: missed garden bin", "source_reference": "WEB-1042"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["services"] == [58, 530] or sorted(body["services"]) == [58, 530]
    contact = Contact.objects.get(pk=body["id"])
    assert (contact.person, contact.channel, contact.source_reference) == (
        resident, "web", "WEB-1042")


def test_without_a_token_the_api_refuses():
    response = APIClient().post("/api/v1/contacts", {}, format="json")
    assert response.status_code in (401, 403)
    assert not Contact.objects.exists()


def test_a_wrong_payload_names_every_bad_field():
    response = partner_client().post("/api/v1/contacts", {
        "channel": "pigeon", "outcome": "resolved", "services": [530, 999999]}, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"channel", "services"}
    assert "no service with LGSL 999999" in errors["services"][0]
    assert not Contact.objects.exists()


def test_a_partner_cannot_log_contacts_for_residents_outside_its_councils():
    resident = a_resident(MID_SUFFOLK)
    response = partner_client(acts_for=(BABERGH,)).post("/api/v1/contacts", {
        "person": resident.pk, "channel": "web", "outcome": "resolved", "services": [530]},
        format="json")
    assert response.status_code == 403
    assert not Contact.objects.exists()
    refused = RecordAccess.objects.get(person=resident)
    assert (refused.granted, refused.purpose) == (False, "log contact (API)")


def test_only_partner_systems_and_advisers_may_post_contacts():
    councillor = a_staff_member(Role.COUNCILLOR)
    client = APIClient()
    client.force_authenticate(councillor)
    response = client.post("/api/v1/contacts", {"channel": "web", "outcome": "resolved",
                                                "services": [530]}, format="json")
    assert response.status_code == 403
