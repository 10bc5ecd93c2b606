"""Rumor rules (data/rumors.toml): what starts a rumor, how it travels, changes and is told."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ENTITY_FIELDS: Mapping[str, tuple[str, str]] = {
    "npc": ("npc_id", "npc"),
    "faction": ("faction_id", "faction"),
    "other_faction": ("other_faction_id", "faction"),
    "settlement": ("settlement_id", "settlement"),
    "region": ("region_id", "region"),
    "poi": ("poi_id", "poi"),
    "to_settlement": ("to_settlement_id", "settlement"),
    "winner": ("winner_faction_id", "faction"),
    "previous": ("previous_id", "npc"),
    "groom": ("groom_id", "npc"),
    "mother": ("mother_id", "npc"),
    "father": ("father_id", "npc"),
}
"""A template's entity placeholders: the event column or payload key it reads, and the kind of
entity it names (looked up in `Names`)."""

PLACE_KINDS = frozenset({"settlement", "region"})
"""Entity kinds a `place` distortion changes; the other kinds are changed by `actor`."""

NEVER = 11
"""A per-type threshold above every importance: the type never starts a rumor."""


def placeholders(template: str) -> tuple[str, ...]:
    """The `{field}` names in a template, in order."""
    return tuple(name for _, name, _, _ in string.Formatter().parse(template) if name)


@dataclass(frozen=True, slots=True)
class EventTexts:
    """Templates that tell an event: per type, then fallbacks; the first fully known one wins."""

    by_type: Mapping[str, tuple[str, ...]]
    fallback: tuple[str, ...]

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> EventTexts:
        """Validate rumors.toml's `[texts]` table (`{what}` is the event type in words).

        Raises:
            ValueError: no fallback, a last fallback naming more than `{what}`, or a malformed
                template.
        """
        by_type = {str(k): _templates(v, str(k)) for k, v in table.get("types", {}).items()}
        fallback = _templates(table.get("fallback", []), "fallback")
        if not fallback:
            raise ValueError("rumors.toml: [texts] needs at least one fallback template")
        if set(placeholders(fallback[-1])) - {"what"}:
            raise ValueError("rumors.toml: the last fallback template may hold only {what}")
        return cls(by_type=by_type, fallback=fallback)

    def candidates(self, event_type: str) -> tuple[str, ...]:
        """The templates to try for an event type, in order."""
        return (*self.by_type.get(event_type, ()), *self.fallback)


def _templates(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(t, str) for t in raw):
        raise ValueError(f"rumors.toml: texts for {where} must be a list of strings")
    for template in raw:
        try:
            placeholders(template)
        except ValueError as error:
            raise ValueError(f"rumors.toml: bad template for {where}: {template!r}") from error
    return tuple(raw)


@dataclass(frozen=True, slots=True)
class RumorRules:
    """Validated rumors.toml."""

    min_importance: int
    by_type: Mapping[str, int]
    route_kinds: frozenset[str]
    relay_days: int
    relay_jitter_days: int
    base_hops: int
    hops_per_importance: int
    max_hops: int
    max_days: int
    per_hop: float
    per_distortion: float
    fade_below: float
    chances: Mapping[str, float]
    number_factor: tuple[float, float]
    number_fields: frozenset[str]
    texts: EventTexts

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> RumorRules:
        """Validate a parsed rumors.toml.

        Raises:
            ValueError: naming the value out of range (an importance outside 1..11, a share
                outside 0..1, distortion chances summing past 1, negative days or hops...).
        """
        start, travel = table["start"], table["travel"]
        confidence, distortion = table["confidence"], table["distortion"]
        by_type = {str(k): int(v) for k, v in start.get("by_type", {}).items()}
        for name, level in {"min_importance": int(start["min_importance"]), **by_type}.items():
            if not 1 <= level <= NEVER:
                raise ValueError(f"rumors.toml: start threshold {name} = {level} not in 1..11")
        counts = {
            k: int(travel[k])
            for k in ("relay_days", "relay_jitter_days", "base_hops", "hops_per_importance")
        }
        counts |= {k: int(travel[k]) for k in ("max_hops", "max_days")}
        if min(counts.values()) < 0:
            raise ValueError(f"rumors.toml: [travel] has a negative count: {counts}")
        shares = {k: float(confidence[k]) for k in ("per_hop", "per_distortion", "fade_below")}
        chances = {k: float(distortion[k]) for k in ("actor", "place", "number")}
        for name, share in (shares | chances).items():
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"rumors.toml: {name} = {share} is not a share in 0..1")
        if sum(chances.values()) > 1.0:
            raise ValueError("rumors.toml: the distortion chances sum past 1")
        low, high = (float(f) for f in distortion["number_factor"])
        if not 1.0 < low <= high:
            raise ValueError("rumors.toml: number_factor must be [low, high] with 1 < low <= high")
        return cls(
            min_importance=int(start["min_importance"]),
            by_type=by_type,
            route_kinds=frozenset(str(k) for k in travel["route_kinds"]),
            relay_days=counts["relay_days"],
            relay_jitter_days=counts["relay_jitter_days"],
            base_hops=counts["base_hops"],
            hops_per_importance=counts["hops_per_importance"],
            max_hops=counts["max_hops"],
            max_days=counts["max_days"],
            per_hop=shares["per_hop"],
            per_distortion=shares["per_distortion"],
            fade_below=shares["fade_below"],
            chances=chances,
            number_factor=(low, high),
            number_fields=frozenset(str(f) for f in distortion["number_fields"]),
            texts=EventTexts.from_mapping(table["texts"]),
        )

    def starts_rumor(self, event_type: str, importance: int) -> bool:
        """Whether an event of this type and importance starts a rumor."""
        return importance >= self.by_type.get(event_type, self.min_importance)

    def hops(self, importance: int) -> int:
        """How many hops from its origin a rumor of this importance may travel."""
        extra = max(0, importance - self.min_importance) * self.hops_per_importance
        return min(self.max_hops, self.base_hops + extra)
