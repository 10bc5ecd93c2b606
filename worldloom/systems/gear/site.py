"""Where gear is priced and found: the market each settlement and POI trades at, the rooms
that hold loot, and the places that hold encounters."""

from __future__ import annotations

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from worldloom.systems.combat import (
    Bestiary,
    Rulebook,
    assess_encounters,
    band_names,
    draw_encounters,
)
from worldloom.systems.draw import keyed_uniform
from worldloom.systems.rng import Seeds

IntArray = NDArray[np.int64]

LOOT_INTERIORS = ("dungeon", "lair", "ruin")
"""Interiors whose rooms hold loot (buildings hold their keepers' things, not treasure)."""
_ROOM_BITS = 26
"""A site's key is poi_id << 26 | (sublocation_id + 1): room ids stay below 2**26."""


def settlement_markets(settlements: pl.DataFrame, markets: pl.DataFrame) -> pl.DataFrame:
    """The market every settlement trades at: its own, the one serving it, else the nearest.

    Args:
        settlements: settlement_id, x, y.
        markets: market_id, settlement_id, served.
    """
    own = markets.select("settlement_id", "market_id")
    served = markets.select(pl.col("served").alias("settlement_id"), "market_id").explode(
        "settlement_id"
    )
    known = pl.concat([own, served.cast(own.schema)]).unique("settlement_id", keep="first")
    placed = settlements.select("settlement_id", "x", "y").join(
        known, on="settlement_id", how="left"
    )
    missing = placed.filter(pl.col("market_id").is_null())
    if missing.height:
        nearest = nearest_markets(missing, settlements=settlements, markets=markets)
        placed = placed.update(
            missing.select("settlement_id").with_columns(pl.Series("market_id", nearest)),
            on="settlement_id",
        )
    return placed.select("settlement_id", pl.col("market_id").cast(pl.Int64)).sort("settlement_id")


def nearest_markets(
    points: pl.DataFrame, *, settlements: pl.DataFrame, markets: pl.DataFrame
) -> IntArray:
    """The market nearest each point (x, y km) on the map; 0 when the world has none."""
    if markets.height == 0 or points.height == 0:
        return np.zeros(points.height, dtype=np.int64)
    towns = markets.select("market_id", "settlement_id").join(
        settlements.select("settlement_id", "x", "y"), on="settlement_id"
    )
    tree = cKDTree(towns.select("x", "y").to_numpy())
    _, index = tree.query(points.select("x", "y").to_numpy())
    result: IntArray = towns["market_id"].to_numpy().astype(np.int64)[np.asarray(index)]
    return result


def loot_rooms(pois: pl.DataFrame, sublocations: pl.DataFrame) -> pl.DataFrame:
    """Every room of a dungeon, lair or ruin: sublocation_id, poi_id, poi_kind, room_kind,
    danger_level, x, y (its site's), in sublocation order."""
    sites = pois.filter(pl.col("interior").is_in(LOOT_INTERIORS)).select(
        pl.col("poi_id").alias("place_id"),
        pl.col("kind").alias("poi_kind"),
        "danger_level",
        "x",
        "y",
    )
    return (
        sublocations.filter(pl.col("category") == "room")
        .join(sites, on="place_id")
        .select(
            "sublocation_id",
            pl.col("place_id").alias("poi_id"),
            "poi_kind",
            pl.col("kind").alias("room_kind"),
            "danger_level",
            "x",
            "y",
        )
        .sort("sublocation_id")
    )


