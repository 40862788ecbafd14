"""The sign-in pages: card and PIN for advisers, password for other staff, sign-out."""

from __future__ import annotations

import pytest

from onestop.core.models import AuditEvent
from onestop.staff.models import Role
from tests.personas import a_staff_member, an_adviser

pytestmark = pytest.mark.django_db


def test_card_and_pin_sign_in_lands_on_the_desktop(client):
    adviser = an_adviser(pin="4821")
    response = client.post("/sign-in/", {"card_number": adviser.card_number, "pin": "4821"})
    assert response.status_code == 302
    # Sign-in goes by way of the adviser's open contact, if any; with none, the desktop.
    assert response["Location"] == "/contacts/resume/"
    assert client.get(response["Location"])["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_wrong_pin_shows_an_error_and_keeps_the_adviser_out(client):
    adviser = an_adviser(pin="4821")
    response = client.post("/sign-in/", {"card_number": adviser.card_number, "pin": "1111"})
    assert response.status_code == 400
    assert "The card number or PIN is not right" in response.content.decode()
    assert client.get("/").status_code == 302


def test_sign_in_returns_to_the_page_asked_for_but_never_to_another_site(client):
    adviser = an_adviser(pin="4821")
    credentials = {"card_number": adviser.card_number, "pin": "4821"}
    back = client.post("/sign-in/?next=/access-log/", credentials)
    assert back["Location"] == "/access-log/"
    client.logout()
    for elsewhere in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post("/sign-in/", {**credentials, "next": elsewhere})
        assert response["Location"] == "/contacts/resume/", elsewhere
        client.logout()


def test_password_sign_in_and_its_failures_are_audited(client):
    a_staff_member(Role.TEAM_LEADER, username="tl", password="a long pass phrase")
    failed = client.post("/sign-in/password/", {"username": "tl", "password": "wrong"})
    assert failed.status_code == 400
    assert "The username or password is not right" in failed.content.decode()
    signed_in = client.post("/sign-in/password/", {"username": "tl",
                                                   "password": "a long pass phrase"})
    assert signed_in.status_code == 302
    kinds = list(AuditEvent.objects.exclude(kind="staff_created").order_by("id")
                 .values_list("kind", "claimed_identity", "detail"))
    assert kinds == [("sign_in_failed", "tl", "password"), ("signed_in", "tl", "password")]


def test_sign_out_ends_the_session_and_is_audited(client):
    adviser = an_adviser()
    client.force_login(adviser)
    assert client.get("/sign-out/").status_code == 405  # only by the form's POST
    response = client.post("/sign-out/")
    assert response["Location"] == "/sign-in/"
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(kind="signed_out", user=adviser).exists()


def test_empty_sign_in_forms_name_the_missing_fields(client):
    html = client.post("/sign-in/", {}).content.decode()
    assert "Enter your ID card number" in html
    assert "Enter your PIN" in html
