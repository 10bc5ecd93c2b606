"""LLM audit: generate N worlds' prose with a provider and audit every accepted answer.

Per template it prints calls, accepted answers, accepted-but-failing-audit (must be 0), fallback
reasons and latency. The audit re-checks each accepted answer away from the validator that let
it in: the sentence its choices compose against every text check with the entity's facts, the
text as stored in the world (the sentence is there, no markup, no elision, within its bounds,
no stale region name), and a chosen region name (a name, unique in the world). `--show` prints
every accepted sentence for a human read.

Usage: .venv/bin/python bench/llm_audit.py [--provider embedded] [--seeds 7 8 9]
       [--preset small] [--show]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from worldloom.flows.generate import generate_world
from worldloom.flows.params import GenerateWorldParams
from worldloom.infrastructure.llm import CallRecord, Generated, LLMGateway, PromptFacts, PromptSpec
from worldloom.infrastructure.store import open_store
from worldloom.prompts.colour import ColourAnswer, ColourFacts
from worldloom.prompts.region import RegionColour, RegionFacts
from worldloom.prompts.text_checks import (
    check_form,
    check_instructions,
    check_land_name,
    check_markup,
    find_problems,
    read_text_facts,
)

BOUNDS = {"regions": 280, "settlements": 240, "factions": 240, "religions": 240, "bios": 200}
"""The stored texts' length caps (systems/prose)."""


@dataclass
class Seen:
    """One gateway call: its prompt, facts and result."""

    world: int
    spec: PromptSpec[Any, Any]
    facts: PromptFacts
    result: Generated[Any]


class Recorder:
    """Wraps `LLMGateway.generate` for the bench's process: every call's facts and result."""

    def __init__(self) -> None:
        self.calls: list[Seen] = []
        self.world = 0
        self._lock = threading.Lock()
        self._original = LLMGateway.generate

    def __enter__(self) -> Recorder:
        recorder, original = self, self._original

        def generate(self: LLMGateway, spec: Any, facts: Any, **kwargs: Any) -> Any:
            result = original(self, spec, facts, **kwargs)
            with recorder._lock:
                recorder.calls.append(Seen(recorder.world, spec, facts, result))
            return result

        LLMGateway.generate = generate  # type: ignore[method-assign]  # the bench's own process
        return self

    def __exit__(self, *_exc: object) -> None:
        LLMGateway.generate = self._original  # type: ignore[method-assign]  # restore


def audit_answer(seen: Seen, stored: dict[str, str], names: list[str]) -> list[str]:
    """Everything wrong with one accepted answer, seen from outside its validator."""
    value, facts = seen.result.value, seen.facts
    assert isinstance(value, ColourAnswer)
    assert isinstance(facts, ColourFacts)
    context = facts.validation_context()
    problems = []
    try:  # the validator itself, again, on the answer as the cache holds it
        type(value).model_validate_json(value.model_dump_json(), context=context)
    except ValueError as exc:
        problems.append(f"does not re-validate: {exc}")
    sentence = value.sentence(pronoun=facts.pronoun())
    text_facts = read_text_facts(context)
    assert text_facts is not None
    problems += [f"sentence: {p}" for p in find_problems(sentence, text_facts)]
    entity = seen.result.record
    text = stored.get(_entity(seen))
    if text is None:
        problems.append(f"{entity.template}: no stored text")
    else:
        if sentence not in text:
            problems.append("stored text lacks the accepted sentence")
        for check in (check_markup, check_form, check_instructions):
            if (problem := check(text)) is not None:
                problems.append(f"stored text: {problem}")
    if isinstance(value, RegionColour) and isinstance(facts, RegionFacts):
        name = value.chosen_name(facts.name_candidates)
        if (problem := check_land_name(name)) is not None:
            problems.append(problem)
        if names.count(name) != 1:
            problems.append(f"region name {name!r} is not unique in the world")
    return problems


def _entity(seen: Seen) -> str:
    facts = seen.facts
    if isinstance(facts, RegionFacts):
        return f"region-name:{facts.name_candidates[0]}"
    return f"{seen.spec.name}:{facts.entry}"


