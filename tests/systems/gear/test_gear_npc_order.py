"""The gear a world's people get does not depend on the order their rows come in (the store
gives them in id order, which the composer uses to skip a sort)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.made_once import made_once
from worldloom.flows.generate import generate_world
from worldloom.flows.params import GenerateWorldParams
from worldloom.infrastructure.store import open_store
from worldloom.systems.gear import GearWorld, generate_gear
from worldloom.systems.rng import Seeds
from worldloom.tasks.gear import _READS, gear_tables
from worldloom.tasks.world_record import load_world, world_db

pytestmark = [pytest.mark.flow]


@pytest.fixture(scope="module")
def stored(
    prefect_server: None, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, pl.DataFrame], int, int]:
    """The tiny runtime world's rows the gear stands on, its tick and its seed."""

    def generate(home: Path) -> str:
        made = generate_world(GenerateWorldParams(seed=5, preset="tiny", home=str(home)))
        return json.dumps([made.world_id, made.snapshot])

    home, made = made_once(tmp_path_factory, "runtime-world", generate)
    world_id = json.loads(made)[0]
    with open_store(world_db(str(home), world_id), read_only=True) as store:
        world = load_world(store, world_id)
        frames = {name: store.read(name, world_id) for name in _READS}
    return frames, world.tick, world.config.seed


def test_npcs_in_any_order_get_the_gear_they_get_in_id_order(
    stored: tuple[dict[str, pl.DataFrame], int, int],
) -> None:
    frames, tick, seed = stored
    assert frames["npcs"]["npc_id"].is_sorted()
    shuffled = frames | {"npcs": frames["npcs"].sample(fraction=1.0, shuffle=True, seed=3)}
    assert not shuffled["npcs"]["npc_id"].is_sorted()
    tables = gear_tables()
    in_order = generate_gear(GearWorld(**frames, tick=tick), seeds=Seeds(seed), tables=tables)
    any_order = generate_gear(GearWorld(**shuffled, tick=tick), seeds=Seeds(seed), tables=tables)
    for name in ("casters", "stat_blocks", "equipment", "inventories", "artifacts", "poi_loot"):
        assert_frame_equal(getattr(any_order, name), getattr(in_order, name))
