"""The outbox's tunables, from the environment (strict, like onestop.settings).

Read when asked rather than at import, so a test (or a Django settings override of the same
name) changes them without reloading anything.
"""

from __future__ import annotations

from django.conf import settings

from onestop.config import env_int

# name → (default, minimum)
_DEFAULTS = {
    # Give up (the message goes to the dead letters) after this many failed attempts.
    "OUTBOX_MAX_ATTEMPTS": (8, 1),
    # Backoff after the n-th failure: unit x 2^n, jittered down to half, capped below.
    "OUTBOX_BACKOFF_UNIT_MS": (1000, 1),
    "OUTBOX_BACKOFF_MAX_SECONDS": (3600, 1),
    # A claimed message is another worker's to take once its lease runs out (a worker that
    # died mid-batch). The worker renews it before each message, so it must be longer than
    # one delivery can take: more than OUTBOX_HTTP_TIMEOUT_SECONDS (and Notify's timeout).
    "OUTBOX_LEASE_SECONDS": (300, 1),
    "OUTBOX_HTTP_TIMEOUT_SECONDS": (10, 1),
}


def get(name: str) -> int:
    default, minimum = _DEFAULTS[name]
    if hasattr(settings, name):
        return int(getattr(settings, name))
    return env_int(name, default, minimum=minimum)
