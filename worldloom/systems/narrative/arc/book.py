"""The arc book: the arcs tables as frames, the open matches they resume from, and their texts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import polars as pl

from worldloom.systems.narrative.arc.matcher import Match
from worldloom.systems.narrative.arc.pattern import ArcPatterns, Pattern
from worldloom.systems.narrative.names import Names

ARCS_SCHEMA = pl.Schema(
    {
        "arc_id": pl.Int64(),
        "pattern": pl.String(),
        "status": pl.String(),
        "stage": pl.Int16(),
        "stages": pl.Int16(),
        "start_tick": pl.Int64(),
        "last_tick": pl.Int64(),
        "importance": pl.Int8(),
        "motifs": pl.List(pl.String()),
        "title": pl.String(),
        "summary": pl.String(),
    }
)
"""The arcs table's rows (schema/narrative.py ARCS, without world_id)."""
ARC_EVENTS_SCHEMA = pl.Schema(
    {"arc_id": pl.Int64, "event_id": pl.Int64, "stage": pl.Int16, "step": pl.String}
)
"""The arc_events table's rows."""
ARC_ROLES_SCHEMA = pl.Schema(
    {
        "arc_id": pl.Int64,
        "role": pl.String,
        "npc_id": pl.Int64,
        "faction_id": pl.Int32,
        "settlement_id": pl.Int32,
        "region_id": pl.Int32,
        "poi_id": pl.Int32,
    }
)
"""The arc_roles table's rows."""
ARC_PARTIALS_SCHEMA = pl.Schema(
    {
        "arc_id": pl.Int64(),
        "pattern": pl.String(),
        "stage": pl.Int16(),
        "event_ids": pl.List(pl.Int64()),
        "event_stages": pl.List(pl.Int16()),
        "event_ticks": pl.List(pl.Int64()),
        "event_importances": pl.List(pl.Int8()),
        "bindings": pl.String(),  # var=id pairs, space-separated
    }
)
"""The arc_partials table's rows: every open match, surfaced or not (not exported)."""
YEAR_DAYS = 365


@dataclass(frozen=True, slots=True)
class ArcBook:
    """The sifting's output tables and where it stopped reading the log.

    `partials` are the open matches the next call resumes (arc_partials); `last_event_id` the
    last event read (-1: none); `tick` the latest day the log had reached (narrative_state);
    `rewritten` what the call changed (a store writes only those arcs' rows).
    """

    arcs: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ARCS_SCHEMA))
    arc_events: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ARC_EVENTS_SCHEMA))
    arc_roles: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ARC_ROLES_SCHEMA))
    partials: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ARC_PARTIALS_SCHEMA))
    last_event_id: int = -1
    tick: int = -1
    rewritten: tuple[int, ...] = ()
    """The arcs whose rows (in each of the four frames) the call that made this book took out
    or wrote anew; every other arc's rows are as the book it read held them."""


def load_matches(partials: pl.DataFrame) -> dict[str, list[Match]]:
    """The open matches of `partials`, by pattern, in arc id order."""
    found: dict[str, list[Match]] = {}
    heads = partials.sort("arc_id")
    events = heads.select(
        "arc_id", "event_ids", "event_stages", "event_ticks", "event_importances"
    ).explode("event_ids", "event_stages", "event_ticks", "event_importances")
    rows = zip(*(events[c].to_list() for c in events.columns), strict=True)
    by_arc: dict[int, list[tuple[int, int, int, int]]] = {}
    for arc_id, *entry in rows:
        by_arc.setdefault(arc_id, []).append((entry[0], entry[1], entry[2], entry[3]))
    columns = (heads[c].to_list() for c in ("arc_id", "pattern", "bindings"))
    for arc_id, pattern, bindings in zip(*columns, strict=True):
        entries = by_arc[arc_id]
        match = Match(arc_id, entries[-1][1], decode_bindings(bindings), entries)
        found.setdefault(pattern, []).append(match)
    return found


def encode_bindings(bindings: Mapping[str, int]) -> str:
    """Bindings as arc_partials stores them: `var=id` pairs, sorted, space-separated."""
    return " ".join(f"{var}={value}" for var, value in sorted(bindings.items()))


