"""Reads about dialogues that views and other contexts share."""

from __future__ import annotations

import datetime as dt

from onestop.dialogues.models import DialogueVersion


def published_versions(channel: str | None = None) -> list[DialogueVersion]:
    """Every published script (that may run on `channel`), by service name."""
    versions = (DialogueVersion.objects.filter(status=DialogueVersion.Status.PUBLISHED)
                .select_related("dialogue__service").order_by("dialogue__service__label"))
    return [v for v in versions if channel is None or channel in v.document["channels"]]


def published_version_for(service) -> DialogueVersion | None:
    return (DialogueVersion.objects.filter(dialogue__service=service,
                                           status=DialogueVersion.Status.PUBLISHED)
            .select_related("dialogue__service").first())


def overdue_reviews(today: dt.date, *, owner=None) -> list[DialogueVersion]:
    """Published scripts past their review date, oldest first (for `owner` if given)."""
    versions = DialogueVersion.objects.filter(status=DialogueVersion.Status.PUBLISHED,
                                              review_by__lt=today)
    if owner is not None:
        versions = versions.filter(dialogue__owner=owner)
    return list(versions.select_related("dialogue__service", "dialogue__owner")
                .order_by("review_by"))
