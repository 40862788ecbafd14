"""Every write to the outbox: enqueueing a message, replaying dead letters."""

from __future__ import annotations

import json

from django.db import IntegrityError, transaction
from django.utils import timezone

from onestop.integrations.models import Endpoint, OutboxError, OutboxMessage

NOTIFY_KINDS = ("notify.email", "notify.sms")
KINDS = ("webhook", *NOTIFY_KINDS)


@transaction.atomic
def do_enqueue(*, kind: str, payload: dict, key: str, endpoint: Endpoint | None = None,
               authority=None) -> OutboxMessage:
    """Write a message to go out once the caller's transaction commits.

    Call it inside the transaction of the change that causes the message: it nests, so the
    message commits (or rolls back) with that change. `key` is the idempotency key: a key
    already used returns the message it made and adds nothing.
    """
    if kind not in KINDS:
        raise OutboxError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    key = (key or "").strip()
    if not key:
        raise OutboxError("key is required: it is the message's idempotency key")
    if len(key) > 200:
        raise OutboxError(f"key is {len(key)} characters long; at most 200")
    if kind == "webhook" and endpoint is None:
        raise OutboxError("a webhook message needs an endpoint")
    if kind != "webhook" and endpoint is not None:
        raise OutboxError(f"a {kind} message goes to Notify, not to an endpoint")
    if not isinstance(payload, dict):
        raise OutboxError(f"payload must be a dict, not {type(payload).__name__}")
    try:
        json.dumps(payload, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise OutboxError(f"payload is not JSON-serialisable: {error}") from None
    existing = OutboxMessage.objects.filter(key=key).first()
    if existing is not None:
        return existing
    if authority is None and endpoint is not None and endpoint.team_id:
        authority = endpoint.team.authority
    try:
        # A savepoint: a parallel enqueue of the same key (two reports of one event at
        # once) loses the race on the unique key without breaking the caller's transaction.
        with transaction.atomic():
            return OutboxMessage.objects.create(kind=kind, payload=payload, key=key,
                                                endpoint=endpoint, authority=authority)
    except IntegrityError:
        existing = OutboxMessage.objects.filter(key=key).first()
        if existing is None:
            raise
        return existing


@transaction.atomic
def do_replay(message_id: int) -> OutboxMessage:
    """A dead letter back to pending, due now; its attempts so far are kept, so a replay
    that fails again goes straight back to the dead letters."""
    message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
    if message is None:
        raise OutboxError(f"there is no outbox message {message_id}")
    message.replay(timezone.now())
    return message


@transaction.atomic
def do_replay_all_dead(messages=None) -> int:
    """Every dead letter among `messages` (default: all) back to pending, due now (the
    queryset's replay verb, which moves only dead ones). Returns how many."""
    messages = OutboxMessage.objects.all() if messages is None else messages
    return OutboxMessage.objects.filter(pk__in=messages.values("pk")).replay(timezone.now())
