"""The chaos seed table: the shipped one loads with every kind and personality; a broken one is
refused with a message naming the field; stored states that are incomplete are refused."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import polars as pl
import pytest

from worldloom.infrastructure.seed_data import read_toml
from worldloom.systems.chaos import KINDS, ChaosState, ChaosTable, storyteller_multiplier
from worldloom.systems.rng import Seeds

RAW = read_toml("chaos.toml")


def test_the_shipped_table_loads() -> None:
    table = ChaosTable.from_mapping(RAW)
    assert [kind.key for kind in table.kinds] == list(KINDS)
    assert set(table.personalities) == {"calm", "classic", "chaotic"}
    assert table.personality(None).key == table.default_personality == "classic"
    drought = table.kinds[KINDS.index("drought")]
    assert drought.effect("yield_multiplier", 0.0) == pytest.approx(0.75)
    assert drought.effect("yield_multiplier", 1.0) == pytest.approx(0.35)
    assert drought.effect("deaths_share", 0.5) == 0.0
    assert drought.effect("route_cut_days", 0.5, none=7.0) == 7.0


def test_a_calm_storyteller_holds_back_after_a_blow_and_a_chaotic_one_piles_on() -> None:
    table = ChaosTable.from_mapping(RAW)
    seeds = Seeds(3)
    for key, falls in (("calm", True), ("chaotic", False)):
        personality = table.personality(key)
        rested, loaded = storyteller_multiplier(
            personality, load=np.array([0.0, 12.0]), tick=100, seeds=seeds
        )
        assert bool(loaded < rested) is falls


def _set(path: str, value: Any) -> dict[str, Any]:
    raw = copy.deepcopy(RAW)
    *parents, last = path.split(".")
    node = raw
    for part in parents:
        node = node[part]
    if value is None:
        del node[last]
    else:
        node[last] = value
    return raw


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (_set("event.omen", None), "must be exactly"),
        ({"event": 3}, "must be exactly"),
        (_set("event.omen", 3), "must be a table"),
        (_set("event.omen.scope", "sky"), "scope must be one of"),
        (_set("event.omen.per_region_year", -1), "finite and non-negative"),
        (_set("event.omen.danger", "high"), "must be a number"),
        (_set("event.omen.season", {"summer": 1.0}), "a factor for each"),
        (_set("event.omen.importance", [5, 2]), "importance needs"),
        (_set("event.omen.importance", [0, 11]), "importance needs"),
        (_set("event.fire.deaths_share", [0.1, 1.5]), "is a share"),
        (_set("event.fire.deaths_share", [0.1]), "needs \\[low, high\\]"),
        (_set("event.fire.market_closed_days", [-1, 3]), "non-negative bounds"),
        (_set("event.plague_outbreak.follows", ["comet"]), "unknown kinds"),
        (_set("event.plague_outbreak.follow_days", 0), "follow_days >= 1"),
        (_set("event.monster_attack.sources", []), "needs sources"),
        (_set("personality", {}), "needs \\[personality"),
        (_set("personality.calm", 1), "must be a table"),
        (_set("personality.calm.excitation", "much"), "excitation must be a number"),
        (_set("personality.calm.memory_days", 0), "must be positive"),
        (_set("personality.calm.min_multiplier", 9.0), "must not exceed"),
        (_set("personality.calm.cycle_amplitude", 1.0), "below 1"),
        (_set("default_personality", "moody"), "is not a personality"),
    ],
)
def test_a_broken_table_is_refused(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ChaosTable.from_mapping(raw)


def test_incomplete_stored_states_are_refused() -> None:
    frames = ChaosState.start().to_frames()
    with pytest.raises(ValueError, match="missing tables"):
        ChaosState.from_frames({k: v for k, v in frames.items() if k != "chaos_load"})
    with pytest.raises(ValueError, match="exactly one row"):
        ChaosState.from_frames(frames | {"chaos_state": pl.concat([frames["chaos_state"]] * 2)})
    bad = pl.DataFrame(
        {"region_id": [1], "kind": ["comet"], "tick": [3], "record_id": [0]},
        schema=frames["chaos_recent"].schema,
    )
    with pytest.raises(ValueError, match="unknown kinds"):
        ChaosState.from_frames(frames | {"chaos_recent": bad})
    assert ChaosState.start().__eq__(3) is NotImplemented
