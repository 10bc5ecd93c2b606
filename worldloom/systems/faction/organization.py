"""Factions that are not states: religious orders, guilds, bandits and criminal groups, and the
naming every faction shares."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from numpy.typing import NDArray

from worldloom.systems.faction.table import FactionKind, FactionTable
from worldloom.systems.naming import MarkovNamer, NameBases
from worldloom.systems.region import Region
from worldloom.systems.religion import Religions
from worldloom.systems.rng import Seeds

_NAME_ATTEMPTS = 12


@dataclass(frozen=True, slots=True)
class FactionRow:
    """One faction before ids are handed out (in kind order, once all are founded)."""

    kind: FactionKind
    form: str
    name: str
    seat_settlement: int
    seat_region: int
    culture_id: int
    religion_id: int
    people: int


@dataclass(slots=True)
class FactionNamer:
    """Culture-flavoured names, unique across one world's factions.

    Mutable on purpose: it remembers the names handed out during one `generate_factions`
    call, and lives no longer than that call.
    """

    cultures: pl.DataFrame
    name_bases: NameBases
    taken: set[str] = field(default_factory=set)
    _namers: dict[str, MarkovNamer] = field(default_factory=dict)

    def base(self, culture_id: int) -> str:
        """The culture's name base; the first base for land without a culture."""
        match = self.cultures.filter(pl.col("culture_id") == culture_id)["name_base"]
        return str(match[0]) if match.len() else self.name_bases.keys[0]

    def title(self, culture_id: int) -> str:
        match = self.cultures.filter(pl.col("culture_id") == culture_id)["name"]
        return str(match[0]) if match.len() else "Folk"

    def root(self, rng: np.random.Generator, culture_id: int) -> str:
        base = self.base(culture_id)
        if base not in self._namers:
            self._namers[base] = MarkovNamer.learn(self.name_bases.get(base))
        return self._namers[base].generate(rng=rng, taken=self.taken)

    def name(
        self, patterns: Sequence[str], rng: np.random.Generator, culture_id: int, **fields: str
    ) -> str:
        """Fill a drawn pattern (with a fresh `{root}`) until the name is not yet taken."""
        for _ in range(_NAME_ATTEMPTS):
            root = self.root(rng, culture_id)
            pattern = patterns[int(rng.integers(len(patterns)))]
            name = pattern.format_map({"root": root, **fields})
            if name.lower() not in self.taken:
                break
        else:  # every pattern clashed: the fresh root makes it unique
            name = f"{name} of {root}"
        self.taken.update((name.lower(), root.lower()))
        return name


def leading_faith(religions: Religions) -> dict[int, int]:
    """Each settlement's largest faith (ties go to the lower religion id)."""
    top = (
        religions.shares.sort(
            ["settlement_id", "share", "religion_id"], descending=[False, True, False]
        )
        .group_by("settlement_id", maintain_order=True)
        .first()
    )
    return dict(zip(top["settlement_id"].to_list(), top["religion_id"].to_list(), strict=True))


def found_orders(
    religions: Religions,
    towns: pl.DataFrame,
    *,
    seeds: Seeds,
    table: FactionTable,
    namer: FactionNamer,
) -> list[FactionRow]:
    """One religious order per organized faith, seated in its holy city."""
    rules = table.orders
    followers = (
        religions.shares.join(towns.select("settlement_id", "population"), on="settlement_id")
        .group_by("religion_id")
        .agg((pl.col("share") * pl.col("population")).sum().alias("people"))
    )
    flock = dict(followers.iter_rows())
    chief = religions.deities.filter(pl.col("rank") == 0)
    names = dict(towns.select("settlement_id", "name").iter_rows())
    rows = []
    for faith in religions.religions.filter(pl.col("kind") == "organized").iter_rows(named=True):
        seat = faith["origin_settlement_id"]
        rng = seeds.stream("faction.order", seat)
        god = chief.filter(pl.col("religion_id") == faith["religion_id"])
        fields = {
            "deity": str(god["name"][0]) if god.height else faith["name"],
            "epithet": str(god["epithet"][0]) if god.height else faith["name"],
            "place": names.get(seat, faith["name"]),
            "religion": faith["name"],
        }
        rows.append(
            FactionRow(
                kind="order",
                form=str(rules["forms"][int(rng.integers(len(rules["forms"])))]),
                name=namer.name(rules["names"], rng, faith["culture_id"], **fields),
                seat_settlement=seat,
                seat_region=faith["origin_region_id"],
                culture_id=faith["culture_id"],
                religion_id=faith["religion_id"],
                people=round(flock.get(faith["religion_id"], 0.0) * float(rules["member_share"])),
            )
        )
    return rows


