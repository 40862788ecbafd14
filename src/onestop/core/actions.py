"""Writes to the audit trail, and the count of anonymous writes. Called by other contexts'
actions (and the anonymous-write limit), never by views."""

from __future__ import annotations

import datetime as dt
import math
import re

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from onestop.core import limits
from onestop.core.models import AnonymousWrite, AuditEvent, RecordAccess


def terminal_of(request: HttpRequest | None) -> str:
    """A short description of the terminal a request came from, for the audit trail."""
    if request is None:
        return ""
    address = request.META.get("REMOTE_ADDR", "")
    agent = request.META.get("HTTP_USER_AGENT", "")[:200]
    return f"{address} {agent}".strip()[:255]


def do_record_audit_event(kind: str, *, user=None, claimed_identity: str = "",
                          terminal: str = "", detail: str = "", actor=None,
                          before: dict | None = None, after: dict | None = None) -> AuditEvent:
    """`user` is whom the event is about; `actor` who caused it when that is someone else;
    `before` and `after` the values a change replaced and set (JSON-serialisable)."""
    return AuditEvent.objects.create(kind=kind, user=user, claimed_identity=claimed_identity[:150],
                                     terminal=terminal[:255], detail=detail[:255], actor=actor,
                                     before=before or {}, after=after or {})


def do_record_access(*, user, person, granted: bool, contact=None, purpose: str = "",
                     subject: str = "", path: str = "") -> RecordAccess:
    return RecordAccess.objects.create(user=user, person=person, granted=granted,
                                       contact=contact, purpose=purpose[:64],
                                       subject=subject[:80], path=path[:255])


# --- anonymous writes ------------------------------------------------------------------------

# PostgreSQL advisory-lock namespace for counting anonymous writes (any fixed number that no
# other lock in OneStop uses); the second key is the kind's place in the list.
_COUNTING_LOCK = 0x0_5E1F
_KINDS = list(AnonymousWrite.Kind.values)


def _queue_for_counting(kind: str) -> None:
    """Make writes of one kind taken at once count one after another, in every web process.
    SQLite's transactions here are IMMEDIATE (onestop.config), so its writers queue already.
    On PostgreSQL two requests could otherwise both count four and both take a sixth; the
    lock is per kind and held to the end of the transaction, so other kinds and plain reads
    go on."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)",
                           [_COUNTING_LOCK, _KINDS.index(kind)])


def _seconds_until_room(writes, limit: int, now: dt.datetime) -> int | None:
    """None while fewer than `limit` writes are in the window; otherwise the seconds until
    enough have aged out of it for one more (the limit-th newest is the last to go)."""
    newest = writes.order_by("-made_at").values_list("made_at", flat=True)
    made_at = next(iter(newest[limit - 1:limit]), None)
    if made_at is None:
        return None
    return max(1, math.ceil((made_at + limits.WINDOW - now).total_seconds()))


@transaction.atomic
def do_count_anonymous_write(kind: str, client_key: str, *,
                             now: dt.datetime | None = None) -> AnonymousWrite:
    """Count one write of `kind` from the sender `client_key` (limits.client_key) against
    the kind's hourly limits: past the sender's or everyone's, TooManyWrites and nothing is
    written. Called inside an action's transaction, the count stands or falls with the
    write it counts."""
    if kind not in limits.LIMIT_SETTINGS:
        raise ValueError(f"{kind!r} is not a kind of anonymous write")
    if not isinstance(client_key, str) or not re.fullmatch(r"[0-9a-f]{64}", client_key):
        # A raw address must never reach the table: only limits.client_key's hash.
        raise ValueError("client_key must be the 64 hex digits of limits.client_key()")
    per_client, everyone = limits.limits_of(kind)
    now = now or timezone.now()
    _queue_for_counting(kind)
    # Kept no longer than they count.
    AnonymousWrite.objects.filter(made_at__lte=now - limits.WINDOW).delete()
    window = AnonymousWrite.objects.filter(kind=kind, made_at__gt=now - limits.WINDOW)
    wait = _seconds_until_room(window.filter(client_key=client_key), per_client, now)
    if wait is not None:
        raise limits.TooManyWrites(kind, wait, everyone=False)
    wait = _seconds_until_room(window, everyone, now)
    if wait is not None:
        raise limits.TooManyWrites(kind, wait, everyone=True)
    return AnonymousWrite.objects.create(kind=kind, client_key=client_key, made_at=now)
