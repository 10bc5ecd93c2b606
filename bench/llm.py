"""LLM layer bench: per-template latency and validation rate on the embedded model, re-run
cache hit rate, cache-hit overhead, and throughput with N concurrent requests.

Anchors: the issue's targets (re-run 0 LLM calls, cache-hit overhead < 1 ms per call) and the
research note's SmolLM2 figure (~0.6 s per small object on 2 idle cores).

Usage: .venv/bin/python bench/llm.py [--seeds N] [--hits N]

The audit of whole worlds' prose (accepted answers re-checked, per template) is
bench/llm_audit.py.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
from pathlib import Path

from worldloom.infrastructure.llm import GenerationRequest, open_gateway
from worldloom.prompts.catalog import EXAMPLES, PROMPTS
from worldloom.prompts.region import REGION_PROMPT, RegionColour


def _fallback_region() -> RegionColour:
    return RegionColour.model_construct(name=1)


def _valid_region_answer() -> str:
    """An answer the first example region's facts allow."""
    facts = EXAMPLES[REGION_PROMPT.name][0]
    choice = {slot: options[0] for slot, options in facts.options.items()}  # type: ignore[attr-defined]  # a region's facts
    return RegionColour(name=1, **choice).model_dump_json()


def bench_templates(cache_dir: Path, seeds: int) -> list[tuple[str, ...]]:
    """Per template: calls, valid share, median/max latency, mean attempts, then re-run hits."""
    rows = []
    with open_gateway("embedded", cache_dir=cache_dir) as gateway:
        for spec in PROMPTS:
            for facts in EXAMPLES[spec.name]:
                for seed in range(seeds):
                    gateway.generate(
                        spec, facts, fallback=spec.response_model.model_construct, seed=seed
                    )
        records = gateway.drain_records()
    with open_gateway("embedded", cache_dir=cache_dir) as rerun:
        for spec in PROMPTS:
            for facts in EXAMPLES[spec.name]:
                for seed in range(seeds):
                    rerun.generate(
                        spec, facts, fallback=spec.response_model.model_construct, seed=seed
                    )
        rerun_records = rerun.drain_records()
        server = rerun.embedded_server
        rerun_started = server is not None and server.running
    for spec in PROMPTS:
        mine = [r for r in records if r.template == spec.name]
        valid = [r for r in mine if r.outcome == "llm"]
        latencies = [r.latency_ms / 1000 for r in mine]
        again = [r for r in rerun_records if r.template == spec.name]
        hits = sum(r.outcome == "cache" for r in again)
        reasons = sorted({r.fallback_reason or "" for r in mine} - {""})
        rows.append(
            (
                spec.name,
                str(len(mine)),
                f"{len(valid)}/{len(mine)}",
                f"{statistics.median(latencies):.2f}",
                f"{max(latencies):.2f}",
                f"{statistics.mean(r.attempts for r in mine):.1f}",
                f"{hits}/{len(again)} (valid {len(valid)})",
                ",".join(reasons) or "-",
            )
        )
    print(f"re-run started the model server: {rerun_started}")
    return rows


def bench_hit_overhead(cache_dir: Path, iterations: int) -> float:
    """Mean gateway time per cache hit (render, key, lookup, re-validation, record)."""
    import json

    import httpx2

    facts = EXAMPLES[REGION_PROMPT.name][0]
    content = _valid_region_answer()

    def one_answer(_request: httpx2.Request) -> httpx2.Response:
        # Fills the cache once; every timed call after that must be a hit.
        message = {"role": "assistant", "content": content}
        body = {
            "id": "bench",
            "object": "chat.completion",
            "created": 0,
            "model": "bench",
            "choices": [{"index": 0, "finish_reason": "stop", "message": message}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
        return httpx2.Response(200, content=json.dumps(body).encode())

    client = httpx2.Client(transport=httpx2.MockTransport(one_answer))
    with open_gateway(
        "openai/bench",
        cache_dir=cache_dir,
        http_client=client,
        environ={"OPENAI_API_KEY": "bench"},
    ) as gateway:
        for _ in range(50):  # fill and warm up
            gateway.generate(REGION_PROMPT, facts, fallback=_fallback_region, seed=0)
        gateway.drain_records()
        started = time.perf_counter()
        for _ in range(iterations):
            gateway.generate(REGION_PROMPT, facts, fallback=_fallback_region, seed=0)
        elapsed = time.perf_counter() - started
        outcomes = {r.outcome for r in gateway.drain_records()}
    if outcomes != {"cache"}:
        raise RuntimeError(f"expected only cache hits, got {outcomes}")
    return elapsed / iterations * 1000


def bench_concurrency(workers: tuple[int, ...], per_worker: int) -> list[tuple[str, ...]]:
    """Uncached throughput of the single-slot embedded server with N client threads."""
    rows = []
    facts = EXAMPLES[REGION_PROMPT.name]
    with open_gateway("embedded", cache_dir=None) as gateway:
        gateway.generate(REGION_PROMPT, facts[0], fallback=_fallback_region, seed=999)  # warm
        for n in workers:
            requests = [
                GenerationRequest(facts=facts[i % len(facts)], fallback=_fallback_region, seed=i)
                for i in range(n * per_worker)
            ]
            gateway.drain_records()
            started = time.perf_counter()
            gateway.generate_many(REGION_PROMPT, requests, max_workers=n)
            elapsed = time.perf_counter() - started
            records = gateway.drain_records()
            attempts = sum(r.attempts for r in records)
            rows.append(
                (
                    str(n),
                    str(len(requests)),
                    f"{elapsed:.1f}",
                    f"{len(requests) / elapsed:.2f}",
                    f"{attempts / elapsed:.2f}",
                    f"{statistics.median(r.latency_ms for r in records) / 1000:.2f}",
                )
            )
    return rows


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    print()


def main() -> None:
    """Run every bench and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=2, help="seeds per example facts")
    parser.add_argument("--hits", type=int, default=2000, help="cache-hit iterations")
    parser.add_argument("--per-worker", type=int, default=2, help="requests per thread")
    args = parser.parse_args()
    logging.getLogger("instructor").setLevel(logging.CRITICAL)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        print("== per template on embedded SmolLM2 (uncached), then a re-run on the same cache")
        _table(
            ("template", "calls", "valid", "p50 s", "max s", "attempts", "re-run hits", "reasons"),
            bench_templates(root / "templates", args.seeds),
        )
        overhead = bench_hit_overhead(root / "hits", args.hits)
        print(
            f"== cache-hit path: {overhead:.3f} ms per call over {args.hits} calls "
            "(target < 1 ms)\n"
        )
        print("== uncached throughput, region prompt, embedded server with one slot")
        _table(
            ("threads", "requests", "wall s", "entities/s", "HTTP calls/s", "p50 s (batch)"),
            bench_concurrency((1, 2, 4), args.per_worker),
        )


if __name__ == "__main__":
    main()
