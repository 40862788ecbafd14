"""The outbox worker: claim due messages, deliver each, record every attempt.

A claim is a short transaction that marks a lease (`leased_until`, `leased_by`) on due
messages (`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers share the
load without waiting on each other). Delivery happens after the claim has committed: no
row lock is ever held over an HTTP call. The outcome and the attempt are recorded in a
second short transaction. A worker killed between the two leaves a lease that runs out;
another worker then delivers the message again, under the same Idempotency-Key.

The lease is renewed before each message of a batch (a conditional UPDATE that holds only
while this worker's lease has not run out), and a message whose lease was lost is skipped,
not sent: a slow batch would otherwise outlive its lease while another worker claims and
sends the rest too (Notify takes no idempotency key, so that is a second text or email).
So the lease must be longer than one delivery can take, that is than the HTTP timeout
(OUTBOX_HTTP_TIMEOUT_SECONDS for webhooks, NOTIFY_TIMEOUT_SECONDS for Notify), not than a
whole batch. An outcome counts only for the lease's holder (see OutboxMessage.record_failure).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import socket
import threading
import uuid
from dataclasses import dataclass, field

from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from onestop.integrations import conf
from onestop.integrations.handlers import DeliveryFailed, after_delivery_for, handler_for
from onestop.integrations.models import DeliveryAttempt, OutboxError, OutboxMessage

log = logging.getLogger(__name__)

# The most messages claimed at once: a bigger batch holds more messages from other workers
# for longer, and gains nothing once each delivery's own round trip dominates.
MAX_BATCH = 500


def backoff(failures: int, *, unit_ms: int | None = None,
            cap_seconds: int | None = None) -> dt.timedelta:
    """How long to wait after the n-th failure: unit x 2^n capped, then jittered between
    half and all of it, so that messages failing together do not come back together."""
    unit_ms = conf.get("OUTBOX_BACKOFF_UNIT_MS") if unit_ms is None else unit_ms
    cap_seconds = conf.get("OUTBOX_BACKOFF_MAX_SECONDS") if cap_seconds is None else cap_seconds
    full = min(unit_ms / 1000 * 2 ** min(failures, 40), cap_seconds)
    return dt.timedelta(seconds=random.uniform(full / 2, full))


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class Worker:
    worker_id: str = field(default_factory=default_worker_id)
    batch: int = 20
    max_attempts: int | None = None
    lease_seconds: int | None = None
    # Set (by SIGTERM) to finish the message in hand and stop.
    stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        if isinstance(self.batch, bool) or not isinstance(self.batch, int) \
                or not 1 <= self.batch <= MAX_BATCH:
            raise OutboxError(f"batch is {self.batch!r}: a whole number from 1 to {MAX_BATCH}")
        if self.max_attempts is None:
            self.max_attempts = conf.get("OUTBOX_MAX_ATTEMPTS")
        if self.lease_seconds is None:
            self.lease_seconds = conf.get("OUTBOX_LEASE_SECONDS")

    def claim(self) -> list[OutboxMessage]:
        """Lease up to `batch` due messages to this worker, in one short transaction."""
        now = timezone.now()
        with transaction.atomic():
            due = (OutboxMessage.objects
                   .filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
                   .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
                   .order_by("next_attempt_at", "id"))
            if connection.features.has_select_for_update_skip_locked:
                # Rows another worker is claiming right now are skipped, not waited for.
                due = due.select_for_update(skip_locked=True)
            ids = list(due.values_list("id", flat=True)[: self.batch])
            if not ids:
                return []
            # The lease is re-checked in the UPDATE: on SQLite, which has no row locks,
            # this keeps a second worker from taking messages leased a moment ago.
            OutboxMessage.objects.filter(
                Q(leased_until__isnull=True) | Q(leased_until__lt=now), id__in=ids,
                status=OutboxMessage.Status.PENDING,
            ).update(leased_until=now + dt.timedelta(seconds=self.lease_seconds),
                     leased_by=self.worker_id)
        return list(OutboxMessage.objects.filter(id__in=ids, leased_by=self.worker_id)
                    .select_related("endpoint").order_by("next_attempt_at", "id"))

    def renew_lease(self, message: OutboxMessage) -> bool:
        """Extend this worker's lease on `message` by a full lease, if it still holds it (not
        run out, not taken over, the message still pending). Asked before each delivery; False
        means the message must not be sent by this worker."""
        now = timezone.now()
        return bool(OutboxMessage.objects.filter(pk=message.pk).renew_lease(
            self.worker_id, now, now + dt.timedelta(seconds=self.lease_seconds)))

    def deliver(self, message: OutboxMessage) -> bool:
        """Try one message (outside any transaction); record the attempt and its outcome.
        True if it was delivered."""
        started = timezone.now()
        status_code, error, retry = None, "", False
        handler = handler_for(message.kind)
        try:
            if handler is None:
                raise DeliveryFailed(f"no handler for messages of kind {message.kind!r}",
                                     retry=False)
            result = handler(message)
            status_code = result if isinstance(result, int) else None
            ok = True
        except DeliveryFailed as failed:
            ok, error, retry, status_code = False, failed.reason, failed.retry, failed.status_code
        except Exception as unexpected:  # a handler's bug must not stop the worker
            log.exception("outbox handler for %s failed on %s", message.kind, message.key)
            ok, error, retry = False, f"{type(unexpected).__name__}: {unexpected}", True
        self._record(message, started=started, ok=ok, status_code=status_code,
                     error=error, retry=retry)
        return ok

    @transaction.atomic
    def _record(self, message: OutboxMessage, *, started, ok: bool, status_code, error: str,
                retry: bool) -> None:
        finished = timezone.now()
        if connection.vendor == "postgresql" and message.kind == "webhook":
            # Not waiting for the disk on this commit: a database crash can lose only the
            # last few outcomes, and those messages are then sent again under the same
            # Idempotency-Key, which receivers apply once. Waiting for the disk on every
            # delivery's commit was a fifth of the worker's time (bench/RESULTS.md).
            # Webhooks only: Notify takes no idempotency key, so a lost outcome of a text or
            # an email would be a second one sent to the resident.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        DeliveryAttempt.objects.create(message_id=message.pk, started_at=started,
                                       finished_at=finished, ok=ok, status_code=status_code,
                                       error=error[:2000], worker=self.worker_id)
        if ok:
            if OutboxMessage.objects.filter(pk=message.pk).mark_delivered(finished):
                self._after_delivery(message)
            return
        locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        locked.record_failure(error[:2000], by=self.worker_id, retry=retry,
                              max_attempts=self.max_attempts,
                              next_attempt_at=finished + backoff(locked.attempts + 1))

    def _after_delivery(self, message: OutboxMessage) -> None:
        """What follows a first delivery (feedback marked delivered), in the transaction that
        records it. Once the receiver has taken a message the send is final: a failure here is
        logged and rolled back alone (a savepoint), never a reason to send again."""
        follow_up = after_delivery_for(message.kind)
        if follow_up is None:
            return
        try:
            with transaction.atomic():
                follow_up(message)
        except Exception:
            log.exception("after delivering %s %s, recording it failed (not sent again)",
                          message.kind, message.key)

    def release(self, messages: list[OutboxMessage]) -> None:
        """Give back leases on messages not started (when stopping), for others to take."""
        if messages:
            OutboxMessage.objects.filter(id__in=[m.pk for m in messages],
                                         leased_by=self.worker_id).update(leased_until=None,
                                                                          leased_by="")

    def run_once(self) -> tuple[int, int]:
        """Claim one batch and work through it. Returns (delivered, failed)."""
        claimed = self.claim()
        delivered = failed = 0
        for position, message in enumerate(claimed):
            if self.stopping.is_set():
                self.release(claimed[position:])
                break
            if not self.renew_lease(message):
                # The lease ran out while earlier messages were delivered, and another worker
                # may be sending this one now: it is theirs (or the next claim's), not ours.
                log.warning("outbox lease on %s ran out before it was sent; left to others",
                            message.key)
                continue
            if self.deliver(message):
                delivered += 1
            else:
                failed += 1
        return delivered, failed

    def run(self, *, poll_seconds: float, once: bool = False,
            refresh_connections: bool = False) -> tuple[int, int]:
        """Work until stopped (or, with `once`, until nothing is due). Sleeps `poll_seconds`
        only when a batch came back short, so a backlog is worked flat out.
        `refresh_connections` (the command's choice) drops a broken database connection
        between batches, so a long-running worker outlives a database restart."""
        delivered = failed = 0
        while not self.stopping.is_set():
            if refresh_connections:
                close_old_connections()
            done, lost = self.run_once()
            delivered, failed = delivered + done, failed + lost
            if done + lost < self.batch:
                if once:
                    break
                self.stopping.wait(poll_seconds)
        return delivered, failed