def encounter_sites(
    pois: pl.DataFrame, sublocations: pl.DataFrame, *, bestiary: Bestiary, seeds: Seeds
) -> pl.DataFrame:
    """Where encounters are met: in each room of a POI whose kind has an encounter table with
    its room kind's chance (the POI's last room when none is drawn), or in the open at a POI
    without rooms.

    Returns:
        site_key (poi_id << 26 | sublocation_id + 1), poi_id, sublocation_id (-1 in the open),
        poi_kind, danger_level, in (poi_id, sublocation_id) order.
    """
    kinds = list(bestiary.tables)
    places = pois.filter(pl.col("kind").is_in(kinds)).select(
        "poi_id", pl.col("kind").alias("poi_kind"), "danger_level"
    )
    rooms = (
        sublocations.filter(pl.col("category") == "room")
        .select(pl.col("place_id").alias("poi_id"), "sublocation_id", pl.col("kind").alias("room"))
        .join(places, on="poi_id")
    )
    if rooms.height and int(rooms["sublocation_id"].max()) >= 2**_ROOM_BITS - 1:  # type: ignore[arg-type]
        raise ValueError("encounter_sites: sub-location ids must stay below 2**26")
    ids = rooms["sublocation_id"].to_numpy().astype(np.int64)
    chance = np.array(
        [bestiary.room_chance.get(r, bestiary.default_room_chance) for r in rooms["room"]]
    )
    drawn = keyed_uniform(ids, seeds=seeds, system="combat.room") < chance
    rooms = rooms.with_columns(pl.Series("drawn", drawn))
    last = rooms.group_by("poi_id").agg(pl.col("sublocation_id").max().alias("last"))
    quiet = rooms.group_by("poi_id").agg(pl.col("drawn").any().alias("any"))
    rooms = (
        rooms.join(last, on="poi_id")
        .join(quiet, on="poi_id")
        .filter(pl.col("drawn") | (~pl.col("any") & (pl.col("sublocation_id") == pl.col("last"))))
    )
    open_air = places.join(
        sublocations.select(pl.col("place_id").alias("poi_id")).unique(), on="poi_id", how="anti"
    ).with_columns(pl.lit(-1, dtype=pl.Int64).alias("sublocation_id"))
    columns = ["poi_id", "sublocation_id", "poi_kind", "danger_level"]
    sites = pl.concat(
        [
            rooms.select(columns).cast({"sublocation_id": pl.Int64}),
            open_air.select(columns),
        ]
    ).sort("poi_id", "sublocation_id")
    return sites.with_columns(
        ((pl.col("poi_id").cast(pl.Int64) * 2**_ROOM_BITS) + pl.col("sublocation_id") + 1).alias(
            "site_key"
        )
    ).select("site_key", *columns)


def place_encounters(
    pois: pl.DataFrame, sublocations: pl.DataFrame, *, seeds: Seeds, rulebook: Rulebook
) -> pl.DataFrame:
    """Every encounter of the world: where, which monsters, its XP by the d20 budget, the band
    its danger aims at and the one it falls in for the reference party, and how the party
    fares in seeded fights.

    Returns:
        encounter_id (0.. in (poi_id, sublocation_id) order), poi_id, sublocation_id (-1 in the
        open), monster, count, minion (None for a single kind), minions, xp, adjusted_xp,
        band, difficulty, win_chance, fallen.
    """
    sites = encounter_sites(pois, sublocations, bestiary=rulebook.bestiary, seeds=seeds)
    keys = sites["site_key"].to_numpy().astype(np.int64)
    drawn = draw_encounters(
        keys,
        sites["poi_kind"].to_list(),
        sites["danger_level"].to_numpy(),
        seeds=seeds,
        bestiary=rulebook.bestiary,
        rules=rulebook.rules,
    )
    fared = assess_encounters(drawn, keys, seeds=seeds, rulebook=rulebook)
    monsters = [m.key for m in rulebook.bestiary.monsters]
    names = band_names(rulebook.rules)
    return pl.DataFrame(
        {
            "encounter_id": np.arange(sites.height, dtype=np.int64),
            "poi_id": sites["poi_id"],
            "sublocation_id": sites["sublocation_id"],
            "monster": [monsters[m] for m in drawn.leader.tolist()],
            "count": drawn.leaders,
            "minion": [monsters[m] if m >= 0 else None for m in drawn.minion.tolist()],
            "minions": drawn.minions,
            "xp": drawn.xp,
            "adjusted_xp": drawn.adjusted_xp,
            "band": [names[b] for b in drawn.band.tolist()],
            "difficulty": [names[b] for b in drawn.difficulty.tolist()],
            "win_chance": fared.win_chance,
            "fallen": fared.fallen,
        },
        schema_overrides={"minion": pl.String},
    )
