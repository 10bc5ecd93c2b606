"""Artifacts: each held by one NPC or lying in one room, made and passed on only by people who
were grown when they held it, each from its own stream."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from worldloom.systems.gear import ItemMaker
from worldloom.systems.gear.artifact import NOBODY, Realm, forge_artifacts
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog

GOODS = catalog.goods_table()
GEAR = catalog.gear_table()
MAKER = ItemMaker.build(GOODS, gear=GEAR, magic=catalog.magic_table())
TICK, YEAR = 60, catalog.calendar().days_per_year
MIN_AGE = GEAR.artifacts.min_owner_age


def candidates(count: int) -> pl.DataFrame:
    rng = np.random.default_rng(4)
    ids = np.arange(count, dtype=np.int64) * 5
    return pl.DataFrame(
        {
            "npc_id": ids,
            "settlement_id": rng.integers(0, 3, count),
            "culture_id": rng.integers(0, 2, count),
            "age": rng.integers(10, 70, count),
            "father_id": np.where(ids % 3 == 0, ids - 5, -1),
            "mother_id": np.full(count, -1),
            "spouse_id": pl.Series([None] * count, dtype=pl.Int64),
            "free_kg": rng.uniform(0, 40, count),
            "slot_kg": [[1.0] * len(GEAR.slots)] * count,
        }
    )


def realm(*, people: int = 60, rooms: int = 8, masters: int = 3) -> Realm:
    return Realm(
        candidates=candidates(people),
        masters=pl.DataFrame(
            {
                "npc_id": np.arange(masters, dtype=np.int64) * 5,
                "settlement_id": [1] * masters,
                "culture_id": [0] * masters,
                "age": [45] * masters,
                "name": [f"Master {i}" for i in range(masters)],
            }
        ),
        rooms=pl.DataFrame(
            {
                "sublocation_id": np.arange(rooms) + 100,
                "poi_id": np.arange(rooms) // 2 + 40,
                "danger_level": np.arange(rooms) % 10 + 1,
            }
        ),
        name_bases=("khazrak", "sylvane"),
    )


def forge(world: Realm, count: int = 25, seed: int = 1):  # type: ignore[no-untyped-def]
    return forge_artifacts(
        count, realm=world, tick=TICK, days_per_year=YEAR, seeds=Seeds(seed), table=GEAR,
        goods=GOODS, maker=MAKER, bases=catalog.name_bases(),
    )  # fmt: skip


def check_chains(world: Realm, forged) -> None:  # type: ignore[no-untyped-def]
    ages = dict(zip(world.candidates["npc_id"], world.candidates["age"], strict=True))
    ages |= dict(zip(world.masters["npc_id"], world.masters["age"], strict=True))
    ids = world.candidates["npc_id"].to_list()
    for artifact in forged.artifacts:
        events = forged.history.filter(pl.col("artifact_id") == artifact.artifact_id).sort("seq")
        rows = list(events.iter_rows(named=True))
        assert rows[0]["event"] == "made"
        assert [r["tick"] for r in rows] == sorted(r["tick"] for r in rows)
        holder = NOBODY
        for row in rows:
            for npc in (row["from_npc_id"], row["to_npc_id"]):
                if npc >= 0:
                    assert row["tick"] >= TICK - (ages[npc] - MIN_AGE) * YEAR
            if row["seq"] > 0 and row["event"] != "found":
                assert row["from_npc_id"] == holder
            holder = row["to_npc_id"]
        held = artifact.holder != NOBODY
        assert held != (artifact.room >= 0)
        if held:
            assert holder == ids[artifact.holder]
            assert artifact.slot >= 0
        else:
            assert rows[-1]["event"] == "lost"
            assert rows[-1]["sublocation_id"] == 100 + artifact.room


def test_artifacts_are_held_or_lost_and_their_owners_were_grown() -> None:
    world = realm()
    forged = forge(world)
    check_chains(world, forged)
    holders = [a.holder for a in forged.artifacts if a.holder != NOBODY]
    assert len(holders) == len(set(holders)) > 0
    assert any(a.room >= 0 for a in forged.artifacts)
    assert any(a.maker_npc_id != NOBODY for a in forged.artifacts)
    assert any(a.maker_npc_id == NOBODY for a in forged.artifacts)
    assert len({a.name.lower() for a in forged.artifacts}) == 25
    assert all(a.bonus >= 2 for a in forged.artifacts)


def test_each_artifact_comes_from_its_own_stream() -> None:
    first = forge(realm(), count=10, seed=3)
    again = forge(realm(), count=10, seed=3)
    assert first.history.equals(again.history)
    assert [a.name for a in first.artifacts] == [a.name for a in again.artifacts]


@pytest.mark.parametrize(("people", "rooms"), [(0, 6), (40, 0)])
def test_with_nobody_to_hold_them_they_lie_lost_and_with_nowhere_to_lie_they_are_held(
    people: int, rooms: int
) -> None:
    world = realm(people=people, rooms=rooms, masters=0)
    forged = forge(world, count=6)
    check_chains(world, forged)
    if people == 0:
        assert all(a.room >= 0 for a in forged.artifacts)
    else:
        assert all(a.holder != NOBODY for a in forged.artifacts)
    assert [a.artifact_id for a in forged.artifacts] == list(range(len(forged.artifacts)))


def test_an_artifact_nobody_can_carry_with_nowhere_to_lie_is_never_made() -> None:
    world = realm(rooms=0, masters=0)
    burdened = world.candidates.with_columns(
        pl.lit(0.0).alias("free_kg"), pl.lit([0.0] * len(GEAR.slots)).alias("slot_kg")
    )
    world = Realm(burdened, world.masters, world.rooms, world.name_bases)
    forged = forge(world, count=5)
    assert forged.artifacts == ()
    assert forged.history.height == 0
