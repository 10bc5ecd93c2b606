"""The prose stage's second half: a sentence of colour from the LLM for the settlements,
notable NPCs, factions and religions `systems/prose` chooses; every other entity keeps its
procedural text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from worldloom.infrastructure.llm import CallRecord, LLMGateway, PromptSpec
from worldloom.prompts.colour import ColourAnswer, ColourFacts
from worldloom.prompts.faction import FACTION_PROMPT, FactionFacts
from worldloom.prompts.notable import NOTABLE_PROMPT, NotableFacts
from worldloom.prompts.religion import RELIGION_PROMPT, Deity, ReligionFacts
from worldloom.prompts.settlement import SETTLEMENT_PROMPT, SettlementFacts
from worldloom.systems.prose import (
    DESCRIPTION_MAX,
    NOTABLE_BIO_MAX,
    choose_factions,
    choose_notables,
    choose_religions,
    choose_settlements,
    faction_facts,
    notable_facts,
    settlement_facts,
)
from worldloom.systems.prose.selection import add_colour
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


Record = Callable[[str, CallRecord], None]
"""Called with each entity and its call record as soon as the call ends."""


@dataclass(frozen=True, slots=True)
class ColourAsk:
    """One entity's question: its prompt, its facts, its procedural text and how long that
    text may grow."""

    entity: str
    prompt: PromptSpec[Any, Any]
    facts: ColourFacts
    text: str
    limit: int


def people_asks(
    tables: Mapping[str, pl.DataFrame], *, regions: pl.DataFrame, seeds: Seeds
) -> list[ColourAsk]:
    """The chosen entities' questions, settlements first, then notables, factions, faiths.

    `regions` carries the regions' baseline names: facts then stay the same however a previous
    run renamed regions, and a re-run is answered from the cache.
    """
    baseline = dict(tables["people_prose_baseline"].select("entity", "text").iter_rows())
    return list(_asks(tables, regions=regions, baseline=baseline, seeds=seeds))


def colour_texts(gateway: LLMGateway, asks: list[ColourAsk], *, record: Record) -> dict[str, str]:
    """Ask `gateway` for each entity's sentence of colour, one after another; each entity's
    procedural text with the colour added (or as it was, on a fallback)."""
    texts: dict[str, str] = {}
    for ask in asks:
        result = gateway.generate(
            ask.prompt,
            ask.facts,
            fallback=ask.prompt.response_model.model_construct,
            seed=ask.facts.order,
        )
        record(ask.entity, result.record)
        text = ask.text
        if result.record.outcome != "fallback" and isinstance(result.value, ColourAnswer):
            colour = result.value.sentence(pronoun=ask.facts.pronoun())
            text = add_colour(text, colour, limit=ask.limit)
        texts[ask.entity] = text
    return texts


def _asks(
    tables: Mapping[str, pl.DataFrame],
    *,
    regions: pl.DataFrame,
    baseline: Mapping[str, str],
    seeds: Seeds,
) -> Iterator[ColourAsk]:
    """The chosen entities' questions, settlements first, then notables, factions, faiths."""

    def seed(kind: str, key: int) -> int:
        return int(seeds.stream(f"llm.{kind}", key).integers(2**31))

    places = settlement_facts(
        tables["settlements"],
        regions=regions,
        shares=tables["religion_shares"],
        religions=tables["religions"],
        provinces=tables["provinces"],
        factions=tables["factions"],
    )
    facts: ColourFacts
    for row in choose_settlements(places).iter_rows(named=True):
        entity = f"settlement {row['settlement_id']}"
        facts = _settlement(row, baseline[entity], seed("settlement", row["settlement_id"]))
        yield ColourAsk(entity, SETTLEMENT_PROMPT, facts, baseline[entity], DESCRIPTION_MAX)
    people = notable_facts(
        tables["npcs"], settlements=tables["settlements"], factions=tables["factions"]
    )
    sexes = dict(tables["npcs"].select("npc_id", "sex").iter_rows())
    for row in choose_notables(people).iter_rows(named=True):
        entity = f"npc {row['npc_id']}"
        facts = _notable(row, sexes[row["npc_id"]], baseline[entity], seed("npc", row["npc_id"]))
        yield ColourAsk(entity, NOTABLE_PROMPT, facts, baseline[entity], NOTABLE_BIO_MAX)
    powers = faction_facts(
        tables["factions"],
        settlements=tables["settlements"],
        religions=tables["religions"],
        npcs=tables["npcs"],
    )
    for row in choose_factions(powers).iter_rows(named=True):
        entity = f"faction {row['faction_id']}"
        facts = _faction(row, baseline[entity], seed("faction", row["faction_id"]))
        yield ColourAsk(entity, FACTION_PROMPT, facts, baseline[entity], DESCRIPTION_MAX)
    for row in choose_religions(tables).iter_rows(named=True):
        entity = f"religion {row['religion_id']}"
        facts = _religion(row, baseline[entity], seed("religion", row["religion_id"]))
        yield ColourAsk(entity, RELIGION_PROMPT, facts, baseline[entity], DESCRIPTION_MAX)


def _settlement(row: dict[str, Any], entry: str, order: int) -> SettlementFacts:
    return SettlementFacts(
        entry=entry,
        order=order,
        name=row["name"],
        tier=row["tier"],
        population=row["population"],
        region=row["region"],
        port=row["is_port"],
        faith=row["faith"] or "",
        state=row["state"] or "",
        seat=row["is_seat"],
    )


def _faction(row: dict[str, Any], entry: str, order: int) -> FactionFacts:
    return FactionFacts(
        entry=entry,
        order=order,
        name=row["name"],
        what=row["what"],
        seat=row["seat"] or "",
        leader=row["leader"] or "",
        faith=row["faith"] or "",
    )


def _religion(row: dict[str, Any], entry: str, order: int) -> ReligionFacts:
    return ReligionFacts(
        entry=entry,
        order=order,
        name=row["name"],
        what=row["what"],
        deities=tuple(
            Deity(
                name=god["name"],
                epithet=god["epithet"],
                domains=tuple(d.replace("_", " ") for d in god["domains"] or ())[:4],
            )
            for god in row["gods"]
        ),
        parent=row["parent"] or "",
    )


def _notable(row: dict[str, Any], sex: str, entry: str, order: int) -> NotableFacts:
    return NotableFacts(
        entry=entry,
        order=order,
        sex="male" if sex == "male" else "female",
        name=row["name"],
        age=row["age"],
        role=row["role"],
        profession=row["profession"],
        settlement=row["settlement"],
        traits=tuple(row["traits"])[:3],
        faction=row["faction"] or "",
    )
