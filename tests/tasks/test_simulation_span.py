"""A simulation's span is checked before anything runs, and a bad one is named as typed."""

from __future__ import annotations

import pytest

from worldloom.tasks.history_report import MAX_DAYS, check_duration, check_years


@pytest.mark.parametrize(
    ("years", "message"),
    [
        (-3, "--years must be 1 to 10,000, got -3"),
        (0, "--years must be 1 to 10,000, got 0"),
        (10_001, "--years must be 1 to 10,000, got 10001"),
    ],
)
def test_bad_years_are_named_in_years(years: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_years(years, days_per_year=365)


@pytest.mark.parametrize("years", [1, 100, 10_000])
def test_years_in_range_pass(years: int) -> None:
    check_years(years, days_per_year=365)


@pytest.mark.parametrize(
    ("days", "until_tick", "message"),
    [
        (None, None, "exactly one"),
        (3, 5, "exactly one"),
        (0, None, "--days must be 1 to 3650000 \\(10,000 years\\), got 0"),
        (MAX_DAYS + 1, None, "got 3650001"),
        (None, -1, "--until-tick must be 0 to"),
    ],
)
def test_bad_durations_are_refused(days: int | None, until_tick: int | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_duration(days=days, until_tick=until_tick)
