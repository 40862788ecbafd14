"""Administrators create and change staff within their own authorities, and no further;
every change and every refusal is audited with what was tried (actions tier)."""

from __future__ import annotations

import pytest

from onestop.core.models import AuditEvent
from onestop.staff.actions import (
    StaffError,
    do_change_staff_user,
    do_create_staff_user,
    do_create_team,
)
from onestop.staff.models import Role, User
from onestop.staff.powers import Refused, grantable_roles, manageable_staff
from tests.personas import BABERGH, MID_SUFFOLK, SUFFOLK, a_staff_member, authorities

pytestmark = pytest.mark.django_db


@pytest.fixture
def babergh_admin():
    return a_staff_member(Role.ADMINISTRATOR, acts_for=(BABERGH,), username="babergh-admin")


def new_adviser(actor, **changes):
    fields = {"username": "new-adviser", "first_name": "Nia", "last_name": "Cole",
              "roles": [Role.ADVISER], "authorities": authorities(BABERGH), "actor": actor}
    return do_create_staff_user(**{**fields, **changes})


def changes_of(user, **changes):
    fields = {"first_name": user.first_name, "last_name": user.last_name,
              "email": user.email, "roles": sorted(user.role_names),
              "authorities": list(user.authorities.all()), "teams": list(user.teams.all()),
              "is_active": user.is_active}
    return {**fields, **changes}


def refusals():
    return AuditEvent.objects.filter(kind="change_refused")


def test_an_administrator_creates_an_adviser_in_their_council_and_it_is_audited(babergh_admin):
    team = do_create_team(slug="b-rev", name="Babergh revenues",
                          authority=authorities(BABERGH)[0])
    adviser = new_adviser(babergh_admin, teams=[team], email="nia@babergh.example")
    assert adviser.role_names == {"adviser"}
    event = AuditEvent.objects.get(kind="staff_created", user=adviser)
    assert event.actor == babergh_admin
    assert event.after == {"username": "new-adviser", "first_name": "Nia", "last_name": "Cole",
                           "email": "nia@babergh.example", "is_active": True,
                           "roles": ["adviser"], "authorities": ["babergh"],
                           "teams": ["b-rev"]}


def test_an_administrator_cannot_give_a_council_they_do_not_act_for(babergh_admin):
    with pytest.raises(Refused, match="you do not act for Mid Suffolk"):
        new_adviser(babergh_admin, authorities=authorities(BABERGH, MID_SUFFOLK))
    assert not User.objects.filter(username="new-adviser").exists()
    refusal = refusals().get()
    assert refusal.actor == babergh_admin
    assert refusal.after["authorities"] == ["babergh", "mid-suffolk"]
    assert refusal.detail.startswith("create staff: you do not act for Mid Suffolk")


def test_an_administrator_cannot_give_a_team_of_another_council(babergh_admin):
    team = do_create_team(slug="ms-waste", name="Mid Suffolk waste",
                          authority=authorities(MID_SUFFOLK)[0])
    with pytest.raises(Refused, match="Mid Suffolk waste belongs to a council"):
        new_adviser(babergh_admin, teams=[team])
    assert refusals().get().after["teams"] == ["ms-waste"]


def test_desk_roles_are_anyones_to_give_but_privileged_roles_only_their_holders(babergh_admin):
    assert set(grantable_roles(babergh_admin)) == {
        "adviser", "back_office_officer", "team_leader", "service_owner", "councillor",
        "administrator"}
    with pytest.raises(Refused, match="role of partner system"):
        new_adviser(babergh_admin, roles=[Role.PARTNER_SYSTEM])
    team_leader = a_staff_member(Role.TEAM_LEADER, acts_for=(BABERGH,))
    assert grantable_roles(team_leader) == []
    with pytest.raises(Refused, match="only administrators"):
        new_adviser(team_leader)
    assert refusals().count() == 2


def test_an_unknown_role_or_a_taken_username_is_bad_input_not_a_refusal(babergh_admin):
    with pytest.raises(StaffError, match="unknown role"):
        new_adviser(babergh_admin, roles=["superuser"])
    with pytest.raises(StaffError, match="taken"):
        new_adviser(babergh_admin, username="Babergh-Admin")
    with pytest.raises(StaffError, match="not a username"):
        new_adviser(babergh_admin, username="bad name<script>")
    assert not refusals().exists()


def test_a_password_set_by_an_administrator_must_pass_the_password_rules(babergh_admin):
    with pytest.raises(StaffError, match="too short"):
        new_adviser(babergh_admin, password="abc")
    adviser = new_adviser(babergh_admin, password="a long pass phrase")
    assert adviser.check_password("a long pass phrase")


