"""Filters for the readable subject access page, which renders the JSON record as it is."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import template
from django.utils import formats

register = template.Library()
LONDON = zoneinfo.ZoneInfo("Europe/London")


@register.filter
def when(value) -> str:
    """An ISO 8601 date or time from the record as people read it (times in UK time)."""
    if not value:
        return ""
    try:
        if len(value) == 10:
            return formats.date_format(dt.date.fromisoformat(value), "j F Y")
        moment = dt.datetime.fromisoformat(value).astimezone(LONDON)
    except (TypeError, ValueError):
        return str(value)
    return formats.date_format(moment, "j F Y, H:i")


@register.filter
def words(value) -> str:
    """A stored choice ("face_to_face", "in_progress") in words."""
    return str(value or "").replace("_", " ").replace("-", " ")


@register.filter
def shown(value) -> str:
    """Any value of the record as text: yes/no for booleans, lists joined, nothing as a dash."""
    if value is None or value == "" or value == [] or value == {}:
        return "\u2013"  # an en dash
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return "; ".join(shown(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {shown(item)}" for key, item in value.items())
    return str(value)
