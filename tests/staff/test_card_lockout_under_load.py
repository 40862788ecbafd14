"""Wrong PINs sent in parallel are counted one by one: the limit of five holds."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from onestop.core.models import AuditEvent
from onestop.staff.actions import do_card_sign_in
from onestop.staff.models import IdCard
from tests.personas import an_adviser


def _try(card_number: str, pin: str):
    try:
        return do_card_sign_in(card_number, pin, terminal="parallel")
    finally:
        connection.close()  # each thread has its own connection


@pytest.mark.django_db(transaction=True)
def test_twelve_wrong_pins_at_once_lock_the_card_once_after_exactly_five():
    # No councils: a transactional test cannot count on the reference data being loaded.
    adviser = an_adviser(pin="4821", acts_for=())
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: _try(adviser.card_number, "0000"), range(12)))
    assert all(result.user is None for result in results)
    card = IdCard.objects.get(number=adviser.card_number)
    assert card.failed_attempts == 5
    assert card.is_locked
    assert AuditEvent.objects.filter(kind="card_locked").count() == 1
    assert AuditEvent.objects.filter(kind="sign_in_failed", detail="card locked").count() == 7
    assert do_card_sign_in(adviser.card_number, "4821", terminal="t").user is None
