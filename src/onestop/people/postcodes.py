"""UK postcodes in one canonical form ("IP14 1AB") so that typed variants match."""

from __future__ import annotations

import re

POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


def normalise_postcode(raw: str) -> str | None:
    """Upper case with one space before the inward code; None if it is not a postcode."""
    compact = re.sub(r"\s+", "", raw or "").upper()
    match = POSTCODE.match(compact)
    return f"{match.group(1)} {match.group(2)}" if match else None
