"""Administrators read the audit trail and keep reference data in the Django admin."""

from __future__ import annotations

import pytest

from onestop.staff.models import Role
from tests.personas import a_staff_member, an_adviser

pytestmark = pytest.mark.django_db


def test_an_administrator_reads_the_sign_in_audit_and_reference_data_in_the_admin(client):
    client.force_login(a_staff_member(Role.ADMINISTRATOR))
    assert client.get("/admin/core/auditevent/").status_code == 200
    assert client.get("/admin/core/recordaccess/").status_code == 200
    services = client.get("/admin/catalogue/service/", {"q": "garden waste"})
    assert services.status_code == 200
    assert "Household garden waste" in services.content.decode()
    assert client.get("/admin/authorities/authority/").status_code == 200


def test_the_audit_trail_cannot_be_edited_even_by_an_administrator(client):
    client.force_login(a_staff_member(Role.ADMINISTRATOR))
    assert client.get("/admin/core/auditevent/add/").status_code == 403


def test_an_adviser_has_no_admin(client):
    client.force_login(an_adviser())
    assert client.get("/admin/core/auditevent/").status_code == 302