def found_guilds(
    regions: Sequence[Region],
    towns: pl.DataFrame,
    region_culture: NDArray[np.int64],
    faith_of: Mapping[int, int],
    *,
    seeds: Seeds,
    table: FactionTable,
    namer: FactionNamer,
) -> list[FactionRow]:
    """Guilds in cities and towns, for trades their region's resources (or coast) support."""
    per_tier = {str(k): int(v) for k, v in dict(table.guilds["per_tier"]).items()}
    rows = []
    for town in towns.filter(pl.col("tier").is_in(list(per_tier))).iter_rows(named=True):
        rng = seeds.stream("faction.guild", town["settlement_id"])
        land = set(regions[town["region_id"]].resources) | ({"coast"} if town["coastal"] else set())
        weight = np.array(
            [p.weight if not p.resources or p.resources & land else 0.0 for p in table.professions]
        )
        count = min(per_tier[town["tier"]], int((weight > 0).sum()))
        picks = rng.choice(weight.size, size=count, replace=False, p=weight / weight.sum())
        culture = int(region_culture[town["region_id"]])
        for pick in sorted(picks.tolist()):
            profession = table.professions[pick]
            name = namer.name(
                table.guilds["names"], rng, culture, label=profession.label, settlement=town["name"]
            )
            rows.append(
                FactionRow(
                    kind="guild",
                    form=profession.key,
                    name=name,
                    seat_settlement=town["settlement_id"],
                    seat_region=town["region_id"],
                    culture_id=culture,
                    religion_id=faith_of.get(town["settlement_id"], -1),
                    people=max(1, round(town["population"] * float(table.guilds["member_share"]))),
                )
            )
    return rows


def found_outlaws(
    regions: Sequence[Region],
    towns: pl.DataFrame,
    region_culture: NDArray[np.int64],
    faith_of: Mapping[int, int],
    *,
    seeds: Seeds,
    table: FactionTable,
    namer: FactionNamer,
) -> list[FactionRow]:
    """Criminal groups in big cities, then bandits (pirates on coasts) in dangerous regions."""
    rules = table.outlaws
    rows = []
    tiers = [str(t) for t in rules["criminal_tiers"]]
    for town in towns.filter(pl.col("tier").is_in(tiers)).iter_rows(named=True):
        rng = seeds.stream("faction.criminals", town["settlement_id"])
        if rng.random() >= float(rules["criminal_chance"]):
            continue
        culture = int(region_culture[town["region_id"]])
        forms = rules["criminal_forms"]
        rows.append(
            FactionRow(
                kind="criminals",
                form=str(forms[int(rng.integers(len(forms)))]),
                name=namer.name(rules["criminal_names"], rng, culture, settlement=town["name"]),
                seat_settlement=town["settlement_id"],
                seat_region=town["region_id"],
                culture_id=culture,
                religion_id=faith_of.get(town["settlement_id"], -1),
                people=max(1, round(town["population"] * float(rules["criminal_share"]))),
            )
        )
    for region in regions:
        rng = seeds.stream("faction.bandits", region.region_id)
        if region.danger_level < int(rules["bandit_danger"]):
            continue
        if rng.random() >= float(rules["bandit_chance"]):
            continue
        pirates = region.coastal and rng.random() < float(rules["pirate_chance"])
        culture = int(region_culture[region.region_id])
        patterns = rules["pirate_names"] if pirates else rules["bandit_names"]
        rows.append(
            FactionRow(
                kind="bandits",
                form="pirates" if pirates else "brigands",
                name=namer.name(patterns, rng, culture, region=region.name),
                seat_settlement=-1,
                seat_region=region.region_id,
                culture_id=culture,
                religion_id=-1,
                people=int(rules["band_size"]) * region.danger_level,
            )
        )
    return rows
