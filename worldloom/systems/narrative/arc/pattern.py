"""Sifting patterns (data/arcs.toml): stages, bindings, constraints, unless clauses; validated."""

from __future__ import annotations

import dataclasses
import operator
import re
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from worldloom.systems.history import EventCatalog
from worldloom.systems.narrative.names import Kind

COLUMNS: Mapping[str, Kind] = {
    "npc_id": "npc",
    "faction_id": "faction",
    "other_faction_id": "faction",
    "settlement_id": "settlement",
    "region_id": "region",
    "poi_id": "poi",
}
"""The events table's actor columns a variable may be bound from, with the kind they name."""
KINDS: tuple[Kind, ...] = ("npc", "faction", "settlement", "region", "poi")
TEXT_FIELDS = ("year", "count")
"""Placeholders a stage's text may use besides its roles: the stage's year and event count."""
MAX_PATTERNS = 64
"""Arc ids are first_event_id * MAX_PATTERNS + pattern index: unique and in first-event order."""
OPERATORS: Mapping[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}
"""A condition's operators: on values (the matcher) or on Polars columns (the clauses' query)."""
_WHERE = re.compile(r"^\s*(\S+)\s*(==|!=|>=|<=|>|<)\s*(.+?)\s*$")
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class Condition:
    """`source op value`: source is an actor column or `payload.field`; value a literal or,
    when `variable` is set, the name of a bound variable."""

    source: str
    op: str
    value: float | str | bool
    variable: bool
    kind: str
    """The source's kind: int, float, str or bool (payload schema; actor columns are int)."""


@dataclass(frozen=True, slots=True)
class Clause:
    """What an event must be to match a stage or an unless clause.

    `bind` maps a variable to its source: bound at the first clause that names it, an equality
    with that binding afterwards. `terms` are the int sources the matcher compares (bindings,
    then variable conditions), in the order the compiled SQL returns them.
    """

    name: str
    types: tuple[str, ...]
    bind: tuple[tuple[str, str], ...]
    where: tuple[Condition, ...]
    terms: tuple[str, ...] = dataclasses.field(init=False, compare=False)

    def __post_init__(self) -> None:
        # Derived once: the matcher reads it for every candidate row.
        sources = [source for _, source in self.bind]
        sources += [c.source for c in self.where if c.variable]
        object.__setattr__(self, "terms", tuple(dict.fromkeys(sources)))


@dataclass(frozen=True, slots=True)
class Stage:
    """A stage: its clause, window after the previous matched stage, cause link and options."""

    clause: Clause
    within_days: int | None
    caused_by: int | None
    either_way: bool
    optional: bool
    repeat: bool
    text: str

    @property
    def name(self) -> str:
        return self.clause.name


@dataclass(frozen=True, slots=True)
class Unless:
    """Winnow's `unless-event … between`: kills a match that has reached stage `start` and not
    yet stage `end` (len(stages) for "until it completes")."""

    clause: Clause
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Pattern:
    """A sifting pattern: ordered stages, unless clauses, key, surfacing minimum, templates."""

    name: str
    description: str
    importance: int
    stages: tuple[Stage, ...]
    unless: tuple[Unless, ...]
    key: tuple[str, ...]
    surface: int
    kinds: Mapping[str, Kind]
    title: str
    ended: str

    def guaranteed(self, stage: int) -> frozenset[str]:
        """Variables every match has bound once it has matched up to `stage` (inclusive)."""
        bound: set[str] = set()
        for index in range(stage + 1):
            if not self.stages[index].optional or index == stage:
                bound |= {var for var, _ in self.stages[index].clause.bind}
        return frozenset(bound)


@dataclass(frozen=True, slots=True)
class ArcPatterns:
    """Every sifting pattern, in data order (the order breaks ties between arc ids)."""

    patterns: tuple[Pattern, ...]

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any], *, events: EventCatalog) -> ArcPatterns:
        """Validate a parsed `arcs.toml` against the event catalog.

        Raises:
            ValueError: naming the pattern and clause: an unknown event type, payload field,
                column, operator, stage or kind; a variable used before it is bound; a bad
                window, surfacing minimum or template placeholder.
        """
        entries = table.get("patterns", [])
        if not entries:
            raise ValueError("arcs: no patterns")
        if len(entries) > MAX_PATTERNS:
            raise ValueError(f"arcs: at most {MAX_PATTERNS} patterns")
        patterns = tuple(_pattern(entry, events) for entry in entries)
        names = [p.name for p in patterns]
        if len(set(names)) != len(names):
            raise ValueError(f"arcs: duplicate pattern names in {names}")
        return cls(patterns)

    def __getitem__(self, name: str) -> Pattern:
        for pattern in self.patterns:
            if pattern.name == name:
                return pattern
        raise KeyError(f"unknown pattern {name!r}")

    def index(self, name: str) -> int:
        """The pattern's position in data order."""
        return self.patterns.index(self[name])


