"""Hourly limits on what people who are not signed in may write, one place for every page.

Residents' self-service (on the web and at kiosks) and the life-event page need no
sign-in, so anyone can fill them in as often as they like: each accepted write is counted
(`actions.do_count_anonymous_write`) against a limit per sender and a limit for everyone
together, per kind of write, over the last hour. Past either the page answers 429 with
Retry-After, asking them to try later or ring, and keeps nothing of that request.

A sender is known only by the address a request came from, and only as a keyed hash of it
(`client_key`): enough to count one sender's writes, not to find out who sent them.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

from onestop.core.models import AnonymousWrite

WINDOW = dt.timedelta(hours=1)
KEY_SALT = "onestop.core.anonymous-client"
# Someone given an IPv6 address usually has the whole /64 to choose from: count the /64.
IPV6_PREFIX = 64

Kind = AnonymousWrite.Kind
# Each kind's two settings: writes an hour from one address, and from everyone together.
LIMIT_SETTINGS: dict[str, tuple[str, str]] = {
    Kind.LIFE_EVENT_REPORT: ("SELF_SERVICE_REPORTS_PER_HOUR", "SELF_SERVICE_REPORTS_PER_HOUR_ALL"),
    Kind.WEB_SERVICE_STARTED: ("SELF_SERVICE_STARTS_PER_HOUR", "SELF_SERVICE_STARTS_PER_HOUR_ALL"),
    Kind.WEB_PAGE_SAVED: ("SELF_SERVICE_PAGES_PER_HOUR", "SELF_SERVICE_PAGES_PER_HOUR_ALL"),
    Kind.KIOSK_SERVICE_STARTED: ("KIOSK_STARTS_PER_HOUR", "KIOSK_STARTS_PER_HOUR_ALL"),
    Kind.KIOSK_PAGE_SAVED: ("KIOSK_PAGES_PER_HOUR", "KIOSK_PAGES_PER_HOUR_ALL"),
}


class TooManyWrites(Exception):
    """A kind of anonymous write has reached its limit for now, from this sender
    (`everyone` False) or from everyone together; nothing was written. `retry_after` is
    the seconds until one more is taken."""

    def __init__(self, kind: str, retry_after: int, *, everyone: bool) -> None:
        self.kind, self.retry_after, self.everyone = kind, retry_after, everyone
        self.retry_minutes = math.ceil(retry_after / 60)
        who = "from everyone" if everyone else "from this sender"
        super().__init__(f"too many {Kind(kind).label.lower()} {who} in the last hour; "
                         f"try again in {retry_after} seconds")


def setting_count(name: str, minimum: int) -> int:
    """A whole-number setting, checked where it is used: settings.py checks the environment,
    this catches a bad value put in by other means (a settings override, a deployment's own
    settings module)."""
    value = getattr(settings, name, None)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} must be a whole number, at least {minimum}")
    return value


def limits_of(kind: str) -> tuple[int, int]:
    """(writes an hour from one sender, from everyone together) for a kind of write."""
    per_client, everyone = LIMIT_SETTINGS[kind]
    return setting_count(per_client, 1), setting_count(everyone, 1)


def client_address(request: HttpRequest) -> str:
    """The address a request came from: REMOTE_ADDR, unless TRUSTED_PROXY_COUNT proxies
    sit in front of OneStop. Each of those appends the address it was sent from to
    X-Forwarded-For, so the sender is the entry that many from the end; entries before it
    are whatever the sender wrote, and are ignored. Set the count only when OneStop cannot
    be reached except through those proxies."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = setting_count("TRUSTED_PROXY_COUNT", 0)
    if proxies == 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < proxies:
        # Not through every proxy, or one that does not write the header: REMOTE_ADDR is the
        # nearest sender we know. At worst everyone behind a proxy shares one count, which
        # limits them sooner, never later.
        return remote
    return hops[-proxies]


def normalised_address(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # not an address (a proxy's "unknown"): still one sender to count
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/{IPV6_PREFIX}", strict=False))
    return str(ip)


def client_key(address: str) -> str:
    """The keyed hash (HMAC-SHA256 with SECRET_KEY) that stands for an address: 64 hex
    digits, the same for the same address, and no way back to it without the key."""
    return salted_hmac(KEY_SALT, normalised_address(address), algorithm="sha256").hexdigest()


def request_client_key(request: HttpRequest) -> str:
    return client_key(client_address(request))


def retry_later(response: HttpResponse, refusal: TooManyWrites) -> HttpResponse:
    """Make a refusal page the 429 it is, saying when to come back."""
    response.status_code = 429
    response["Retry-After"] = str(refusal.retry_after)
    return response


def limit_anonymous_writes(kind_of: Callable[..., str],
                           refused: Callable[..., HttpResponse]):
    """Count every POST to the wrapped view against its kind's limits before the view runs.

    `kind_of(request, *args, **kwargs)` names the kind; past a limit the view does not run
    and `refused(request, refusal, *args, **kwargs)` renders the page to try later, which
    is answered 429 with Retry-After. The count is committed on its own, before the view:
    a write that then fails still counted as an attempt, as it cost us one. For a view
    whose action must count inside its own transaction, call the action instead."""
    from onestop.core.actions import do_count_anonymous_write

    def decorator(view):
        @wraps(view)
        def limited(request, *args, **kwargs):
            if request.method == "POST":
                try:
                    do_count_anonymous_write(kind_of(request, *args, **kwargs),
                                             request_client_key(request))
                except TooManyWrites as refusal:
                    return retry_later(refused(request, refusal, *args, **kwargs), refusal)
            return view(request, *args, **kwargs)
        return limited
    return decorator
