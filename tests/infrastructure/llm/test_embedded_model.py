"""Contract tests on the real embedded model (SmolLM2 via llama.cpp): a handful of calls."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from worldloom.infrastructure.llm import CallRecord, LLMGateway, PromptSpec, open_gateway
from worldloom.prompts.catalog import EXAMPLES, PROMPTS

pytestmark = pytest.mark.llm

SEEDS_PER_EXAMPLE = 3
"""Seeds per example facts. With the colour prompts SmolLM2 answers nearly every call validly
(bench/llm_audit.py: 132 of 132 over three small worlds), but a prompt still gets every
example's seeds before it counts as never validating."""

MODEL_FAILURES = {"validation", "malformed_json", "truncated"}
"""Reasons that mean the model answered badly (not that the layer is broken)."""


def _ask_until_valid(gateway: LLMGateway, spec: PromptSpec[Any, Any]) -> list[CallRecord]:
    """Ask each example's seeds in turn until an answer validates (from the model or the
    cache); the records of every try, in order. The re-run below repeats exactly these tries."""
    records = []
    for facts in EXAMPLES[spec.name]:
        for seed in range(SEEDS_PER_EXAMPLE):
            result = gateway.generate(
                spec, facts, fallback=spec.response_model.model_construct, seed=seed
            )
            records.append(result.record)
            if result.record.outcome != "fallback":
                assert isinstance(result.value, spec.response_model)
                return records
    return records


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("llm-cache")


@pytest.fixture(scope="module")
def embedded(cache_dir: Path) -> Iterator[LLMGateway]:
    """One embedded server for the module; the test below checks it is stopped afterwards."""
    gateway = open_gateway("embedded", cache_dir=cache_dir)
    yield gateway
    gateway.close()


@pytest.mark.parametrize("spec", PROMPTS, ids=lambda spec: spec.name)
def test_prompt_validates_on_the_embedded_model(
    embedded: LLMGateway, spec: PromptSpec[Any, Any]
) -> None:
    records = _ask_until_valid(embedded, spec)
    details = [(r.fallback_reason, r.detail) for r in records]
    assert records[-1].outcome == "llm", f"no valid answer in {len(records)} tries: {details}"
    assert records[-1].attempts <= spec.max_retries + 1
    assert records[-1].completion_tokens > 0
    assert {r.fallback_reason for r in records[:-1]} <= MODEL_FAILURES


def test_rerun_hits_the_cache_without_starting_the_model(
    embedded: LLMGateway, cache_dir: Path
) -> None:
    answered = [r for r in embedded.drain_records() if r.outcome == "llm"]  # from the tests above
    assert answered, "run the whole module: the contract tests fill the cache"
    with open_gateway("embedded", cache_dir=cache_dir) as rerun:
        records = [record for spec in PROMPTS for record in _ask_until_valid(rerun, spec)]
        server = rerun.embedded_server
        assert server is not None
        started = server.running
    outcomes = {(r.template, r.cache_key): r.outcome for r in records}
    for record in answered:
        assert outcomes[(record.template, record.cache_key)] == "cache"
    # Answers and remembered failures alike come from the cache: the model is never started.
    assert all(r.cache_hit and r.attempts == 0 for r in records)
    assert not started


def test_server_stops_and_frees_its_port(embedded: LLMGateway) -> None:
    server = embedded.embedded_server
    assert server is not None
    report = embedded.status()
    assert report.reachable
    address = server.address
    assert address is not None
    embedded.close()
    assert not server.running
    parts = urlsplit(address)
    with socket.socket() as probe:
        assert probe.connect_ex((parts.hostname or "127.0.0.1", parts.port or 0)) != 0
