"""The one limiter for writes from people not signed in, at the actions tier."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from onestop.core.actions import do_count_anonymous_write
from onestop.core.limits import LIMIT_SETTINGS, TooManyWrites, client_key
from onestop.core.models import AnonymousWrite

pytestmark = pytest.mark.django_db

Kind = AnonymousWrite.Kind
HOME = client_key("203.0.113.7")


def test_every_kind_has_its_two_settings_and_they_are_set():
    from django.conf import settings

    assert set(LIMIT_SETTINGS) == set(Kind.values)
    for per_address, everyone in LIMIT_SETTINGS.values():
        assert 1 <= getattr(settings, per_address) <= getattr(settings, everyone)


def test_each_kind_is_counted_on_its_own(settings):
    settings.SELF_SERVICE_STARTS_PER_HOUR = 1
    now = timezone.now()
    do_count_anonymous_write(Kind.WEB_SERVICE_STARTED, HOME, now=now)
    # Other kinds from the same address still go through.
    do_count_anonymous_write(Kind.WEB_PAGE_SAVED, HOME, now=now)
    do_count_anonymous_write(Kind.KIOSK_SERVICE_STARTED, HOME, now=now)
    with pytest.raises(TooManyWrites) as refusal:
        do_count_anonymous_write(Kind.WEB_SERVICE_STARTED, HOME,
                                 now=now + dt.timedelta(minutes=15))
    assert (refusal.value.kind, refusal.value.everyone) == (Kind.WEB_SERVICE_STARTED, False)
    assert (refusal.value.retry_after, refusal.value.retry_minutes) == (2700, 45)
    assert "too many service started on the web from this sender" in str(refusal.value)
    assert AnonymousWrite.objects.count() == 3


def test_writes_older_than_the_hour_are_not_kept_whatever_their_kind():
    start = timezone.now()
    do_count_anonymous_write(Kind.KIOSK_PAGE_SAVED, HOME, now=start)
    do_count_anonymous_write(Kind.LIFE_EVENT_REPORT, HOME, now=start + dt.timedelta(hours=1))
    assert list(AnonymousWrite.objects.values_list("kind", flat=True)) == [
        Kind.LIFE_EVENT_REPORT]


def test_an_unknown_kind_or_a_raw_address_is_refused_and_nothing_is_kept():
    with pytest.raises(ValueError, match="'comment' is not a kind of anonymous write"):
        do_count_anonymous_write("comment", HOME)
    with pytest.raises(ValueError, match="client_key must be the 64 hex digits"):
        do_count_anonymous_write(Kind.WEB_PAGE_SAVED, "203.0.113.7")
    assert not AnonymousWrite.objects.exists()


def test_a_bad_limit_put_in_by_a_settings_module_is_named(settings):
    settings.KIOSK_PAGES_PER_HOUR_ALL = "lots"
    with pytest.raises(ImproperlyConfigured, match="KIOSK_PAGES_PER_HOUR_ALL='lots' must be"):
        do_count_anonymous_write(Kind.KIOSK_PAGE_SAVED, HOME)
    assert not AnonymousWrite.objects.exists()
