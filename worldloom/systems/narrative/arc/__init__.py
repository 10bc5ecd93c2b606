"""Arcs: stories sifted from the event log (Ryan; Kreminski's Felt and Winnow).

Patterns (data/arcs.toml, `ArcPatterns`) are ordered stages that bind variables from actor
columns and payload fields, with windows, cause links and Winnow's `unless ... between`
clauses. `compile_candidates` turns them into one DuckDB query (run by the caller: systems do
not import duckdb) that yields each clause's candidate events; `sift_arcs` gets the same rows
cheaper (the log parsed in Polars as `compile_log`'s SQL parses it, `parse_log`; the clauses
in Polars, `candidates`) and runs
them through an incremental matcher that resumes from the book's open matches (arc_partials),
so reading the log in any windows gives the same tables. Rules: one open match per pattern
and key; an event advances at most one match per pattern (the oldest), else may start one; a
match ends when an unless clause hits it or its window closes, completes at its last stage,
and is an arc once it has `surface` stages (ended ones below that leave nothing). `why_not`
counts what each clause of a pattern leaves, stage by stage (Felt's "why not").
"""

from __future__ import annotations

from worldloom.systems.narrative.arc.book import (
    ARC_EVENTS_SCHEMA,
    ARC_PARTIALS_SCHEMA,
    ARC_ROLES_SCHEMA,
    ARCS_SCHEMA,
    ArcBook,
)
from worldloom.systems.narrative.arc.pattern import ArcPatterns, Pattern, Stage, Unless
from worldloom.systems.narrative.arc.query import RunSql, compile_candidates, compile_probe
from worldloom.systems.narrative.arc.sift import sift_arcs
from worldloom.systems.narrative.arc.why_not import ClauseCount, StageReport, WhyNot, why_not

__all__ = [
    "ARCS_SCHEMA",
    "ARC_EVENTS_SCHEMA",
    "ARC_PARTIALS_SCHEMA",
    "ARC_ROLES_SCHEMA",
    "ArcBook",
    "ArcPatterns",
    "ClauseCount",
    "Pattern",
    "RunSql",
    "Stage",
    "StageReport",
    "Unless",
    "WhyNot",
    "compile_candidates",
    "compile_probe",
    "sift_arcs",
    "why_not",
]
