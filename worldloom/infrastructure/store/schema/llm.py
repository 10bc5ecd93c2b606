"""LLM tables: every call's record and the procedural prose the LLM stage starts from."""

from __future__ import annotations

from worldloom.infrastructure.store.schema.table import declare

LLM_CALLS = declare(
    "llm_calls",
    ("run_id", "call_seq"),
    """
    run_id VARCHAR NOT NULL -- The flow run that made the call (runs).
    call_seq INTEGER NOT NULL -- The call's position within its run, from 0.
    stage VARCHAR NOT NULL -- The stage that made it (prose).
    entity VARCHAR NOT NULL -- What it wrote colour for: "region 3", "world", "npc 17"...
    template VARCHAR NOT NULL -- Prompt name: region, lore, settlement, faction, religion, notable.
    template_hash VARCHAR NOT NULL -- sha256 (hex) of the prompt template's source.
    provider VARCHAR NOT NULL -- Provider label, e.g. embedded or ollama/llama3.2.
    model VARCHAR NOT NULL -- Model name.
    cache_key VARCHAR NOT NULL -- Content-addressed request key; '' when it never got one.
    cache_hit BOOLEAN NOT NULL -- The value came from the cache.
    prompt_tokens BIGINT NOT NULL -- [tokens] Prompt tokens spent, over re-asks (0 on a hit).
    completion_tokens BIGINT NOT NULL -- [tokens] Completion tokens spent, over re-asks.
    latency_ms DOUBLE NOT NULL -- [ms] Wall time inside the gateway for this entity.
    attempts INTEGER NOT NULL -- [count] HTTP requests sent (asks, re-asks, SDK retries); 0 if none.
    outcome VARCHAR NOT NULL -- Where the value came from: llm, cache or fallback.
    fallback_reason VARCHAR -- Why the procedural writer was used; null unless outcome=fallback.
    detail VARCHAR -- Short human-readable cause of a fallback; null or '' otherwise.
    """,
    description=(
        "One record per LLM gateway call, written in batches as calls end (not exported). "
        "fallback_reason is one of llm_disabled, budget, deadline, circuit_open, unavailable, "
        "timeout, connection, rate_limited, server_error, http_error, validation, "
        "malformed_json, truncated."
    ),
    exported=False,
)


PROSE_BASELINE = declare(
    "prose_baseline",
    ("entity",),
    """
    entity VARCHAR NOT NULL -- What the text is about: "region <id>" or "world".
    name VARCHAR NOT NULL -- Its procedural name.
    text VARCHAR NOT NULL -- Its procedural text (a region's description, the world's lore).
    """,
    description=(
        "The procedural names and text the LLM stage starts from, so re-running it sees the "
        "same facts (and hits the cache) however the previous run renamed things (not exported)."
    ),
    exported=False,
)
PEOPLE_PROSE_BASELINE = declare(
    "people_prose_baseline",
    ("entity",),
    """
    entity VARCHAR NOT NULL -- "settlement <id>", "faction <id>", "religion <id>" or "npc <id>".
    name VARCHAR NOT NULL -- Its procedural name.
    text VARCHAR NOT NULL -- Its procedural text (a description, or a notable's biography).
    """,
    description=(
        "The people stage's procedural text: a table of its own, so each stage replaces only "
        "the baseline it wrote (not exported)."
    ),
    exported=False,
)