def _pattern(entry: Mapping[str, Any], events: EventCatalog) -> Pattern:
    name = str(entry.get("name", ""))
    if not _NAME.match(name):
        raise ValueError(f"arcs: pattern name {name!r} is not a lower-case identifier")
    where = f"pattern {name!r}"
    kinds: dict[str, Kind] = {}
    for var, kind in dict(entry.get("kinds", {})).items():
        if kind not in KINDS:
            raise ValueError(f"{where}: kinds: {var!r} has unknown kind {kind!r}")
        kinds[str(var)] = kind
    raw_stages = list(entry.get("stages", []))
    if not raw_stages:
        raise ValueError(f"{where}: no stages")
    stage_names = [str(s.get("name", "")) for s in raw_stages]
    if len(set(stage_names)) != len(stage_names):
        raise ValueError(f"{where}: duplicate stage names {stage_names}")
    stages: list[Stage] = []
    bound: set[str] = set()
    for index, raw in enumerate(raw_stages):
        stage = _stage(
            raw,
            index,
            label=f"{where}, stage {stage_names[index]!r}",
            stage_names=stage_names,
            events=events,
            bound=bound,
            kinds=kinds,
        )
        stages.append(stage)
        if not stage.optional:
            bound |= {var for var, _ in stage.clause.bind}
    first = {var for var, _ in stages[0].clause.bind}
    key = tuple(str(k) for k in entry.get("key", sorted(first)))
    if not set(key) <= first:
        raise ValueError(f"{where}: key {list(key)} must be variables of the first stage")
    surface = int(entry.get("surface", 1))
    if not 1 <= surface <= len(stages):
        raise ValueError(f"{where}: surface must be 1..{len(stages)}")
    pattern = Pattern(
        name=name,
        description=str(entry.get("description", "")),
        importance=int(entry.get("importance", 5)),
        stages=tuple(stages),
        unless=(),
        key=key,
        surface=surface,
        kinds=kinds,
        title=str(entry.get("title", "")),
        ended=str(entry.get("ended", "")),
    )
    if not 1 <= pattern.importance <= 10:
        raise ValueError(f"{where}: importance must be 1..10")
    unless = tuple(
        _unless(raw, f"{where}, unless #{i}", pattern, stage_names, events)
        for i, raw in enumerate(entry.get("unless", []))
    )
    pattern = replace(pattern, unless=unless)
    _check_texts(pattern)
    return pattern


def _stage(
    raw: Mapping[str, Any],
    index: int,
    *,
    label: str,
    stage_names: Sequence[str],
    events: EventCatalog,
    bound: set[str],
    kinds: dict[str, Kind],
) -> Stage:
    clause = _clause(raw, label, events, bound, kinds, binds=True)
    caused = raw.get("caused_by")
    caused_by = None
    if caused is not None:
        if caused not in stage_names[:index]:
            raise ValueError(f"{label}: caused_by {caused!r} is not an earlier stage")
        caused_by = stage_names.index(caused)
    within = raw.get("within_days")
    repeat = bool(raw.get("repeat", False))
    if within is not None and ((index == 0 and not repeat) or int(within) < 0):
        raise ValueError(f"{label}: within_days needs an earlier event and days >= 0")
    optional = bool(raw.get("optional", False))
    if optional and index in (0, len(stage_names) - 1):
        raise ValueError(f"{label}: the first and last stages cannot be optional")
    return Stage(
        clause=clause,
        within_days=None if within is None else int(within),
        caused_by=caused_by,
        either_way=bool(raw.get("either_way", False)),
        optional=optional,
        repeat=repeat,
        text=str(raw.get("text", "")),
    )


def _unless(
    raw: Mapping[str, Any],
    label: str,
    pattern: Pattern,
    stage_names: Sequence[str],
    events: EventCatalog,
) -> Unless:
    between = list(raw.get("between", []))
    if len(between) != 2 or between[0] not in stage_names:
        raise ValueError(f"{label}: between must name a stage and a later stage or 'end'")
    start = stage_names.index(between[0])
    end = len(stage_names) if between[1] == "end" else -1
    if between[1] in stage_names:
        end = stage_names.index(between[1])
    if end <= start:
        raise ValueError(f"{label}: between {between}: the end must be a later stage or 'end'")
    bound = set(pattern.guaranteed(start))
    clause = _clause(raw, label, events, bound, dict(pattern.kinds), binds=False)
    return Unless(clause=clause, start=start, end=end)


