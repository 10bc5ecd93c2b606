"""What `worldloom usage` shows: requests, latency percentiles and errors by route and user,
and how the dialogue route was answered (cache, shared in-flight call, provider, fallback)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from worldloom.runtime.usage import connect, since


@dataclass(frozen=True, slots=True)
class UsageReport:
    """Usage over a window of time."""

    hours: float
    by_route: pl.DataFrame
    by_user: pl.DataFrame
    talk: pl.DataFrame
    """One row: requests, cache hits, shared, provider calls, fallbacks, hit rate, p50/p95."""


def usage_report(path: Path, *, hours: float) -> UsageReport:
    """Summarise the usage tables of the last `hours` hours."""
    db = connect(path)
    try:
        cutoff = since(hours)
        requests = _frame(
            db.execute(
                "SELECT route, method, status, latency_ms, coalesce(user, '-') AS user "
                "FROM usage WHERE at >= ?",
                [cutoff],
            ).fetchall(),
            {
                "route": pl.String,
                "method": pl.String,
                "status": pl.Int64,
                "latency_ms": pl.Float64,
                "user": pl.String,
            },
        )
        talks = _frame(
            db.execute(
                "SELECT cache_hit, shared, outcome, attempts, latency_ms FROM talk_calls "
                "WHERE at >= ?",
                [cutoff],
            ).fetchall(),
            {
                "cache_hit": pl.Int64,
                "shared": pl.Int64,
                "outcome": pl.String,
                "attempts": pl.Int64,
                "latency_ms": pl.Float64,
            },
        )
    finally:
        db.close()
    requests = requests.with_columns(pl.concat_str("method", pl.lit(" "), "route").alias("route"))
    return UsageReport(
        hours=hours,
        by_route=_summary(requests, "route"),
        by_user=_summary(requests, "user"),
        talk=_talk_summary(talks),
    )


def _frame(rows: list[tuple[object, ...]], schema: dict[str, type[pl.DataType]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row")


def _summary(requests: pl.DataFrame, by: str) -> pl.DataFrame:
    return (
        requests.group_by(by)
        .agg(
            pl.len().alias("requests"),
            pl.col("latency_ms").quantile(0.5, "nearest").round(2).alias("p50_ms"),
            pl.col("latency_ms").quantile(0.95, "nearest").round(2).alias("p95_ms"),
            (pl.col("status").is_between(400, 499)).sum().alias("4xx"),
            (pl.col("status") >= 500).sum().alias("5xx"),
        )
        .sort(["requests", by], descending=[True, False])
    )


def _talk_summary(talks: pl.DataFrame) -> pl.DataFrame:
    total = talks.height
    hits = int(talks["cache_hit"].sum()) if total else 0
    shared = int(talks["shared"].sum()) if total else 0
    provider = int((talks["attempts"] > 0).sum()) if total else 0
    fallbacks = int((talks["outcome"] == "fallback").sum()) if total else 0
    latency = talks["latency_ms"]
    return pl.DataFrame(
        {
            "requests": [total],
            "cache_hits": [hits],
            "shared": [shared],
            "provider_calls": [provider],
            "fallbacks": [fallbacks],
            "cache_hit_rate": [round(hits / total, 3) if total else None],
            "p50_ms": [round(float(latency.quantile(0.5, "nearest") or 0), 2) if total else None],
            "p95_ms": [round(float(latency.quantile(0.95, "nearest") or 0), 2) if total else None],
        }
    )
