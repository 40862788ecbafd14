"""Reads of the outbox that the dead-letter pages share."""

from __future__ import annotations

from django.db.models import QuerySet

from onestop.integrations.models import DeliveryAttempt, OutboxMessage


def dead_letters() -> QuerySet[OutboxMessage]:
    """Dead messages, the most recently given up first, with their endpoint."""
    return (OutboxMessage.objects.filter(status=OutboxMessage.Status.DEAD)
            .select_related("endpoint").order_by("-next_attempt_at", "-id"))


def attempts_of(message: OutboxMessage) -> QuerySet[DeliveryAttempt]:
    return message.delivery_attempts.order_by("started_at", "id")
