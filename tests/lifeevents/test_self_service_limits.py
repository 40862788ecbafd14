"""The residents' self-service life-event page takes only so many reports an hour."""

from __future__ import annotations

import datetime as dt
import re
import runpy
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

import onestop.settings
from onestop.core.limits import TooManyWrites, client_key
from onestop.core.models import AnonymousWrite
from onestop.lifeevents.actions import do_hold_self_service_report
from onestop.lifeevents.models import SelfServiceReport
from tests.lifeevents.test_pages import margarets
from tests.personas import a_resident

pytestmark = pytest.mark.django_db

PAGE = "/services/life-events/"


def attempts():
    """The reports the page has counted against its limits."""
    return AnonymousWrite.objects.filter(kind=AnonymousWrite.Kind.LIFE_EVENT_REPORT)


DONE = "/services/life-events/done/"
HOME, NEIGHBOUR = "203.0.113.7", "198.51.100.20"


def a_report(client, resident, day: int, **meta):
    """A well-formed report of Margaret's disability on the `day`th of November: each day is
    a different claim, so each one is held."""
    return client.post(
        PAGE, margarets(resident, on_day=str(day), informant_email="typed@example.org"), **meta
    )


def test_the_sixth_report_in_an_hour_from_one_address_is_refused_and_nothing_is_kept(client):
    resident = a_resident()
    answers = [a_report(client, resident, day, REMOTE_ADDR=HOME) for day in range(1, 6)]
    assert {(r.status_code, r["Location"]) for r in answers} == {(302, DONE)}
    assert SelfServiceReport.objects.count() == 5

    sixth = a_report(client, resident, 6, REMOTE_ADDR=HOME)

    assert sixth.status_code == 429
    assert 3590 <= int(sixth["Retry-After"]) <= 3600
    page = sixth.content.decode()
    assert "Sorry, you cannot tell us about a life event online at the moment" in page
    assert "from your internet connection" in page and "Try again in 60 minutes" in page
    assert "ring the council" in page
    # Nothing they typed is shown again, or kept.
    assert "typed@example.org" not in page and 'name="given_name"' not in page
    assert SelfServiceReport.objects.count() == 5
    assert not SelfServiceReport.objects.filter(occurred_on=dt.date(2026, 11, 6)).exists()
    assert attempts().count() == 5


def test_another_address_still_gets_through(client):
    resident = a_resident()
    for day in range(1, 7):
        a_report(client, resident, day, REMOTE_ADDR=HOME)

    neighbour = a_report(client, resident, 7, REMOTE_ADDR=NEIGHBOUR)

    assert neighbour.status_code == 302 and neighbour["Location"] == DONE
    assert SelfServiceReport.objects.filter(occurred_on=dt.date(2026, 11, 7)).exists()


def test_reports_that_match_nobody_count_the_same_so_the_limit_gives_nothing_away(client):
    resident = a_resident()
    for _ in range(5):
        unmatched = client.post(PAGE, margarets(resident, born_day="15"), REMOTE_ADDR=HOME)
        assert unmatched["Location"] == DONE
    assert not SelfServiceReport.objects.exists()

    matched = a_report(client, resident, 1, REMOTE_ADDR=HOME)

    assert matched.status_code == 429
    assert not SelfServiceReport.objects.exists()


def test_form_mistakes_and_finding_addresses_do_not_count(client):
    resident = a_resident()
    for _ in range(6):
        mistake = client.post(PAGE, margarets(resident, on_month="13"), REMOTE_ADDR=HOME)
        assert mistake.status_code == 400
    assert not attempts().exists()
    assert a_report(client, resident, 1, REMOTE_ADDR=HOME).status_code == 302


def test_once_the_hour_has_passed_the_page_takes_reports_again(client, monkeypatch):
    resident = a_resident()
    start = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: start)
    for day in range(1, 6):
        a_report(client, resident, day, REMOTE_ADDR=HOME)

    monkeypatch.setattr(timezone, "now", lambda: start + dt.timedelta(minutes=59))
    refused = a_report(client, resident, 6, REMOTE_ADDR=HOME)
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert "Try again in 1 minute." in refused.content.decode()

    monkeypatch.setattr(timezone, "now", lambda: start + dt.timedelta(hours=1))
    taken = a_report(client, resident, 6, REMOTE_ADDR=HOME)

    assert taken.status_code == 302 and taken["Location"] == DONE
    assert SelfServiceReport.objects.filter(occurred_on=dt.date(2026, 11, 6)).exists()
    # Attempts older than the hour are not kept once they no longer count.
    assert list(attempts().values_list("made_at", flat=True)) == [
        start + dt.timedelta(hours=1)
    ]


