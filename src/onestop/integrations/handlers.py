"""Delivery handlers by message kind, and the one OneStop ships itself: signed webhooks.

A handler is `fn(message) -> None` (or the HTTP status it got, for the attempt's record):
it delivers the message or raises DeliveryFailed saying whether trying again could help.
Other modules register their kinds with `@register("kind")` (onestop.integrations.notify
does "notify.email" and "notify.sms").
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable

from onestop.integrations import conf

Handler = Callable[[object], "int | None"]
_HANDLERS: dict[str, Handler] = {}

# 408 Request Timeout and 429 Too Many Requests say "later"; other 4xx say "never".
RETRYABLE_CLIENT_ERRORS = frozenset({408, 429})


class DeliveryFailed(Exception):
    """A delivery did not happen. `retry` is False when trying again cannot help."""

    def __init__(self, reason: str, retry: bool, status_code: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry = retry
        self.status_code = status_code


def register(kind: str) -> Callable[[Handler], Handler]:
    def decorator(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return decorator


def handler_for(kind: str) -> Handler | None:
    return _HANDLERS.get(kind)


def canonical_body(payload: dict) -> bytes:
    """The bytes sent, and signed: compact JSON, keys sorted, so a payload signs the same
    every time it is sent."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True,
                      ensure_ascii=False).encode()


def signature(secret: str, body: bytes) -> str:
    """The X-OneStop-Signature header: HMAC-SHA256 of the exact body with the endpoint's
    secret, hex, after `sha256=` (receivers compare it with hmac.compare_digest)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# Proxies from the environment would carry residents' data through a host nobody chose
# for it; endpoints are reached directly.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@register("webhook")
def deliver_webhook(message) -> int:
    endpoint = message.endpoint
    if endpoint is None:
        raise DeliveryFailed("a webhook message with no endpoint", retry=False)
    if not endpoint.active:
        # Retried: an administrator may switch it back on before the attempts run out.
        raise DeliveryFailed(f"endpoint {endpoint.slug} is switched off", retry=True)
    body = canonical_body(message.payload)
    request = urllib.request.Request(endpoint.url, data=body, method="POST", headers={
        "Content-Type": "application/json",
        "User-Agent": "OneStop-outbox/1",
        "Idempotency-Key": message.key,
        "X-OneStop-Signature": signature(endpoint.secret, body),
        "X-OneStop-Timestamp": str(int(time.time())),
        "X-OneStop-Kind": message.kind,
    })
    try:
        with _opener.open(request, timeout=conf.get("OUTBOX_HTTP_TIMEOUT_SECONDS")) as response:
            response.read(64 * 1024)
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except (TimeoutError, urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DeliveryFailed(f"{endpoint.url}: {reason}", retry=True) from None
    if 200 <= status < 300:
        return status
    retry = status >= 500 or status in RETRYABLE_CLIENT_ERRORS or status < 200
    raise DeliveryFailed(f"{endpoint.url} answered HTTP {status}", retry=retry,
                         status_code=status)
