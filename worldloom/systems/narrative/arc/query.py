"""Sifting patterns compiled: each clause's candidate events, with their terms (DuckDB SQL, or
the parsed log in SQL and the clauses in Polars)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import repeat
from typing import NamedTuple

import polars as pl

from worldloom.systems.narrative.arc.pattern import (
    OPERATORS,
    ArcPatterns,
    Clause,
    Condition,
    Pattern,
)

_SWAP = {"faction_id": "other_faction_id", "other_faction_id": "faction_id"}
_CASTS = {"int": "BIGINT", "float": "DOUBLE", "bool": "BOOLEAN"}
_SQL_OPS = {"==": "=", "!=": "<>"}
RunSql = Callable[[str, Mapping[str, pl.DataFrame]], pl.DataFrame]
"""Runs SQL over frames registered by name (store.frames.run_sql): systems may not run DuckDB."""
EVENT_COLUMNS = "event_id, tick, clock, importance, cause_ids"
"""What every candidate row carries besides its pattern, clause and terms."""


class Candidate(NamedTuple):
    """A row of `candidates` (or `compile_candidates`): an event that may match a clause."""

    pattern: int
    kind: str
    clause: int
    swapped: bool
    event_id: int
    tick: int
    clock: int
    importance: int
    cause_ids: Sequence[int]
    vals: Sequence[int | None]


_PLAIN = Candidate._fields[:-2]
"""The fields that are one value a row: the others are lists."""


def candidate_rows(rows: pl.DataFrame) -> Iterator[Candidate]:
    """`rows` (`candidates`') as `Candidate`s, made as they are read.

    The columns are converted whole (row by row, the two list columns cost ~5x as much), but
    into no list a row: `vals` are tuples, built from a column per term, and `cause_ids` an
    empty tuple for the rows without causes (most). A year's tens of thousands of rows held
    at once, each with its two lists, set off most of a sifting's full garbage collections.
    """
    plain = [rows[name].to_list() for name in _PLAIN]
    widths = rows["vals"].list.len().to_list()
    terms = [
        rows["vals"].list.get(i, null_on_oob=True).to_list() for i in range(max(widths, default=0))
    ]
    values = zip(*terms, strict=True) if terms else repeat((), rows.height)
    caused = rows.with_row_index("row").filter(pl.col("cause_ids").list.len() > 0)
    causes = dict(zip(caused["row"].to_list(), caused["cause_ids"].to_list(), strict=True))
    for row, (head, width, vals) in enumerate(
        zip(zip(*plain, strict=True), widths, values, strict=True)
    ):
        yield Candidate._make((*head, causes.get(row, ()), vals[:width]))


def compile_candidates(patterns: ArcPatterns) -> str:
    """SQL over the relation `events`: every event that may match a clause of a pattern.

    One row per (pattern, clause, event, orientation): `pattern` (its index), `kind` ('s' a
    stage, 'u' an unless clause), `clause` (its index), `swapped` (an either-way stage read
    with the two factions exchanged), the event's id, tick, `clock` (the latest day the log
    has reached at that event: ticks are not in event order), importance, cause_ids, and
    `vals` (the clause's terms as BIGINT, in `Clause.terms` order). Type and literal payload
    conditions filter in SQL, after a first filter on every type the patterns use.
    """
    selects = [
        _select(index, kind, number, clause, swapped, probe=False)
        for index, pattern in enumerate(patterns.patterns)
        for kind, number, clause, either in _clauses(pattern)
        for swapped in ((False, True) if either else (False,))
    ]
    clauses = [c for p in patterns.patterns for _, _, c, _ in _clauses(p)]
    return (
        _head(clauses)
        + "\nUNION ALL\n".join(selects)
        + "\nORDER BY pattern, event_id, kind DESC, clause, swapped"
    )


def compile_log(patterns: ArcPatterns) -> str:
    """SQL over the relation `events`: the log `candidates` reads, i.e. the events of the types
    the patterns use, with their `clock` and each payload field a clause reads parsed once."""
    clauses = [c for p in patterns.patterns for _, _, c, _ in _clauses(p)]
    return _head(clauses) + "SELECT * FROM ev"


def parse_log(patterns: ArcPatterns, events: pl.DataFrame) -> pl.DataFrame:
    """The log `compile_log`'s SQL gives over `events`, computed in Polars: the events of the
    types the patterns use, with their `clock` and each payload field a clause reads parsed
    and cast as DuckDB's `json_extract_string` and `TRY_CAST` do (an in-memory DuckDB per
    call cost more than the year's parsing)."""
    clauses = [c for p in patterns.patterns for _, _, c, _ in _clauses(p)]
    types = sorted({t for clause in clauses for t in clause.types})
    fields = {(source, "int") for clause in clauses for source in clause.terms}
    fields |= {(c.source, c.kind) for clause in clauses for c in clause.where if not c.variable}
    wanted = sorted((s, k) for s, k in fields if s.startswith("payload."))
    keys = sorted({source.removeprefix("payload.") for source, _ in wanted})
    log = (
        events.sort("event_id")
        .with_columns(clock=pl.col("tick").cum_max())
        .filter(pl.col("type").is_in(types))
    )
    if not keys:
        return log
    # The payload parsed once, each field read as text as json_extract_string gives it (a
    # number may be spelled otherwise, 4 for 4.0, but it is cast to a number: str fields hold
    # text, as the event catalog's kinds say).
    texts = log["payload"].str.json_decode(pl.Struct(dict.fromkeys(keys, pl.String)))
    parsed = texts.struct.unnest()
    return log.with_columns(
        _cast(parsed[source.removeprefix("payload.")], kind).alias(
            _value(source, kind, swapped=False)
        )
        for source, kind in wanted
    )


_TRUE, _FALSE = ["true", "t", "yes", "y", "1"], ["false", "f", "no", "n", "0"]
"""The texts DuckDB casts to a boolean (any case)."""


def _cast(text: pl.Series, kind: str) -> pl.Series:
    """A payload field's text cast to its kind as DuckDB's TRY_CAST does (null if it fails)."""
    if kind == "str":
        return text
    frame = text.to_frame("t")
    if kind == "bool":
        lower = pl.col("t").str.to_lowercase()
        test = pl.when(lower.is_in(_TRUE)).then(True).when(lower.is_in(_FALSE)).then(False)
        return frame.select(test).to_series()
    number = pl.col("t").cast(pl.Float64, strict=False)
    if kind == "float":
        return frame.select(number).to_series()
    # DuckDB casts a decimal text to an integer rounded half away from zero.
    rounded = number.round(0, mode="half_away_from_zero").cast(pl.Int64, strict=False)
    return frame.select(pl.coalesce(pl.col("t").cast(pl.Int64, strict=False), rounded)).to_series()


def candidates(patterns: ArcPatterns, log: pl.DataFrame) -> pl.DataFrame:
    """The rows `compile_candidates` gives, from the log `compile_log` gives.

    A DuckDB query of one SELECT per clause spends ~1 ms planning each: a year's few thousand
    events cost less filtered clause by clause here.
    """
    lazy = log.lazy()
    selects = [
        lazy.filter(_frame_test(clause, swapped)).select(
            pattern=pl.lit(index, pl.Int32),
            kind=pl.lit(kind),
            clause=pl.lit(number, pl.Int32),
            swapped=pl.lit(swapped),
            event_id="event_id",
            tick="tick",
            clock="clock",
            importance="importance",
            cause_ids="cause_ids",
            vals=_frame_vals(clause, swapped),
        )
        for index, pattern in enumerate(patterns.patterns)
        for kind, number, clause, either in _clauses(pattern)
        for swapped in ((False, True) if either else (False,))
    ]
    order = ["pattern", "event_id", "kind", "clause", "swapped"]
    return pl.concat(selects).sort(order, descending=[False, False, True, False, False]).collect()


def _frame_column(source: str, kind: str, swapped: bool) -> pl.Expr:
    """`_value` as a Polars expression over the parsed log."""
    if not source.startswith("payload."):
        return pl.col(_SWAP.get(source, source) if swapped else source).cast(pl.Int64)
    return pl.col(_value(source, kind, swapped))


def _frame_test(clause: Clause, swapped: bool) -> pl.Expr:
    """`_select`'s filter: the clause's types, literal conditions (null: false), terms set."""
    test = pl.col("type").is_in(list(clause.types))
    for condition in clause.where:
        if not condition.variable:
            column = _frame_column(condition.source, condition.kind, swapped)
            value = condition.value
            literal = pl.lit(value if isinstance(value, bool | str) else float(value))
            test &= OPERATORS[condition.op](column, literal).fill_null(False)
    for source in clause.terms:
        test &= _frame_column(source, "int", swapped).is_not_null()
    return test


def _frame_vals(clause: Clause, swapped: bool) -> pl.Expr:
    terms = [_frame_column(source, "int", swapped) for source in clause.terms]
    return pl.concat_list(terms) if terms else pl.lit([], dtype=pl.List(pl.Int64))


def compile_probe(pattern: Pattern) -> str:
    """SQL over `events`: every event of a stage's types, unfiltered by its conditions.

    Rows as `compile_candidates` gives them (clause = the stage), with `vals` possibly null
    and `checks` (one BOOLEAN per literal condition of the stage, in order), so `why_not`
    can count what each clause removes.
    """
    selects = [
        _select(0, "s", number, clause, swapped, probe=True)
        for kind, number, clause, either in _clauses(pattern)
        if kind == "s"
        for swapped in ((False, True) if either else (False,))
    ]
    clauses = [stage.clause for stage in pattern.stages]
    return _head(clauses) + "\nUNION ALL\n".join(selects) + "\nORDER BY event_id, clause, swapped"


def _clauses(pattern: Pattern) -> Iterator[tuple[str, int, Clause, bool]]:
    for number, stage in enumerate(pattern.stages):
        yield "s", number, stage.clause, stage.either_way
    for number, unless in enumerate(pattern.unless):
        yield "u", number, unless.clause, False


def _head(clauses: list[Clause]) -> str:
    """The log with its clock, cut to the clauses' types, each payload field parsed once."""
    types = sorted({t for clause in clauses for t in clause.types})
    fields = {(source, "int") for clause in clauses for source in clause.terms}
    fields |= {(c.source, c.kind) for clause in clauses for c in clause.where if not c.variable}
    parsed = "".join(
        f", {_parse(source, kind)} AS {_value(source, kind, swapped=False)}"
        for source, kind in sorted(fields)
        if source.startswith("payload.")
    )
    listed = ", ".join(_quote(t) for t in types)
    return (
        "WITH log AS MATERIALIZED (SELECT *, max(tick) OVER (ORDER BY event_id ROWS BETWEEN "
        "UNBOUNDED PRECEDING AND CURRENT ROW) AS clock FROM events),\n"
        f"ev AS MATERIALIZED (SELECT *{parsed} FROM log WHERE type IN ({listed}))\n"
    )


def _select(
    pattern: int, kind: str, number: int, clause: Clause, swapped: bool, *, probe: bool
) -> str:
    terms = [_value(source, "int", swapped) for source in clause.terms]
    vals = "[" + ", ".join(terms) + "]" if terms else "CAST([] AS BIGINT[])"
    listed = ", ".join(_quote(t) for t in clause.types)
    literal = [_test(c, swapped) for c in clause.where if not c.variable]
    head = (
        f"SELECT {pattern} AS pattern, '{kind}' AS kind, {number} AS clause, "
        f"{str(swapped).lower()} AS swapped, {EVENT_COLUMNS}, {vals} AS vals"
    )
    if probe:
        checks = "[" + ", ".join(literal) + "]" if literal else "CAST([] AS BOOLEAN[])"
        return f"{head}, {checks} AS checks FROM ev WHERE type IN ({listed})"
    filters = [f"type IN ({listed})", *literal, *(f"{term} IS NOT NULL" for term in terms)]
    return f"{head} FROM ev WHERE " + " AND ".join(filters)


def _value(source: str, kind: str, swapped: bool) -> str:
    """The column holding a source: an actor column, or a payload field `ev` parsed."""
    if not source.startswith("payload."):
        column = _SWAP.get(source, source) if swapped else source
        return f"CAST({column} AS BIGINT)"
    return f"p_{source.removeprefix('payload.')}_{kind}"


def _parse(source: str, kind: str) -> str:
    path = _quote("$." + source.removeprefix("payload."))
    text = f"json_extract_string(payload, {path})"
    return text if kind == "str" else f"TRY_CAST({text} AS {_CASTS[kind]})"


def _test(condition: Condition, swapped: bool) -> str:
    value = condition.value
    if isinstance(value, bool):
        literal = str(value).lower()
    elif isinstance(value, str):
        literal = _quote(value)
    else:
        literal = repr(float(value))
    op = _SQL_OPS.get(condition.op, condition.op)
    return f"coalesce({_value(condition.source, condition.kind, swapped)} {op} {literal}, false)"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
