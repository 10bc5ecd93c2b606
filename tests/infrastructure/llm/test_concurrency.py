"""Concurrent and batched generation: one call per identical request, input order, budgets."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.infrastructure.llm.conftest import VALID, GatewayFactory, colour, procedural
from tests.infrastructure.llm.scripted import ScriptedEndpoint, answer, slow, status
from worldloom.infrastructure.llm import GenerationRequest
from worldloom.prompts.region import REGION_PROMPT, RegionColour, RegionFacts


def test_concurrent_identical_requests_make_one_call(
    make_gateway: GatewayFactory, facts: RegionFacts
) -> None:
    endpoint = ScriptedEndpoint(slow(answer(VALID), 0.2))
    gateway = make_gateway(endpoint)

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [
            pool.submit(gateway.generate, REGION_PROMPT, facts, fallback=procedural, seed=3)
            for _ in range(4)
        ]
        results = [f.result() for f in futures]

    assert len(endpoint.requests) == 1
    assert sorted(r.record.outcome for r in results) == ["cache", "cache", "cache", "llm"]
    assert len({r.value for r in results}) == 1


def test_generate_many_keeps_input_order_and_sends_duplicates_once(
    make_gateway: GatewayFactory, facts: RegionFacts
) -> None:
    endpoint = ScriptedEndpoint(answer(VALID))
    gateway = make_gateway(endpoint)
    seeds = [1, 2, 1, 3, 2]
    requests = [GenerationRequest(facts=facts, fallback=procedural, seed=s) for s in seeds]

    results = gateway.generate_many(REGION_PROMPT, requests, max_workers=3)

    assert len(results) == len(seeds)
    assert len(endpoint.requests) == 3
    assert [r.record.outcome for r in results] == ["llm", "llm", "cache", "llm", "cache"]
    assert sorted(body["seed"] for body in endpoint.requests) == [1, 2, 3]


def test_generate_many_applies_the_call_budget_in_input_order(
    make_gateway: GatewayFactory, facts: RegionFacts
) -> None:
    endpoint = ScriptedEndpoint(slow(answer(VALID), 0.05))
    gateway = make_gateway(endpoint, max_calls=2)
    fallbacks = [
        RegionColour.model_construct(name=1, mood=mood, sound="birdsong", smell="moss")
        for mood in ("lush", "misty", "wild", "lonely", "quiet")
    ]
    requests = [
        GenerationRequest(facts=facts, fallback=lambda f=f: f, seed=s)
        for s, f in enumerate(fallbacks)
    ]

    results = gateway.generate_many(REGION_PROMPT, requests, max_workers=4)

    assert [r.record.fallback_reason for r in results] == [None, None, "budget", "budget", "budget"]
    assert [r.value for r in results[2:]] == fallbacks[2:]
    assert len(endpoint.requests) == 2


def test_generate_many_survives_a_provider_dying_mid_batch(
    make_gateway: GatewayFactory, facts: RegionFacts
) -> None:
    endpoint = ScriptedEndpoint(answer(colour("lush")), answer(colour("wild")), status(503))
    gateway = make_gateway(endpoint, breaker_threshold=2)
    requests = [GenerationRequest(facts=facts, fallback=procedural, seed=s) for s in range(6)]

    results = gateway.generate_many(REGION_PROMPT, requests, max_workers=1)

    assert [r.record.outcome for r in results] == ["llm", "llm"] + ["fallback"] * 4
    assert [r.record.fallback_reason for r in results[2:]] == [
        "server_error",
        "server_error",
        "circuit_open",
        "circuit_open",
    ]
    assert len(endpoint.paths) == 4
    records = gateway.drain_records()
    assert len(records) == 6
