"""The religion seed table: deity domains, faith forms, name patterns, spread and relation rules."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations_with_replacement
from typing import Any, Literal

ReligionKind = Literal["folk", "organized", "cult", "heresy"]
KINDS: tuple[ReligionKind, ...] = ("folk", "organized", "heresy", "cult")
"""Every kind of religion, in the order their ids are handed out (parents before splinters)."""

SETTLEMENT_TIERS = ("capital", "city", "town", "village", "hamlet")

_NAME_FIELDS: dict[ReligionKind, frozenset[str]] = {
    "folk": frozenset({"culture", "deity", "epithet", "root"}),
    "organized": frozenset({"culture", "deity", "epithet", "root", "place"}),
    "cult": frozenset({"culture", "deity", "epithet", "root", "place", "parent"}),
    "heresy": frozenset({"culture", "deity", "epithet", "root", "place", "parent"}),
}
"""What a name pattern may refer to: a folk faith has no holy city and no parent."""


@dataclass(frozen=True, slots=True)
class Domain:
    """What a deity holds sway over, and the land that makes it likelier."""

    key: str
    epithets: tuple[str, ...]
    resources: frozenset[str]
    opposite: str | None


@dataclass(frozen=True, slots=True)
class FaithForm:
    """How a faith arranges its gods (pantheon, monotheism, dualism...)."""

    key: str
    kind_weights: Mapping[str, float]
    deities: tuple[int, int]
    domains: tuple[int, int]
    exclusive: bool


@dataclass(frozen=True, slots=True)
class ReligionTable:
    """`data/religions.toml`, validated."""

    domains: tuple[Domain, ...]
    forms: tuple[FaithForm, ...]
    names: Mapping[str, tuple[str, ...]]
    counts: Mapping[str, float]
    spread: Mapping[str, Any]
    relations: Mapping[str, Any]

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> ReligionTable:
        """Validate a parsed `religions.toml`.

        Raises:
            ValueError: a missing section or field, a bad range, an unknown domain, kind or
                name placeholder; the message names the problem.
        """
        domains = tuple(
            _domain(key, entry) for key, entry in sorted(_section(table, "domains").items())
        )
        known = {domain.key for domain in domains}
        for domain in domains:
            if domain.opposite is not None and domain.opposite not in known:
                raise ValueError(f"domain {domain.key!r}: unknown opposite {domain.opposite!r}")
        forms = tuple(_form(key, entry) for key, entry in sorted(_section(table, "forms").items()))
        for kind in KINDS:
            if not any(form.kind_weights.get(kind, 0.0) > 0 for form in forms):
                raise ValueError(f"no faith form is open to {kind} religions")
        if any(form.key == "dualism" for form in forms) and not any(d.opposite for d in domains):
            raise ValueError("the dualism form needs at least one domain with an opposite")
        names: dict[str, tuple[str, ...]] = {kind: _patterns(table, kind) for kind in KINDS}
        counts = {key: float(value) for key, value in _section(table, "counts").items()}
        for key in ("organized_per_culture", "max_organized", "heresy_chance"):
            _require(counts, key, "counts")
        for key in ("cults_per_settlement", "max_cults"):
            _require(counts, key, "counts")
        return cls(domains, forms, names, counts, _spread(table), _relations(table))

    def domain(self, key: str) -> Domain:
        for domain in self.domains:
            if domain.key == key:
                return domain
        raise KeyError(f"unknown domain {key!r}")

    def form(self, key: str) -> FaithForm:
        for form in self.forms:
            if form.key == key:
                return form
        raise KeyError(f"unknown faith form {key!r}")


def _spread(table: Mapping[str, Any]) -> dict[str, Any]:
    spread = dict(_section(table, "spread"))
    for key in ("folk_weight", "heresy_strength", "heresy_reach", "cult_strength"):
        _require(spread, key, "spread")
    for key in ("cult_reach", "min_share", "organized_strength", "organized_reach"):
        _require(spread, key, "spread")
    if float(spread["folk_weight"]) <= 0:
        raise ValueError(
            "spread.folk_weight must be positive (every settlement keeps a folk faith)"
        )
    tiers = dict(_mapping(spread, "tier_devotion", "spread"))
    if missing := sorted(set(SETTLEMENT_TIERS) - set(tiers)):
        raise ValueError(f"spread.tier_devotion misses tiers: {', '.join(missing)}")
    return spread


def _relations(table: Mapping[str, Any]) -> dict[str, Any]:
    relations = dict(_section(table, "relations"))
    base = dict(_mapping(relations, "base", "relations"))
    for a, b in combinations_with_replacement(sorted(KINDS), 2):
        if f"{a}-{b}" not in base:
            raise ValueError(f"relations.base needs an entry for '{a}-{b}'")
    if not 0 < relations.get("wary_from", 0) < relations.get("hostile_from", 0) <= 100:
        raise ValueError("relations need 0 < wary_from < hostile_from <= 100")
    return relations


def _section(table: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    return _mapping(table, key, "religions.toml")


def _mapping(table: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = table.get(key)
    if not isinstance(value, Mapping) or not value:
        raise ValueError(f"{where}: [{key}] is missing or empty")
    return value


def _require(section: Mapping[str, Any], key: str, where: str) -> None:
    if key not in section:
        raise ValueError(f"[{where}] needs {key!r}")


def _range(entry: Mapping[str, Any], field: str, where: str) -> tuple[int, int]:
    value = entry.get(field)
    if not isinstance(value, list) or len(value) != 2 or not 1 <= int(value[0]) <= int(value[1]):
        raise ValueError(f"{where}: {field} must be [min, max] with 1 <= min <= max")
    return int(value[0]), int(value[1])


def _domain(key: str, entry: Mapping[str, Any]) -> Domain:
    epithets = tuple(str(e) for e in entry.get("epithets", ()))
    if not epithets:
        raise ValueError(f"domain {key!r} needs at least one epithet")
    opposite = entry.get("opposite")
    return Domain(
        key=key,
        epithets=epithets,
        resources=frozenset(str(r) for r in entry.get("resources", ())),
        opposite=None if opposite is None else str(opposite),
    )


def _form(key: str, entry: Mapping[str, Any]) -> FaithForm:
    weights = {str(kind): float(w) for kind, w in dict(entry.get("kinds", {})).items()}
    if unknown := sorted(set(weights) - set(KINDS)):
        raise ValueError(f"faith form {key!r}: unknown kinds {', '.join(unknown)}")
    if any(w < 0 for w in weights.values()):
        raise ValueError(f"faith form {key!r}: kind weights must be non-negative")
    deities = _range(entry, "deities", f"faith form {key!r}")
    if key == "dualism" and deities != (2, 2):
        raise ValueError("faith form 'dualism' must have exactly two deities")
    return FaithForm(
        key=key,
        kind_weights=weights,
        deities=deities,
        domains=_range(entry, "domains", f"faith form {key!r}"),
        exclusive=bool(entry.get("exclusive", False)),
    )


def _patterns(table: Mapping[str, Any], kind: ReligionKind) -> tuple[str, ...]:
    patterns = tuple(str(p) for p in _section(table, "names").get(kind, ()))
    if not patterns:
        raise ValueError(f"names.{kind} needs at least one pattern")
    for pattern in patterns:
        fields = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
        if unknown := sorted(fields - _NAME_FIELDS[kind]):
            raise ValueError(f"names.{kind} pattern {pattern!r} uses unknown {', '.join(unknown)}")
    return patterns
