"""The motif table (data/motifs.toml): themes, the event types that carry them, and their tones."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from worldloom.systems.history import EventCatalog

_KIND_OF_VALUE: Mapping[str, type | tuple[type, ...]] = {
    "str": str,
    "int": int,
    "float": (int, float),
    "bool": bool,
}


@dataclass(frozen=True, slots=True)
class Carrier:
    """An event type that carries a motif, with `weight` in thousandths (1..1000).

    When `field` is set, only events whose payload's `field` equals `equals` carry it;
    `equals` is kept as the text the payload's JSON holds (`true`, `war`, `3`).
    """

    event_type: str
    weight: int
    field: str | None = None
    equals: str | None = None


@dataclass(frozen=True, slots=True)
class Motif:
    """A theme: its key, the word a tone uses for it, what it means, and its carriers."""

    key: str
    tone: str
    description: str
    carriers: tuple[Carrier, ...]


@dataclass(frozen=True, slots=True)
class MotifTable:
    """Every motif (data/motifs.toml) and how scores are weighed and read.

    Attributes:
        motifs: The motifs, by key.
        importance_base: An event's say is `importance_base ** (importance - 1)` (a whole
            number, so that scores are sums of integers: exact in any order).
        arc_motifs: An arc keeps at most this many themes.
        quiet_tone: The tone of a scope whose events carry no motif.
        dominant_share: A motif is dominant at this share of the top motif's score or more.
        dominant_max: A tone names at most this many motifs.
    """

    motifs: tuple[Motif, ...]
    importance_base: int
    arc_motifs: int
    quiet_tone: str
    dominant_share: float
    dominant_max: int

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any], *, catalog: EventCatalog) -> MotifTable:
        """Validate a parsed `motifs.toml` against the event catalog.

        Raises:
            ValueError: a motif without carriers or a tone, an unknown event type or payload
                field, a value of the wrong kind for its field, a weight outside 0..1, or a
                setting out of range; the message names the motif and the problem.
        """
        motifs_raw = raw.get("motifs")
        if not isinstance(motifs_raw, Mapping) or not motifs_raw:
            raise ValueError("motifs.toml needs a [motifs.<key>] table per motif")
        motifs = tuple(
            _motif(str(key), entry, catalog) for key, entry in sorted(motifs_raw.items())
        )
        base = _count(raw, "importance_base")
        share = _number(raw, "dominant_share")
        if not 0.0 < share <= 1.0:
            raise ValueError("motifs.toml: dominant_share must be in (0, 1]")
        arc_motifs = _count(raw, "arc_motifs")
        dominant_max = _count(raw, "dominant_max")
        quiet = raw.get("quiet_tone")
        if not isinstance(quiet, str) or not quiet.strip():
            raise ValueError("motifs.toml: quiet_tone must be a word")
        return cls(motifs, base, arc_motifs, quiet, share, dominant_max)

    def tone_of(self, motif: str) -> str:
        """The tone word of `motif`.

        Raises:
            KeyError: no such motif.
        """
        for entry in self.motifs:
            if entry.key == motif:
                return entry.tone
        raise KeyError(f"unknown motif {motif!r}")


def _motif(key: str, entry: Any, catalog: EventCatalog) -> Motif:
    where = f"motif {key!r}"
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where} must be a table")
    tone = entry.get("tone")
    if not isinstance(tone, str) or not tone.strip():
        raise ValueError(f"{where} needs a tone word")
    weights = entry.get("weights", {})
    if not isinstance(weights, Mapping):
        raise ValueError(f"{where}: weights must map event types to numbers")
    carriers = [
        _carrier(where, str(kind), weight=weight, field=None, equals=None, catalog=catalog)
        for kind, weight in weights.items()
    ]
    when = entry.get("when", [])
    if not isinstance(when, list):
        raise ValueError(f"{where}: when must be a list of conditions")
    for condition in when:
        if not isinstance(condition, Mapping) or set(condition) != {
            "type",
            "field",
            "equals",
            "weight",
        }:
            raise ValueError(f"{where}: a when entry needs exactly type, field, equals, weight")
        carriers.append(
            _carrier(
                where,
                str(condition["type"]),
                weight=condition["weight"],
                field=str(condition["field"]),
                equals=condition["equals"],
                catalog=catalog,
            )
        )
    if not carriers:
        raise ValueError(f"{where} needs weights or when entries")
    return Motif(key, tone.strip(), str(entry.get("description", "")), tuple(carriers))


def _carrier(
    where: str,
    kind: str,
    *,
    weight: Any,
    field: str | None,
    equals: Any,
    catalog: EventCatalog,
) -> Carrier:
    if kind not in catalog.types:
        raise ValueError(f"{where}: unknown event type {kind!r} (data/events.toml)")
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0.001 <= weight <= 1:
        raise ValueError(f"{where}: the weight of {kind!r} must be a number in [0.001, 1]")
    if field is None:
        return Carrier(kind, round(weight * 1000))
    fields = {f.name: f.kind for f in catalog[kind].payload}
    if field not in fields:
        raise ValueError(f"{where}: event type {kind!r} has no payload field {field!r}")
    expected = _KIND_OF_VALUE[fields[field]]
    wrong_bool = isinstance(equals, bool) and fields[field] != "bool"
    if wrong_bool or not isinstance(equals, expected):
        raise ValueError(f"{where}: {kind}.{field} is {fields[field]}, got {equals!r}")
    text = ("true" if equals else "false") if isinstance(equals, bool) else str(equals)
    return Carrier(kind, round(weight * 1000), field, text)


def _number(raw: Mapping[str, Any], key: str) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ValueError(f"motifs.toml: {key} must be a number")
    return float(value)


def _count(raw: Mapping[str, Any], key: str) -> int:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"motifs.toml: {key} must be a whole number >= 1")
    return value
