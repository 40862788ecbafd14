"""The count of dead letters waiting, for the administrators' navigation link."""

from __future__ import annotations

from django import template

from onestop.integrations import queries

register = template.Library()


@register.simple_tag(takes_context=True)
def dead_letter_count(context) -> int:
    # One COUNT on the outbox's (status, next_attempt_at) index, on administrators' pages only.
    return queries.dead_letters(context["request"].user).count()
