"""A faith split mid-history (`splinter_faith`): the heresy a schism founds, as the rows the
religion tables gain. It is named from the heresy patterns (in the tongue of the culture of the
state that broke away, after its seat), keeps its parent's gods (each a row of its own), and
regards every other faith as its parent does, its parent and it at least `heresy_parent`
hostile to each other; it is described as the generated faiths are (prose's baseline)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from worldloom.systems.naming import NameBases
from worldloom.systems.prose import ProseTemplates, describe_religion, religion_facts
from worldloom.systems.religion.pantheon import Faith, culture_namers, name_faith
from worldloom.systems.religion.relation import relation_rows
from worldloom.systems.religion.table import ReligionTable
from worldloom.systems.rng import Seeds


@dataclass(frozen=True, slots=True)
class Founding:
    """Where a schism happened: the new faith's id, the faith it broke from, the culture of
    the state that broke away, its seat (settlement id, region id) and the seat's name (None
    for a state without a seat)."""

    religion: int
    parent: int
    culture: int
    seat: tuple[int, int]
    place: str | None


@dataclass(frozen=True, slots=True, eq=False)
class Splinter:
    """The rows a schism adds to religions, deities and religion_relations (their columns
    but world_id)."""

    religions: pl.DataFrame
    deities: pl.DataFrame
    relations: pl.DataFrame


def splinter_faith(
    founding: Founding,
    religions: pl.DataFrame,
    deities: pl.DataFrame,
    relations: pl.DataFrame,
    *,
    cultures: pl.DataFrame,
    seeds: Seeds,
    table: ReligionTable,
    name_bases: NameBases,
    templates: ProseTemplates,
) -> Splinter:
    """The new faith of `founding`, among the `religions`, `deities` and `relations` there are
    (which hold every faith with a smaller id)."""
    parent = religions.filter(pl.col("religion_id") == founding.parent).row(0, named=True)
    settlement, region = founding.seat
    faith = Faith(
        kind="heresy",
        culture_id=founding.culture,
        form=parent["form"],
        parent=founding.parent,
        origin_settlement=settlement,
        origin_region=region,
        strength=0.0,
        reach=0.0,
    )
    gods = deities.filter(pl.col("religion_id") == founding.parent).sort("rank")
    chief = gods.row(0, named=True) if gods.height else {"name": None, "epithet": None}
    culture = cultures.filter(pl.col("culture_id") == founding.culture).row(0, named=True)
    named = name_faith(
        faith,
        namer=culture_namers(cultures, name_bases)[founding.culture],
        fields={
            "culture": culture["name"],
            "deity": chief["name"] or "the Nameless",
            "epithet": chief["epithet"] or "the Nameless",
            "place": founding.place,
            "parent": parent["name"],
        },
        taken={str(n).lower() for n in religions["name"]},
        rng=seeds.stream("religion.schism", founding.religion),
        table=table,
    )
    religion = pl.DataFrame(
        {
            "religion_id": [founding.religion],
            "kind": [faith.kind],
            "name": [named],
            "form": [faith.form],
            "culture_id": [faith.culture_id],
            "parent_id": [faith.parent],
            "origin_settlement_id": [settlement],
            "origin_region_id": [region],
            "description": [""],
        },
        schema=religions.schema,
    )
    first_god = deities.height and int(deities["deity_id"].to_numpy().max()) + 1
    kept_gods = gods.with_columns(
        pl.int_range(first_god, first_god + gods.height)
        .cast(deities["deity_id"].dtype)
        .alias("deity_id"),
        pl.lit(founding.religion).cast(deities["religion_id"].dtype).alias("religion_id"),
    ).select(deities.columns)
    facts = religion_facts(
        pl.concat([religions, religion]),
        deities=kept_gods,
        holy_sites=pl.DataFrame(schema={"poi_id": pl.Int64, "religion_id": pl.Int64}),
        pois=pl.DataFrame(schema={"poi_id": pl.Int64, "name": pl.String}),
    ).filter(pl.col("religion_id") == founding.religion)
    described = religion.with_columns(
        description=pl.lit(
            describe_religion(facts.row(0, named=True), templates=templates, seeds=seeds)
        )
    )
    return Splinter(described, kept_gods, _regard(founding, religions, relations, table=table))


def _regard(
    founding: Founding, religions: pl.DataFrame, relations: pl.DataFrame, *, table: ReligionTable
) -> pl.DataFrame:
    """The new faith and each other faith (smaller ids all): as its parent and that faith (every
    pair has a row), and at least `heresy_parent` hostile with its parent."""
    others = religions["religion_id"].to_numpy().astype(np.int64)
    score = {
        (min(a, b), max(a, b)): h
        for a, b, h in relations.select("a_id", "b_id", "hostility").rows()
    }
    parent = founding.parent
    floor = int(table.relations["heresy_parent"])
    hostility = np.array(
        [
            floor if x == parent else score[(min(x, parent), max(x, parent))]
            for x in others.tolist()
        ],
        dtype=np.int16,
    )
    rows = relation_rows(
        others, np.full(others.size, founding.religion, dtype=np.int64), hostility, table=table
    )
    return rows.cast({name: relations.schema[name] for name in rows.columns})
