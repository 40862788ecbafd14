"""Statistical disclosure control for counts of residents shown to staff.

The Office for National Statistics' practice for tables from administrative data: a count
below a threshold is not shown, and every count shown is rounded to a base. Suppression
alone can be undone by differencing (two tables whose populations differ by one resident
give counts whose difference is that resident); rounding every count, totals and
differences included, each from its own unrounded value, means the difference of two
tables that differ by one resident is zero unless a count crosses a rounding boundary.
Rounding is deterministic, so the same question always gets the same answer (asking again
learns nothing); a reader hunting for boundaries has to ask many questions, and the rule
preview records every one in the audit log.

Zero is a count like any other here: showing "0" beside "fewer than 10" would tell the
reader that someone, or no one, with the facts asked about exists.
"""

from __future__ import annotations

from dataclasses import dataclass

SMALLEST_COUNT_SHOWN = 10
ROUNDING_BASE = 5
METHOD = (f"counts are rounded to the nearest {ROUNDING_BASE}; counts below "
          f"{SMALLEST_COUNT_SHOWN} are not shown")


@dataclass(frozen=True)
class ShownCount:
    """What a reader may see of one count: `value` rounded to the base, or None when the
    count is below the threshold."""

    value: int | None

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        return f"fewer than {SMALLEST_COUNT_SHOWN}" if self.value is None else f"{self.value:,}"


def protect(count: int) -> ShownCount:
    """The count as it may be shown: None below SMALLEST_COUNT_SHOWN, else rounded to the
    nearest ROUNDING_BASE (a count is whole, so there is never a tie to break)."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"a count is a whole number of residents, not {count!r}")
    if count < SMALLEST_COUNT_SHOWN:
        return ShownCount(None)
    return ShownCount(ROUNDING_BASE * round(count / ROUNDING_BASE))
