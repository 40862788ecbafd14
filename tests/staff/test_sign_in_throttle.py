"""Sign-in lock-outs: per account and per client address for passwords, per address across
every card for PINs; each lock-out audited, lifted by a team leader (actions tier)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from onestop.core.models import AuditEvent
from onestop.staff.actions import (
    StaffError,
    do_card_sign_in,
    do_lift_sign_in_lockout,
    do_password_sign_in,
)
from onestop.staff.models import IdCard, Role, SignInThrottle
from onestop.staff.powers import Refused
from onestop.staff.queries import current_lockouts
from tests.personas import BABERGH, MID_SUFFOLK, a_staff_member, a_team_leader, an_adviser

pytestmark = pytest.mark.django_db
PASSWORD = "a long pass phrase"


def sign_in(username: str, password: str, *, address: str = "10.1.1.1", **headers):
    request = RequestFactory().post("/sign-in/password/", REMOTE_ADDR=address, **headers)
    return do_password_sign_in(request, username, password, terminal=address)


@pytest.fixture
def officer():
    return a_staff_member(Role.BACK_OFFICE_OFFICER, username="officer", password=PASSWORD,
                          acts_for=(BABERGH,))


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(officer):
    for _ in range(4):
        assert sign_in("officer", "guess").error == "The username or password is not right"
    fifth = sign_in("officer", "guess")
    assert fifth.throttled
    assert "this account is locked until" in fifth.error
    assert "ask your team leader" in fifth.error
    right = sign_in("officer", PASSWORD, address="10.9.9.9")  # from elsewhere too
    assert right.user is None and right.throttled
    event = AuditEvent.objects.get(kind="sign_in_throttled")
    assert (event.user, event.claimed_identity) == (officer, "officer")
    assert event.after["scope"] == "account" and event.after["failures"] == 5
    # The right password was never checked while locked, and the refusal is on record.
    assert AuditEvent.objects.filter(kind="sign_in_failed",
                                     detail__startswith="refused: account locked").count() == 1


def test_the_account_count_ignores_case_and_a_right_password_starts_it_again(officer):
    for name in ("officer", "OFFICER", "Officer", "officer"):
        sign_in(name, "guess")
    assert sign_in("officer", PASSWORD).user == officer
    for _ in range(4):
        sign_in("officer", "guess")
    assert sign_in("officer", PASSWORD).user == officer


def test_a_lock_out_ends_by_itself_after_its_minutes(officer, settings):
    settings.SIGN_IN_LOCKOUT_MINUTES = 15
    for _ in range(5):
        sign_in("officer", "guess")
    assert sign_in("officer", PASSWORD).throttled
    past = timezone.now() - dt.timedelta(seconds=1)
    SignInThrottle.objects.update(locked_until=past, last_failure_at=past)
    assert sign_in("officer", PASSWORD).user == officer


def test_twenty_failures_from_one_address_lock_it_for_every_account(officer, settings):
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 20
    for n in range(20):
        sign_in(f"someone-{n}", "guess", address="192.0.2.7")
    refused = sign_in("officer", PASSWORD, address="192.0.2.7")
    assert refused.user is None and "this terminal is locked" in refused.error
    assert sign_in("officer", PASSWORD, address="192.0.2.8").user == officer
    event = AuditEvent.objects.get(kind="sign_in_throttled")
    assert event.after["scope"] == "address" and event.after["key"] == "192.0.2.7"


def test_the_address_is_worked_out_as_the_self_service_limit_does_it(officer, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 5
    for n in range(5):  # behind the proxy: the sender's address, whatever they write first
        sign_in(f"x{n}", "guess", address="10.0.0.1",
                HTTP_X_FORWARDED_FOR=f"1.1.1.{n}, 203.0.113.9")
    assert sign_in("officer", PASSWORD, address="10.0.0.1",
                   HTTP_X_FORWARDED_FOR="203.0.113.9").throttled
    assert sign_in("officer", PASSWORD, address="10.0.0.1",
                   HTTP_X_FORWARDED_FOR="203.0.113.10").user == officer


def test_pin_tries_across_many_cards_from_one_address_are_stopped(settings):
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 20
    advisers = [an_adviser(pin="4821") for _ in range(25)]
    results = [do_card_sign_in(adviser.card_number, "0000", terminal="t", address="198.51.100.4")
               for adviser in advisers]
    assert [r.throttled for r in results] == [False] * 19 + [True] * 6
    assert "this terminal is locked" in results[-1].error
    # Past the limit no card is even tried: none locked, the last five never counted.
    assert not IdCard.objects.filter(locked_at__isnull=False).exists()
    assert IdCard.objects.filter(failed_attempts=1).count() == 20
    # The right PIN from there is refused too, and works from another terminal.
    assert do_card_sign_in(advisers[0].card_number, "4821", terminal="t",
                           address="198.51.100.4").user is None
    assert do_card_sign_in(advisers[0].card_number, "4821", terminal="t",
                           address="198.51.100.5").user == advisers[0]
    assert AuditEvent.objects.filter(kind="sign_in_throttled").count() == 1


def test_a_team_leader_sees_and_lifts_a_lock_out_and_it_is_audited(officer):
    for _ in range(5):
        sign_in("officer", "guess")
    leader = a_team_leader(acts_for=(BABERGH,))
    (lockout,) = current_lockouts(leader)
    assert lockout.user == officer
    do_lift_sign_in_lockout(lockout.pk, actor=leader)
    assert sign_in("officer", PASSWORD).user == officer
    event = AuditEvent.objects.get(kind="sign_in_unthrottled")
    assert (event.actor, event.user) == (leader, officer)
    assert event.before["failures"] == 5 and event.after["failures"] == 0
    with pytest.raises(StaffError, match="already ended"):
        do_lift_sign_in_lockout(lockout.pk, actor=leader)


def test_only_those_whose_powers_cover_the_account_see_or_lift_its_lock_out(officer):
    for _ in range(5):
        sign_in("officer", "guess")
    outsider = a_team_leader(acts_for=(MID_SUFFOLK,))
    assert current_lockouts(outsider) == []
    lockout = SignInThrottle.objects.get(scope="account")
    with pytest.raises(Refused, match="acts for a council you do not act for"):
        do_lift_sign_in_lockout(lockout.pk, actor=outsider)
    with pytest.raises(Refused, match="only team leaders and administrators"):
        do_lift_sign_in_lockout(lockout.pk, actor=an_adviser())
    assert AuditEvent.objects.filter(kind="change_refused").count() == 2
    assert sign_in("officer", PASSWORD).throttled


def test_the_command_line_lifts_every_lock_out():
    for _ in range(5):
        sign_in("nobody", "guess")
    out = StringIO()
    call_command("lift_sign_in_lockouts", stdout=out)
    assert out.getvalue().strip() == "Lifted 1 sign-in lock-out"
    assert not SignInThrottle.objects.exists()
    assert AuditEvent.objects.filter(kind="sign_in_unthrottled").count() == 1
