"""The war seed table and the war room's inputs: the shipped table loads with fighters by the
combat room's rules; broken tables, inputs and stored states are refused with a clear message."""

from __future__ import annotations

import copy
from dataclasses import fields
from typing import Any

import numpy as np
import polars as pl
import pytest

from tests.wars import TABLE, grid_world
from worldloom.infrastructure.seed_data import read_toml
from worldloom.systems.tension_war import (
    FIGHTERS,
    WarInputs,
    WarState,
    WarTable,
    diplomacy_pairs,
    start_war_state,
)

RAW = read_toml("war.toml")


def test_the_shipped_table_loads_with_fighters_that_rank_as_they_should() -> None:
    assert len(TABLE.blocks) == len(FIGHTERS)
    levy, professional, guard = range(3)
    assert TABLE.blocks.hp[professional] > TABLE.blocks.hp[levy]
    assert TABLE.blocks.ac[professional] > TABLE.blocks.ac[guard] >= TABLE.blocks.ac[levy]
    assert TABLE.fortification["capital"] > TABLE.fortification["village"]
    assert TABLE.war["threshold"] > TABLE.bands[-1]


def _set(path: str, value: Any) -> dict[str, Any]:
    raw = copy.deepcopy(RAW)
    *parents, last = path.split(".")
    node: Any = raw
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if value is None:
        del node[last]
    else:
        node[last] = value
    return raw


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (_set("tension", None), "needs a \\[tension\\] table"),
        (_set("tension.border", "wide"), "tension.border must be a number"),
        (_set("tension.border", -1.0), "finite and non-negative"),
        (_set("army.levy_men", 1.5), "is a share"),
        (_set("war.threshold", 120.0), "is a tension"),
        (_set("army.march_speed", 0.0), "must be > 0"),
        (_set("tension.bands", [10.0, 20.0]), "needs 5 bounds"),
        (_set("tension.bands", [10.0, 5.0, 20.0, 30.0, 40.0]), "must ascend"),
        (_set("tension.rose_bands", []), "needs a list"),
        (_set("fortification.town", None), "exactly the tiers"),
        (_set("fortification.town", -2), "non-negative number"),
        (_set("siege_days.town", 0), "must be positive"),
        (_set("fighter", []), "must list"),
        (_set("fighter.0.level", 30), "level 0-20"),
        (_set("fighter.0.attributes", {"strength": 10}), "six attributes"),
    ],
)
def test_a_broken_table_is_refused(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WarTable.from_mapping(raw)


INPUTS, DIPLOMACY, PROVINCES = grid_world(2, side=4, states=3)


def _arguments() -> dict[str, Any]:
    return {
        f.name: getattr(INPUTS, f.name)
        for f in fields(WarInputs)
        if f.init  # the road graph and region rows are derived
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"faction_culture": np.zeros(3, dtype=np.int64)}, "one element per faction"),
        ({"region_elevation": np.zeros(2)}, "one element per region"),
        ({"settlement_guards": np.zeros(2, dtype=np.int64)}, "one element per settlement"),
        ({"region_a": np.zeros(1, dtype=np.int64)}, "one element per pair"),
        ({"road_days": np.zeros(1)}, "one per road"),
        ({"trade_competition": np.zeros((2, 2))}, "\\[faction, faction\\]"),
        ({"religion_hostility": np.zeros((2, 3))}, "must be square"),
        ({"faction_ids": np.arange(5)[::-1].copy()}, "unique and ascending"),
        ({"road_start": np.full(INPUTS.road_start.size, 3, dtype=np.int64)}, "unknown ids"),
        ({"faction_seat_region": np.full(5, 4, dtype=np.int64)}, "unknown ids"),
        ({"faction_religion": np.full(5, 9, dtype=np.int64)}, "beyond religion_hostility"),
        ({"settlement_tier": np.full(INPUTS.settlement_ids.size, "metropolis")}, "unknown tiers"),
        ({"settlement_men": -INPUTS.settlement_men}, "cannot be negative"),
        ({"road_days": -INPUTS.road_days}, "must be positive"),
        ({"trade_competition": np.full((5, 5), 2.0)}, "must lie in 0-1"),
        ({"religion_hostility": np.full((3, 3), 101.0)}, "must lie in 0-100"),
    ],
)
def test_bad_inputs_are_refused(change: dict[str, Any], message: str) -> None:
    arguments = _arguments() | change
    with pytest.raises(ValueError, match=message):
        WarInputs(**arguments)


def test_inputs_from_plain_lists_take_defaults() -> None:
    inputs = WarInputs.of(
        faction_ids=[1, 2],
        faction_is_state=[True, True],
        faction_seat_settlement=[10, 11],
        faction_seat_region=[0, 1],
        region_ids=[0, 1],
        region_a=[0],
        region_b=[1],
        settlement_ids=[10, 11],
        settlement_region=[0, 1],
        settlement_tier=["capital", "town"],
        settlement_population=[5000, 900],
        settlement_men=[1000, 200],
        settlement_women=[1000, 200],
        settlement_guards=[50, 9],
        road_start=[10],
        road_end=[11],
        road_days=[4.0],
    )
    assert inputs.trade_competition.shape == (2, 2)
    assert inputs.faction_leader.tolist() == [-1, -1]
    assert inputs.travel_days(0).tolist() == [0.0, 4.0]
    assert inputs.faction_row(2) == 1


def test_incomplete_stored_states_are_refused() -> None:
    frames = start_war_state(INPUTS, diplomacy=DIPLOMACY, provinces=PROVINCES).to_frames()
    with pytest.raises(ValueError, match="missing tables"):
        WarState.from_frames({k: v for k, v in frames.items() if k != "war_wars"})
    doubled = frames["war_counters"].vstack(frames["war_counters"])
    with pytest.raises(ValueError, match="exactly one row"):
        WarState.from_frames(frames | {"war_counters": doubled})


def test_generated_vassals_and_allies_carry_into_the_state_and_back_out() -> None:
    ids = INPUTS.faction_ids
    statuses = {(int(ids[0]), int(ids[1])): "vassal", (int(ids[1]), int(ids[2])): "suzerain"}
    statuses[(int(ids[0]), int(ids[2]))] = "ally"
    diplomacy = DIPLOMACY.with_columns(
        status=pl.Series(
            [
                statuses.get((a, b), status)
                for a, b, status in DIPLOMACY.select("a_id", "b_id", "status").iter_rows()
            ]
        )
    )
    state = start_war_state(INPUTS, diplomacy=diplomacy, provinces=PROVINCES)
    assert state.suzerain[0] == ids[1]
    assert state.suzerain[2] == ids[1]
    assert state.allied[0, 2]
    frame = diplomacy_pairs(state, inputs=INPUTS, table=TABLE)
    status = {(a, b): s for a, b, s in frame.select("a_id", "b_id", "status").iter_rows()}
    for pair, expected in statuses.items():
        assert status[pair] == expected