def test_the_window_rolls_one_report_at_a_time():
    resident = a_resident()
    key, start = client_key(HOME), timezone.now()
    for minutes in (0, 10, 20, 30, 40):
        do_hold_self_service_report(
            "disability",
            resident,
            dt.date(2026, 11, 1 + minutes // 10),
            {},
            None,
            client_key=key,
            now=start + dt.timedelta(minutes=minutes),
        )
    with pytest.raises(TooManyWrites) as refusal:
        do_hold_self_service_report(
            "disability",
            resident,
            dt.date(2026, 11, 9),
            {},
            None,
            client_key=key,
            now=start + dt.timedelta(minutes=50),
        )
    # The report at 0 minutes leaves the window at 60: ten minutes after the refusal.
    assert (refusal.value.retry_after, refusal.value.everyone) == (600, False)

    taken = do_hold_self_service_report(
        "disability",
        resident,
        dt.date(2026, 11, 9),
        {},
        None,
        client_key=key,
        now=start + dt.timedelta(minutes=61),
    )
    assert taken is not None
    with pytest.raises(TooManyWrites):  # 10 to 40 and 61 still count
        do_hold_self_service_report(
            "disability",
            resident,
            dt.date(2026, 11, 10),
            {},
            None,
            client_key=key,
            now=start + dt.timedelta(minutes=62),
        )


def test_the_ceiling_for_everyone_together_holds_whatever_the_addresses(client, settings):
    settings.SELF_SERVICE_REPORTS_PER_HOUR_ALL = 3
    resident = a_resident()
    addresses = ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"]
    answers = [
        a_report(client, resident, day, REMOTE_ADDR=address)
        for day, address in enumerate(addresses, start=1)
    ]

    assert [r.status_code for r in answers] == [302, 302, 302, 429]
    page = answers[-1].content.decode()
    assert "more reports in the last hour than our advisers can check" in page
    assert int(answers[-1]["Retry-After"]) > 3500
    assert SelfServiceReport.objects.count() == 3


def test_x_forwarded_for_is_ignored_without_trusted_proxies(client):
    resident = a_resident()
    answers = [
        a_report(client, resident, day, REMOTE_ADDR=HOME, HTTP_X_FORWARDED_FOR=f"192.0.2.{day}")
        for day in range(1, 7)
    ]

    assert [r.status_code for r in answers] == [302] * 5 + [429]
    assert set(attempts().values_list("client_key", flat=True)) == {
        client_key(HOME)
    }


def test_behind_one_trusted_proxy_the_sender_is_the_address_the_proxy_added(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    resident = a_resident()
    proxy = "10.0.0.5"
    # The sender writes whatever it likes before the entry the proxy appends.
    answers = [
        a_report(
            client, resident, day, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.{day}, {HOME}"
        )
        for day in range(1, 7)
    ]
    assert [r.status_code for r in answers] == [302] * 5 + [429]
    assert set(attempts().values_list("client_key", flat=True)) == {
        client_key(HOME)
    }

    # Someone else behind the same proxy is counted on their own.
    neighbour = a_report(client, resident, 7, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=NEIGHBOUR)
    assert neighbour.status_code == 302
    # A request that did not come through the proxy is counted by its own address.
    direct = a_report(client, resident, 8, REMOTE_ADDR=NEIGHBOUR)
    assert direct.status_code == 302
    assert attempts().filter(client_key=client_key(NEIGHBOUR)).count() == 2


def test_behind_two_trusted_proxies_the_entry_two_from_the_end_is_the_sender(client, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    resident = a_resident()
    a_report(
        client,
        resident,
        1,
        REMOTE_ADDR="10.0.0.6",
        HTTP_X_FORWARDED_FOR=f"192.0.2.99, {HOME}, 10.0.0.5",
    )
    assert attempts().get().client_key == client_key(HOME)


def test_only_a_keyed_hash_of_the_address_is_stored(client, settings):
    resident = a_resident()
    a_report(client, resident, 1, REMOTE_ADDR=HOME)
    stored = attempts().get().client_key
    assert HOME not in stored and len(stored) == 64
    settings.SECRET_KEY = "another-council-another-key"
    assert client_key(HOME) != stored
    with pytest.raises(ValueError, match="client_key must be the 64 hex digits"):
        do_hold_self_service_report(
            "disability", resident, dt.date(2026, 11, 2), {}, None, client_key=HOME
        )
    assert attempts().count() == 1


def test_one_ipv6_network_counts_as_one_sender():
    assert client_key("2001:db8:1:2::1") == client_key("2001:db8:1:2:ffff::9")
    assert client_key("2001:db8:1:2::1") != client_key("2001:db8:1:3::1")
    assert client_key("::ffff:203.0.113.7") == client_key(HOME)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SELF_SERVICE_REPORTS_PER_HOUR", "five", "SELF_SERVICE_REPORTS_PER_HOUR='five' is not a"),
        (
            "SELF_SERVICE_REPORTS_PER_HOUR",
            "0",
            "SELF_SERVICE_REPORTS_PER_HOUR='0' must be at least 1",
        ),
        ("SELF_SERVICE_REPORTS_PER_HOUR_ALL", "0", "SELF_SERVICE_REPORTS_PER_HOUR_ALL='0' must be"),
        (
            "SELF_SERVICE_REPORTS_PER_HOUR_ALL",
            "4",
            "SELF_SERVICE_REPORTS_PER_HOUR_ALL=4 must be at least SELF_SERVICE_REPORTS_PER_HOUR=5",
        ),
        ("TRUSTED_PROXY_COUNT", "-1", "TRUSTED_PROXY_COUNT='-1' must be at least 0"),
        ("TRUSTED_PROXY_COUNT", "one", "TRUSTED_PROXY_COUNT='one' is not a whole number"),
    ],
)
def test_a_bad_limit_setting_is_refused_naming_it(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        runpy.run_path(onestop.settings.__file__)


def test_a_bad_setting_put_in_another_way_is_refused_naming_it_and_nothing_is_kept(
    client, settings
):
    resident = a_resident()
    settings.TRUSTED_PROXY_COUNT = "1"
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXY_COUNT='1' must be a whole"):
        a_report(client, resident, 1, REMOTE_ADDR=HOME)
    settings.TRUSTED_PROXY_COUNT = 0
    settings.SELF_SERVICE_REPORTS_PER_HOUR = 0
    with pytest.raises(ImproperlyConfigured, match="SELF_SERVICE_REPORTS_PER_HOUR=0 must be"):
        a_report(client, resident, 1, REMOTE_ADDR=HOME)
    assert not attempts().exists() and not SelfServiceReport.objects.exists()


def _in_own_connection(work):
    try:
        return work()
    finally:
        connection.close()  # each thread has its own connection


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's IMMEDIATE transactions queue writers by themselves",
)
def test_reports_sent_at_once_are_counted_one_by_one():
    """As from several web processes: each thread commits on its own connection, outside
    this test's transaction, so it cleans up after itself."""
    key, start, senders = client_key("192.0.2.250"), timezone.now(), 12
    together = threading.Barrier(senders)

    def send(day: int) -> str:
        together.wait()
        try:
            do_hold_self_service_report(
                "disability", None, dt.date(2026, 11, day), {}, None, client_key=key, now=start
            )
        except TooManyWrites:
            return "refused"
        return "taken"

    try:
        with ThreadPoolExecutor(max_workers=senders) as pool:
            answers = list(
                pool.map(lambda day: _in_own_connection(lambda: send(day)), range(1, senders + 1))
            )
        counted = (
            ThreadPoolExecutor(1)
            .submit(
                _in_own_connection,
                lambda: attempts().filter(client_key=key).count(),
            )
            .result()
        )
        assert (answers.count("taken"), counted) == (5, 5)
    finally:
        ThreadPoolExecutor(1).submit(
            _in_own_connection, lambda: attempts().filter(client_key=key).delete()
        ).result()
