"""The prose stage's second half: settlements, notable NPCs, factions and religions through
the LLM.

Only what a reader meets first asks the model — the largest settlements, the notables of
capitals and cities, the strongest states and the most followed faiths — within fixed caps, so
a world's LLM cost does not grow with its population; everything else keeps its procedural text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from worldloom.infrastructure.llm import LLMGateway
from worldloom.prompts.faction import FACTION_PROMPT, FactionFacts, FactionText
from worldloom.prompts.notable import NOTABLE_PROMPT, NotableBio, NotableFacts
from worldloom.prompts.religion import RELIGION_PROMPT, Deity, ReligionFacts, ReligionText
from worldloom.prompts.settlement import SETTLEMENT_PROMPT, SettlementFacts, SettlementText
from worldloom.systems.prose import (
    faction_facts,
    notable_facts,
    settlement_facts,
)
from worldloom.systems.rng import Seeds

DESCRIBED_TIERS = ("capital", "city", "town")
"""Settlements the LLM describes; villages and hamlets keep their procedural text."""
NOTABLE_TIERS = ("capital", "city")
MAX_SETTLEMENTS = 8
MAX_NOTABLES = 4
MAX_FACTIONS = 4
MAX_RELIGIONS = 3
"""Calls per world for each kind: on the embedded model each costs ~2-4 s of 2 cores."""
MAX_DEITIES = 3
"""Gods named in a religion's facts, chief first (a pantheon may have a dozen)."""

FACTION_KINDS = {
    "state": "a {form}",
    "guild": "a guild of {form}",
    "order": "a {form} order",
    "criminals": "a gang of {form}",
    "bandits": "a band of {form}",
}
"""What a faction is, in the few words its prompt states (`form` fills in: "a republic")."""
RELIGION_KINDS = {
    "folk": "a folk faith",
    "organized": "a faith with temples and priests",
    "heresy": "a heresy",
    "cult": "a secret cult",
}
"""What a religion is, for its prompt. Not "church": SmolLM2 reads it as "Christian church"."""

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


@dataclass(frozen=True, slots=True)
class PeopleText:
    """Rewritten tables (text only) and the entity of every gateway call, in call order."""

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
    for row in _strongest_factions(tables).iter_rows(named=True):
        entity = f"faction {row['faction_id']}"
        ask(
            entity,
            FACTION_PROMPT,
            _faction(row),
            FactionText.model_construct(description=baseline[entity]),
            lambda a: str(a.description),
        )
    for row in _most_followed_religions(tables).iter_rows(named=True):
        entity = f"religion {row['religion_id']}"
        ask(
            entity,
            RELIGION_PROMPT,
            _religion(row),
            ReligionText.model_construct(description=baseline[entity]),
            lambda a: str(a.description),
        )
    return PeopleText(tables=_with_texts(tables, {**baseline, **texts}), entities=entities)


def _strongest_factions(tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """States first, then the rest, each by power: the powers a reader hears of first."""
    return (
        faction_facts(
            tables["factions"],
            settlements=tables["settlements"],
            religions=tables["religions"],
            npcs=tables["npcs"],
        )
        .sort([pl.col("kind") != "state", "power", "faction_id"], descending=[False, True, False])
        .head(MAX_FACTIONS)
    )


def _most_followed_religions(tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """The faiths with most followers (settlement populations weighted by share), with gods."""
    followers = (
        tables["religion_shares"]
        .join(tables["settlements"].select("settlement_id", "population"), on="settlement_id")
        .group_by("religion_id")
        .agg((pl.col("share") * pl.col("population")).sum().alias("followers"))
    )
    gods = (
        tables["deities"]
        .sort("religion_id", "rank")
        .group_by("religion_id", maintain_order=True)
        .head(MAX_DEITIES)
        .group_by("religion_id", maintain_order=True)
        .agg(pl.struct("name", "epithet").alias("gods"))
    )
    religions = tables["religions"]
    parents = religions.select(
        pl.col("religion_id").alias("parent_id"), pl.col("name").alias("parent")
    )
    return (
        religions.select("religion_id", "name", "kind", "parent_id")
        .join(parents, on="parent_id", how="left")
        .join(followers, on="religion_id", how="left")
        .join(gods, on="religion_id", how="inner")  # a faith without gods has nothing to say
        .sort(["followers", "religion_id"], descending=[True, False], nulls_last=True)
        .head(MAX_RELIGIONS)
    )


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


def _faction(row: dict[str, Any]) -> FactionFacts:
    # Region counts, head counts and the leader's role stay out: SmolLM2 rambles or garbles
    # once a prompt lists more than a handful of facts.
    return FactionFacts(
        name=row["name"],
        what=FACTION_KINDS[row["kind"]].format(form=row["form"]),
        seat=row["seat"] or "",
        leader=row["leader"] or "",
        faith=row["faith"] or "",
    )


def _religion(row: dict[str, Any]) -> ReligionFacts:
    return ReligionFacts(
        name=row["name"],
        what=RELIGION_KINDS[row["kind"]],
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
