"""Where the artifacts are now: worn by their holders in place of what they wore there, or lying
in a room; and their rows, each artifact in exactly one place."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from worldloom.systems.gear.artifact import NOBODY, Artifact
from worldloom.systems.gear.equipment import Outfit
from worldloom.systems.gear.item import ItemMaker, Pricing, item_ids
from worldloom.systems.gear.loot import LOOT_SCHEMA

ARTIFACT_SCHEMA = {
    "artifact_id": pl.Int32,
    "name": pl.String,
    "item_id": pl.Int64,
    "material": pl.String,
    "enchantment": pl.String,
    "bonus": pl.Int16,
    "value": pl.Int64,
    "maker_npc_id": pl.Int64,
    "maker_name": pl.String,
    "made_tick": pl.Int64,
    "holder_npc_id": pl.Int64,
    "sublocation_id": pl.Int32,
}
"""-1 ids name nobody and no room: exactly one of holder_npc_id and sublocation_id is set."""


def wear_artifacts(
    outfit: Outfit,
    artifacts: Sequence[Artifact],
    holders: np.ndarray,
    *,
    maker: ItemMaker,
) -> None:
    """Put each held artifact in its holder's slot of `outfit`, in place (what was there stays
    home, and the holder's load follows). The outfit's arrays are a slot for every NPC, so a
    copy of them all for a few hundred artifacts was a third of a large world's gear stage.

    Args:
        holders: per artifact, the holder's position in the outfit's NPC axis (-1 when lost).
    """
    codes = {name: i for i, name in enumerate(maker.material_names)}
    for artifact, npc in zip(artifacts, holders.tolist(), strict=True):
        if artifact.holder == NOBODY:
            continue
        slot, before = artifact.slot, outfit.good[artifact.slot, npc]
        outfit.load_kg[npc] += maker.weight_kg[artifact.good] - (
            maker.weight_kg[before] if before >= 0 else 0.0
        )
        outfit.good[slot, npc] = artifact.good
        outfit.tier[slot, npc] = artifact.tier
        outfit.material[slot, npc] = codes.get(artifact.material, -1)
        outfit.material_value[slot, npc] = artifact.material_value
        outfit.condition[slot, npc] = 1.0
        outfit.spell[slot, npc] = artifact.spell
        outfit.bonus[slot, npc] = artifact.bonus
        outfit.artifact[slot, npc] = artifact.artifact_id


def artifact_value(artifact: Artifact, market: int, *, maker: ItemMaker, pricing: Pricing) -> int:
    """What an artifact would fetch in `market` (as new, its material and enchantment priced)."""
    return int(
        maker.value(
            pricing.price[market, np.array([artifact.good])],
            tier=np.array([artifact.tier]),
            material_value=np.array([artifact.material_value]),
            condition=np.ones(1),
            bonus=np.array([artifact.bonus]),
            qty=np.ones(1, dtype=np.int64),
        )[0]
    )


def lost_artifact_loot(
    artifacts: Sequence[Artifact],
    rooms: pl.DataFrame,
    loot: pl.DataFrame,
    *,
    maker: ItemMaker,
    pricing: Pricing,
) -> pl.DataFrame:
    """Loot rows for the artifacts lying lost, after each room's other contents."""
    rows = []
    last = dict(loot.group_by("sublocation_id").agg(pl.col("position").max()).rows())
    for artifact in artifacts:
        if artifact.room < 0:
            continue
        room = rooms.row(artifact.room, named=True)
        sub = int(room["sublocation_id"])
        last[sub] = last.get(sub, -1) + 1
        rows.append(
            {
                "sublocation_id": sub,
                "position": last[sub],
                "poi_id": int(room["poi_id"]),
                "item_id": int(item_ids(np.array([artifact.good]), np.array([artifact.tier]))[0]),
                "qty": 1,
                "material": artifact.material,
                "condition": 1.0,
                "enchantment": maker.spell_labels(np.array([artifact.spell]))[0],
                "bonus": artifact.bonus,
                "value": artifact_value(
                    artifact, int(room["market_id"]), maker=maker, pricing=pricing
                ),
                "artifact_id": artifact.artifact_id,
            }
        )
    return pl.DataFrame(rows, schema=LOOT_SCHEMA)


def artifact_rows(
    artifacts: Sequence[Artifact],
    *,
    holder_ids: Sequence[int],
    holder_markets: Sequence[int],
    rooms: pl.DataFrame,
    maker: ItemMaker,
    pricing: Pricing,
) -> pl.DataFrame:
    """The `artifacts` rows: what each is, who made it, and where it is now.

    Args:
        holder_ids: per artifact, the holder's npc_id (-1 when lost).
        holder_markets: per artifact, the market its holder trades at (ignored when lost).
    """
    rows = []
    for artifact, holder, market in zip(artifacts, holder_ids, holder_markets, strict=True):
        room = rooms.row(artifact.room, named=True) if artifact.room >= 0 else None
        where = int(room["market_id"]) if room else int(market)
        rows.append(
            {
                "artifact_id": artifact.artifact_id,
                "name": artifact.name,
                "item_id": int(item_ids(np.array([artifact.good]), np.array([artifact.tier]))[0]),
                "material": artifact.material,
                "enchantment": maker.spell_labels(np.array([artifact.spell]))[0],
                "bonus": artifact.bonus,
                "value": artifact_value(artifact, where, maker=maker, pricing=pricing),
                "maker_npc_id": artifact.maker_npc_id,
                "maker_name": artifact.maker_name,
                "made_tick": artifact.made_tick,
                "holder_npc_id": holder,
                "sublocation_id": int(room["sublocation_id"]) if room else -1,
            }
        )
    return pl.DataFrame(rows, schema=ARTIFACT_SCHEMA)
