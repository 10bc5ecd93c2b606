"""LLM tables: every call's record and the procedural prose the LLM stage starts from."""

from __future__ import annotations

from worldloom.infrastructure.store.schema.table import declare

LLM_CALLS = declare(
    "llm_calls",
    ("run_id", "call_seq"),
    """
    run_id VARCHAR NOT NULL
    call_seq INTEGER NOT NULL
    stage VARCHAR NOT NULL
    entity VARCHAR NOT NULL
    template VARCHAR NOT NULL
    template_hash VARCHAR NOT NULL
    provider VARCHAR NOT NULL
    model VARCHAR NOT NULL
    cache_key VARCHAR NOT NULL
    cache_hit BOOLEAN NOT NULL
    prompt_tokens BIGINT NOT NULL
    completion_tokens BIGINT NOT NULL
    latency_ms DOUBLE NOT NULL
    attempts INTEGER NOT NULL
    outcome VARCHAR NOT NULL
    fallback_reason VARCHAR
    detail VARCHAR
    """,
    exported=False,
)


PROSE_BASELINE = declare(
    "prose_baseline",
    ("entity",),
    """
    entity VARCHAR NOT NULL
    name VARCHAR NOT NULL
    text VARCHAR NOT NULL
    """,
    exported=False,
)
"""The procedural names and text the LLM stage starts from, so re-running it sees the same
facts (and hits the cache) however the previous run renamed things."""
PEOPLE_PROSE_BASELINE = declare(
    "people_prose_baseline",
    ("entity",),
    """
    entity VARCHAR NOT NULL
    name VARCHAR NOT NULL
    text VARCHAR NOT NULL
    """,
    exported=False,
)
"""The people stage's procedural text (`settlement <id>`, `faction <id>`, `religion <id>`,
`npc <id>`): a table of its own, so each stage replaces only the baseline it wrote."""
