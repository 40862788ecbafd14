"""ID cards are issued, revoked, unlocked and given new PINs by those whose powers cover
the card's holder, each audited with the actor, the holder, before and after (actions)."""

from __future__ import annotations

import pytest

from onestop.core.models import AuditEvent
from onestop.staff.actions import (
    StaffError,
    do_card_sign_in,
    do_issue_id_card,
    do_reset_pin,
    do_revoke_id_card,
    do_unlock_id_card,
)
from onestop.staff.models import IdCard, Role
from onestop.staff.powers import Refused
from tests.personas import BABERGH, MID_SUFFOLK, a_staff_member, a_team_leader, an_adviser

pytestmark = pytest.mark.django_db


def locked_card(adviser) -> IdCard:
    for _ in range(5):
        do_card_sign_in(adviser.card_number, "0000", terminal="t", address="10.0.0.9")
    card = IdCard.objects.get(number=adviser.card_number)
    assert card.is_locked
    return card


def test_a_team_leader_unlocks_a_card_with_a_new_pin_and_both_are_audited():
    adviser = an_adviser(acts_for=(BABERGH,), pin="4821")
    leader = a_team_leader(acts_for=(BABERGH,))
    card = locked_card(adviser)
    do_unlock_id_card(card, actor=leader, new_pin="7351", terminal="desk 4")
    assert do_card_sign_in(adviser.card_number, "4821", terminal="t").user is None
    assert do_card_sign_in(adviser.card_number, "7351", terminal="t").user == adviser
    unlocked = AuditEvent.objects.get(kind="card_unlocked")
    assert (unlocked.actor, unlocked.user, unlocked.claimed_identity) == (
        leader, adviser, adviser.card_number)
    assert unlocked.before == {"card": adviser.card_number, "locked": True, "revoked": False,
                               "failed_attempts": 5}
    assert unlocked.after == {"card": adviser.card_number, "locked": False, "revoked": False,
                              "failed_attempts": 0}
    reset = AuditEvent.objects.get(kind="pin_reset")
    assert (reset.actor, reset.user) == (leader, adviser)
    assert "7351" not in str(reset.before) + str(reset.after) + reset.detail


def test_a_team_leader_cannot_unlock_beyond_their_councils_an_administrator_or_their_own():
    leader = a_team_leader(acts_for=(BABERGH,))
    mid_suffolk_card = locked_card(an_adviser(acts_for=(MID_SUFFOLK,)))
    with pytest.raises(Refused, match="acts for a council you do not act for"):
        do_unlock_id_card(mid_suffolk_card, actor=leader, new_pin="7351")
    admin = a_staff_member(Role.ADMINISTRATOR, acts_for=(BABERGH,))
    admin_card = do_issue_id_card(admin, number="555001", pin="1234")
    with pytest.raises(Refused, match="administrator unlocks"):
        do_unlock_id_card(admin_card, actor=leader)
    own_card = do_issue_id_card(leader, number="555002", pin="1234")
    with pytest.raises(Refused, match="your own card"):
        do_unlock_id_card(own_card, actor=leader)
    mid_suffolk_card.refresh_from_db()
    assert mid_suffolk_card.is_locked
    tried = AuditEvent.objects.filter(kind="change_refused", actor=leader)
    assert sorted(event.after["card"] for event in tried) == sorted(
        [mid_suffolk_card.number, "555001", "555002"])


def test_an_administrator_unlocks_within_their_councils_and_an_adviser_never():
    adviser = an_adviser(acts_for=(BABERGH,))
    card = locked_card(adviser)
    with pytest.raises(Refused):
        do_unlock_id_card(card, actor=an_adviser(acts_for=(BABERGH,)))
    do_unlock_id_card(card, actor=a_staff_member(Role.ADMINISTRATOR, acts_for=(BABERGH,)))
    card.refresh_from_db()
    assert not card.is_locked


def test_unlocking_a_card_that_is_not_locked_or_with_a_bad_pin_says_why():
    adviser = an_adviser(acts_for=(BABERGH,))
    leader = a_team_leader(acts_for=(BABERGH,))
    card = IdCard.objects.get(number=adviser.card_number)
    with pytest.raises(StaffError, match="is not locked"):
        do_unlock_id_card(card, actor=leader)
    with pytest.raises(StaffError, match="4 to 8 digits"):
        do_unlock_id_card(locked_card(adviser), actor=leader, new_pin="12ab")


def test_an_administrator_issues_revokes_and_resets_cards_of_their_staff_only():
    admin = a_staff_member(Role.ADMINISTRATOR, acts_for=(BABERGH,))
    adviser = a_staff_member(Role.ADVISER, acts_for=(BABERGH,))
    card = do_issue_id_card(adviser, number="700001", pin="2468", actor=admin)
    issued = AuditEvent.objects.get(kind="card_issued", user=adviser)
    assert issued.actor == admin and issued.after["card"] == "700001"
    with pytest.raises(StaffError, match="already been issued"):
        do_issue_id_card(adviser, number="700001", pin="2468", actor=admin)

    do_reset_pin(card, actor=admin, new_pin="1357")
    assert do_card_sign_in("700001", "1357", terminal="t").user == adviser
    assert AuditEvent.objects.get(kind="pin_reset").actor == admin

    do_revoke_id_card(card, actor=admin)
    revoked = AuditEvent.objects.get(kind="card_revoked")
    assert (revoked.before["revoked"], revoked.after["revoked"]) == (False, True)
    assert do_card_sign_in("700001", "1357", terminal="t").user is None

    outsider = a_staff_member(Role.ADVISER, acts_for=(MID_SUFFOLK,))
    with pytest.raises(Refused):
        do_issue_id_card(outsider, number="700002", pin="2468", actor=admin)
    assert not IdCard.objects.filter(number="700002").exists()
    assert AuditEvent.objects.filter(kind="change_refused", user=outsider).exists()
