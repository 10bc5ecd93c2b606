"""Gods and names for faiths: deities with domains drawn from the faith's land, in the shape of
its form (one god, two opposed, a pantheon, spirits), and a name in its culture's tongue."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from worldloom.systems.naming import MarkovNamer, NameBases
from worldloom.systems.region import Region
from worldloom.systems.religion.table import Domain, ReligionKind, ReligionTable
from worldloom.systems.rng import Key, Seeds

_NAME_ATTEMPTS = 12


@dataclass(frozen=True, slots=True)
class Faith:
    """The founding facts of one faith, before it has gods or a name.

    `parent` is the religion id a heresy or cult split from (-1 otherwise); the origin is
    the holy city or birthplace (-1 for folk faiths, which belong to a whole culture).
    """

    kind: ReligionKind
    culture_id: int
    form: str
    parent: int
    origin_settlement: int
    origin_region: int
    strength: float
    reach: float

    @property
    def key(self) -> tuple[Key, ...]:
        """Stream keys that name this faith whatever other faiths exist."""
        return (self.kind, self.culture_id, self.origin_settlement, self.parent)


def culture_namers(cultures: pl.DataFrame, name_bases: NameBases) -> dict[int, MarkovNamer]:
    """Each culture's namer (culture id -> the namer of its name base), learnt once a base."""
    learnt: dict[str, MarkovNamer] = {}
    namers = {}
    for culture_id, base in cultures.select("culture_id", "name_base").iter_rows():
        if base not in name_bases.keys:
            raise ValueError(f"culture {culture_id} uses unknown name base {base!r}")
        if base not in learnt:
            learnt[base] = MarkovNamer.learn(name_bases.get(base))
        namers[int(culture_id)] = learnt[base]
    return namers


def write_deities(
    faiths: Sequence[Faith],
    regions: Sequence[Region],
    region_culture: np.ndarray,
    cultures: pl.DataFrame,
    *,
    seeds: Seeds,
    table: ReligionTable,
    name_bases: NameBases,
) -> pl.DataFrame:
    """The gods of every faith, chief god first.

    Domains whose resources the faith's land yields are three times as likely (sea gods on
    fishing coasts, smiths where there is ore); a deity's domains are its own in its faith.

    Returns:
        deity_id Int32, religion_id Int32, rank Int16, name String, epithet String,
        domains List(String).
    """
    namers = culture_namers(cultures, name_bases)
    taken: set[str] = set()
    rows: list[tuple[int, int, str, str, list[str]]] = []
    for religion_id, faith in enumerate(faiths):
        rng = seeds.stream("religion.deities", *faith.key)
        if faith.kind == "folk":
            homeland = [r for r in regions if region_culture[r.region_id] == faith.culture_id]
        else:
            homeland = [regions[faith.origin_region]]
        land = {resource for region in homeland for resource in region.resources}
        for rank, domains in enumerate(_domains(table, faith.form, land, rng)):
            name = namers[faith.culture_id].generate(rng=rng, taken=taken)
            taken.add(name.lower())
            epithets = table.domain(domains[0]).epithets
            epithet = epithets[int(rng.integers(len(epithets)))]
            rows.append((religion_id, rank, name, epithet, domains))
    return pl.DataFrame(
        {
            "deity_id": pl.Series(range(len(rows)), dtype=pl.Int32),
            "religion_id": pl.Series([r[0] for r in rows], dtype=pl.Int32),
            "rank": pl.Series([r[1] for r in rows], dtype=pl.Int16),
            "name": pl.Series([r[2] for r in rows], dtype=pl.String),
            "epithet": pl.Series([r[3] for r in rows], dtype=pl.String),
            "domains": pl.Series([r[4] for r in rows], dtype=pl.List(pl.String)),
        }
    )


def _domains(
    table: ReligionTable, form_key: str, land: set[str], rng: np.random.Generator
) -> list[list[str]]:
    """Each deity's domains, without repeats inside one faith."""
    form = table.form(form_key)
    pool: list[Domain] = list(table.domains)
    count = int(rng.integers(form.deities[0], form.deities[1] + 1))
    gods: list[list[str]] = [[] for _ in range(count)]
    if form_key == "dualism":
        paired = [d for d in pool if d.opposite is not None]
        first = paired[_pick(paired, land, rng)]
        gods = [[first.key], [str(first.opposite)]]
        pool = [d for d in pool if d.key not in (first.key, first.opposite)]
    for god in gods:
        wanted = int(rng.integers(form.domains[0], form.domains[1] + 1))
        while len(god) < wanted and pool:
            god.append(pool.pop(_pick(pool, land, rng)).key)
    return [god for god in gods if god]


def _pick(domains: Sequence[Domain], land: set[str], rng: np.random.Generator) -> int:
    weight = np.array([3.0 if d.resources & land else 1.0 for d in domains])
    return int(rng.choice(weight.size, p=weight / weight.sum()))


def write_names(
    faiths: Sequence[Faith],
    deities: pl.DataFrame,
    cultures: pl.DataFrame,
    settlement_names: Mapping[int, str],
    *,
    seeds: Seeds,
    table: ReligionTable,
    name_bases: NameBases,
) -> tuple[str, ...]:
    """A unique name for every faith, from its kind's patterns (parents are named first)."""
    namers = culture_namers(cultures, name_bases)
    culture_name = dict(cultures.select("culture_id", "name").iter_rows())
    chief = {
        religion_id: (name, epithet)
        for religion_id, name, epithet in deities.filter(pl.col("rank") == 0)
        .select("religion_id", "name", "epithet")
        .iter_rows()
    }
    taken: set[str] = set()
    names: list[str] = []
    for religion_id, faith in enumerate(faiths):
        deity, epithet = chief.get(religion_id, ("the Nameless", "the Nameless"))
        name = name_faith(
            faith,
            namer=namers[faith.culture_id],
            fields={
                "culture": culture_name[faith.culture_id],
                "deity": deity,
                "epithet": epithet,
                "place": settlement_names.get(faith.origin_settlement),
                "parent": names[faith.parent] if faith.parent >= 0 else None,
            },
            taken=taken,
            rng=seeds.stream("religion.name", *faith.key),
            table=table,
        )
        names.append(name)
    return tuple(names)


def name_faith(
    faith: Faith,
    *,
    namer: MarkovNamer,
    fields: Mapping[str, str | None],
    taken: set[str],
    rng: np.random.Generator,
    table: ReligionTable,
) -> str:
    """A name for `faith` from its kind's patterns, none of `taken` (which gains it and its
    root). `fields` fill the patterns: culture, deity, epithet, and place and parent (None:
    the faith's root word stands in)."""
    patterns = table.names[faith.kind]
    for _ in range(_NAME_ATTEMPTS):
        root = namer.generate(rng=rng, taken=taken)
        filled = {key: root if value is None else value for key, value in fields.items()}
        name = patterns[int(rng.integers(len(patterns)))].format_map({**filled, "root": root})
        if name.lower() not in taken:
            break
    else:  # every pattern clashed: a fresh root is unique by construction
        name = f"{root} Faith"
    taken.update((name.lower(), root.lower()))
    return name
