"""Working days for SLA clocks: weekends and UK bank holidays are not counted.

A referral raised on Friday 19 December 2025 with a 10-working-day SLA is due on Wednesday
7 January 2026 in England and Wales: Christmas Day, Boxing Day and New Year's Day are
skipped with the weekends. The day a clock starts is never counted, whatever time it
starts; day one is the next working day.

Bank holidays come from the `holidays` package (ADR 0005), which computes them offline for
any year, including substitute days and one-off holidays (a coronation, a jubilee). The
three divisions GOV.UK publishes are supported; councils in England and Wales share one.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from django.utils import timezone

# GOV.UK's division names → the `holidays` package's subdivisions of GB.
DIVISIONS = {"england-and-wales": "ENG", "scotland": "SCT", "northern-ireland": "NIR"}
DEFAULT_DIVISION = "england-and-wales"
# An SLA of more than this many working days (about eight years) is a mistake, not a promise.
MAX_WORKING_DAYS = 2000


class CalendarError(ValueError):
    """A working-day question that has no answer; the message says what is wrong."""


@lru_cache(maxsize=8)
def _bank_holidays(division: str) -> holidays.HolidayBase:
    if division not in DIVISIONS:
        raise CalendarError(f"bank holiday division {division!r} is not one of "
                            f"{', '.join(DIVISIONS)}")
    # Years are added as dates are asked about (the package expands on lookup).
    return holidays.country_holidays("GB", subdiv=DIVISIONS[division])


def bank_holiday(day: dt.date, division: str = DEFAULT_DIVISION) -> str | None:
    """The name of the bank holiday on `day`, or None."""
    return _bank_holidays(division).get(day)


def is_working_day(day: dt.date, division: str = DEFAULT_DIVISION) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(division)


def add_working_days(start: dt.date, days: int, division: str = DEFAULT_DIVISION) -> dt.date:
    """The date `days` working days after `start` (`start` itself is not counted)."""
    if not 0 <= days <= MAX_WORKING_DAYS:
        raise CalendarError(f"working days must be between 0 and {MAX_WORKING_DAYS}, "
                            f"got {days}")
    day = start
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day, division):
            counted += 1
    return day


def working_days_between(start: dt.date, end: dt.date,
                         division: str = DEFAULT_DIVISION) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is
    earlier, so `add_working_days(s, n)` is always n working days after s."""
    if end < start:
        return -working_days_between(end, start, division)
    return sum(1 for offset in range(1, (end - start).days + 1)
               if is_working_day(start + dt.timedelta(days=offset), division))


def due_date(started_at: dt.datetime, days: int, division: str = DEFAULT_DIVISION) -> dt.date:
    """When an SLA of `days` working days that started at `started_at` falls due: the
    start is read as a date where the council is (Europe/London), so a clock started at
    23:30 UTC on a summer evening starts on the next day there."""
    if timezone.is_naive(started_at):
        raise CalendarError("an SLA's start must be a timezone-aware date and time")
    return add_working_days(timezone.localdate(started_at), days, division)
