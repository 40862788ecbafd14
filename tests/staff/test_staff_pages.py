"""The staff pages over HTTP: administrators list, add and change staff and their cards;
team leaders unlock cards and lift lock-outs; hostile forms get a clear 400, never a 500."""

from __future__ import annotations

import pytest

from onestop.core.models import AuditEvent
from onestop.staff.actions import do_card_sign_in, do_create_team
from onestop.staff.models import IdCard, Role, User
from tests.personas import (
    BABERGH,
    MID_SUFFOLK,
    SUFFOLK,
    a_staff_member,
    a_team_leader,
    an_adviser,
    authorities,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    admin = a_staff_member(Role.ADMINISTRATOR, acts_for=(SUFFOLK, BABERGH))
    client.force_login(admin)
    return admin


def new_member(**changes) -> dict:
    suffolk, babergh = authorities(SUFFOLK, BABERGH)
    return {"username": "nia", "first_name": "Nia", "last_name": "Cole",
            "email": "nia.cole@babergh.example", "roles": ["adviser"],
            "authorities": [suffolk.pk, babergh.pk], **changes}


def test_an_administrator_adds_an_adviser_and_issues_their_card(client, admin):
    page = client.get("/staff/new/").content.decode()
    assert "Babergh" in page and "Mid Suffolk" not in page  # only their councils offered
    assert 'value="partner_system"' not in page  # nor a role they lack
    response = client.post("/staff/new/", new_member())
    nia = User.objects.get(username="nia")
    assert response["Location"] == f"/staff/{nia.pk}/"
    assert nia.role_names == {"adviser"} and not nia.has_usable_password()
    assert "No ID card has been issued" in client.get(f"/staff/{nia.pk}/").content.decode()
    issued = client.post(f"/staff/{nia.pk}/cards/new/", {"number": "3300001", "new_pin": "8642"})
    assert issued["Location"] == f"/staff/{nia.pk}/"
    assert do_card_sign_in("3300001", "8642", terminal="t").user == nia
    assert AuditEvent.objects.get(kind="staff_created", user=nia).actor == admin
    assert AuditEvent.objects.get(kind="card_issued", user=nia).actor == admin
    assert nia in client.get("/staff/").context["staff"]


def test_an_administrator_changes_roles_and_teams_and_deactivates(client, admin):
    team = do_create_team(slug="bab-rev", name="Babergh revenues",
                          authority=authorities(BABERGH)[0])
    adviser = an_adviser(acts_for=(BABERGH,))
    response = client.post(f"/staff/{adviser.pk}/change/", {
        "first_name": "Tom", "last_name": "Fletcher", "email": "", "roles": ["team_leader"],
        "authorities": [authorities(BABERGH)[0].pk], "teams": [team.pk]})
    assert response.status_code == 302
    adviser.refresh_from_db()
    assert not adviser.is_active  # the box was left unticked
    assert set(adviser.groups.values_list("name", flat=True)) == {"team_leader"}
    event = AuditEvent.objects.get(kind="staff_changed", user=adviser)
    assert event.after["teams"] == ["bab-rev"] and event.before["teams"] == []


@pytest.mark.parametrize(("field", "value", "message"), [
    ("roles", ["superuser"], "superuser is not a role"),
    ("roles", [], "Choose at least one role"),
    ("authorities", ["abc"], "“abc” is not a council OneStop knows"),
    ("authorities", ["99999999999999999999"], "“99999999999999999999” is not a council"),
    ("authorities", ["-1"], "“-1” is not a council OneStop knows"),
    ("authorities", ["424242"], "424242 is not a council OneStop knows"),
    ("teams", ["1e9"], "“1e9” is not a team OneStop knows"),
    ("email", "not an email", "Enter an email address"),
    ("username", "bad name", "is not a username"),
    ("username", "x" * 151, "at most 150 characters"),
    ("password", "abc", "too short"),
])
def test_a_hostile_or_bad_form_gets_a_clear_error_not_a_server_error(client, admin, field,
                                                                     value, message):
    response = client.post("/staff/new/", new_member(**{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.filter(username__in=["nia", "bad name"]).exists()


def test_a_taken_username_and_a_bad_card_are_named(client, admin):
    adviser = an_adviser(acts_for=(BABERGH,))
    assert "is taken" in client.post("/staff/new/", new_member(
        username=adviser.username)).content.decode()
    for number, pin, message in ((adviser.card_number, "1234", "already been issued"),
                                 ("12", "1234", "6 to 20 digits"),
                                 ("3300002", "12ab", "4 to 8 digits"),
                                 ("", "", "Enter the number on the card")):
        response = client.post(f"/staff/{adviser.pk}/cards/new/", {"number": number,
                                                                   "new_pin": pin})
        assert response.status_code == 400
        assert message in response.content.decode()


def test_an_administrator_resets_a_pin_and_revokes_a_card(client, admin):
    adviser = an_adviser(acts_for=(BABERGH,), pin="4821")
    card = IdCard.objects.get(user=adviser)
    assert client.post(f"/staff/cards/{card.pk}/pin/", {"new_pin": "x"}).status_code == 400
    assert client.post(f"/staff/cards/{card.pk}/pin/", {"new_pin": "1470"}).status_code == 302
    assert do_card_sign_in(card.number, "1470", terminal="t").user == adviser
    assert client.post(f"/staff/cards/{card.pk}/revoke/").status_code == 302
    assert do_card_sign_in(card.number, "1470", terminal="t").user is None
    assert client.get(f"/staff/cards/{card.pk}/revoke/").status_code == 405
    revoked_again = client.post(f"/staff/cards/{card.pk}/revoke/", follow=True)
    assert "already revoked" in revoked_again.content.decode()


def test_only_administrators_have_the_staff_pages_and_their_refusal_is_audited(client):
    adviser = an_adviser()
    client.force_login(adviser)
    for path in ("/staff/", "/staff/new/", f"/staff/{adviser.pk}/", "/staff/locks/"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "this page is for" in response.content.decode()
    assert AuditEvent.objects.filter(kind="change_refused", actor=adviser).count() == 4
    assert client.get("/staff/999999/").status_code == 403
    client.logout()
    assert client.get("/staff/")["Location"].startswith("/sign-in/")


def test_unknown_ids_are_not_found(client, admin):
    for path in ("/staff/999999/", "/staff/cards/999999/pin/", "/staff/abc/"):
        assert client.get(path).status_code == 404, path
    assert client.post("/staff/locks/999999/lift/", follow=True).status_code == 200


def test_the_navigation_shows_each_role_its_pages(client):
    client.force_login(a_staff_member(Role.ADMINISTRATOR))
    html = client.get("/").content.decode()
    assert 'href="/staff/">Staff</a>' in html and 'href="/staff/locks/"' in html
    client.force_login(a_team_leader())
    html = client.get("/").content.decode()
    assert 'href="/staff/">' not in html and 'href="/staff/locks/"' in html
    client.force_login(an_adviser())
    html = client.get("/").content.decode()
    assert 'href="/staff/' not in html


def test_a_team_leader_sees_locked_cards_only_of_their_councils_and_not_of_administrators(
        client):
    ours, theirs = an_adviser(acts_for=(BABERGH,)), an_adviser(acts_for=(MID_SUFFOLK,))
    for adviser in (ours, theirs):
        for _ in range(5):
            do_card_sign_in(adviser.card_number, "0000", terminal="t")
    leader = a_team_leader(acts_for=(BABERGH,))
    client.force_login(leader)
    cards = client.get("/staff/locks/").context["cards"]
    assert [card.user for card in cards] == [ours]
    their_card = IdCard.objects.get(user=theirs)
    response = client.post(f"/staff/cards/{their_card.pk}/unlock/", {"new_pin": "1234"})
    assert response.status_code == 403
    assert "acts for a council you do not act for" in response.content.decode()
    assert client.get("/staff/").status_code == 403
    our_card = IdCard.objects.get(user=ours)
    assert client.post(f"/staff/cards/{our_card.pk}/unlock/", {}).status_code == 400
    assert client.post(f"/staff/cards/{our_card.pk}/unlock/",
                       {"new_pin": "123456789"}).status_code == 400
    our_card.refresh_from_db()
    assert our_card.is_locked


def test_a_superuser_from_the_command_line_makes_the_first_administrator(client):
    root = User.objects.create_superuser("root", "root@example.org", "a long pass phrase")
    client.force_login(root)
    assert 'href="/staff/">Staff</a>' in client.get("/").content.decode()
    mid_suffolk = authorities(MID_SUFFOLK)[0]
    response = client.post("/staff/new/", new_member(
        username="first-admin", roles=["administrator"], authorities=[mid_suffolk.pk],
        password="a long pass phrase"))
    assert response.status_code == 302
    first = User.objects.get(username="first-admin")
    assert first.role_names == {"administrator"} and first.is_staff and not first.is_superuser
    assert AuditEvent.objects.get(kind="staff_created", user=first).actor == root
