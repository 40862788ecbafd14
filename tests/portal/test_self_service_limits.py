"""Everything anyone can write without signing in is limited per hour, per address and for
everyone together, on the web and at kiosks alike; past a limit the page says to try later
and keeps nothing of that request."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

from onestop.catalogue.models import Service
from onestop.contacts.models import Contact, ContactService
from onestop.core.limits import client_key
from onestop.core.models import AnonymousWrite
from onestop.staff.actions import do_create_team
from tests.dialogue_steps import post_step
from tests.personas import MID_SUFFOLK, a_property, authorities

pytestmark = pytest.mark.django_db

MISSED_BIN = 524
HOME, NEIGHBOUR, KIOSK = "203.0.113.7", "198.51.100.20", "192.0.2.40"
Kind = AnonymousWrite.Kind


@pytest.fixture(autouse=True)
def waste_team():
    mid_suffolk, = authorities(MID_SUFFOLK)
    return do_create_team(slug="ms-waste", name="Mid Suffolk waste", authority=mid_suffolk,
                          services=Service.objects.filter(lgsl__in=[MISSED_BIN]))


@pytest.fixture
def home():
    return a_property(MID_SUFFOLK, postcode="IP14 2ZZ")


def a_browser(address: str, name: str = "r", **meta) -> Client:
    """A resident's browser (its own terminal cookie) sending from `address`."""
    client = Client(REMOTE_ADDR=address, **meta)
    client.cookies["onestop_terminal"] = (name * 32)[:32]
    return client


def start(browser: Client, prefix: str = "services"):
    return browser.post(f"/{prefix}/start/", {"lgsl": str(MISSED_BIN)})


def about_me(browser: Client, about_url: str, home):
    return browser.post(about_url, {"name": "Dev Patel", "email": "dev@example.org",
                                    "postcode": home.postcode, "address": str(home.uprn)})


def counted(kind: str) -> int:
    return AnonymousWrite.objects.filter(kind=kind).count()


def refused_saying(response, *phrases: str) -> str:
    assert response.status_code == 429, response.status_code
    assert 3590 <= int(response["Retry-After"]) <= 3600
    page = response.content.decode()
    for phrase in phrases:
        assert phrase in page, phrase
    assert "Try again in 60 minutes" in page
    return page


# --- starting a service ----------------------------------------------------------------------


def test_past_its_hourly_starts_one_address_is_refused_and_no_contact_is_made(settings):
    settings.SELF_SERVICE_STARTS_PER_HOUR = 3
    browser = a_browser(HOME)
    assert [start(browser).status_code for _ in range(3)] == [302, 302, 302]

    page = refused_saying(start(browser), "Sorry, you cannot use this service online",
                          "from your internet connection", "ring the council",
                          "Nothing has been started")

    assert Contact.objects.count() == 3 and counted(Kind.WEB_SERVICE_STARTED) == 3
    assert 'name="lgsl"' not in page  # nothing to press again; the link goes back
    # Someone at another address is counted on their own.
    assert start(a_browser(NEIGHBOUR, "n")).status_code == 302


def test_everyone_together_has_a_ceiling_whatever_their_addresses(settings):
    settings.SELF_SERVICE_STARTS_PER_HOUR_ALL = 3
    answers = [start(a_browser(f"192.0.2.{n}", str(n))).status_code for n in range(1, 5)]
    assert answers == [302, 302, 302, 429]
    refused = start(a_browser("192.0.2.9", "9"))
    refused_saying(refused, "more requests in the last hour than we can take online")
    assert Contact.objects.count() == 3


