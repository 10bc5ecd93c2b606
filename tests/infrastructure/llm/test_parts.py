"""Cache keys and storage, budgets, the circuit breaker and the llm_calls frame."""

from __future__ import annotations

from pathlib import Path

import instructor

from worldloom.infrastructure.llm import (
    ResponseCache,
    compute_cache_key,
)
from worldloom.infrastructure.llm.budget import CircuitBreaker, RunBudget
from worldloom.infrastructure.llm.cache import CachedAnswer
from worldloom.infrastructure.llm.client import MODES

KEY_ARGS = {
    "provider": "ollama",
    "model": "m",
    "mode": "json_schema",
    "template": "region",
    "template_hash": "t" * 64,
    "messages": [{"role": "user", "content": "hi"}],
    "schema_hash": "s" * 64,
    "params": {"temperature": 0.7, "max_tokens": 100, "seed": 1},
}


def test_cache_key_covers_every_input() -> None:
    base = compute_cache_key(**KEY_ARGS)  # type: ignore[arg-type]  # table-driven kwargs
    assert base == compute_cache_key(**KEY_ARGS)  # type: ignore[arg-type]  # stable
    changes = {
        "provider": "openai",
        "model": "m2",
        "mode": "tools",
        "template": "lore",
        "template_hash": "u" * 64,
        "messages": [{"role": "user", "content": "hi!"}],
        "schema_hash": "x" * 64,
        "params": {"temperature": 0.7, "max_tokens": 100, "seed": 2},
    }
    for field, value in changes.items():
        assert compute_cache_key(**{**KEY_ARGS, field: value}) != base, field  # type: ignore[arg-type]  # table-driven kwargs


def test_cache_is_shared_across_instances_and_counts_lookups(tmp_path: Path) -> None:
    first = ResponseCache(tmp_path)
    first.store("k", CachedAnswer(json='{"a": 1}', prompt_tokens=3, completion_tokens=4))
    first.close()
    second = ResponseCache(tmp_path)
    assert second.lookup("k", lambda a: a) == CachedAnswer('{"a": 1}', 3, 4)
    assert second.lookup("missing", lambda a: a) is None
    assert second.lookup("k", lambda _a: None) is None  # stale entries count as misses
    stats = second.stats()
    assert (stats.entries, stats.hits, stats.misses) == (1, 1, 2)
    assert stats.hit_rate == 1 / 3
    second.close()


def test_cache_ignores_corrupt_entries(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path)
    cache._store.set("k", "not json")  # simulate a foreign or damaged entry
    assert cache.lookup("k", lambda a: a) is None
    cache.close()


def test_budget_reserves_and_refunds_calls() -> None:
    budget = RunBudget(max_calls=2)
    assert budget.try_reserve_call()
    assert budget.try_reserve_call()
    assert not budget.try_reserve_call()
    budget.release_call()
    assert budget.try_reserve_call()
    assert budget.calls_used == 2


def test_breaker_half_opens_after_cooldown() -> None:
    now = [0.0]
    breaker = CircuitBreaker(threshold=2, cooldown_s=10.0, clock=lambda: now[0])
    breaker.record_failure()
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.is_open
    assert not breaker.allow()
    now[0] = 11.0
    assert breaker.allow()  # one trial call
    assert not breaker.allow()  # ...and only one
    breaker.record_failure()  # trial failed: open again for a full cooldown
    assert not breaker.allow()
    now[0] = 22.0
    assert breaker.allow()
    breaker.record_success()
    assert not breaker.is_open
    assert breaker.allow()


def test_each_provider_mode_names_an_instructor_mode() -> None:
    assert {name: instructor.Mode(value) for name, value in MODES.items()} == {
        "json_schema": instructor.Mode.JSON_SCHEMA,
        "tools": instructor.Mode.TOOLS,
    }
