"""The calendar: ticks and dates agree both ways, months and seasons line up."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worldloom.systems.world import Calendar, Date
from worldloom.tasks import catalog

CALENDAR = catalog.calendar()


@pytest.mark.parametrize(
    ("tick", "date", "season"),
    [
        (0, Date(1, 1, 1), "winter"),
        (29, Date(1, 1, 30), "winter"),
        (30, Date(1, 2, 1), "winter"),
        (60, Date(1, 3, 1), "spring"),
        (364, Date(1, 12, 30), "winter"),
        (365, Date(2, 1, 1), "winter"),
        (-1, Date(0, 12, 30), "winter"),
    ],
)
def test_known_dates(tick: int, date: Date, season: str) -> None:
    assert CALENDAR.days_per_year == 365
    assert CALENDAR.date_of(tick) == date
    assert CALENDAR.tick_of(date) == tick
    assert CALENDAR.season_of(tick) == season


@given(st.integers(min_value=-(10**7), max_value=10**7))
def test_date_round_trip(tick: int) -> None:
    assert CALENDAR.tick_of(CALENDAR.date_of(tick)) == tick


@given(st.integers(min_value=0, max_value=10**6))
def test_dates_advance_one_day_per_tick(tick: int) -> None:
    assert CALENDAR.date_of(tick) < CALENDAR.date_of(tick + 1)


def test_format_and_weekday() -> None:
    assert CALENDAR.format(62) == "3 Seedtide 1, Age of Embers"
    assert CALENDAR.weekday_of(7) == 0


@pytest.mark.parametrize(
    ("date", "message"), [(Date(1, 13, 1), "month 13"), (Date(1, 2, 31), "days 1-30")]
)
def test_impossible_dates_are_refused(date: Date, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CALENDAR.tick_of(date)


def test_bad_calendar_tables_are_refused() -> None:
    base = {"era": "E", "epoch_year": 1, "days_per_week": 7}
    with pytest.raises(ValueError, match="unknown season"):
        Calendar.from_mapping({**base, "months": [{"name": "A", "days": 3, "season": "monsoon"}]})
    with pytest.raises(ValueError, match="at least one month"):
        Calendar.from_mapping({**base, "months": []})
