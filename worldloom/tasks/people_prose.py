"""The prose stage's second half: settlements and notable NPCs through the LLM.

Only what a reader meets first asks the model — the largest settlements and the notables of
capitals and cities — within fixed caps, so a world's
LLM cost does not grow with its population; everything else keeps its procedural text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from worldloom.infrastructure.llm import LLMGateway
from worldloom.prompts.notable import NOTABLE_PROMPT, NotableBio, NotableFacts
from worldloom.prompts.settlement import SETTLEMENT_PROMPT, SettlementFacts, SettlementText
from worldloom.systems.description import notable_facts, settlement_facts
from worldloom.systems.rng import Seeds

DESCRIBED_TIERS = ("capital", "city", "town")
"""Settlements the LLM describes; villages and hamlets keep their procedural text."""
NOTABLE_TIERS = ("capital", "city")
MAX_SETTLEMENTS = 8
MAX_NOTABLES = 4
"""Calls per world for each kind: on the embedded model each costs ~2-4 s of 2 cores."""

PEOPLE_TABLES = (
    "settlements",
    "factions",
    "religions",
    "religion_shares",
    "provinces",
    "npcs",
    "people_prose_baseline",
)
"""What the people prose reads from the store."""


@dataclass(frozen=True, slots=True)
class PeopleText:
    """Rewritten tables (text only) and the entity of every gateway call, in call order.

    Factions and religions keep their procedural text: on the embedded model their prompts
    did not yet validate reliably."""

    tables: dict[str, pl.DataFrame]
    entities: list[str]


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
    texts: dict[str, str] = {}
    entities: list[str] = []

    def ask(
        entity: str, prompt: Any, facts: Any, procedural: Any, read: Callable[[Any], str]
    ) -> None:
        kind, key = entity.split(" ", 1)
        seed = int(seeds.stream(f"llm.{kind}", int(key)).integers(2**31))
        answer = gateway.generate(prompt, facts, fallback=lambda: procedural, seed=seed).value
        texts[entity] = read(answer)
        entities.append(entity)

    places = settlement_facts(
        tables["settlements"],
        regions=regions,
        shares=tables["religion_shares"],
        religions=tables["religions"],
        provinces=tables["provinces"],
        factions=tables["factions"],
    ).filter(pl.col("tier").is_in(DESCRIBED_TIERS))
    for row in places.head(MAX_SETTLEMENTS).iter_rows(named=True):
        entity = f"settlement {row['settlement_id']}"
        ask(
            entity,
            SETTLEMENT_PROMPT,
            _settlement(row),
            SettlementText.model_construct(description=baseline[entity]),
            lambda a: str(a.description),
        )
    notables = notable_facts(
        tables["npcs"], settlements=tables["settlements"], factions=tables["factions"]
    ).filter(pl.col("tier").is_in(NOTABLE_TIERS))
    for row in notables.head(MAX_NOTABLES).iter_rows(named=True):
        entity = f"npc {row['npc_id']}"
        ask(
            entity,
            NOTABLE_PROMPT,
            _notable(row),
            NotableBio.model_construct(biography=baseline[entity]),
            lambda a: str(a.biography),
        )
    return PeopleText(tables=_with_texts(tables, {**baseline, **texts}), entities=entities)


def _with_texts(
    tables: Mapping[str, pl.DataFrame], texts: Mapping[str, str]
) -> dict[str, pl.DataFrame]:
    """The described tables with each row's text (baseline or new) in place."""

    def described(name: str, kind: str, key: str) -> pl.DataFrame:
        frame = tables[name]
        return frame.with_columns(
            pl.Series("description", [texts[f"{kind} {i}"] for i in frame[key]], dtype=pl.String)
        )

    bios = tables["people_prose_baseline"].filter(pl.col("entity").str.starts_with("npc "))
    return {
        "settlements": described("settlements", "settlement", "settlement_id"),
        "factions": described("factions", "faction", "faction_id"),
        "religions": described("religions", "religion", "religion_id"),
        "notable_bios": pl.DataFrame(
            {
                "npc_id": [int(e.removeprefix("npc ")) for e in bios["entity"]],
                "text": [texts[e] for e in bios["entity"]],
            },
            schema={"npc_id": pl.Int64, "text": pl.String},
        ),
    }


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
