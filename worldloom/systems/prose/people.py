"""Procedural descriptions of what a reader meets first: settlements, factions, religions and
notable NPCs, written from their facts (the LLM's fallback, and the text without one)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from worldloom.systems.prose.facts import (
    faction_facts,
    notable_facts,
    religion_facts,
    settlement_facts,
)
from worldloom.systems.prose.templates import ProseTemplates, fit_sentences, join_words, pick_phrase
from worldloom.systems.rng import Seeds

DESCRIPTION_MIN = 30
DESCRIPTION_MAX = 240
NOTABLE_BIO_MAX = 200
"""Bounds shared with the LLM response models, so either writer's text fits the same slot."""


@dataclass(frozen=True, slots=True)
class PeopleProse:
    """Procedural text for the people stage's entities, in each table's row order."""

    settlements: list[str]
    factions: list[str]
    religions: list[str]
    bios: pl.DataFrame
    baseline: pl.DataFrame
    """`people_prose_baseline` rows: where the LLM stage starts from."""


def write_people_prose(
    *,
    settlements: pl.DataFrame,
    regions: pl.DataFrame,
    pois: pl.DataFrame,
    religions: pl.DataFrame,
    deities: pl.DataFrame,
    holy_sites: pl.DataFrame,
    shares: pl.DataFrame,
    npcs: pl.DataFrame,
    factions: pl.DataFrame,
    provinces: pl.DataFrame,
    templates: ProseTemplates,
    seeds: Seeds,
) -> PeopleProse:
    """Procedural descriptions of settlements, factions, religions and notable NPCs."""
    places = settlement_facts(
        settlements,
        regions=regions,
        shares=shares,
        religions=religions,
        provinces=provinces,
        factions=factions,
    )
    powers = faction_facts(factions, settlements=settlements, religions=religions, npcs=npcs)
    faiths = religion_facts(religions, deities=deities, holy_sites=holy_sites, pois=pois)
    notables = notable_facts(npcs, settlements=settlements, factions=factions)
    texts = {
        "settlement": [
            describe_settlement(row, templates=templates, seeds=seeds)
            for row in places.iter_rows(named=True)
        ],
        "faction": [
            describe_faction(row, templates=templates, seeds=seeds)
            for row in powers.iter_rows(named=True)
        ],
        "religion": [
            describe_religion(row, templates=templates, seeds=seeds)
            for row in faiths.iter_rows(named=True)
        ],
        "npc": [
            write_notable_bio(row, templates=templates, seeds=seeds)
            for row in notables.iter_rows(named=True)
        ],
    }
    keyed = {
        "settlement": places.select(pl.col("settlement_id").alias("id"), "name"),
        "faction": powers.select(pl.col("faction_id").alias("id"), "name"),
        "religion": faiths.select(pl.col("religion_id").alias("id"), "name"),
        "npc": notables.select(pl.col("npc_id").alias("id"), "name"),
    }
    baseline = pl.concat(
        [
            frame.select(
                pl.format("{} {}", pl.lit(kind), "id").alias("entity"),
                "name",
                pl.Series("text", texts[kind], dtype=pl.String),
            )
            for kind, frame in keyed.items()
        ]
    )
    # The facts frames are sorted by id; the stored tables may not be.
    by_id = {kind: dict(zip(keyed[kind]["id"], texts[kind], strict=True)) for kind in keyed}
    return PeopleProse(
        settlements=[by_id["settlement"][i] for i in settlements["settlement_id"]],
        factions=[by_id["faction"][i] for i in factions["faction_id"]],
        religions=[by_id["religion"][i] for i in religions["religion_id"]],
        bios=pl.DataFrame(
            {"npc_id": notables["npc_id"], "text": texts["npc"]},
            schema={"npc_id": pl.Int64, "text": pl.String},
        ),
        baseline=baseline,
    )


def describe_settlement(
    facts: Mapping[str, Any], *, templates: ProseTemplates, seeds: Seeds
) -> str:
    """One to four sentences about a settlement (a row of `settlement_facts`)."""
    rng = seeds.stream("prose.settlement", int(facts["settlement_id"]))
    say = templates.entities["settlement"]
    sentences = [
        pick_phrase(rng, say["opening"]).format(
            name=facts["name"],
            tier=facts["tier"],
            population=f"{int(facts['population']):,}",
            region=facts["region"],
        )
    ]
    if facts["is_port"]:
        sentences.append(pick_phrase(rng, say["port"]))
    if facts["state"] is not None:
        key = "seat" if facts["is_seat"] else "ruled"
        sentences.append(pick_phrase(rng, say[key]).format(state=_bare(facts["state"])))
    if facts["faith"] is not None:
        sentences.append(pick_phrase(rng, say["faith"]).format(faith=_bare(facts["faith"])))
    return fit_sentences(sentences, DESCRIPTION_MAX)


