"""The sign-in pages say plainly when an account or terminal is locked out, and whom to ask;
a team leader lifts the lock-out on the locks page (HTTP tier)."""

from __future__ import annotations

import pytest

from onestop.core.models import AuditEvent
from onestop.staff.models import Role, SignInThrottle
from tests.personas import BABERGH, a_staff_member, a_team_leader, an_adviser

pytestmark = pytest.mark.django_db
PASSWORD = "a long pass phrase"


def test_the_password_page_says_the_account_is_locked_and_whom_to_ask(client):
    a_staff_member(Role.BACK_OFFICE_OFFICER, username="officer", password=PASSWORD)
    page = client.get("/sign-in/password/").content.decode()
    assert "After 5 wrong passwords your account cannot be used to sign in for 15 minutes" \
        in page
    for _ in range(4):
        assert client.post("/sign-in/password/", {"username": "officer",
                                                  "password": "guess"}).status_code == 400
    locked = client.post("/sign-in/password/", {"username": "officer", "password": "guess"})
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "this account is locked until" in html and "ask your team leader" in html
    again = client.post("/sign-in/password/", {"username": "officer", "password": PASSWORD})
    assert again.status_code == 429
    assert client.get("/").status_code == 302  # not signed in


def test_the_card_page_says_the_terminal_is_locked_after_tries_on_many_cards(client, settings):
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 6
    settings.SIGN_IN_FAILURES_PER_ACCOUNT = 5
    advisers = [an_adviser(pin="4821") for _ in range(7)]
    statuses = [client.post("/sign-in/", {"card_number": a.card_number, "pin": "0000"},
                            REMOTE_ADDR="203.0.113.40").status_code for a in advisers]
    assert statuses == [400] * 5 + [429] * 2
    right = client.post("/sign-in/", {"card_number": advisers[0].card_number, "pin": "4821"},
                        REMOTE_ADDR="203.0.113.40")
    assert right.status_code == 429
    assert "this terminal is locked until" in right.content.decode()
    elsewhere = client.post("/sign-in/", {"card_number": advisers[0].card_number,
                                          "pin": "4821"}, REMOTE_ADDR="203.0.113.41")
    assert elsewhere.status_code == 302


def test_a_team_leader_lifts_a_lock_out_on_the_locks_page(client):
    officer = a_staff_member(Role.BACK_OFFICE_OFFICER, username="officer", password=PASSWORD,
                             acts_for=(BABERGH,))
    for _ in range(5):
        client.post("/sign-in/password/", {"username": "officer", "password": "guess"})
    leader = a_team_leader(acts_for=(BABERGH,))
    client.force_login(leader)
    page = client.get("/staff/locks/")
    html = page.content.decode()
    assert "Account officer (Back Office Officer Tester)" in html
    (lockout,) = page.context["lockouts"]
    lifted = client.post(f"/staff/locks/{lockout.pk}/lift/", follow=True)
    assert "Sign-in lock-out of account officer lifted" in lifted.content.decode()
    event = AuditEvent.objects.get(kind="sign_in_unthrottled")
    assert (event.actor, event.user) == (leader, officer)
    client.logout()
    assert client.post("/sign-in/password/", {"username": "officer",
                                              "password": PASSWORD}).status_code == 302


def test_a_lock_out_beyond_the_team_leaders_powers_is_refused_with_403(client):
    a_staff_member(Role.ADMINISTRATOR, username="boss", password=PASSWORD)
    for _ in range(5):
        client.post("/sign-in/password/", {"username": "boss", "password": "guess"})
    client.force_login(a_team_leader())
    assert client.get("/staff/locks/").context["lockouts"] == []
    lockout = SignInThrottle.objects.get(scope="account")
    response = client.post(f"/staff/locks/{lockout.pk}/lift/")
    assert response.status_code == 403
    assert "an administrator unlocks them" in response.content.decode()
    assert SignInThrottle.objects.get(pk=lockout.pk).failures == 5
