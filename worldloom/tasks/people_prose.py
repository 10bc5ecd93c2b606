"""The prose stage's second half: settlements, notable NPCs, factions and religions through
the LLM, for the entities `systems/prose` chooses; every other entity keeps its procedural text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import polars as pl

from worldloom.infrastructure.llm import LLMGateway, PromptFacts, PromptSpec
from worldloom.prompts.faction import FACTION_PROMPT, FactionFacts
from worldloom.prompts.notable import NOTABLE_PROMPT, NotableFacts
from worldloom.prompts.religion import RELIGION_PROMPT, Deity, ReligionFacts
from worldloom.prompts.settlement import SETTLEMENT_PROMPT, SettlementFacts
from worldloom.systems.prose import (
    apply_people_texts,
    choose_factions,
    choose_notables,
    choose_religions,
    choose_settlements,
    faction_facts,
    notable_facts,
    settlement_facts,
)
from worldloom.systems.rng import Seeds

PEOPLE_TABLES: Mapping[str, Mapping[str, object]] = {
    "settlements": {},
    "factions": {},
    "religions": {},
    "deities": {},
    "religion_shares": {},
    "provinces": {},
    # Only notables are described or lead factions; the rest of a million-row table stays put.
    "npcs": {"notable": True},
    "people_prose_baseline": {},
}
"""What the people prose reads from the store, each with its row filter (column -> value)."""

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PeopleText:
    """Rewritten tables (text only) and the entity of every gateway call, in call order."""

    tables: dict[str, pl.DataFrame]
    entities: list[str]


@dataclass(frozen=True, slots=True)
class _Ask:
    """One entity's question: its prompt, its facts and the answer field holding its text."""

    entity: str
    prompt: PromptSpec[Any, Any]
    facts: PromptFacts
    field: str


def rewrite_people_prose(
    gateway: LLMGateway,
    tables: Mapping[str, pl.DataFrame],
    *,
    regions: pl.DataFrame,
    seeds: Seeds,
) -> PeopleText:
    """Ask `gateway` for the chosen entities' text; every other entity keeps its baseline.

    `regions` carries the regions' baseline names: facts then stay the same however a previous
    run renamed regions, and a re-run is answered from the cache.
    """
    baseline = dict(tables["people_prose_baseline"].select("entity", "text").iter_rows())
    asked: dict[str, str] = {}
    for ask in _asks(tables, regions=regions):
        kind, key = ask.entity.split(" ", 1)
        procedural = ask.prompt.response_model.model_construct(**{ask.field: baseline[ask.entity]})
        answer = gateway.generate(
            ask.prompt,
            ask.facts,
            fallback=returning(procedural),
            seed=int(seeds.stream(f"llm.{kind}", int(key)).integers(2**31)),
        ).value
        asked[ask.entity] = str(getattr(answer, ask.field))
    texts = apply_people_texts(tables, {**baseline, **asked})
    return PeopleText(tables=texts, entities=list(asked))


def _asks(tables: Mapping[str, pl.DataFrame], *, regions: pl.DataFrame) -> Iterator[_Ask]:
    """The chosen entities' questions, settlements first, then notables, factions, faiths."""
    places = settlement_facts(
        tables["settlements"],
        regions=regions,
        shares=tables["religion_shares"],
        religions=tables["religions"],
        provinces=tables["provinces"],
        factions=tables["factions"],
    )
    for row in choose_settlements(places).iter_rows(named=True):
        yield _Ask(
            f"settlement {row['settlement_id']}", SETTLEMENT_PROMPT, _settlement(row), "description"
        )
    people = notable_facts(
        tables["npcs"], settlements=tables["settlements"], factions=tables["factions"]
    )
    for row in choose_notables(people).iter_rows(named=True):
        yield _Ask(f"npc {row['npc_id']}", NOTABLE_PROMPT, _notable(row), "biography")
    powers = faction_facts(
        tables["factions"],
        settlements=tables["settlements"],
        religions=tables["religions"],
        npcs=tables["npcs"],
    )
    for row in choose_factions(powers).iter_rows(named=True):
        yield _Ask(f"faction {row['faction_id']}", FACTION_PROMPT, _faction(row), "description")
    for row in choose_religions(tables).iter_rows(named=True):
        yield _Ask(f"religion {row['religion_id']}", RELIGION_PROMPT, _religion(row), "description")


def _settlement(row: dict[str, Any]) -> SettlementFacts:
    return SettlementFacts(
        name=row["name"],
        tier=row["tier"],
        population=row["population"],
        region=row["region"],
        port=row["is_port"],
        faith=row["faith"] or "",
        state=row["state"] or "",
        seat=row["is_seat"],
    )


def _faction(row: dict[str, Any]) -> FactionFacts:
    # Region counts, head counts and the leader's role stay out: SmolLM2 rambles or garbles
    # once a prompt lists more than a handful of facts.
    return FactionFacts(
        name=row["name"],
        what=row["what"],
        seat=row["seat"] or "",
        leader=row["leader"] or "",
        faith=row["faith"] or "",
    )


def _religion(row: dict[str, Any]) -> ReligionFacts:
    return ReligionFacts(
        name=row["name"],
        what=row["what"],
        deities=tuple(Deity(name=god["name"], epithet=god["epithet"]) for god in row["gods"]),
        parent=row["parent"] or "",
    )


def _notable(row: dict[str, Any]) -> NotableFacts:
    return NotableFacts(
        name=row["name"],
        age=row["age"],
        role=row["role"],
        profession=row["profession"],
        settlement=row["settlement"],
        traits=tuple(row["traits"])[:3],
        faction=row["faction"] or "",
    )


def returning(value: T) -> Callable[[], T]:
    """A fallback that hands back text already written (the procedural version)."""
    return lambda: value