def stored_texts(
    database: Path, world_id: str, calls: list[Seen]
) -> tuple[dict[str, str], list[str]]:
    """Each audited entity's stored text, keyed as `_entity` keys it; and the region names."""
    with open_store(database, read_only=True) as store:
        regions = store.read("regions", world_id)
        lore = store.read("worlds", world_id)["lore"][0]
        texts = [
            *store.read("settlements", world_id)["description"],
            *store.read("factions", world_id)["description"],
            *store.read("religions", world_id)["description"],
            *store.read("notable_bios", world_id)["text"],
        ]
        baseline = store.read("prose_baseline", world_id)
    base = dict(zip(baseline["entity"], baseline["name"], strict=True))
    by_base_name = {
        base[f"region {rid}"]: text
        for rid, text in zip(regions["region_id"], regions["description"], strict=True)
    }
    stored: dict[str, str] = {}
    for seen in calls:
        facts = seen.facts
        if isinstance(facts, RegionFacts):
            stored[_entity(seen)] = by_base_name[facts.name_candidates[0]]
        elif seen.spec.name == "lore":
            stored[_entity(seen)] = lore
        elif isinstance(facts, ColourFacts):
            # The stored text opens with the entity's name (region names in it may have changed).
            name = str(getattr(facts, "name", ""))
            match = [t for t in texts if t.startswith((name, f"The {name}"))]
            if match:
                stored[_entity(seen)] = match[0]
    return stored, list(regions["name"])


def run(provider: str, seeds: list[int], preset: str, show: bool) -> None:
    """Generate, audit and print."""
    failing: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    records: dict[str, list[CallRecord]] = defaultdict(list)
    stage_s = []
    with tempfile.TemporaryDirectory() as tmp, Recorder() as recorder:
        for seed in seeds:
            recorder.world = seed
            started = time.perf_counter()
            world = generate_world(
                GenerateWorldParams(seed=seed, preset=preset, home=tmp, llm=provider)
            )
            stage_s.append(time.perf_counter() - started)
            calls = [c for c in recorder.calls if c.world == seed]
            stored, names = stored_texts(Path(world.database), world.world_id, calls)
            for seen in calls:
                record = seen.result.record
                records[record.template].append(record)
                if record.outcome == "fallback":
                    continue
                problems = audit_answer(seen, stored, names)
                if problems:
                    failing[record.template].append((str(seen.result.value), problems))
                if show:
                    value, facts = seen.result.value, seen.facts
                    assert isinstance(value, ColourAnswer)
                    assert isinstance(facts, ColourFacts)
                    name = ""
                    if isinstance(value, RegionColour) and isinstance(facts, RegionFacts):
                        name = f"[{value.chosen_name(facts.name_candidates)}] "
                    sentence = value.sentence(pronoun=facts.pronoun())
                    print(f"  {seed} {record.template:10s} {name}{sentence}")
    header = (
        "template",
        "calls",
        "accepted",
        "re-asked",
        "failing audit",
        "p50 s",
        "p95 s",
        "max s",
        "reasons",
    )
    rows = []
    for template in sorted(records):
        mine = records[template]
        accepted = [r for r in mine if r.outcome != "fallback"]
        latencies = sorted(r.latency_ms / 1000 for r in mine)
        reasons = Counter(r.fallback_reason for r in mine if r.fallback_reason)
        rows.append(
            (
                template,
                str(len(mine)),
                f"{len(accepted)} ({len(accepted) / len(mine):.0%})",
                str(sum(r.attempts > 1 for r in accepted)),
                str(len(failing[template])),
                f"{statistics.median(latencies):.2f}",
                f"{latencies[int(0.95 * (len(latencies) - 1))]:.2f}",
                f"{latencies[-1]:.2f}",
                ", ".join(f"{k}={v}" for k, v in sorted(reasons.items())) or "-",
            )
        )
    every = [r for rs in records.values() for r in rs]
    accepted_all = sum(r.outcome != "fallback" for r in every)
    rows.append(
        (
            "all",
            str(len(every)),
            f"{accepted_all} ({accepted_all / max(1, len(every)):.0%})",
            str(sum(r.attempts > 1 and r.outcome != "fallback" for r in every)),
            str(sum(len(v) for v in failing.values())),
            "",
            "",
            "",
            "",
        )
    )
    print(
        f"\n== {provider}, preset {preset}, seeds {seeds}: worlds took "
        f"{', '.join(f'{s:.0f}' for s in stage_s)} s end to end"
    )
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    for template, items in sorted(failing.items()):
        for value, problems in items:
            print(f"FAILING AUDIT {template}: {value}: {problems}")


def main() -> None:
    """Parse the arguments and run the audit."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--provider", default="embedded")
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 8, 9])
    parser.add_argument("--preset", default="small")
    parser.add_argument("--show", action="store_true", help="print every accepted sentence")
    args = parser.parse_args()
    logging.getLogger("instructor").setLevel(logging.CRITICAL)
    pl.Config.set_tbl_rows(50)
    run(args.provider, args.seeds, args.preset, args.show)


if __name__ == "__main__":
    main()
