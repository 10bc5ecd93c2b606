"""The faction seed table: territory costs, government forms, guild professions, religious
orders, outlaws, name patterns and which notables may lead each kind of faction."""

from __future__ import annotations

import math
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

FactionKind = Literal["state", "guild", "order", "bandits", "criminals"]
FACTION_KINDS: tuple[FactionKind, ...] = ("state", "order", "guild", "criminals", "bandits")
"""Every kind of faction, in the order ids (and leaders) are handed out."""

_FIELDS = {
    "state": frozenset({"root", "capital", "culture"}),
    "guild": frozenset({"label", "settlement"}),
    "order": frozenset({"deity", "epithet", "place", "religion"}),
    "bandits": frozenset({"root", "region"}),
    "criminals": frozenset({"root", "settlement"}),
}
"""What each kind's name patterns may refer to."""


@dataclass(frozen=True, slots=True)
class Government:
    """A form of state and when it fits."""

    key: str
    weight: float
    min_regions: int
    max_regions: float
    min_cultures: int
    coastal: float
    organized: float
    bases: Mapping[str, float]
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Profession:
    """A guild's trade and the resources (or "coast") its seat needs."""

    key: str
    label: str
    weight: float
    resources: frozenset[str]


@dataclass(frozen=True, slots=True)
class FactionTable:
    """`data/factions.toml`, validated."""

    territory: Mapping[str, Any]
    governments: tuple[Government, ...]
    guilds: Mapping[str, Any]
    professions: tuple[Profession, ...]
    orders: Mapping[str, Any]
    outlaws: Mapping[str, Any]
    leaders: Mapping[str, tuple[str, ...]]

    @classmethod
    def from_mapping(
        cls, table: Mapping[str, Any], *, notable_roles: Sequence[str]
    ) -> FactionTable:
        """Validate a parsed `factions.toml`.

        Args:
            table: the parsed file.
            notable_roles: the roles notable NPCs can hold (`characters.toml`): leaders are
                chosen among them.

        Raises:
            ValueError: a missing section or field, a negative weight, an empty or unknown
                name placeholder, a kind without leader roles, a leader role no notable holds;
                the message names the problem.
        """
        territory = _section(table, "territory", ("step", "danger", "foreign_culture"))
        low, high = (float(x) for x in _pair(territory, "expansionism"))
        if not 0 < low <= high:
            raise ValueError("territory.expansionism must be [low, high] with 0 < low <= high")
        governments = tuple(
            _government(key, dict(entry))
            for key, entry in sorted(_section(table, "governments", ()).items())
        )
        guilds = _section(table, "guilds", ("per_tier", "member_share", "names"))
        _names(guilds, "names", "guild")
        professions = tuple(
            _profession(key, dict(entry))
            for key, entry in sorted(dict(guilds.get("professions", {})).items())
        )
        if not any(not p.resources and p.weight > 0 for p in professions):
            raise ValueError("guilds need a profession open anywhere (empty resources)")
        orders = _section(table, "orders", ("forms", "member_share", "names"))
        _names(orders, "names", "order")
        outlaws = _section(
            table,
            "outlaws",
            (
                *("bandit_danger", "bandit_chance", "pirate_chance", "band_size"),
                *("criminal_tiers", "criminal_chance", "criminal_share", "criminal_forms"),
            ),
        )
        for key, kind in (("bandit_names", "bandits"), ("pirate_names", "bandits")):
            _names(outlaws, key, kind)
        _names(outlaws, "criminal_names", "criminals")
        leaders = {
            kind: tuple(str(role) for role in roles)
            for kind, roles in _section(table, "leaders", ()).items()
        }
        for kind in FACTION_KINDS:
            if not leaders.get(kind):
                raise ValueError(f"leaders.{kind} must list at least one notable role")
            unknown = sorted(set(leaders[kind]) - set(notable_roles))
            if unknown:
                raise ValueError(
                    f"leaders.{kind}: {unknown} are not notable roles "
                    f"(roles: {', '.join(notable_roles)})"
                )
        return cls(territory, governments, guilds, professions, orders, outlaws, leaders)


def _section(table: Mapping[str, Any], key: str, required: Sequence[str]) -> Mapping[str, Any]:
    value = table.get(key)
    if not isinstance(value, Mapping) or not value:
        raise ValueError(f"factions.toml: [{key}] is missing or empty")
    if missing := [field for field in required if field not in value]:
        raise ValueError(f"factions.toml: [{key}] needs {', '.join(missing)}")
    return dict(value)


def _pair(section: Mapping[str, Any], key: str) -> tuple[Any, Any]:
    value = section.get(key)
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError(f"factions.toml: {key} must be a [low, high] pair")
    return value[0], value[1]


def _names(section: Mapping[str, Any], key: str, kind: str) -> tuple[str, ...]:
    patterns = tuple(str(p) for p in section.get(key, ()))
    if not patterns:
        raise ValueError(f"factions.toml: {key} needs at least one pattern")
    for pattern in patterns:
        fields = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
        if unknown := sorted(fields - _FIELDS[kind]):
            raise ValueError(f"name pattern {pattern!r} uses unknown {', '.join(unknown)}")
    return patterns


def _government(key: str, entry: dict[str, Any]) -> Government:
    government = Government(
        key=key,
        weight=float(entry.get("weight", 1.0)),
        min_regions=int(entry.get("min_regions", 1)),
        max_regions=float(entry.get("max_regions", math.inf)),
        min_cultures=int(entry.get("min_cultures", 1)),
        coastal=float(entry.get("coastal", 1.0)),
        organized=float(entry.get("organized", 1.0)),
        bases={str(k): float(v) for k, v in dict(entry.get("bases", {})).items()},
        names=_names(entry, "names", "state"),
    )
    multipliers = (government.weight, government.coastal, government.organized)
    if min(multipliers) < 0 or any(v < 0 for v in government.bases.values()):
        raise ValueError(f"government {key!r}: weights must be non-negative")
    if government.min_regions > government.max_regions:
        raise ValueError(f"government {key!r}: min_regions exceeds max_regions")
    return government


def _profession(key: str, entry: dict[str, Any]) -> Profession:
    if "label" not in entry:
        raise ValueError(f"guild profession {key!r} needs a label")
    weight = float(entry.get("weight", 1.0))
    if weight < 0:
        raise ValueError(f"guild profession {key!r}: weight must be non-negative")
    return Profession(key, str(entry["label"]), weight, frozenset(entry.get("resources", ())))