def decode_bindings(text: str) -> dict[str, int]:
    """The bindings `encode_bindings` wrote."""
    pairs = (item.split("=") for item in text.split())
    return {var: int(value) for var, value in pairs}


def partial_rows(patterns: ArcPatterns, matches: Iterable[tuple[int, Match]]) -> pl.DataFrame:
    """arc_partials rows for open matches given as (pattern index, match)."""
    heads: dict[str, list[object]] = {"arc_id": [], "pattern": [], "stage": [], "bindings": []}
    flat: dict[str, list[int]] = {
        "arc_id": [],
        "event_ids": [],
        "event_stages": [],
        "event_ticks": [],
        "event_importances": [],
    }
    for index, match in matches:
        heads["arc_id"].append(match.arc_id)
        heads["pattern"].append(patterns.patterns[index].name)
        heads["stage"].append(match.pos + 1)
        heads["bindings"].append(encode_bindings(match.bindings))
        for entry in match.events:
            flat["arc_id"].append(match.arc_id)
            for name, value in zip(list(flat)[1:], entry, strict=True):
                flat[name].append(value)
    schema = ARC_PARTIALS_SCHEMA
    lists = (
        pl.DataFrame(flat, schema={n: schema[n].inner if n != "arc_id" else pl.Int64 for n in flat})  # type: ignore[attr-defined]
        .group_by("arc_id", maintain_order=True)
        .agg(pl.all())
    )
    frame = pl.DataFrame(heads, schema={n: schema[n] for n in heads})
    return frame.join(lists, on="arc_id", how="left").select(schema.names()).sort("arc_id")


def arc_frames(
    pattern: Pattern, match: Match, names: Names
) -> tuple[dict[str, object], list[dict[str, object]], list[dict[str, object]]]:
    """The match's arcs row, arc_events rows and arc_roles rows."""
    stages = len(pattern.stages)
    peak = max(e[3] for e in match.events)
    importance = (pattern.importance + peak + 1) // 2 + (match.status == "complete")
    arc = {
        "arc_id": match.arc_id,
        "pattern": pattern.name,
        "status": match.status,
        "stage": match.pos + 1,
        "stages": stages,
        "start_tick": match.events[0][2],
        "last_tick": max(e[2] for e in match.events),
        "importance": max(1, min(10, importance)),
        "motifs": [],
        "title": tell(pattern.title, pattern, match, names, {}),
        "summary": summarize(pattern, match, names),
    }
    events = [
        {
            "arc_id": match.arc_id,
            "event_id": e[0],
            "stage": e[1],
            "step": pattern.stages[e[1]].name,
        }
        for e in match.events
    ]
    roles = []
    for var in sorted(match.bindings):
        kind = pattern.kinds.get(var)
        if kind is None:
            continue
        row: dict[str, object] = dict.fromkeys(ARC_ROLES_SCHEMA.names())
        row.update({"arc_id": match.arc_id, "role": var, f"{kind}_id": match.bindings[var]})
        roles.append(row)
    return arc, events, roles


def summarize(pattern: Pattern, match: Match, names: Names) -> str:
    """The stages' texts in stage order (each once), then the pattern's `ended` text."""
    lines = []
    for index, stage in enumerate(pattern.stages):
        ticks = [e[2] for e in match.events if e[1] == index]
        if ticks and stage.text:
            extra = {"year": str(ticks[0] // YEAR_DAYS + 1), "count": str(len(ticks))}
            lines.append(tell(stage.text, pattern, match, names, extra))
    if match.status == "ended" and pattern.ended:
        lines.append(tell(pattern.ended, pattern, match, names, {}))
    return " ".join(lines)


def tell(
    template: str, pattern: Pattern, match: Match, names: Names, extra: Mapping[str, str]
) -> str:
    """`template` with each role replaced by its entity's name (Names), never an invented one.

    An id without a name reads as "a faction", "someone", ...
    """
    values = dict(extra)
    for var, kind in pattern.kinds.items():
        if var in match.bindings:
            name = names.of(kind, match.bindings[var])
            values[var] = name if name is not None else _UNNAMED[kind]
    return template.format_map(values)


_UNNAMED = {
    "npc": "someone",
    "faction": "a realm",
    "settlement": "a settlement",
    "region": "a region",
    "poi": "a place",
}