def test_behind_a_trusted_proxy_each_resident_is_counted_by_the_address_it_added(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SELF_SERVICE_STARTS_PER_HOUR = 2
    proxy = "10.0.0.5"
    # Whatever the sender writes before the proxy's own entry is ignored.
    home = [a_browser(proxy, str(n), HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {HOME}")
            for n in range(3)]
    assert [start(b).status_code for b in home] == [302, 302, 429]
    neighbour = a_browser(proxy, "n", HTTP_X_FORWARDED_FOR=NEIGHBOUR)
    assert start(neighbour).status_code == 302
    keys = set(AnonymousWrite.objects.values_list("client_key", flat=True))
    assert keys == {client_key(HOME), client_key(NEIGHBOUR)}


def test_without_trusted_proxies_x_forwarded_for_changes_nothing(settings):
    settings.SELF_SERVICE_STARTS_PER_HOUR = 2
    browsers = [a_browser(HOME, str(n), HTTP_X_FORWARDED_FOR=f"192.0.2.{n}") for n in range(3)]
    assert [start(b).status_code for b in browsers] == [302, 302, 429]


# --- saving pages ----------------------------------------------------------------------------


def test_past_its_hourly_pages_a_run_keeps_what_it_had_and_saves_nothing_more(settings, home):
    settings.SELF_SERVICE_PAGES_PER_HOUR = 2
    browser = a_browser(HOME)
    about = start(browser)["Location"]
    run_url = about_me(browser, about, home)["Location"]  # the first page saved
    assert post_step(browser, run_url, {"action": "answer", "q_address": str(home.uprn)}
                     ).status_code == 302
    item = ContactService.objects.get()
    kept = item.run

    refused = post_step(browser, run_url, {"action": "answer", "q_bin": "recycling"})

    page = refused_saying(refused, "We have not saved what you entered on the last page",
                          "Your answers to earlier pages are kept")
    assert "recycling" not in page
    item.refresh_from_db()
    assert item.run == kept and counted(Kind.WEB_PAGE_SAVED) == 2
    # Reading the run is not limited, and finishing and clearing never is.
    assert browser.get(run_url).status_code == 200
    assert browser.post("/services/end/").status_code == 302
    assert Contact.objects.get().outcome == Contact.Outcome.ABANDONED


def test_about_you_counts_as_a_page_and_is_refused_past_the_limit(settings, home):
    settings.SELF_SERVICE_PAGES_PER_HOUR = 1
    browser = a_browser(HOME)
    about = start(browser)["Location"]
    assert browser.post(about, {"find": "1", "postcode": home.postcode}).status_code == 200
    refused_saying(about_me(browser, about, home))
    assert Contact.objects.get().requester_property is None


def test_the_kiosks_still_here_signal_is_counted_too(settings):
    settings.KIOSK_PAGES_PER_HOUR = 2
    kiosk = a_browser(KIOSK, "k")
    answers = [kiosk.post("/kiosk/still-here/").status_code for _ in range(3)]
    assert answers == [204, 204, 429]


# --- the kiosk -------------------------------------------------------------------------------


def test_a_kiosk_is_counted_apart_from_the_web_with_its_own_larger_allowance(settings):
    assert settings.KIOSK_STARTS_PER_HOUR >= 5 * settings.SELF_SERVICE_STARTS_PER_HOUR
    assert settings.KIOSK_PAGES_PER_HOUR >= 5 * settings.SELF_SERVICE_PAGES_PER_HOUR
    settings.SELF_SERVICE_STARTS_PER_HOUR = 1
    settings.KIOSK_STARTS_PER_HOUR = 2
    # One address (the one-stop shop's) using both: the web's allowance does not touch the
    # kiosk's.
    assert start(a_browser(KIOSK, "w")).status_code == 302
    assert start(a_browser(KIOSK, "x")).status_code == 429
    assert start(a_browser(KIOSK, "k"), "kiosk").status_code == 302
    assert start(a_browser(KIOSK, "l"), "kiosk").status_code == 302

    refused = start(a_browser(KIOSK, "m"), "kiosk")

    page = refused_saying(refused, "Sorry, you cannot use this service at this kiosk",
                          "This kiosk has taken as many requests as it can",
                          "ask at the desk")
    assert "Finish and clear the screen" in page  # the kiosk's own page, its button there
    assert (counted(Kind.WEB_SERVICE_STARTED), counted(Kind.KIOSK_SERVICE_STARTED)) == (1, 2)


# --- every kind, per address and for everyone --------------------------------------------


def started(prefix: str):
    return lambda browser, home: start(browser, prefix)


def saved_about_me(prefix: str):
    def write(browser, home):
        about = start(browser, prefix)["Location"]
        return about_me(browser, about, home)
    return write


KINDS = [  # (the write, its per-address setting, the words of its refusal page)
    (started("services"), "SELF_SERVICE_STARTS_PER_HOUR", "online"),
    (saved_about_me("services"), "SELF_SERVICE_PAGES_PER_HOUR", "online"),
    (started("kiosk"), "KIOSK_STARTS_PER_HOUR", "at our kiosks"),
    (saved_about_me("kiosk"), "KIOSK_PAGES_PER_HOUR", "at our kiosks"),
]


@pytest.mark.parametrize(("write", "setting", "where"), KINDS)
def test_each_kind_is_limited_per_address_and_for_everyone(settings, home, write, setting,
                                                           where):
    setattr(settings, setting, 1)
    assert write(a_browser(HOME, "a"), home).status_code == 302
    assert write(a_browser(HOME, "b"), home).status_code == 429
    setattr(settings, setting, 5)
    setattr(settings, f"{setting}_ALL", 2)
    assert write(a_browser(NEIGHBOUR, "c"), home).status_code == 302
    refused = write(a_browser("192.0.2.77", "d"), home)
    refused_saying(refused, f"more requests in the last hour than we can take {where}")


# --- every anonymous write path --------------------------------------------------------------

# Every URL that takes a POST from someone not signed in, and why it is not counted here if
# it is not. A new one fails the walk below until it is limited (and tested above) or its
# exemption is argued here.
LIMITED = {
    "lifeevents:resident-report",  # counted in its action: tests/lifeevents/
    "portal:web-start", "portal:kiosk-start",
    "portal:web-about-you", "portal:kiosk-about-you",
    "portal:web-run", "portal:kiosk-run",
    "portal:web-still-here", "portal:kiosk-still-here",
}
NOT_COUNTED = {
    # Only ends runs this browser started, each counted when it started; refusing it would
    # leave a resident's answers on a shared screen.
    "portal:web-end": "clears", "portal:kiosk-end": "clears",
    # Sign-in: wrong PINs and passwords are the sign-in lock-out's to count.
    "staff:sign-in": "sign-in", "staff:sign-in-password": "sign-in",
    # Pages that read only: a POST is answered as a GET and writes nothing.
    "portal:web-index": "reads", "portal:kiosk-index": "reads",
    "lifeevents:resident-done": "reads", "admin:logout": "reads",
}
SAMPLE_VALUES = {"reference": "C-1", "move": "start"}


def every_url(resolver=None, prefix: str = "", namespace: str = ""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from every_url(entry, prefix + str(entry.pattern), inner)
        elif entry.name:
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern)


def a_path(pattern: str) -> str:
    """A path the pattern matches: its parameters filled with plausible values."""
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: SAMPLE_VALUES.get(m.group(1), "x"), pattern)
    path = re.sub(r"<int:\w+>", "1", path)
    path = re.sub(r"<(?:\w+:)?\w+>", "x", path)
    return "/" + path.replace("^", "").replace("\\Z", "").replace("$", "")


def test_every_url_that_takes_an_anonymous_post_is_limited_or_says_why_not():
    takes_anonymous_posts = set()
    for name, pattern in every_url():
        response = Client().post(a_path(pattern), {})
        signed_in_only = (response.status_code in (401, 403, 405) or any(
            sign_in in response.get("Location", "") for sign_in in ("/sign-in/", "/login/")))
        if not signed_in_only:
            takes_anonymous_posts.add(name)
    assert takes_anonymous_posts == LIMITED | set(NOT_COUNTED)


@pytest.mark.parametrize("prefix", ["services", "kiosk"])
def test_each_portal_write_counts_against_its_kind(prefix, home):
    mode = "web" if prefix == "services" else "kiosk"
    browser = a_browser(HOME)
    about = start(browser, prefix)["Location"]
    run_url = about_me(browser, about, home)["Location"]
    post_step(browser, run_url, {"action": "answer", "q_address": str(home.uprn)})
    browser.post(f"/{prefix}/still-here/")
    browser.post(f"/{prefix}/end/")
    assert counted(f"{mode}_service_started") == 1
    assert counted(f"{mode}_page_saved") == 3  # about you, one answer, still here
