"""Procedural descriptions of what a reader meets first: settlements, factions, religions and
notable NPCs, written from their facts (the LLM's fallback, and the text without one).

Each kind has a facts frame (one row per entity, names already resolved), built here from the
stored tables, so the people stage and the LLM stage describe the same facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from worldloom.systems.prose.writer import ProseTemplates, fit_sentences, join_words, pick_phrase
from worldloom.systems.rng import Seeds

DESCRIPTION_MIN = 30
SETTLEMENT_DESCRIPTION_MAX = 240
FACTION_DESCRIPTION_MAX = 240
RELIGION_DESCRIPTION_MAX = 240
NOTABLE_BIO_MAX = 200
"""Bounds shared with the LLM response models, so either writer's text fits the same slot."""


def settlement_facts(
    settlements: pl.DataFrame,
    *,
    regions: pl.DataFrame,
    shares: pl.DataFrame,
    religions: pl.DataFrame,
    provinces: pl.DataFrame,
    factions: pl.DataFrame,
) -> pl.DataFrame:
    """Per settlement: name, tier, population, port, region, main faith, ruling state, seat."""
    faith = (
        shares.sort(["settlement_id", "share", "religion_id"], descending=[False, True, False])
        .unique("settlement_id", keep="first", maintain_order=True)
        .join(religions.select("religion_id", pl.col("name").alias("faith")), on="religion_id")
        .select("settlement_id", "faith")
    )
    states = factions.filter(pl.col("kind") == "state")
    ruler = provinces.join(
        states.select("faction_id", pl.col("name").alias("state")), on="faction_id"
    ).select("region_id", "state")
    seats = states.select(pl.col("seat_settlement_id").alias("settlement_id"), is_seat=pl.lit(True))
    return (
        settlements.select("settlement_id", "name", "tier", "population", "is_port", "region_id")
        .join(
            regions.select("region_id", pl.col("name").alias("region")), on="region_id", how="left"
        )
        .join(faith, on="settlement_id", how="left")
        .join(ruler, on="region_id", how="left")
        .join(seats.unique("settlement_id"), on="settlement_id", how="left")
        .with_columns(pl.col("is_seat").fill_null(False))
        .sort("settlement_id")
    )


def faction_facts(
    factions: pl.DataFrame,
    *,
    settlements: pl.DataFrame,
    religions: pl.DataFrame,
    npcs: pl.DataFrame,
) -> pl.DataFrame:
    """Per faction: name, kind, form, seat, territory, people, leader and role, faith, power."""
    leaders = npcs.filter(pl.col("notable")).select(
        pl.col("npc_id").alias("leader_npc_id"),
        pl.concat_str("name", "family_name", separator=" ").alias("leader"),
        pl.col("notable_role").str.replace_all("_", " ").alias("role"),
    )
    return (
        factions.select(
            "faction_id",
            "name",
            "kind",
            pl.col("form").str.replace_all("_", " "),
            "seat_settlement_id",
            "territory_regions",
            "people",
            "leader_npc_id",
            "religion_id",
            "power",
        )
        .join(
            settlements.select(
                pl.col("settlement_id").alias("seat_settlement_id"), pl.col("name").alias("seat")
            ),
            on="seat_settlement_id",
            how="left",
        )
        .join(leaders, on="leader_npc_id", how="left")
        .join(
            religions.select("religion_id", pl.col("name").alias("faith")),
            on="religion_id",
            how="left",
        )
        .sort("faction_id")
    )


def religion_facts(
    religions: pl.DataFrame, *, deities: pl.DataFrame, holy_sites: pl.DataFrame, pois: pl.DataFrame
) -> pl.DataFrame:
    """Per religion: name, kind, form, parent faith, chief deity with epithet and domains, sites."""
    chief = deities.filter(pl.col("rank") == 0).select(
        "religion_id",
        pl.col("name").alias("deity"),
        "epithet",
        pl.col("domains").list.eval(pl.element().str.replace_all("_", " ")),
    )
    sites = (
        holy_sites.join(pois.select("poi_id", "name"), on="poi_id")
        .sort("poi_id")
        .group_by("religion_id", maintain_order=True)
        .agg(pl.col("name").alias("sites"))
    )
    parents = religions.select(
        pl.col("religion_id").alias("parent_id"), pl.col("name").alias("parent")
    )
    return (
        religions.select(
            "religion_id", "name", "kind", pl.col("form").str.replace_all("_", " "), "parent_id"
        )
        .join(parents, on="parent_id", how="left")
        .join(chief, on="religion_id", how="left")
        .join(sites, on="religion_id", how="left")
        .with_columns(pl.col("sites").fill_null(pl.lit([], dtype=pl.List(pl.String))))
        .sort("religion_id")
    )


def notable_facts(
    npcs: pl.DataFrame, *, settlements: pl.DataFrame, factions: pl.DataFrame
) -> pl.DataFrame:
    """Per notable NPC: full and first name, age, role, profession, home, traits, led faction."""
    led = (
        factions.filter(pl.col("leader_npc_id") >= 0)
        .sort("faction_id")
        .unique("leader_npc_id", keep="first", maintain_order=True)
        .select(pl.col("leader_npc_id").alias("npc_id"), pl.col("name").alias("faction"))
    )
    return (
        npcs.filter(pl.col("notable"))
        .select(
            "npc_id",
            pl.concat_str("name", "family_name", separator=" ").alias("name"),
            pl.col("name").alias("first"),
            "age",
            pl.col("notable_role").str.replace_all("_", " ").alias("role"),
            pl.col("profession").str.replace_all("_", " "),
            "settlement_id",
            pl.concat_list("trait_1", "trait_2", "trait_3").list.drop_nulls().alias("traits"),
        )
        .join(
            settlements.select("settlement_id", "tier", pl.col("name").alias("settlement")),
            on="settlement_id",
            how="left",
        )
        .join(led, on="npc_id", how="left")
        .sort("npc_id")
    )


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
    return fit_sentences(sentences, SETTLEMENT_DESCRIPTION_MAX)


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
    return fit_sentences(sentences, FACTION_DESCRIPTION_MAX)


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
    return fit_sentences(sentences, RELIGION_DESCRIPTION_MAX)


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
