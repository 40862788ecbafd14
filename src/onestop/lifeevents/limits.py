"""Who is sending a self-service report, for counting it against the page's limits.

The page needs no sign-in, so a sender is known only by the address a report came from,
and only as a keyed hash of it (`client_key`): enough to count one sender's reports, not to
find out who sent them. The counting itself is in `actions.do_hold_self_service_report`.
"""

from __future__ import annotations

import datetime as dt
import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

WINDOW = dt.timedelta(hours=1)
KEY_SALT = "onestop.lifeevents.self-service-client"
# Someone given an IPv6 address usually has the whole /64 to choose from: count the /64.
IPV6_PREFIX = 64


def setting_count(name: str, minimum: int) -> int:
    """A whole-number setting, checked where it is used: settings.py checks the environment,
    this catches a bad value put in by other means (a settings override, a deployment's own
    settings module)."""
    value = getattr(settings, name, None)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} must be a whole number, at least {minimum}")
    return value


def client_address(request: HttpRequest) -> str:
    """The address the report came from: REMOTE_ADDR, unless TRUSTED_PROXY_COUNT proxies
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


def _normalised(address: str) -> str:
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
    return salted_hmac(KEY_SALT, _normalised(address), algorithm="sha256").hexdigest()


def request_client_key(request: HttpRequest) -> str:
    return client_key(client_address(request))