def describe_faction(facts: Mapping[str, Any], *, templates: ProseTemplates, seeds: Seeds) -> str:
    """Two to four sentences about a faction (a row of `faction_facts`)."""
    rng = seeds.stream("prose.faction", int(facts["faction_id"]))
    say = templates.entities["faction"]
    kind = str(facts["kind"])
    regions = int(facts["territory_regions"])
    opening = say[kind] if facts["seat"] is not None or kind == "bandits" else say["bandits"]
    sentences = [
        pick_phrase(rng, opening).format(
            name=facts["name"],
            form=facts["form"],
            seat=facts["seat"],
            regions="one region" if regions == 1 else f"{regions} regions",
        )
    ]
    if facts["leader"] is not None:
        sentences.append(
            pick_phrase(rng, say["leader"]).format(leader=facts["leader"], role=facts["role"])
        )
    people = say["subjects"] if kind == "state" else say["members"]
    sentences.append(pick_phrase(rng, people).format(people=f"{int(facts['people']):,}"))
    if facts["faith"] is not None:
        sentences.append(pick_phrase(rng, say["faith"]).format(faith=_bare(facts["faith"])))
    return fit_sentences(sentences, DESCRIPTION_MAX)


def describe_religion(facts: Mapping[str, Any], *, templates: ProseTemplates, seeds: Seeds) -> str:
    """Two to four sentences about a religion (a row of `religion_facts`)."""
    rng = seeds.stream("prose.religion", int(facts["religion_id"]))
    say = templates.entities["religion"]
    sentences = [
        pick_phrase(rng, say["opening"]).format(
            name=_bare(facts["name"]),
            kind=templates.religion_kinds.get(str(facts["kind"]), f"a {facts['kind']} faith"),
            form=templates.religion_forms.get(str(facts["form"]).replace(" ", "_"), facts["form"]),
        )
    ]
    if facts["deity"] is not None:
        sentences.append(
            pick_phrase(rng, say["chief"]).format(
                deity=facts["deity"],
                epithet=facts["epithet"],
                domains=join_words(list(facts["domains"])[:3]),
            )
        )
    if facts["parent"] is not None:
        sentences.append(pick_phrase(rng, say["parent"]).format(parent=_bare(facts["parent"])))
    sites = list(facts["sites"])
    if sites:
        key = "one_site" if len(sites) == 1 else "many_sites"
        sentences.append(
            pick_phrase(rng, say[key]).format(
                site=sites[0], count=len(sites), others=len(sites) - 1
            )
        )
    return fit_sentences(sentences, DESCRIPTION_MAX)


def write_notable_bio(facts: Mapping[str, Any], *, templates: ProseTemplates, seeds: Seeds) -> str:
    """One to four sentences about a notable NPC (a row of `notable_facts`)."""
    rng = seeds.stream("prose.notable", int(facts["npc_id"]))
    say = templates.entities["notable"]
    first = facts["first"]
    sentences = [
        pick_phrase(rng, say["opening"]).format(
            name=facts["name"], role=facts["role"], settlement=facts["settlement"], age=facts["age"]
        )
    ]
    if facts["profession"] != facts["role"]:
        sentences.append(
            pick_phrase(rng, say["profession"]).format(first=first, profession=facts["profession"])
        )
    if facts["faction"] is not None:
        sentences.append(
            pick_phrase(rng, say["leads"]).format(first=first, faction=_bare(facts["faction"]))
        )
    traits = list(facts["traits"])
    if traits:
        sentences.append(
            pick_phrase(rng, say["traits"]).format(first=first, traits=join_words(traits))
        )
    return fit_sentences(sentences, NOTABLE_BIO_MAX)


def _bare(name: object) -> str:
    """A name for a template that puts "the" before it ("the Nabi Knives", not "the The...")."""
    return str(name).removeprefix("The ")


def apply_people_texts(
    tables: Mapping[str, pl.DataFrame], texts: Mapping[str, str]
) -> dict[str, pl.DataFrame]:
    """The described tables with each entity's text in place.

    Args:
        tables: the world's `settlements`, `factions`, `religions` and `people_prose_baseline`.
        texts: text by entity (`settlement <id>`, `faction <id>`, `religion <id>`,
            `npc <id>`), for every entity of the baseline.
    """

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
