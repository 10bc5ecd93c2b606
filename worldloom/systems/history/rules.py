"""Population dynamics' rates (data/history.toml), validated once and handed out read-only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from worldloom.systems.history.catalog import EventCatalog

Float = np.ndarray[Any, np.dtype[np.float64]]
MODIFIERS = (
    "hardship_floor", "hardship_deaths", "hardship_births", "dearth_floor", "dearth_span",
    "dearth_deaths", "dearth_births", "war_deaths", "war_births", "plague_deaths", "max_death_rate",
)  # fmt: skip
"""The [modifiers] every history.toml names."""
FAITH_RULES = (
    "state_rate", "resistance", "event_people", "desecrate_hostility", "raid_desecration",
    "reconsecrate_years", "schism_chance", "schism_people",
)  # fmt: skip
"""The [faith] rules every history.toml names (`keep_faiths`, `split_faiths`)."""


@dataclass(frozen=True, slots=True)
class HistoryRules:
    """Yearly rates by age band and how hardship, war and plague move them; migration; tier-2
    people's marriage chance and ages."""

    bands: tuple[str, ...]
    years_in_band: tuple[int, ...]
    death_rate: Float
    fertility: Float
    modifiers: Mapping[str, float]
    migration: Mapping[str, float]
    people: Mapping[str, float]
    faith: Mapping[str, float]
    """Conversions, desecrations and consecrations (`keep_faiths`); schisms (`split_faiths`)."""
    events: EventCatalog

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any], *, events: EventCatalog) -> HistoryRules:
        """Validate a parsed `history.toml`.

        Raises:
            ValueError: band lists of different lengths, a rate outside 0..1, or the last band
                moving up; a modifier missing, a dearth span not above 0, or a hardship
                floor outside 0..1; a [faith] rule missing, negative, or a share above 1.
        """
        bands = table["bands"]
        names = tuple(str(b) for b in bands["names"])
        years = tuple(int(y) for y in bands["years_in_band"])
        death = np.array(bands["death_rate"], dtype=np.float64)
        fertility = np.array(bands["fertility"], dtype=np.float64)
        if len({len(names), len(years), death.size, fertility.size}) != 1:
            raise ValueError("history.toml: the band lists differ in length")
        if years[-1] != 0 or min(years[:-1]) < 1:
            raise ValueError("history.toml: every band but the last spans years; the last none")
        if not (death.min() >= 0 and death.max() <= 1 and fertility.min() >= 0):
            raise ValueError("history.toml: a death rate outside 0..1 or a negative fertility")
        modifiers = {k: float(v) for k, v in table["modifiers"].items()}
        missing = sorted(set(MODIFIERS) - set(modifiers))
        if missing:
            raise ValueError(f"history.toml: [modifiers] lacks {', '.join(missing)}")
        if modifiers["dearth_span"] <= 0:
            raise ValueError("history.toml: dearth_span must be positive")
        if not 0 <= modifiers["hardship_floor"] < 1:
            raise ValueError("history.toml: hardship_floor must be in 0..1 (1 excluded)")
        faith = {k: float(v) for k, v in table["faith"].items()}
        missing = sorted(set(FAITH_RULES) - set(faith))
        if missing:
            raise ValueError(f"history.toml: [faith] lacks {', '.join(missing)}")
        shares = ("state_rate", "resistance", "raid_desecration", "schism_chance")
        if min(faith.values()) < 0:
            raise ValueError("history.toml: [faith] rules must not be negative")
        if any(faith[k] > 1 for k in shares):
            raise ValueError(f"history.toml: [faith] {', '.join(shares)} must be in 0..1")
        return cls(
            bands=names,
            years_in_band=years,
            death_rate=death,
            fertility=fertility,
            modifiers=modifiers,
            migration={k: float(v) for k, v in table["migration"].items()},
            people={k: float(v) for k, v in table["people"].items()},
            faith=faith,
            events=events,
        )

    def hardship_of(self, hunger: Float) -> Float:
        """The hardship people feel, 0 to 1, from their market's hunger (0 fed to 1 every agent
        starving): the want of a market's poorest in ordinary years (up to `hardship_floor`)
        is already in the base rates; only hunger beyond it weighs on them."""
        floor = self.modifiers["hardship_floor"]
        return np.asarray(((hunger - floor) / (1.0 - floor)).clip(0, 1), dtype=np.float64)

    def dearth_of(self, food_index: Float) -> Float:
        """How dear food is, 0 (at most `dearth_floor` times its worth: what people live on)
        to 1 (`dearth_span` more than that), from food prices over their base worth."""
        mod = self.modifiers
        return np.asarray(
            ((food_index - mod["dearth_floor"]) / mod["dearth_span"]).clip(0, 1), dtype=np.float64
        )

    def band_of_age(self, age: np.ndarray[Any, Any]) -> np.ndarray[Any, np.dtype[np.int64]]:
        """The band index of each age in years."""
        starts = np.cumsum((0, *self.years_in_band[:-1]))
        return (np.searchsorted(starts, age, side="right") - 1).astype(np.int64)
