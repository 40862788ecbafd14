"""Wrong passwords and PINs sent in parallel are counted one by one: a lock-out comes at
exactly its limit, once, and no try slips past it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import RequestFactory

from onestop.core.models import AuditEvent
from onestop.staff.actions import do_card_sign_in, do_password_sign_in
from onestop.staff.models import Role, SignInThrottle
from tests.personas import a_staff_member, an_adviser


def _password(username: str, password: str):
    try:
        request = RequestFactory().post("/sign-in/password/", REMOTE_ADDR="10.2.2.2")
        return do_password_sign_in(request, username, password, terminal="parallel")
    finally:
        connection.close()  # each thread has its own connection


def _card(number: str, pin: str):
    try:
        return do_card_sign_in(number, pin, terminal="parallel", address="10.3.3.3")
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_twelve_wrong_passwords_at_once_lock_the_account_once_after_exactly_five():
    a_staff_member(Role.TEAM_LEADER, username="leader", password="a long pass phrase",
                   acts_for=())
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: _password("leader", "guess"), range(12)))
    assert all(result.user is None for result in results)
    assert sum(result.throttled for result in results) == 8  # the fifth, and seven refused
    account = SignInThrottle.objects.get(scope="account", key="leader")
    assert account.failures == 5 and account.locked_until is not None
    assert AuditEvent.objects.filter(kind="sign_in_throttled").count() == 1
    assert _password("leader", "a long pass phrase").throttled


@pytest.mark.django_db(transaction=True)
def test_pins_tried_at_once_on_many_cards_stop_at_the_address_limit(settings):
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 8
    # No councils: a transactional test cannot count on the reference data being loaded.
    advisers = [an_adviser(pin="4821", acts_for=()) for _ in range(16)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda a: _card(a.card_number, "0000"), advisers))
    assert sum(result.throttled for result in results) == 9  # the eighth, and eight refused
    assert SignInThrottle.objects.get(scope="address").failures == 8
    assert AuditEvent.objects.filter(kind="sign_in_throttled").count() == 1
