"""Delivery handlers by message kind, and the one OneStop ships itself: signed webhooks.

A handler is `fn(message) -> None` (or the HTTP status it got, for the attempt's record):
it delivers the message or raises DeliveryFailed saying whether trying again could help.
Other modules register their kinds with `@register("kind")` (onestop.integrations.notify
does "notify.email" and "notify.sms"). What must happen once a message is delivered (feedback
marked delivered) is registered apart, with `@after_delivery("kind")`: the worker runs it in
the transaction that records the success, never in the handler, so that nothing failing
after the receiver took a message can make the worker send it again.
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
AfterDelivery = Callable[[object], None]
_AFTER_DELIVERY: dict[str, AfterDelivery] = {}

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


def after_delivery(kind: str) -> Callable[[AfterDelivery], AfterDelivery]:
    """Register `fn(message)` to run when a message of `kind` is first marked delivered."""
    def decorator(fn: AfterDelivery) -> AfterDelivery:
        _AFTER_DELIVERY[kind] = fn
        return fn

    return decorator


def after_delivery_for(kind: str) -> AfterDelivery | None:
    return _AFTER_DELIVERY.get(kind)


def canonical_body(payload: dict) -> bytes:
    """The bytes sent, and signed: compact JSON, keys sorted, so a payload signs the same
    every time it is sent."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True,
                      ensure_ascii=False).encode()


def signature(secret: str, body: bytes, *, timestamp: str, key: str) -> str:
    """The X-OneStop-Signature header: `sha256=` and the hex HMAC-SHA256, with the
    endpoint's secret, of `{X-OneStop-Timestamp}.{Idempotency-Key}.` followed by the exact
    body.

    Signing the timestamp and the key with the body means a captured delivery cannot be
    sent again later (a receiver refuses a timestamp more than five minutes old) nor under
    another key (which the receiver would apply a second time). A receiver recomputes it
    from the headers and the raw body and compares with hmac.compare_digest.
    """
    signed = f"{timestamp}.{key}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


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
    timestamp = str(int(time.time()))
    request = urllib.request.Request(endpoint.url, data=body, method="POST", headers={
        "Content-Type": "application/json",
        "User-Agent": "OneStop-outbox/1",
        "Idempotency-Key": message.key,
        "X-OneStop-Signature": signature(endpoint.secret, body, timestamp=timestamp,
                                         key=message.key),
        "X-OneStop-Timestamp": timestamp,
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
