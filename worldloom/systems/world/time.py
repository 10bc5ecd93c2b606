"""The world calendar: ticks (days) to dates and back, months, seasons and years."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

Season = Literal["spring", "summer", "autumn", "winter"]
_SEASONS: tuple[Season, ...] = ("spring", "summer", "autumn", "winter")


@dataclass(frozen=True, slots=True)
class Month:
    name: str
    days: int
    season: Season


@dataclass(frozen=True, slots=True, order=True)
class Date:
    """A calendar date; `month` and `day` count from 1, like a player reads them."""

    year: int
    month: int
    day: int


@dataclass(frozen=True, slots=True)
class Calendar:
    """Months of fixed length; tick 0 is the first day of `epoch_year`."""

    era: str
    epoch_year: int
    days_per_week: int
    months: tuple[Month, ...]

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> Calendar:
        """Validate a parsed `calendar.toml`.

        Raises:
            ValueError: no months, a month of no days, or an unknown season.
        """
        months = []
        for entry in table["months"]:
            season = str(entry["season"])
            if season not in _SEASONS:
                raise ValueError(f"month {entry['name']!r}: unknown season {season!r}")
            days = int(entry["days"])
            if days < 1:
                raise ValueError(f"month {entry['name']!r} must have at least one day")
            months.append(Month(str(entry["name"]), days, season))
        if not months:
            raise ValueError("a calendar needs at least one month")
        return cls(
            era=str(table["era"]),
            epoch_year=int(table["epoch_year"]),
            days_per_week=int(table["days_per_week"]),
            months=tuple(months),
        )

    @property
    def days_per_year(self) -> int:
        return sum(month.days for month in self.months)

    def date_of(self, tick: int) -> Date:
        """The date on day `tick` (negative ticks are before the epoch)."""
        years, day_of_year = divmod(tick, self.days_per_year)
        month_index = int(np.searchsorted(self._month_ends, day_of_year, side="right"))
        first_day = 0 if month_index == 0 else int(self._month_ends[month_index - 1])
        return Date(self.epoch_year + years, month_index + 1, day_of_year - first_day + 1)

    def tick_of(self, date: Date) -> int:
        """The tick of a date; inverse of `date_of`.

        Raises:
            ValueError: the month or day does not exist in this calendar.
        """
        if not 1 <= date.month <= len(self.months):
            raise ValueError(f"month {date.month} does not exist (1-{len(self.months)})")
        month = self.months[date.month - 1]
        if not 1 <= date.day <= month.days:
            raise ValueError(f"{month.name} has days 1-{month.days}, not {date.day}")
        first_day = 0 if date.month == 1 else int(self._month_ends[date.month - 2])
        return (date.year - self.epoch_year) * self.days_per_year + first_day + date.day - 1

    def season_of(self, tick: int) -> Season:
        return self.months[self.date_of(tick).month - 1].season

    def weekday_of(self, tick: int) -> int:
        """Day of the week, 0-based; tick 0 starts a week."""
        return tick % self.days_per_week

    def format(self, tick: int) -> str:
        """A date as a player reads it, e.g. `3 Seedtide 12, Age of Embers`."""
        date = self.date_of(tick)
        return f"{date.day} {self.months[date.month - 1].name} {date.year}, {self.era}"

    @property
    def _month_ends(self) -> np.ndarray[Any, np.dtype[np.int64]]:
        return np.cumsum([month.days for month in self.months], dtype=np.int64)
