"""Reads about dialogues that views and other contexts share."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch

from onestop.dialogues.models import Dialogue, DialogueVersion
from onestop.staff.authoring import own_first


def published_versions(channel: str | None = None) -> list[DialogueVersion]:
    """Every published script (that may run on `channel`), by service name."""
    versions = (DialogueVersion.objects.filter(status=DialogueVersion.Status.PUBLISHED)
                .select_related("dialogue__service").order_by("dialogue__service__label"))
    return [v for v in versions if channel is None or channel in v.document["channels"]]


def find_published(channel: str, query: str = "", *, leaving_out=()) -> list[DialogueVersion]:
    """Published scripts that may run on `channel`, matching `query` (by the script's
    title, the service's name or its LGSL number), without the services `leaving_out`."""
    query = query.strip().lower()
    found = [v for v in published_versions(channel) if v.dialogue.service_id not in leaving_out]
    if query:
        found = [v for v in found if query in v.document["title"].lower()
                 or query in v.dialogue.service.label.lower()
                 or query == str(v.dialogue.service.lgsl)]
    return found


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


def scripts(*, owner=None) -> list[Dialogue]:
    """Every script with its service, owner, published version and any open draft."""
    drafts = DialogueVersion.objects.filter(status=DialogueVersion.Status.DRAFT)
    dialogues = (Dialogue.objects.select_related("service", "owner", "published")
                 .prefetch_related(Prefetch("versions", queryset=drafts, to_attr="drafts"))
                 .order_by("service__label"))
    if owner is not None:
        dialogues = dialogues.filter(owner=owner)
    return list(dialogues)


def overdue_reviews_for(user, today) -> list[DialogueVersion]:
    """A service owner's own overdue scripts; administrators see all, their own first."""
    return own_first(user, lambda owner: overdue_reviews(today, owner=owner))
