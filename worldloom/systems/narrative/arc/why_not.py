"""Why not (Felt): how many partial matches of a pattern survive each clause, stage by stage."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from worldloom.systems.narrative.arc.pattern import OPERATORS, ArcPatterns, Pattern, Stage
from worldloom.systems.narrative.arc.query import RunSql, compile_probe


@dataclass(frozen=True, slots=True)
class ClauseCount:
    """A clause of a stage and how many partial matches had an event passing it (and those
    before it)."""

    clause: str
    survivors: int


@dataclass(frozen=True, slots=True)
class StageReport:
    """A stage: the partial matches that reached it (1, the empty match, for the first) and
    what each of its clauses left."""

    stage: str
    entering: int
    clauses: tuple[ClauseCount, ...]

    @property
    def survivors(self) -> int:
        return self.clauses[-1].survivors


@dataclass(frozen=True, slots=True)
class WhyNot:
    """A pattern's stage reports up to the first stage nothing passed, and the full matches.

    Unless clauses and surfacing are not applied: this explains the stages' own clauses.
    """

    pattern: str
    stages: tuple[StageReport, ...]
    matches: int
    blocked: str | None
    """The first stage and clause that eliminated every partial match, or None."""

    def describe(self) -> list[str]:
        """The report as lines of text (for a CLI)."""
        lines = [f"pattern {self.pattern!r}: {self.matches} full matches"]
        for report in self.stages:
            counts = "; ".join(f"{c.clause}: {c.survivors}" for c in report.clauses)
            lines.append(f"stage {report.stage!r} ({report.entering} entering): {counts}")
        if self.blocked is not None:
            lines.append(self.blocked)
        return lines


@dataclass(frozen=True, slots=True)
class _Partial:
    bindings: Mapping[str, int]
    events: tuple[tuple[int, int, int], ...]  # (event_id, stage, tick)


def why_not(
    *,
    patterns: ArcPatterns,
    pattern: str,
    events: pl.DataFrame,
    run: RunSql,
    bindings: Mapping[str, int] | None = None,
) -> WhyNot:
    """Follow `pattern` over `events` stage by stage, counting survivors clause by clause.

    Partial matches start at every first-stage event (with `bindings` fixing some roles, e.g.
    {"attacker": 3}); each is extended by its earliest event passing a stage (or passes an optional
    stage unextended when no event does).

    Raises:
        KeyError: an unknown pattern. ValueError: a binding that is not a pattern variable.
    """
    chosen = patterns[pattern]
    fixed = dict(bindings or {})
    known = {var for stage in chosen.stages for var, _ in stage.clause.bind}
    if not set(fixed) <= known:
        raise ValueError(f"pattern {pattern!r}: no variables {sorted(set(fixed) - known)}")
    rows = run(compile_probe(chosen), {"events": events})
    by_stage: dict[int, list[dict[str, Any]]] = {}
    for row in rows.iter_rows(named=True):
        by_stage.setdefault(row["clause"], []).append(row)
    partials = [_Partial(fixed, ())]
    reports: list[StageReport] = []
    for index, stage in enumerate(chosen.stages):
        static, checks = _clauses(chosen, index, fixed)
        levels = _levels(by_stage.get(index, []), len(static))
        anchor = _anchor(chosen, index, fixed)
        lookup: dict[int | None, list[dict[str, Any]]] = {}
        if anchor is not None:
            for row in levels[-1][1]:
                lookup.setdefault(row["vals"][anchor[1]], []).append(row)
        counts = [0] * (len(static) + len(checks))
        extended: list[_Partial] = []
        for partial in partials:
            last = partial.events[-1][0] if partial.events else -1
            passed = [top > last for top, _ in levels]
            for number, ok in enumerate(passed):
                # The first stage counts events (each may start a match), later ones matches.
                counts[number] += len(levels[number][1]) if index == 0 else ok
            survivors = []
            if all(passed):
                pool = lookup.get(partial.bindings[anchor[0]], []) if anchor else levels[-1][1]
                survivors = [row for row in pool if row["event_id"] > last]
            for number, (_, test) in enumerate(checks, start=len(static)):
                survivors = [row for row in survivors if test(partial, row)]
                if not survivors:
                    break
                counts[number] += len(survivors) if index == 0 else 1
            picks = survivors if index == 0 else survivors[:1]
            extended += [_extend(stage, index, partial, row) for row in picks]
            if stage.optional and not picks:
                extended.append(partial)
        labels = [*static, *(label for label, _ in checks)]
        reports.append(
            StageReport(
                stage.name,
                len(partials),
                tuple(ClauseCount(label, n) for label, n in zip(labels, counts, strict=True)),
            )
        )
        if not extended:
            return WhyNot(chosen.name, tuple(reports), 0, _blocked(reports, labels, counts))
        partials = extended
    return WhyNot(chosen.name, tuple(reports), len(partials), None)


def _blocked(reports: Sequence[StageReport], labels: Sequence[str], counts: Sequence[int]) -> str:
    label = labels[counts.index(0)] if 0 in counts else labels[-1]
    last = reports[-1]
    before = (
        f" ({last.entering} partial matches reached stage {reports[-2].stage!r})"
        if len(reports) > 1
        else ""
    )
    return f"stage {last.stage!r}: no event passed '{label}'{before}"


_Test = Callable[[_Partial, Mapping[str, Any]], bool]


def _levels(rows: list[dict[str, Any]], static: int) -> list[tuple[int, list[dict[str, Any]]]]:
    """The rows left after the type and each literal condition, with their latest event id."""
    levels = []
    for number in range(static):
        if number:
            rows = [row for row in rows if row["checks"][number - 1]]
        levels.append((max((row["event_id"] for row in rows), default=-1), rows))
    return levels


def _anchor(pattern: Pattern, index: int, fixed: Mapping[str, int]) -> tuple[str, int] | None:
    """A variable every partial has bound when it reaches the stage, and its term's position."""
    known = (pattern.guaranteed(index - 1) if index else frozenset()) | set(fixed)
    clause = pattern.stages[index].clause
    for var, source in clause.bind:
        if var in known:
            return var, clause.terms.index(source)
    return None


