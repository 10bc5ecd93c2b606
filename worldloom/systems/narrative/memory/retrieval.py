"""Memory retrieval: a notable's memories ranked by recency, importance and relevance to a topic."""

from __future__ import annotations

import re

import polars as pl

from worldloom.systems.narrative.memory.rules import MemoryRules

_WORD = re.compile(r"[a-z0-9]+(?::[0-9]+)?")


def keywords(text: str) -> frozenset[str]:
    """Lower-case words of a text; `npc:12`-style entity keys are kept whole."""
    return frozenset(_WORD.findall(text.lower()))


def recall(
    memories: pl.DataFrame, *, npc_id: int, topic: str, now_tick: int, k: int, rules: MemoryRules
) -> pl.DataFrame:
    """The notable's top-k memories for a topic (Generative Agents' retrieval, no embeddings).

    Recency is `decay_per_day ** days since the memory`, importance its 1..10 level, relevance
    the share of the topic's keywords found in the memory's topics or text. Each is min-max
    normalised over the notable's memories up to `now_tick` (a column without spread is 1 where
    it is positive, else 0), and `score` is their sum weighted by the rules; ties go to the
    higher memory id (memories are numbered in time order).

    Returns:
        The memories' columns (importance normalised, as a float) plus level (the memory's
        1..10 importance), recency, relevance and score, best first; at most k rows.
    """
    wanted = keywords(topic)
    mine = memories.filter((pl.col("npc_id") == npc_id) & (pl.col("tick") <= now_tick))
    words = [
        keywords(" ".join(topics) + " " + text)
        for topics, text in mine.select("topics", "text").iter_rows()
    ]
    relevance = [len(wanted & w) / len(wanted) if wanted else 0.0 for w in words]
    days = pl.lit(now_tick) - pl.col("tick")
    scored = mine.with_columns(
        pl.col("importance").alias("level"),
        pl.lit(rules.decay_per_day).pow(days).alias("recency"),
        pl.col("importance").cast(pl.Float64),
        pl.Series("relevance", relevance, dtype=pl.Float64),
    ).with_columns(_normalised("recency"), _normalised("importance"), _normalised("relevance"))
    weights = rules.weights
    score = (
        weights["recency"] * pl.col("recency")
        + weights["importance"] * pl.col("importance")
        + weights["relevance"] * pl.col("relevance")
    )
    return (
        scored.with_columns(score.alias("score"))
        .sort(["score", "memory_id"], descending=True)
        .head(k)
    )


def _normalised(column: str) -> pl.Expr:
    low, high = pl.col(column).min(), pl.col(column).max()
    flat = pl.when(pl.col(column) > 0).then(1.0).otherwise(0.0)
    return (
        pl.when(high > low)
        .then((pl.col(column) - low) / (high - low))
        .otherwise(flat)
        .alias(column)
    )
