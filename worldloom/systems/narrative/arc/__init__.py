"""Arcs: stories sifted from the event log by patterns (data/arcs.toml) compiled to SQL."""

from __future__ import annotations

from worldloom.systems.narrative.arc.book import (
    ARC_EVENTS_SCHEMA,
    ARC_PARTIALS_SCHEMA,
    ARC_ROLES_SCHEMA,
    ARCS_SCHEMA,
    ArcBook,
)
from worldloom.systems.narrative.arc.pattern import ArcPatterns, Pattern, Stage, Unless
from worldloom.systems.narrative.arc.query import compile_candidates, compile_probe
from worldloom.systems.narrative.arc.sift import RunSql, sift_arcs
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