def _clause(
    raw: Mapping[str, Any],
    label: str,
    events: EventCatalog,
    bound: set[str],
    kinds: dict[str, Kind],
    *,
    binds: bool,
) -> Clause:
    types = tuple(str(t) for t in raw.get("types", []))
    if not types:
        raise ValueError(f"{label}: no event types")
    for key in types:
        if key not in events.types:
            raise ValueError(f"{label}: unknown event type {key!r}")
    bind: list[tuple[str, str]] = []
    for var, source in dict(raw.get("bind", {})).items():
        if not _NAME.match(str(var)) or var in TEXT_FIELDS:
            raise ValueError(f"{label}: bad variable name {var!r}")
        if not binds and var not in bound:
            raise ValueError(f"{label}: variable {var!r} is used before it is bound")
        kind = _source_kind(str(source), label, events, types, integer=True)
        if kind is not None and kinds.setdefault(str(var), kind) != kind:
            raise ValueError(f"{label}: {var!r} is a {kinds[var]}, {source} a {kind}")
        bind.append((str(var), str(source)))
    local = bound | {var for var, _ in bind}
    conditions = []
    for text in raw.get("where", []):
        conditions.append(_condition(str(text), label, events, types, local))
    return Clause(str(raw.get("name", "unless")), types, tuple(bind), tuple(conditions))


def _condition(
    text: str, label: str, events: EventCatalog, types: Sequence[str], bound: set[str]
) -> Condition:
    match = _WHERE.match(text)
    if match is None:
        raise ValueError(f"{label}: where {text!r} is not 'source op value'")
    source, op, value = match.groups()
    if _NAME.match(value) and value not in ("true", "false"):
        if value not in bound:
            raise ValueError(f"{label}: variable {value!r} is used before it is bound")
        _source_kind(source, label, events, types, integer=True)
        return Condition(source, op, value, variable=True, kind="int")
    kind = _payload_kind(source, label, events, types)
    literal: float | str | bool
    if value in ("true", "false"):
        literal, wanted = value == "true", "bool"
    elif value[:1] in "'\"" and value[-1:] == value[:1] and len(value) >= 2:
        literal, wanted = value[1:-1], "str"
    else:
        try:
            literal, wanted = float(value), "number"
        except ValueError:
            raise ValueError(f"{label}: where {text!r}: bad value {value!r}") from None
    actual = "number" if kind in ("int", "float") else kind
    if actual != wanted:
        raise ValueError(f"{label}: where {text!r}: {source} is {kind}, not {wanted}")
    if actual in ("str", "bool") and op not in ("==", "!="):
        raise ValueError(f"{label}: where {text!r}: {op} needs a number")
    return Condition(source, op, literal, variable=False, kind=kind)


def _payload_kind(source: str, label: str, events: EventCatalog, types: Sequence[str]) -> str:
    if source in COLUMNS:
        return "int"
    if not source.startswith("payload."):
        raise ValueError(f"{label}: unknown source {source!r} (an actor column or payload.*)")
    field = source.removeprefix("payload.")
    found = set()
    for key in types:
        fields = {f.name: f.kind for f in events[key].payload}
        if field not in fields:
            raise ValueError(f"{label}: event type {key!r} has no payload field {field!r}")
        found.add(fields[field])
    if len(found) != 1:
        raise ValueError(f"{label}: payload field {field!r} has kinds {sorted(found)}")
    return found.pop()


def _source_kind(
    source: str, label: str, events: EventCatalog, types: Sequence[str], *, integer: bool
) -> Kind | None:
    kind = _payload_kind(source, label, events, types)
    if integer and kind != "int":
        raise ValueError(f"{label}: {source} is {kind}; variables hold ids (int)")
    return COLUMNS.get(source)


def _check_texts(pattern: Pattern) -> None:
    title_vars = pattern.guaranteed(pattern.surface - 1)
    _placeholders(pattern.title, f"pattern {pattern.name!r}, title", pattern, title_vars, ())
    _placeholders(pattern.ended, f"pattern {pattern.name!r}, ended", pattern, title_vars, ())
    for index, stage in enumerate(pattern.stages):
        label = f"pattern {pattern.name!r}, stage {stage.name!r}, text"
        _placeholders(stage.text, label, pattern, pattern.guaranteed(index), TEXT_FIELDS)


def _placeholders(
    text: str, label: str, pattern: Pattern, bound: frozenset[str], extra: Sequence[str]
) -> None:
    for _, field, _, _ in string.Formatter().parse(text):
        if field is None or field in extra:
            continue
        if field not in bound:
            raise ValueError(f"{label}: variable {field!r} is used before it is bound")
        if field not in pattern.kinds:
            raise ValueError(f"{label}: {field!r} names no entity (give it a kind)")
