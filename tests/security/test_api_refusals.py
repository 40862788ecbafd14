"""A partner system that names another council's resident in a request's body is refused,
and the refusal is in the access log with the resident it named."""

from __future__ import annotations

import pytest
from django.test import Client

from onestop.contacts.models import Contact
from onestop.core.models import RecordAccess
from onestop.lifeevents.models import LifeEvent
from onestop.staff.actions import do_create_staff_user, do_issue_api_token
from onestop.staff.models import Role
from tests.personas import BABERGH, MID_SUFFOLK, a_resident, authorities

pytestmark = pytest.mark.django_db
TOKEN = "babergh-partner-token-00000000000000000"


@pytest.fixture
def babergh_system() -> Client:
    system = do_create_staff_user(username="babergh-housing-system", first_name="Babergh",
                                  last_name="Housing", roles=[Role.PARTNER_SYSTEM],
                                  authorities=authorities(BABERGH))
    do_issue_api_token(system, key=TOKEN)
    return Client(HTTP_AUTHORIZATION=f"Token {TOKEN}")


@pytest.mark.parametrize(("path", "body", "model"), [
    ("/api/v1/contacts", {"channel": "phone", "outcome": "resolved", "services": [524]},
     Contact),
    ("/api/v1/life-events", {"kind": "disability", "occurred_on": "2026-11-02"}, LifeEvent),
])
def test_naming_another_councils_resident_is_refused_and_logged(babergh_system, path, body,
                                                                 model):
    resident = a_resident(MID_SUFFOLK)
    answer = babergh_system.post(path, {**body, "person": resident.pk},
                                 content_type="application/json")
    assert answer.status_code == 403, answer.content
    assert not model.objects.exists()
    refusal = RecordAccess.objects.get()
    assert (refusal.granted, refusal.person, refusal.path) == (False, resident, path)
    assert refusal.user.username == "babergh-housing-system"
