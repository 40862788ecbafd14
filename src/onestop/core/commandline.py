"""What OneStop's commands share: how they read their arguments."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError


def iso_day(value: str) -> dt.date:
    """A `--today`-style argument: an ISO date, or a CommandError that shows the form."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today {value!r} is not a date like 2026-01-08") from None
