"""Reads of the outbox that the dead-letter pages share."""

from __future__ import annotations

from django.db.models import QuerySet

from onestop.integrations.models import DeliveryAttempt, OutboxMessage


def messages_for(viewer) -> QuerySet[OutboxMessage]:
    """Messages sent for an authority `viewer` acts for (every one, for a superuser)."""
    if viewer.is_superuser:
        return OutboxMessage.objects.all()
    return OutboxMessage.objects.filter(authority__in=viewer.authority_ids())


def dead_letters(viewer) -> QuerySet[OutboxMessage]:
    """Dead messages `viewer` may see, the most recently given up first, with their
    endpoint."""
    return (messages_for(viewer).filter(status=OutboxMessage.Status.DEAD)
            .select_related("endpoint").order_by("-next_attempt_at", "-id"))


def attempts_of(message: OutboxMessage) -> QuerySet[DeliveryAttempt]:
    return message.delivery_attempts.order_by("started_at", "id")
