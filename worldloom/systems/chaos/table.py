"""The chaos seed table: event kinds with their rates, seasons and effects, and the storyteller
personalities that pace them (`data/chaos.toml`)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from worldloom.systems.world.time import Season

KINDS = (
    "drought", "flood", "fire", "bandit_raid", "monster_attack", "plague_outbreak",
    "ruin_discovered", "ore_discovered", "omen", "price_shock", "caravan_lost",
)  # fmt: skip
"""Every event kind the storyteller rolls, in the order of its rate columns."""
Scope = Literal["region", "settlement", "poi", "route", "ruin"]
SCOPES: tuple[Scope, ...] = ("region", "settlement", "poi", "route", "ruin")
SEASONS: tuple[Season, ...] = ("spring", "summer", "autumn", "winter")
_RANGES = (
    "deaths_share", "yield_multiplier", "duration_days", "price_factor", "goods_lost_share",
    "market_closed_days", "route_cut_days",
)  # fmt: skip
"""Effects drawn as low + severity x (high - low); a kind leaves out those it does not have."""
_SHARES = ("deaths_share", "goods_lost_share")
Range = tuple[float, float]


@dataclass(frozen=True, slots=True)
class EventKind:
    """How often one kind of event strikes, where, and what it does."""

    key: str
    scope: Scope
    per_region_year: float
    danger: float
    tension: float
    season: Mapping[Season, float]
    importance: tuple[int, int]
    ranges: Mapping[str, Range]
    """Effect name -> [low, high] (see `_RANGES`); missing effects are none."""
    follows: tuple[str, ...]
    """Kinds that, struck in the same region within `follow_days`, multiply its rate by
    `follow_boost` and become its cause."""
    follow_days: int
    follow_boost: float
    sources: tuple[str, ...]
    """POI kinds it comes from (monsters) or brings to light (ruins)."""
    portents: tuple[str, ...]

    def effect(self, name: str, severity: float, *, none: float = 0.0) -> float:
        """The effect `name` at `severity`; `none` when the kind has no such effect."""
        if name not in self.ranges:
            return none
        low, high = self.ranges[name]
        return low + severity * (high - low)


@dataclass(frozen=True, slots=True)
class Personality:
    """A storyteller: its pace, its answer to recent events, and its slow cycle."""

    key: str
    rate: float
    excitation: float
    load_scale: float
    memory_days: float
    min_multiplier: float
    max_multiplier: float
    cycle_days: float
    cycle_amplitude: float


@dataclass(frozen=True, slots=True)
class ChaosTable:
    """`data/chaos.toml`, validated."""

    kinds: tuple[EventKind, ...]
    """One per `KINDS`, in its order."""
    personalities: Mapping[str, Personality]
    default_personality: str

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> ChaosTable:
        """Validate a parsed `chaos.toml`.

        Raises:
            ValueError: a missing or unknown event kind, a bad scope, rate, season or range,
                a personality out of bounds, or an unknown default; the message names it.
        """
        events = table.get("event")
        if not isinstance(events, Mapping) or set(events) != set(KINDS):
            found = sorted(events) if isinstance(events, Mapping) else []
            raise ValueError(f"chaos.toml: [event.*] must be exactly {list(KINDS)}, got {found}")
        kinds = tuple(_kind(key, events[key]) for key in KINDS)
        for kind in kinds:
            unknown = sorted(set(kind.follows) - set(KINDS))
            if unknown:
                raise ValueError(f"chaos.toml: event.{kind.key}.follows unknown kinds {unknown}")
        raw = table.get("personality")
        if not isinstance(raw, Mapping) or not raw:
            raise ValueError("chaos.toml: needs [personality.*] tables")
        personalities = {str(key): _personality(str(key), value) for key, value in raw.items()}
        default = str(table.get("default_personality", ""))
        if default not in personalities:
            raise ValueError(f"chaos.toml: default_personality {default!r} is not a personality")
        return cls(kinds, personalities, default)

    def personality(self, key: str | None = None) -> Personality:
        """The personality `key` (the default when None).

        Raises:
            ValueError: no personality of that name.
        """
        name = self.default_personality if key is None else key
        if name not in self.personalities:
            raise ValueError(
                f"unknown chaos personality {name!r}; choose one of {sorted(self.personalities)}"
            )
        return self.personalities[name]


def _kind(key: str, raw: Any) -> EventKind:
    where = f"chaos.toml: event.{key}"
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where} must be a table")
    scope = str(raw.get("scope", ""))
    if scope not in SCOPES:
        raise ValueError(f"{where}.scope must be one of {list(SCOPES)}, got {scope!r}")
    rate = _number(raw, "per_region_year", where)
    danger = _number(raw, "danger", where)
    tension = _number(raw, "tension", where)
    season_raw = raw.get("season")
    if not isinstance(season_raw, Mapping) or set(season_raw) != set(SEASONS):
        raise ValueError(f"{where}.season needs a factor for each of {list(SEASONS)}")
    season = {s: _number(season_raw, s, f"{where}.season") for s in SEASONS}
    importance = raw.get("importance")
    if (
        not isinstance(importance, list)
        or len(importance) != 2
        or not all(isinstance(i, int) and 1 <= i <= 10 for i in importance)
        or importance[0] > importance[1]
    ):
        raise ValueError(f"{where}.importance needs [low, high] within 1-10")
    ranges: dict[str, Range] = {}
    for name in _RANGES:
        if name in raw:
            ranges[name] = _range(raw[name], f"{where}.{name}", share=name in _SHARES)
    follows = tuple(str(k) for k in raw.get("follows", []))
    follow_days = int(raw.get("follow_days", 0))
    follow_boost = float(raw.get("follow_boost", 1.0))
    if follows and (follow_days < 1 or follow_boost < 1.0):
        raise ValueError(f"{where}: follows needs follow_days >= 1 and follow_boost >= 1")
    sources = tuple(str(k) for k in raw.get("sources", []))
    if scope in ("poi", "ruin") and not sources:
        raise ValueError(f"{where}: scope {scope!r} needs sources (POI kinds)")
    portents = tuple(str(p) for p in raw.get("portents", []))
    return EventKind(
        key=key,
        scope=scope,
        per_region_year=rate,
        danger=danger,
        tension=tension,
        season=season,
        importance=(int(importance[0]), int(importance[1])),
        ranges=ranges,
        follows=follows,
        follow_days=follow_days,
        follow_boost=follow_boost,
        sources=sources,
        portents=portents,
    )


def _personality(key: str, raw: Any) -> Personality:
    where = f"chaos.toml: personality.{key}"
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where} must be a table")
    excitation = raw.get("excitation")
    if isinstance(excitation, bool) or not isinstance(excitation, int | float):
        raise ValueError(f"{where}.excitation must be a number")
    personality = Personality(
        key=key,
        rate=_number(raw, "rate", where),
        excitation=float(excitation),
        load_scale=_number(raw, "load_scale", where),
        memory_days=_number(raw, "memory_days", where),
        min_multiplier=_number(raw, "min_multiplier", where),
        max_multiplier=_number(raw, "max_multiplier", where),
        cycle_days=_number(raw, "cycle_days", where),
        cycle_amplitude=_number(raw, "cycle_amplitude", where),
    )
    if min(personality.load_scale, personality.memory_days, personality.cycle_days) <= 0:
        raise ValueError(f"{where}: load_scale, memory_days and cycle_days must be positive")
    if personality.min_multiplier > personality.max_multiplier:
        raise ValueError(f"{where}: min_multiplier must not exceed max_multiplier")
    if personality.cycle_amplitude >= 1.0:
        raise ValueError(f"{where}: cycle_amplitude must be below 1")
    return personality


def _number(raw: Mapping[str, Any], key: str, where: str) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where}.{key} must be a number")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{where}.{key} must be finite and non-negative")
    return float(value)


def _range(raw: Any, where: str, *, share: bool) -> Range:
    if not isinstance(raw, list) or len(raw) != 2:
        raise ValueError(f"{where} needs [low, high]")
    low, high = float(raw[0]), float(raw[1])
    if not (math.isfinite(low) and math.isfinite(high)) or min(low, high) < 0:
        raise ValueError(f"{where} needs finite, non-negative bounds")
    if share and max(low, high) > 1.0:
        raise ValueError(f"{where} is a share: its bounds lie in [0, 1]")
    return low, high
