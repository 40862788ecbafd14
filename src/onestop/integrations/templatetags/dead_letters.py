"""The count of dead letters waiting, for the administrators' navigation link."""

from __future__ import annotations

from django import template

from onestop.integrations import queries

register = template.Library()


@register.simple_tag
def dead_letter_count() -> int:
    # One COUNT on the outbox's (status, next_attempt_at) index, on administrators' pages only.
    return queries.dead_letters().count()