def _clauses(
    pattern: Pattern, index: int, fixed: Mapping[str, int]
) -> tuple[list[str], list[tuple[str, _Test]]]:
    """The labels of the clauses any partial is tested against alike (type, literal
    conditions), then the clauses tested per partial (bound variables first)."""
    stage = pattern.stages[index]
    clause = stage.clause
    terms = {source: i for i, source in enumerate(clause.terms)}
    after = "" if index == 0 else " after the previous stage"
    static = [f"a {'/'.join(clause.types)} event{after}"]
    static += [f"{c.source} {c.op} {c.value!r}" for c in clause.where if not c.variable]
    anchor = _anchor(pattern, index, fixed)
    binds = sorted(clause.bind, key=lambda item: anchor is None or item[0] != anchor[0])
    checks: list[tuple[str, _Test]] = []
    for var, source in binds:
        shown = f" ({fixed[var]})" if var in fixed else ""
        checks.append((f"{source} = {var}{shown}", _binds(var, terms[source])))
    for condition in clause.where:
        if condition.variable:
            label = f"{condition.source} {condition.op} {condition.value}"
            checks.append((label, _compares(terms[condition.source], condition)))
    if stage.within_days is not None and index > 0:
        checks.append((f"within {stage.within_days} days", _within(stage.within_days)))
    if stage.caused_by is not None:
        cause = pattern.stages[stage.caused_by].name
        checks.append((f"caused by the {cause!r} event", _caused(stage.caused_by)))
    return static, checks


def _check(number: int) -> _Test:
    return lambda _, row: bool(row["checks"][number])


def _binds(var: str, term: int) -> _Test:
    def test(partial: _Partial, row: Mapping[str, Any]) -> bool:
        value = row["vals"][term]
        return value is not None and partial.bindings.get(var, value) == value

    return test


def _compares(term: int, condition: Any) -> _Test:
    def test(partial: _Partial, row: Mapping[str, Any]) -> bool:
        value = row["vals"][term]
        right = partial.bindings.get(str(condition.value))
        if value is None or right is None:
            return False
        return bool(OPERATORS[condition.op](value, right))

    return test


def _within(days: int) -> _Test:
    return lambda partial, row: row["tick"] - partial.events[-1][2] <= days


def _caused(stage: int) -> _Test:
    def test(partial: _Partial, row: Mapping[str, Any]) -> bool:
        causes = {e[0] for e in partial.events if e[1] == stage}
        return bool(causes.intersection(row["cause_ids"]))

    return test


def _extend(stage: Stage, index: int, partial: _Partial, row: Mapping[str, Any]) -> _Partial:
    terms = dict(zip(stage.clause.terms, row["vals"], strict=True))
    bindings = dict(partial.bindings)
    for var, source in stage.clause.bind:
        bindings.setdefault(var, terms[source])
    return _Partial(bindings, (*partial.events, (row["event_id"], index, row["tick"])))
