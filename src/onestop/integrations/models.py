"""The outbox: messages to other systems, written with the change that causes them, and
every attempt to deliver them.

A message is delivered at least once; its `key` travels as the Idempotency-Key so that a
receiver applies it once. Status moves pending → delivered, or pending → dead after
bounded retries (or at once when retrying cannot help); an administrator replays a dead
one back to pending.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone


class OutboxError(ValueError):
    """A message cannot be enqueued or moved as asked; the message says why."""


class Endpoint(models.Model):
    """A back-office system that takes webhooks: where to POST, and the key to sign with."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    url = models.URLField(max_length=500)
    # Shared with the receiver, which checks X-OneStop-Signature with it.
    secret = models.CharField(max_length=200)
    team = models.ForeignKey("staff.Team", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="endpoints")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OutboxMessageQuerySet(models.QuerySet):
    def renew_lease(self, worker_id: str, now: dt.datetime, until: dt.datetime) -> int:
        """Extend `worker_id`'s lease on the pending ones among these to `until`, in one
        conditional UPDATE, where it still holds one that has not run out at `now`. A worker
        asks this before each delivery: 0 means the lease ran out (another worker may have
        taken the message), so it must not send. Returns how many were renewed."""
        return self.filter(status=OutboxMessage.Status.PENDING, leased_by=worker_id,
                           leased_until__gt=now).update(leased_until=until)

    def mark_delivered(self, at: dt.datetime) -> int:
        """Delivered: the pending ones among these, in one conditional UPDATE (the hot path
        of the worker, so no read first). One already delivered by a second worker that took
        over an expired lease is left as it is. Returns how many changed.

        Whoever's attempt succeeded, it is marked: the receiver has the message, and a
        message left pending would only be sent again by the worker now holding the lease
        (which re-checks it before sending, and so sends nothing)."""
        return self.filter(status=OutboxMessage.Status.PENDING).update(
            status=OutboxMessage.Status.DELIVERED, attempts=models.F("attempts") + 1,
            delivered_at=at, leased_until=None, leased_by="")

    def replay(self, at: dt.datetime) -> int:
        """The dead letters among these back to pending, due at `at`, in one conditional
        UPDATE (the bulk form of OutboxMessage.replay; the others are left alone). Their
        attempts so far are kept. Returns how many were replayed."""
        return self.filter(status=OutboxMessage.Status.DEAD).update(
            status=OutboxMessage.Status.PENDING, next_attempt_at=at, leased_until=None,
            leased_by="")


class OutboxMessage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        DEAD = "dead", "Dead letter"

    kind = models.CharField(max_length=40)
    endpoint = models.ForeignKey(Endpoint, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="messages")
    payload = models.JSONField()
    # The council the message is sent for (its endpoint's team's, or the case's): only its
    # administrators see it among the dead letters, since the payload is a resident's data.
    authority = models.ForeignKey("authorities.Authority", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # Claimed by a worker until then; a worker that dies leaves its lease to run out.
    leased_until = models.DateTimeField(null=True, blank=True)
    leased_by = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.status})"

    # The verbs below expect the caller to hold this row's lock (select_for_update inside a
    # transaction): an outcome and a replay must not cross. Delivery is the queryset's
    # mark_delivered, renewing a lease its renew_lease, a bulk replay its replay.

    def record_failure(self, error: str, *, by: str, retry: bool, max_attempts: int,
                       next_attempt_at: dt.datetime) -> bool:
        """Count a failed attempt by worker `by`: try again at `next_attempt_at`, or go dead
        when retrying cannot help or the attempts are used up. Returns whether it counted.

        Only the worker holding the lease counts a failure. One whose lease was taken over
        while it was sending is late: counting its failure would clear the newer lease (so a
        third worker could send at once) or send to the dead letters a message another
        worker is delivering. Its attempt is still recorded, by the caller."""
        if self.status != self.Status.PENDING:
            return False  # delivered (or replayed dead) meanwhile by another worker's attempt
        if self.leased_by != by:
            return False  # the lease was taken over: the outcome is the new holder's
        self.attempts += 1
        self.last_error = error
        self.leased_until = None
        self.leased_by = ""
        if not retry or self.attempts >= max_attempts:
            self.status = self.Status.DEAD
        else:
            self.next_attempt_at = next_attempt_at
        self.save(update_fields=["attempts", "last_error", "leased_until", "leased_by",
                                 "status", "next_attempt_at"])
        return True

    def replay(self, at: dt.datetime) -> None:
        """Back to pending, due now; the attempts so far are kept (and counted on)."""
        if self.status != self.Status.DEAD:
            raise OutboxError(f"message {self.key} is {self.status}: only dead letters replay")
        self.status = self.Status.PENDING
        self.next_attempt_at = at
        self.leased_until = None
        self.leased_by = ""
        self.save(update_fields=["status", "next_attempt_at", "leased_until", "leased_by"])


class DeliveryAttempt(models.Model):
    """One try at delivering a message, successful or not, kept for good."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE,
                                related_name="delivery_attempts")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    ok = models.BooleanField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    worker = models.CharField(max_length=100)

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.message.key} at {self.started_at:%Y-%m-%d %H:%M:%S}: " \
               f"{'ok' if self.ok else self.error[:60]}"
