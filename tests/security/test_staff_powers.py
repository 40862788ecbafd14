"""An administrator of Babergh only cannot grant themselves or anyone else Mid Suffolk,
superuser, or a role they lack, through OneStop's pages or the Django admin, nor manage a
Mid Suffolk member of staff; every refusal is audited. A team leader unlocks a card on a
page, audited."""

from __future__ import annotations

import pytest

from onestop.core.models import AuditEvent
from onestop.staff.actions import do_card_sign_in
from onestop.staff.models import IdCard, Role, User
from tests.personas import (
    BABERGH,
    MID_SUFFOLK,
    a_staff_member,
    a_team_leader,
    an_adviser,
    authorities,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    admin = a_staff_member(Role.ADMINISTRATOR, acts_for=(BABERGH,), username="babergh-admin",
                           password="a long pass phrase")
    client.force_login(admin)
    return admin


def form_of(user, **changes) -> dict:
    data = {"first_name": user.first_name, "last_name": user.last_name, "email": user.email,
            "roles": sorted(user.role_names),
            "authorities": [a.pk for a in user.authorities.all()],
            "teams": [t.pk for t in user.teams.all()], "is_active": "on"}
    return {**data, **changes}


def powers_of(user) -> tuple:
    user = User.objects.get(pk=user.pk)
    return (user.is_superuser, user.is_staff, sorted(user.groups.values_list("name", flat=True)),
            sorted(user.authorities.values_list("slug", flat=True)),
            list(user.user_permissions.all()))


def refusals(actor):
    return AuditEvent.objects.filter(kind="change_refused", actor=actor)


def test_the_administrator_cannot_give_themselves_mid_suffolk_or_another_role_on_a_page(
        client, admin):
    before = powers_of(admin)
    babergh, mid_suffolk = authorities(BABERGH, MID_SUFFOLK)
    for change in ({"authorities": [babergh.pk, mid_suffolk.pk]},
                   {"roles": ["administrator", "partner_system"]},
                   {"roles": ["administrator", "team_leader"]},
                   {"is_superuser": "on", "is_staff": "on", "groups": ["1", "2"]}):
        response = client.post(f"/staff/{admin.pk}/change/", form_of(admin, **change))
        if "is_superuser" in change:  # not a field of the page: ignored, nothing else changes
            assert response.status_code == 302
            continue
        assert response.status_code == 403, change
        assert "your own" in response.content.decode()
    assert powers_of(admin) == before
    assert refusals(admin).filter(user=admin).count() == 3


def test_the_administrator_cannot_give_anyone_mid_suffolk_or_a_role_they_lack(client, admin):
    adviser = an_adviser(acts_for=(BABERGH,))
    before = powers_of(adviser)
    babergh, mid_suffolk = authorities(BABERGH, MID_SUFFOLK)
    response = client.post(f"/staff/{adviser.pk}/change/",
                           form_of(adviser, authorities=[babergh.pk, mid_suffolk.pk]))
    assert response.status_code == 403
    assert "you do not act for Mid Suffolk" in response.content.decode()
    response = client.post(f"/staff/{adviser.pk}/change/",
                           form_of(adviser, roles=["adviser", "partner_system"]))
    assert response.status_code == 403
    assert "role of partner system" in response.content.decode()
    assert powers_of(adviser) == before
    tried = [event.after for event in refusals(admin).filter(user=adviser).order_by("id")]
    assert tried[0]["authorities"] == ["babergh", "mid-suffolk"]
    assert tried[1]["roles"] == ["adviser", "partner_system"]

    response = client.post("/staff/new/", {
        "username": "new-one", "first_name": "N", "last_name": "O", "roles": ["adviser"],
        "authorities": [mid_suffolk.pk]})
    assert response.status_code == 403
    assert not User.objects.filter(username="new-one").exists()
    assert refusals(admin).filter(claimed_identity="new-one").exists()


def test_the_django_admin_changes_nothing_about_staff(client, admin):
    adviser = an_adviser(acts_for=(BABERGH,))
    mid_suffolk = authorities(MID_SUFFOLK)[0]
    for user in (admin, adviser):
        before = powers_of(user)
        response = client.post(f"/admin/staff/user/{user.pk}/change/", {
            "username": user.username, "is_superuser": "on", "is_staff": "on",
            "is_active": "on", "authorities": [mid_suffolk.pk],
            "groups": list(map(str, range(1, 8)))})
        assert response.status_code == 403
        assert powers_of(user) == before
    assert client.post("/admin/staff/user/add/", {"username": "x", "password1": "p",
                                                  "password2": "p"}).status_code == 403
    assert client.get(f"/admin/staff/user/{adviser.pk}/change/").status_code == 200  # reads
    assert client.get("/admin/auth/group/").status_code == 404
    password = User.objects.get(pk=adviser.pk).password
    client.post(f"/admin/staff/user/{adviser.pk}/password/", {"password1": "x",
                                                               "password2": "x"}, follow=True)
    assert User.objects.get(pk=adviser.pk).password == password


def test_the_administrator_cannot_manage_a_mid_suffolk_member_of_staff(client, admin):
    outsider = an_adviser(acts_for=(MID_SUFFOLK,))
    card = IdCard.objects.get(user=outsider)
    for method, path, data in (
            ("get", f"/staff/{outsider.pk}/", {}),
            ("get", f"/staff/{outsider.pk}/change/", {}),
            ("post", f"/staff/{outsider.pk}/change/", form_of(outsider, first_name="Hacked")),
            ("post", f"/staff/{outsider.pk}/cards/new/", {"number": "8800001",
                                                          "new_pin": "1234"}),
            ("post", f"/staff/cards/{card.pk}/revoke/", {}),
            ("post", f"/staff/cards/{card.pk}/pin/", {"new_pin": "1234"})):
        response = getattr(client, method)(path, data)
        assert response.status_code == 403, path
        assert "acts for a council you do not act for" in response.content.decode(), path
    outsider.refresh_from_db()
    card.refresh_from_db()
    assert outsider.first_name != "Hacked" and card.revoked_at is None
    assert refusals(admin).filter(user=outsider).count() == 6
    assert outsider not in client.get("/staff/").context["staff"]


def test_no_page_makes_a_superuser_and_a_superuser_is_never_managed_on_one(client, admin):
    root = User.objects.create_superuser("root", "root@example.org", "x")
    assert client.get(f"/staff/{root.pk}/").status_code == 403
    response = client.post("/staff/new/", {
        "username": "sneaky", "first_name": "S", "last_name": "U", "roles": ["adviser"],
        "authorities": [authorities(BABERGH)[0].pk], "is_superuser": "on", "is_staff": "on"})
    assert response.status_code == 302
    sneaky = User.objects.get(username="sneaky")
    assert not sneaky.is_superuser and not sneaky.is_staff


def test_a_team_leader_unlocks_a_card_on_a_page_and_it_is_audited(client):
    adviser = an_adviser(acts_for=(BABERGH,), pin="4821")
    for _ in range(5):
        do_card_sign_in(adviser.card_number, "0000", terminal="t")
    card = IdCard.objects.get(number=adviser.card_number)
    leader = a_team_leader(acts_for=(BABERGH,))
    client.force_login(leader)
    locks = client.get("/staff/locks/")
    assert card in locks.context["cards"]
    response = client.post(f"/staff/cards/{card.pk}/unlock/", {"new_pin": "6042"})
    assert response.status_code == 302
    client.logout()
    signed_in = client.post("/sign-in/", {"card_number": adviser.card_number, "pin": "6042"})
    assert signed_in.status_code == 302
    event = AuditEvent.objects.get(kind="card_unlocked")
    assert (event.actor, event.user) == (leader, adviser)
    assert (event.before["locked"], event.after["locked"]) == (True, False)
    assert AuditEvent.objects.get(kind="pin_reset").actor == leader


def test_the_admins_own_login_form_cannot_be_used_to_guess_passwords(client):
    """Passwords are checked only on OneStop's sign-in page, under its lock-out."""
    a_staff_member(Role.ADMINISTRATOR, username="chris", password="a-long-enough-password")
    answer = client.post("/admin/login/", {"username": "chris",
                                            "password": "a-long-enough-password"})
    assert answer.status_code == 302
    assert answer["Location"] == "/sign-in/password/"
    assert "_auth_user_id" not in client.session
