"""Gateway behaviour through a scripted transport: answers, re-asks, failures, fallbacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.infrastructure.llm.conftest import REAL_WORLD, VALID, GatewayFactory, procedural
from tests.infrastructure.llm.scripted import (
    ScriptedEndpoint,
    answer,
    forbid_requests,
    status,
    timeout,
)
from worldloom.infrastructure.llm import LLMGateway, ProviderSpec
from worldloom.infrastructure.llm.cache import CachedFailure, ResponseCache
from worldloom.infrastructure.llm.embedded import EmbeddedServer
from worldloom.prompts.region import REGION_PROMPT, RegionFacts


def test_valid_answer_is_returned_and_recorded(
    make_gateway: GatewayFactory, facts: RegionFacts
) -> None:
    endpoint = ScriptedEndpoint(answer(VALID, prompt_tokens=120, completion_tokens=40))
    gateway = make_gateway(endpoint)

    result = gateway.generate(REGION_PROMPT, facts, fallback=procedural, seed=7)

    assert result.value.chosen_name(facts.name_candidates) == "Ember Vale"
    assert result.value.sentence() in {
        "It is misty country, full of birdsong and the smell of moss.",
        "Travellers remember its birdsong and the smell of moss, and call it misty.",
        "The land feels misty here, with birdsong by day and the smell of moss at dusk.",
    }
    record = result.record
    assert (record.outcome, record.attempts, record.fallback_reason) == ("llm", 1, None)
    assert (record.prompt_tokens, record.completion_tokens) == (120, 40)
    assert record.provider == "openai/test-model"
    assert record.template == "region"
    assert len(endpoint.requests) == 1
    sent = endpoint.requests[0]
    assert sent["response_format"]["type"] == "json_schema"
    assert (sent["seed"], sent["max_tokens"]) == (7, REGION_PROMPT.max_tokens)
    assert sent["temperature"] == REGION_PROMPT.temperature
    assert [m["role"] for m in sent["messages"]] == ["system", "user"]
    assert "Silverrun" in sent["messages"][1]["content"]
    assert gateway.drain_records() == [record]
    assert gateway.drain_records() == []


def test_invalid_then_valid_makes_exactly_one_reask(
    make_gateway: GatewayFactory, facts: RegionFacts
) -> None:
    endpoint = ScriptedEndpoint(answer(REAL_WORLD), answer(VALID))
    gateway = make_gateway(endpoint)

    result = gateway.generate(REGION_PROMPT, facts, fallback=procedural)

    assert (result.record.outcome, result.record.attempts) == ("llm", 2)
    assert len(endpoint.requests) == 2
    reask = endpoint.requests[1]["messages"]
    assert len(reask) > 2  # the failed answer and the validation error were fed back
    assert "hot stone" in json.dumps(reask[2:])


def test_always_invalid_falls_back_after_max_retries(
    make_gateway: GatewayFactory, facts: RegionFacts
) -> None:
    endpoint = ScriptedEndpoint(answer(REAL_WORLD))
    gateway = make_gateway(endpoint)

    result = gateway.generate(REGION_PROMPT, facts, fallback=procedural)

    assert result.value == procedural()
    record = result.record
    assert (record.outcome, record.fallback_reason) == ("fallback", "validation")
    assert "hot stone" in record.detail
    assert record.attempts == REGION_PROMPT.max_retries + 1
    assert len(endpoint.requests) == REGION_PROMPT.max_retries + 1
    assert record.prompt_tokens == 10 * record.attempts  # usage summed over re-asks


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (timeout, "timeout"),
        (status(500), "server_error"),
        (status(503), "server_error"),
        (status(429, "slow down"), "rate_limited"),
        (status(404, "model not found"), "http_error"),
    ],
)
def test_infrastructure_failures_fall_back_without_retry_storm(
    make_gateway: GatewayFactory, facts: RegionFacts, reply: object, reason: str
) -> None:
    endpoint = ScriptedEndpoint(reply)  # type: ignore[arg-type]  # parametrised reply
    gateway = make_gateway(endpoint)

    result = gateway.generate(REGION_PROMPT, facts, fallback=procedural)

    assert (result.record.outcome, result.record.fallback_reason) == ("fallback", reason)
    assert len(endpoint.paths) == 1  # SDK retries are off for local providers


@pytest.mark.parametrize(
    "reply",
    [
        answer('{"name": 1, "mood": "unterminated'),
        answer("Sure! Here is your region: Emberfall."),
    ],
)
def test_malformed_json_is_reasked_then_falls_back(
    make_gateway: GatewayFactory, facts: RegionFacts, reply: object
) -> None:
    endpoint = ScriptedEndpoint(reply)  # type: ignore[arg-type]  # parametrised reply
    gateway = make_gateway(endpoint)

    result = gateway.generate(REGION_PROMPT, facts, fallback=procedural)

    assert result.record.fallback_reason == "malformed_json"
    assert len(endpoint.requests) == REGION_PROMPT.max_retries + 1


def test_non_json_http_body_is_malformed_json(
    make_gateway: GatewayFactory, facts: RegionFacts
) -> None:
    import httpx2

    garbage = httpx2.Response(
        200, content=b"<html>gateway</html>", headers={"content-type": "application/json"}
    )
    gateway = make_gateway(ScriptedEndpoint(garbage))

    result = gateway.generate(REGION_PROMPT, facts, fallback=procedural)

    assert result.record.fallback_reason == "malformed_json"


def test_answer_cut_by_max_tokens_is_truncated(
    make_gateway: GatewayFactory, facts: RegionFacts
) -> None:
    endpoint = ScriptedEndpoint(answer('{"name": 1, "mo', finish_reason="length"))
    gateway = make_gateway(endpoint)

    result = gateway.generate(REGION_PROMPT, facts, fallback=procedural)

    assert result.record.fallback_reason == "truncated"


def test_call_budget_sends_the_rest_to_the_fallback(
    make_gateway: GatewayFactory, facts: RegionFacts
) -> None:
    endpoint = ScriptedEndpoint(answer(VALID))
    gateway = make_gateway(endpoint, max_calls=1)

    first = gateway.generate(REGION_PROMPT, facts, fallback=procedural, seed=1)
    second = gateway.generate(REGION_PROMPT, facts, fallback=procedural, seed=2)

    assert first.record.outcome == "llm"
    assert (second.record.outcome, second.record.fallback_reason) == ("fallback", "budget")
    assert len(endpoint.requests) == 1


def test_token_budget_sends_the_rest_to_the_fallback(
    make_gateway: GatewayFactory, facts: RegionFacts
) -> None:
    endpoint = ScriptedEndpoint(answer(VALID, prompt_tokens=80, completion_tokens=40))
    gateway = make_gateway(endpoint, max_tokens=100)

    outcomes = [
        gateway.generate(REGION_PROMPT, facts, fallback=procedural, seed=s).record for s in range(3)
    ]

    assert [(r.outcome, r.fallback_reason) for r in outcomes] == [
        ("llm", None),
        ("fallback", "budget"),
        ("fallback", "budget"),
    ]
    assert gateway.status().tokens_used == 120


def test_circuit_breaker_opens_and_stops_http_requests(
    make_gateway: GatewayFactory, facts: RegionFacts
) -> None:
    endpoint = ScriptedEndpoint(status(500))
    gateway = make_gateway(endpoint, breaker_threshold=3)

    records = [
        gateway.generate(REGION_PROMPT, facts, fallback=procedural, seed=s).record for s in range(8)
    ]

    assert [r.fallback_reason for r in records] == ["server_error"] * 3 + ["circuit_open"] * 5
    assert len(endpoint.paths) == 3
    report = gateway.status(probe_timeout_s=0.5)
    assert report.breaker_open
    assert report.fallbacks == 8
    assert report.fallback_reasons == {"server_error": 3, "circuit_open": 5}


def test_invalid_answers_do_not_trip_the_breaker(
    make_gateway: GatewayFactory, facts: RegionFacts
) -> None:
    endpoint = ScriptedEndpoint(answer(REAL_WORLD))
    gateway = make_gateway(endpoint, breaker_threshold=1)

    for seed in range(2):
        gateway.generate(REGION_PROMPT, facts, fallback=procedural, seed=seed)

    assert len(endpoint.requests) == 2 * (REGION_PROMPT.max_retries + 1)
    assert not gateway.status(probe_timeout_s=0.5).breaker_open


def test_rerun_is_all_cache_hits_with_zero_requests(
    make_gateway: GatewayFactory, facts: RegionFacts, tmp_path: Path
) -> None:
    first_endpoint = ScriptedEndpoint(answer(VALID))
    first = make_gateway(first_endpoint)
    produced = [
        first.generate(REGION_PROMPT, facts, fallback=procedural, seed=s).value for s in range(3)
    ]
    first.close()

    rerun = make_gateway(forbid_requests())  # same cache directory, new process-like gateway
    replayed = [rerun.generate(REGION_PROMPT, facts, fallback=procedural, seed=s) for s in range(3)]

    assert [r.value for r in replayed] == produced
    assert {(r.record.outcome, r.record.cache_hit, r.record.attempts) for r in replayed} == {
        ("cache", True, 0)
    }
    report = rerun.status(probe_timeout_s=0.5)
    assert (report.cache_entries, report.cache_hits, report.cache_misses) == (3, 3, 0)
    assert report.hit_rate == 1.0


def test_rerun_remembers_answers_that_never_validated(
    make_gateway: GatewayFactory, facts: RegionFacts
) -> None:
    """An unchanged world re-run makes zero calls even where the model failed last time."""
    first = make_gateway(ScriptedEndpoint(answer(REAL_WORLD)))
    assert first.generate(REGION_PROMPT, facts, fallback=procedural).record.outcome == "fallback"
    first.close()

    rerun = make_gateway(forbid_requests())
    again = rerun.generate(REGION_PROMPT, facts, fallback=procedural)

    assert again.value == procedural()
    record = again.record
    assert (record.outcome, record.fallback_reason, record.cache_hit) == (
        "fallback",
        "validation",
        True,
    )
    assert record.attempts == 0
    assert record.detail.startswith("remembered:")
    assert rerun.status(probe_timeout_s=0.5).cache_entries == 0  # failures are not answers


def test_remembered_failures_can_be_forgotten(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "cache")
    cache.store_failure("k", CachedFailure(reason="validation", detail="bad name"))
    assert cache.lookup_failure("k") == CachedFailure(reason="validation", detail="bad name")
    assert cache.lookup_failure("other") is None
    cache.forget_failure("k")
    assert cache.lookup_failure("k") is None
    cache.close()


def test_fallbacks_are_not_cached(make_gateway: GatewayFactory, facts: RegionFacts) -> None:
    gateway = make_gateway(ScriptedEndpoint(status(500)))
    gateway.generate(REGION_PROMPT, facts, fallback=procedural)
    assert gateway.status(probe_timeout_s=0.5).cache_entries == 0


def test_untrusted_facts_are_never_rendered_as_templates(make_gateway: GatewayFactory) -> None:
    sneaky = RegionFacts(
        biome="{{ 7 * 7 }} {% for x in range(3) %}loop{% endfor %}",
        climate="{{ worldloom_user_message }}",
        danger_level=1,
    )
    endpoint = ScriptedEndpoint(answer(VALID))
    gateway = make_gateway(endpoint)

    gateway.generate(REGION_PROMPT, sneaky, fallback=procedural)

    user = endpoint.requests[0]["messages"][1]["content"]
    assert "{{ 7 * 7 }} {% for x in range(3) %}loop{% endfor %}" in user
    assert "{{ worldloom_user_message }}" in user


def test_provider_none_uses_the_fallback_without_rendering_a_request(
    facts: RegionFacts, tmp_path: Path
) -> None:
    with LLMGateway(ProviderSpec(kind="none", model="procedural")) as gateway:
        result = gateway.generate(REGION_PROMPT, facts, fallback=procedural)
        report = gateway.status()

    assert result.value == procedural()
    assert (result.record.outcome, result.record.fallback_reason) == ("fallback", "llm_disabled")
    assert report.reachable


def test_embedded_model_missing_falls_back_as_unavailable(
    facts: RegionFacts, tmp_path: Path
) -> None:
    server = EmbeddedServer(model_path=tmp_path / "missing.gguf")
    with LLMGateway(
        ProviderSpec(kind="embedded", model="SmolLM2"), embedded_server=server
    ) as gateway:
        result = gateway.generate(REGION_PROMPT, facts, fallback=procedural)
        report = gateway.status()

    assert result.record.fallback_reason == "unavailable"
    assert "missing.gguf" in result.record.detail
    assert not report.reachable
    assert not server.running


def test_status_probes_a_remote_provider(make_gateway: GatewayFactory) -> None:
    import httpx2

    models = httpx2.Response(
        200,
        json={
            "object": "list",
            "data": [{"id": "test-model", "object": "model", "created": 0, "owned_by": "me"}],
        },
    )
    up = make_gateway(ScriptedEndpoint(models)).status(probe_timeout_s=0.5)
    down = make_gateway(ScriptedEndpoint(status(502))).status(probe_timeout_s=0.5)

    assert up.reachable
    assert "test-model" in up.detail
    assert not down.reachable
    assert "502" in down.detail
