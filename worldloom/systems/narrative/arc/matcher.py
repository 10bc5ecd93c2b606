"""The incremental matcher: partial matches advanced, ended and started event by event."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from worldloom.systems.narrative.arc.pattern import MAX_PATTERNS, OPERATORS, Clause, Pattern
from worldloom.systems.narrative.arc.query import Candidate


@dataclass(slots=True)
class Match:
    """A partial (or finished) match: mutable while one call of the matcher runs, then frozen
    into rows. `events` holds (event_id, stage, tick, importance) in the order they joined."""

    arc_id: int
    pos: int
    bindings: dict[str, int]
    events: list[tuple[int, int, int, int]]
    status: str = "in_progress"
    touched: bool = True
    deadline: int | None = field(default=None)


def open_window(pattern: Pattern, pos: int) -> int | None:
    """How many days after its last event a match at stage `pos` can still advance: None when
    a stage it can reach next has no window."""
    reach = [pos] if pattern.stages[pos].repeat else []
    for index in range(pos + 1, len(pattern.stages)):
        reach.append(index)
        if not pattern.stages[index].optional:
            break
    windows = [pattern.stages[i].within_days for i in reach]
    if any(w is None for w in windows):
        return None
    return max(w for w in windows if w is not None)


def windows(pattern: Pattern) -> list[int | None]:
    """`open_window` of each stage an open match can sit at (never the last: reaching it
    completes the match)."""
    return [open_window(pattern, pos) for pos in range(len(pattern.stages) - 1)]


def bind_row(
    clause: Clause, vals: Sequence[int | None], bindings: Mapping[str, int]
) -> dict[str, int] | None:
    """The bindings after a row of `clause` joins, or None when it contradicts them."""
    terms = dict(zip(clause.terms, vals, strict=True))
    local = dict(bindings)
    for var, source in clause.bind:
        value = terms[source]
        if value is None or local.setdefault(var, value) != value:
            return None
    for condition in clause.where:
        if condition.variable:
            left = terms[condition.source]
            right = local[str(condition.value)]
            if left is None or not OPERATORS[condition.op](left, right):
                return None
    return local


def anchors(pattern: Pattern) -> dict[tuple[str, int], tuple[str, int] | None]:
    """Per clause ((kind, index): 's' a stage, 'u' an unless clause), the variable a row of it
    looks open matches up by and that variable's position in the clause's terms; None when
    its rows look at every open match. A stage looks up by a variable every match it may
    advance has bound (the key, for the first); an unless clause by its first binding."""
    found: dict[tuple[str, int], tuple[str, int] | None] = {}
    clauses = [("s", n, stage.clause) for n, stage in enumerate(pattern.stages)]
    clauses += [("u", n, unless.clause) for n, unless in enumerate(pattern.unless)]
    for kind, number, clause in clauses:
        if kind == "u":
            known = [var for var, _ in clause.bind]
        else:
            bound = pattern.guaranteed(number - 1) if number else frozenset(pattern.key)
            known = [var for var, _ in clause.bind if var in bound]
        source = dict(clause.bind)
        found[kind, number] = (known[0], clause.terms.index(source[known[0]])) if known else None
    return found


class PatternRun:
    """One pattern's open matches, indexed by key and by bound values, with their deadlines."""

    def __init__(self, pattern: Pattern, index: int, matches: Iterable[Match]) -> None:
        self.pattern = pattern
        self.index = index
        self.open: dict[int, Match] = {}
        self.keys: dict[tuple[int, ...], int] = {}
        # Arc ids as the keys of dicts, not sets: a dict of ints only is no garbage collector's
        # to track, and a year's runs hold ~12,000 of them.
        self.by_value: dict[tuple[str, int], dict[int, None]] = {}
        self.heap: list[tuple[int, int]] = []
        self.closed: list[Match] = []
        stage0 = pattern.stages[0].clause
        self.key_sources = [dict(stage0.bind)[var] for var in pattern.key]
        self.windows = windows(pattern)
        self.anchors = anchors(pattern)
        for match in matches:
            match.touched = False
            self._add(match)

    def key_of(self, match: Match) -> tuple[int, ...]:
        return tuple(match.bindings[var] for var in self.pattern.key)

    def _add(self, match: Match) -> None:
        self.open[match.arc_id] = match
        self.keys[self.key_of(match)] = match.arc_id
        self._index(match)
        # The last day the match can still advance (None: it waits for ever).
        window = self.windows[match.pos]
        match.deadline = None if window is None else match.events[-1][2] + window
        if match.deadline is not None:
            heapq.heappush(self.heap, (match.deadline, match.arc_id))

    def _index(self, match: Match) -> None:
        for item in match.bindings.items():
            self.by_value.setdefault(item, {})[match.arc_id] = None

    def close(self, match: Match, status: str) -> None:
        """End or complete an open match."""
        del self.open[match.arc_id]
        del self.keys[self.key_of(match)]
        for item in match.bindings.items():
            self.by_value[item].pop(match.arc_id, None)
        match.status, match.touched = status, True
        self.closed.append(match)

    def expire(self, clock: int) -> None:
        """End every open match whose window closed before `clock`."""
        while self.heap and self.heap[0][0] < clock:
            deadline, arc_id = heapq.heappop(self.heap)
            match = self.open.get(arc_id)
            if match is not None and match.deadline == deadline:
                self.close(match, "ended")

    def _candidates(self, kind: str, clause: int, vals: Sequence[Any]) -> list[int]:
        anchor = self.anchors[kind, clause]
        if anchor is None:
            return sorted(self.open)
        return sorted(self.by_value.get((anchor[0], vals[anchor[1]]), ()))

    def feed(self, event: Sequence[Candidate]) -> None:
        """Apply one event's candidate rows: unless clauses, then advance one match, or start."""
        head = event[0]
        pattern = self.pattern
        for row in event:
            if row.kind == "u":
                self._unless(row)
        stage_rows = [row for row in event if row.kind == "s"]
        best: tuple[int, int, dict[str, int]] | None = None
        furthest_first = sorted(stage_rows, key=lambda r: -r.clause)
        for arc_id in sorted({a for row in stage_rows for a in self._rows_candidates(row)}):
            match = self.open[arc_id]
            for row in furthest_first:
                bindings = self._advance(match, row)
                if bindings is not None:
                    best = (arc_id, row.clause, bindings)
                    break
            if best is not None:
                break
        if best is not None:
            self._extend(self.open[best[0]], best[1], best[2], head)
            return
        for row in stage_rows:
            if row.clause != 0:
                continue
            bindings = bind_row(pattern.stages[0].clause, row.vals, {})
            if bindings is None:
                continue
            key = tuple(bindings[var] for var in pattern.key)
            if key in self.keys:
                continue
            arc_id = head.event_id * MAX_PATTERNS + self.index
            match = Match(arc_id, 0, bindings, [_entry(head, 0)])
            self._after(match)
            return

    def _unless(self, row: Candidate) -> None:
        unless = self.pattern.unless[row.clause]
        for arc_id in self._candidates("u", row.clause, row.vals):
            match = self.open[arc_id]
            inside = unless.start <= match.pos < unless.end
            if inside and bind_row(unless.clause, row.vals, match.bindings) is not None:
                self.close(match, "ended")

    def _rows_candidates(self, row: Candidate) -> list[int]:
        return self._candidates("s", row.clause, row.vals)

    def _advance(self, match: Match, row: Candidate) -> dict[str, int] | None:
        stage_index = row.clause
        stage = self.pattern.stages[stage_index]
        allowed = stage_index == match.pos and stage.repeat
        if stage_index > match.pos:
            skipped = self.pattern.stages[match.pos + 1 : stage_index]
            allowed = all(s.optional for s in skipped)
        if not allowed:
            return None
        last_tick = match.events[-1][2]
        if stage.within_days is not None and row.tick - last_tick > stage.within_days:
            return None
        if stage.caused_by is not None:
            causes = {e[0] for e in match.events if e[1] == stage.caused_by}
            if not causes.intersection(row.cause_ids):
                return None
        return bind_row(stage.clause, row.vals, match.bindings)

    def _extend(self, match: Match, stage: int, bindings: dict[str, int], head: Candidate) -> None:
        match.bindings = bindings
        match.pos = stage
        match.events.append(_entry(head, stage))
        match.touched = True
        del self.open[match.arc_id]
        del self.keys[self.key_of(match)]
        self._after(match)

    def _after(self, match: Match) -> None:
        if match.pos == len(self.pattern.stages) - 1:
            self.open[match.arc_id] = match
            self.keys[self.key_of(match)] = match.arc_id
            self._index(match)
            self.close(match, "complete")
            return
        self._add(match)


def _entry(row: Candidate, stage: int) -> tuple[int, int, int, int]:
    return (row.event_id, stage, row.tick, row.importance)
