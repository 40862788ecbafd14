"""Working days for SLA clocks, across weekends and UK bank holidays."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.core.workingdays import (
    CalendarError,
    add_working_days,
    bank_holiday,
    due_date,
    is_working_day,
    working_days_between,
)

FRIDAY_19_DECEMBER_2025 = dt.date(2025, 12, 19)


def test_a_ten_day_sla_raised_on_friday_19_december_2025_is_due_on_7_january_2026():
    # Mon 22, Tue 23, Wed 24; Christmas Day and Boxing Day; Mon 29, Tue 30, Wed 31;
    # New Year's Day; Fri 2; Mon 5, Tue 6, Wed 7 January.
    assert add_working_days(FRIDAY_19_DECEMBER_2025, 10) == dt.date(2026, 1, 7)
    assert bank_holiday(dt.date(2025, 12, 25)) == "Christmas Day"
    assert bank_holiday(dt.date(2025, 12, 26)) == "Boxing Day"
    assert bank_holiday(dt.date(2026, 1, 1)) == "New Year's Day"


def test_the_due_date_of_a_clock_started_that_friday_afternoon_is_the_same():
    started = dt.datetime(2025, 12, 19, 15, 30, tzinfo=dt.UTC)
    assert due_date(started, 10) == dt.date(2026, 1, 7)


def test_a_clock_started_late_on_a_summer_evening_starts_on_the_london_date():
    # 23:30 UTC on Thursday 18 June 2026 is 00:30 on Friday 19 June in London.
    started = dt.datetime(2026, 6, 18, 23, 30, tzinfo=dt.UTC)
    assert due_date(started, 1) == dt.date(2026, 6, 22)  # Monday, not Friday


def test_easter_is_skipped_good_friday_and_easter_monday_both():
    assert add_working_days(dt.date(2026, 4, 2), 1) == dt.date(2026, 4, 7)
    assert not is_working_day(dt.date(2026, 4, 3))
    assert not is_working_day(dt.date(2026, 4, 6))


def test_a_clock_started_at_the_weekend_counts_from_monday():
    assert add_working_days(dt.date(2025, 12, 20), 1) == dt.date(2025, 12, 22)
    assert add_working_days(dt.date(2025, 12, 20), 0) == dt.date(2025, 12, 20)


def test_scotland_also_skips_the_second_of_january():
    assert add_working_days(dt.date(2025, 12, 31), 1) == dt.date(2026, 1, 2)
    assert add_working_days(dt.date(2025, 12, 31), 1, "scotland") == dt.date(2026, 1, 5)


def test_a_substitute_day_is_skipped_when_christmas_falls_at_the_weekend():
    # 25 and 26 December 2027 are a Saturday and Sunday; the 27th and 28th are holidays.
    assert not is_working_day(dt.date(2027, 12, 27))
    assert not is_working_day(dt.date(2027, 12, 28))
    assert add_working_days(dt.date(2027, 12, 24), 1) == dt.date(2027, 12, 29)


def test_working_days_between_undoes_adding_them_across_three_years():
    start = dt.date(2025, 1, 1)
    for offset in range(0, 3 * 365, 7):
        day = start + dt.timedelta(days=offset)
        for days in (0, 1, 4, 10, 23):
            assert working_days_between(day, add_working_days(day, days)) == days


def test_working_days_between_is_negative_when_the_end_is_earlier():
    assert working_days_between(dt.date(2026, 1, 7), FRIDAY_19_DECEMBER_2025) == -10


@pytest.mark.parametrize("days", [-1, 2001])
def test_an_impossible_number_of_working_days_is_refused_naming_it(days):
    with pytest.raises(CalendarError, match=f"got {days}"):
        add_working_days(FRIDAY_19_DECEMBER_2025, days)


def test_an_unknown_division_is_refused_naming_the_known_ones():
    with pytest.raises(CalendarError, match="'wales' is not one of england-and-wales, "
                                            "scotland, northern-ireland"):
        add_working_days(FRIDAY_19_DECEMBER_2025, 1, "wales")


def test_a_naive_start_is_refused():
    with pytest.raises(CalendarError, match="timezone-aware"):
        due_date(dt.datetime(2025, 12, 19, 9, 0), 10)
