"""Back-office endpoints: which system hears about a team's work, and setting one up."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from onestop.integrations.models import Endpoint, OutboxError


def endpoint_for_team(team) -> Endpoint | None:
    """The team's active endpoint (the first by slug, if a team has several), else None."""
    if team is None:
        return None
    return Endpoint.objects.filter(team=team, active=True).order_by("slug").first()


@transaction.atomic
def do_save_endpoint(*, slug: str, name: str, url: str, secret: str, team=None,
                     active: bool = True) -> Endpoint:
    """Create the endpoint `slug`, or update it to these values."""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise OutboxError(f"url {url!r} is not an http(s) address") from None
    if len(secret or "") < 16:
        raise OutboxError("secret must be at least 16 characters: it signs every message")
    endpoint, _ = Endpoint.objects.update_or_create(slug=slug, defaults={
        "name": name, "url": url, "secret": secret, "team": team, "active": active})
    return endpoint
