"""Advisers sign in on shared terminals with their ID card and PIN; every try is audited."""

from __future__ import annotations

import pytest

from onestop.core.models import AuditEvent
from onestop.staff.actions import do_card_sign_in, do_unlock_id_card
from onestop.staff.models import IdCard, Role
from onestop.staff.powers import Refused
from tests.personas import a_staff_member, an_adviser

pytestmark = pytest.mark.django_db


def sign_in_events():
    """The audit trail less the setting up of the personas (staff created, card issued)."""
    return AuditEvent.objects.exclude(kind__in=["staff_created", "card_issued"])


def test_the_right_pin_signs_the_adviser_in_and_is_audited():
    adviser = an_adviser(pin="4821")
    result = do_card_sign_in(adviser.card_number, "4821", terminal="10.0.0.5 desk 3")
    assert result.user == adviser
    event = sign_in_events().get()
    assert (event.kind, event.user, event.terminal) == ("signed_in", adviser, "10.0.0.5 desk 3")


def test_pins_are_stored_hashed():
    adviser = an_adviser(pin="4821")
    card = IdCard.objects.get(number=adviser.card_number)
    assert "4821" not in card.pin_hash
    assert card.pin_matches("4821")


def test_a_wrong_pin_fails_and_is_audited_with_the_count():
    adviser = an_adviser(pin="4821")
    result = do_card_sign_in(adviser.card_number, "0000", terminal="t")
    assert result.user is None
    assert "not right" in result.error
    event = sign_in_events().get()
    assert event.kind == "sign_in_failed"
    assert event.detail == "wrong PIN (1 in a row)"


def test_five_wrong_pins_lock_the_card_even_against_the_right_pin():
    adviser = an_adviser(pin="4821")
    for _ in range(4):
        assert do_card_sign_in(adviser.card_number, "1111", terminal="t").user is None
    fifth = do_card_sign_in(adviser.card_number, "1111", terminal="t")
    assert "locked" in fifth.error
    assert IdCard.objects.get(number=adviser.card_number).is_locked
    assert AuditEvent.objects.filter(kind="card_locked").count() == 1
    assert do_card_sign_in(adviser.card_number, "4821", terminal="t").user is None
    assert AuditEvent.objects.filter(kind="sign_in_failed", detail="card locked").count() == 1


def test_a_right_pin_resets_the_count_of_wrong_ones():
    adviser = an_adviser(pin="4821")
    for _ in range(4):
        do_card_sign_in(adviser.card_number, "1111", terminal="t")
    assert do_card_sign_in(adviser.card_number, "4821", terminal="t").user == adviser
    for _ in range(4):
        do_card_sign_in(adviser.card_number, "1111", terminal="t")
    assert not IdCard.objects.get(number=adviser.card_number).is_locked


def test_an_unknown_card_is_refused_and_audited_with_the_number_typed():
    result = do_card_sign_in("555555", "1234", terminal="t")
    assert result.user is None
    event = sign_in_events().get()
    assert (event.kind, event.claimed_identity, event.detail) == (
        "sign_in_failed", "555555", "unknown card")


def test_a_team_leader_unlocks_a_card_with_a_new_pin_but_an_adviser_cannot():
    adviser = an_adviser(pin="4821")
    for _ in range(5):
        do_card_sign_in(adviser.card_number, "1111", terminal="t")
    card = IdCard.objects.get(number=adviser.card_number)
    with pytest.raises(Refused, match="team leader"):
        do_unlock_id_card(card, actor=an_adviser())
    do_unlock_id_card(card, actor=a_staff_member(Role.TEAM_LEADER), new_pin="9090")
    assert do_card_sign_in(adviser.card_number, "9090", terminal="t").user == adviser
    assert AuditEvent.objects.filter(kind="card_unlocked").count() == 1