def test_an_administrator_manages_only_staff_wholly_within_their_councils(babergh_admin):
    babergh = a_staff_member(Role.ADVISER, acts_for=(BABERGH,))
    both = a_staff_member(Role.ADVISER, acts_for=(BABERGH, MID_SUFFOLK))
    boss = User.objects.create_superuser("root", "root@example.org", "x")
    assert set(manageable_staff(babergh_admin)) == {babergh_admin, babergh}
    with pytest.raises(Refused, match="acts for a council you do not act for"):
        do_change_staff_user(both, actor=babergh_admin, **changes_of(both, first_name="X"))
    with pytest.raises(Refused, match="superuser"):
        do_change_staff_user(boss, actor=babergh_admin, **changes_of(boss, is_active=False))
    both.refresh_from_db()
    assert both.first_name != "X"
    assert refusals().filter(user=both, actor=babergh_admin).exists()


def test_a_change_is_audited_with_the_values_before_and_after(babergh_admin):
    adviser = a_staff_member(Role.ADVISER, acts_for=(BABERGH,), username="tom")
    do_change_staff_user(adviser, actor=babergh_admin,
                         **changes_of(adviser, roles=[Role.TEAM_LEADER], last_name="Fletcher",
                                      is_active=False))
    event = AuditEvent.objects.get(kind="staff_changed")
    assert (event.user, event.actor) == (adviser, babergh_admin)
    assert (event.before["roles"], event.after["roles"]) == (["adviser"], ["team_leader"])
    assert (event.before["is_active"], event.after["is_active"]) == (True, False)
    assert event.after["last_name"] == "Fletcher"
    adviser.refresh_from_db()
    assert not adviser.is_active


def test_an_administrator_cannot_elevate_themselves(babergh_admin):
    for change in ({"authorities": authorities(BABERGH, MID_SUFFOLK)},
                   {"roles": [Role.ADMINISTRATOR, Role.TEAM_LEADER]},
                   {"is_active": False}):
        with pytest.raises(Refused, match=r"yourself|your own"):
            do_change_staff_user(babergh_admin, actor=babergh_admin,
                                 **changes_of(babergh_admin, **change))
    assert refusals().filter(user=babergh_admin).count() == 3
    do_change_staff_user(babergh_admin, actor=babergh_admin,
                         **changes_of(babergh_admin, first_name="Bea"))
    babergh_admin.refresh_from_db()
    assert babergh_admin.first_name == "Bea"
    assert babergh_admin.authority_ids() == {authorities(BABERGH)[0].pk}


def test_an_administrator_may_rename_someone_holding_a_role_they_cannot_give(babergh_admin):
    partner = a_staff_member(Role.PARTNER_SYSTEM, acts_for=(BABERGH,))
    do_change_staff_user(partner, actor=babergh_admin,
                         **changes_of(partner, first_name="Revenues system"))
    with pytest.raises(Refused, match="partner system"):
        do_change_staff_user(partner, actor=babergh_admin,
                             **changes_of(partner, roles=[Role.ADVISER]))


def test_a_team_must_belong_to_a_council_the_member_acts_for():
    admin = a_staff_member(Role.ADMINISTRATOR, acts_for=(SUFFOLK, BABERGH))
    county_team = do_create_team(slug="county", name="County team",
                                 authority=authorities(SUFFOLK)[0])
    with pytest.raises(StaffError, match="County team belongs to a council this member"):
        new_adviser(admin, teams=[county_team])


def test_the_command_line_and_the_demo_create_staff_without_an_administrator():
    user = do_create_staff_user(username="cli", first_name="C", last_name="L",
                                roles=[Role.PARTNER_SYSTEM],
                                authorities=authorities(SUFFOLK, MID_SUFFOLK, BABERGH))
    event = AuditEvent.objects.get(kind="staff_created", user=user)
    assert event.actor is None


def test_a_team_made_or_changed_is_audited_with_before_and_after():
    babergh = authorities(BABERGH)[0]
    do_create_team(slug="b-waste", name="Babergh waste", authority=babergh)
    leader = a_staff_member(Role.TEAM_LEADER, acts_for=(BABERGH,), username="lead")
    do_create_team(slug="b-waste", name="Babergh waste", authority=babergh, leader=leader)
    do_create_team(slug="b-waste", name="Babergh waste", authority=babergh)  # no change
    made, led = AuditEvent.objects.filter(kind="team_changed").order_by("id")
    assert made.before == {} and made.after["authority"] == "babergh"
    assert (led.before["leader"], led.after["leader"]) == (None, "lead")
