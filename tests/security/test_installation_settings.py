"""Installation-wide settings (authorities, services, endpoints) are read by administrators
of one council, changed only by superusers, and every change is audited before and after."""

from __future__ import annotations

import pytest
from django.test import Client

from onestop.catalogue.models import Service
from onestop.core.models import AuditEvent
from onestop.integrations.endpoints import do_save_endpoint
from onestop.staff.actions import do_create_staff_user
from onestop.staff.models import Role
from tests.personas import BABERGH, a_staff_member

pytestmark = pytest.mark.django_db
BINS = 524


def admin_client(user) -> Client:
    user.is_staff = True
    user.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(user)
    return client


def service_form(service: Service, **changes) -> dict:
    form = {"lgsl": service.lgsl, "label": service.label, "description": service.description,
            "providing_tier": service.providing_tier, "tier_source": service.tier_source,
            "common_rank": service.common_rank or ""}
    return {**form, **changes}


def test_an_administrator_of_one_council_cannot_change_how_every_council_routes_a_service():
    bins = Service.objects.get(lgsl=BINS)
    client = admin_client(a_staff_member(Role.ADMINISTRATOR, acts_for=(BABERGH,)))
    url = f"/admin/catalogue/service/{bins.pk}/change/"
    assert client.get(url).status_code == 200  # read
    assert client.post(url, service_form(bins, providing_tier="county")).status_code == 403
    bins.refresh_from_db()
    assert bins.providing_tier != "county"
    assert not AuditEvent.objects.filter(kind="setting_changed").exists()


def test_a_superusers_change_is_audited_with_the_values_before_and_after():
    bins = Service.objects.get(lgsl=BINS)
    old_label = bins.label
    superuser = do_create_staff_user(username="installer", first_name="Ida", last_name="Owner",
                                     roles=[])
    superuser.is_superuser = True
    client = admin_client(superuser)
    answer = client.post(f"/admin/catalogue/service/{bins.pk}/change/",
                         service_form(bins, label="Bins: report a missed collection"))
    assert answer.status_code == 302, answer.content.decode()[:2000]
    event = AuditEvent.objects.get(kind="setting_changed")
    assert event.actor == superuser
    assert event.before == {"label": old_label}
    assert event.after == {"label": "Bins: report a missed collection"}


def test_an_endpoints_secret_never_reaches_the_audit():
    endpoint = do_save_endpoint(slug="housing", name="Housing", url="https://example.org/in",
                                secret="a-secret-of-a-sensible-length")
    superuser = do_create_staff_user(username="installer", first_name="Ida", last_name="Owner",
                                     roles=[])
    superuser.is_superuser = True
    client = admin_client(superuser)
    client.post(f"/admin/integrations/endpoint/{endpoint.pk}/change/", {
        "slug": "housing", "name": "Housing", "url": "https://example.org/in",
        "secret": "another-secret-of-sensible-length", "active": "on", "team": ""})
    event = AuditEvent.objects.get(kind="setting_changed")
    assert "secret" in event.before and "sensible-length" not in str(event.before)
    assert "sensible-length" not in str(event.after)
