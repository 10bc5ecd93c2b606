"""The gear stage on a real tiny world, through Prefect: what a runtime reads from it holds
together (every item in one place, merchants' stock is the economy's, gear fits its wearer,
every site's fight is in its band, artifacts' owners existed when they held them), a re-run
rolls the same, and the report, GeoJSON and CLI show it."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from worldloom.flows.commands import app
from worldloom.flows.generate import gear_flow, generate_world
from worldloom.flows.params import GenerateWorldParams
from worldloom.infrastructure.settings import Settings
from worldloom.infrastructure.store import open_store
from worldloom.systems.economy import TIER_STRIDE
from worldloom.tasks import catalog
from worldloom.tasks.report import gear_summary
from worldloom.tasks.stages import STAGE_TABLES

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_server")]


@dataclass(frozen=True, slots=True)
class World:
    home: Path
    world_id: str
    snapshot: Path
    tables: dict[str, pl.DataFrame]
    tick: int


@pytest.fixture(scope="module")
def world(prefect_server: None, tmp_path_factory: pytest.TempPathFactory) -> World:
    home = tmp_path_factory.mktemp("gear-home")
    result = generate_world(GenerateWorldParams(seed=5, preset="tiny", home=str(home)))
    names = (*STAGE_TABLES["gear"], "npcs", "economy_agents", "pois", "sublocations", "worlds")
    with open_store(Path(result.database), read_only=True) as store:
        tables = {name: store.read(name, result.world_id) for name in names}
        assert store.dangling_references(result.world_id) == {}
    tick = int(tables["worlds"]["tick"][0])
    return World(home, result.world_id, Path(result.snapshot), tables, tick)


def test_every_table_is_filled(world: World) -> None:
    empty = [name for name in STAGE_TABLES["gear"] if world.tables[name].height == 0]
    assert empty == []
    assert world.tables["stat_blocks"].height == world.tables["npcs"].height


def test_no_item_is_in_two_places(world: World) -> None:
    equipment, loot = world.tables["equipment"], world.tables["poi_loot"]
    assert equipment.select("npc_id", "slot").is_unique().all()
    assert loot.select("sublocation_id", "position").is_unique().all()
    worn = equipment.filter(pl.col("artifact_id").is_not_null())
    lying = loot.filter(pl.col("artifact_id").is_not_null())
    assert worn["artifact_id"].is_unique().all()
    assert lying["artifact_id"].is_unique().all()
    assert set(worn["artifact_id"]).isdisjoint(set(lying["artifact_id"]))
    for row in world.tables["artifacts"].iter_rows(named=True):
        held, lost = row["holder_npc_id"] is not None, row["sublocation_id"] is not None
        assert held != lost, row["name"]
        if held:
            mine = worn.filter(pl.col("artifact_id") == row["artifact_id"])
            assert mine["npc_id"].to_list() == [row["holder_npc_id"]]
        else:
            mine = lying.filter(pl.col("artifact_id") == row["artifact_id"])
            assert mine["sublocation_id"].to_list() == [row["sublocation_id"]]
        assert mine["item_id"].to_list() == [row["item_id"]]


def test_merchants_stock_is_the_economys_holdings(world: World) -> None:
    agents = world.tables["economy_agents"].filter(pl.col("market") >= 0)
    held = (
        agents.select("market", "slot_good", "slot_qty")
        .explode("slot_good", "slot_qty")
        .filter((pl.col("slot_good") >= 0) & (pl.col("slot_qty") > 0))
        .group_by(pl.col("market").alias("market_id"), pl.col("slot_good").alias("good"))
        .agg(pl.col("slot_qty").sum().alias("qty"))
    )
    stock = (
        world.tables["merchant_stock"]
        .group_by("market_id", (pl.col("item_id") // TIER_STRIDE).alias("good"))
        .agg(pl.col("qty").sum())
    )
    key = ["market_id", "good"]
    assert (
        held.cast({"market_id": pl.Int32, "good": pl.Int64})
        .sort(key)
        .equals(stock.cast({"market_id": pl.Int32, "good": pl.Int64}).sort(key))
    )


def test_gear_is_worn_where_it_may_be_and_carried_within_capacity(world: World) -> None:
    goods, gear = catalog.goods_table(), catalog.gear_table()
    legal = {slot.key: {goods.index()[g] for g in slot.goods} for slot in gear.slots}
    equipment = world.tables["equipment"]
    good = (equipment["item_id"] // TIER_STRIDE).to_list()
    assert all(g in legal[s] for g, s in zip(good, equipment["slot"], strict=True))
    weights = np.array([g.weight for g in goods.goods])
    kg = lambda frame, qty: frame.select(  # noqa: E731
        "npc_id", (pl.Series(weights[frame["item_id"].to_numpy() // TIER_STRIDE]) * qty).alias("kg")
    )
    carried = (
        pl.concat(
            [
                kg(equipment, 1),
                kg(world.tables["inventories"], world.tables["inventories"]["qty"]),
            ]
        )
        .group_by("npc_id")
        .agg(pl.col("kg").sum())
    )
    blocks = world.tables["stat_blocks"].join(carried, on="npc_id", how="left").fill_null(0.0)
    assert (blocks["load_kg"] <= blocks["capacity_kg"] + 1e-6).all()
    expected = blocks["kg"] + blocks["purse"] * gear.coin_kg
    assert np.allclose(blocks["load_kg"], expected, atol=0.02)


def test_every_sites_encounter_is_in_its_band(world: World) -> None:
    encounters = world.tables["encounters"]
    assert (encounters["difficulty"] == encounters["band"]).all()
    dangerous = world.tables["pois"].filter(
        pl.col("kind").is_in(list(catalog.combat_rulebook().bestiary.tables))
    )
    assert set(dangerous["poi_id"]) == set(encounters["poi_id"])
    assert encounters["win_chance"].is_between(0, 1).all()


def test_artifacts_owners_existed_when_they_held_them(world: World) -> None:
    year = catalog.calendar().days_per_year
    min_age = catalog.gear_table().artifacts.min_owner_age
    ages = dict(zip(world.tables["npcs"]["npc_id"], world.tables["npcs"]["age"], strict=True))
    came_of_age = lambda npc: world.tick - (ages[npc] - min_age) * year  # noqa: E731
    history = world.tables["item_history"]
    for artifact in world.tables["artifacts"].iter_rows(named=True):
        events = history.filter(pl.col("artifact_id") == artifact["artifact_id"]).sort("seq")
        rows = list(events.iter_rows(named=True))
        assert rows[0]["event"] == "made"
        assert rows[0]["tick"] == artifact["made_tick"]
        assert rows[0]["to_npc_id"] == artifact["maker_npc_id"]
        assert all(b["tick"] >= a["tick"] for a, b in itertools.pairwise(rows))
        assert all(row["tick"] <= world.tick for row in rows)
        holder = rows[0]["to_npc_id"]
        for row in rows:
            for npc in (row["from_npc_id"], row["to_npc_id"]):
                if npc is not None:
                    assert row["tick"] >= came_of_age(npc), (artifact["name"], row)
            if row["event"] in ("sold", "gifted", "stolen", "lost") and row["seq"] > 0:
                assert row["from_npc_id"] == holder, (artifact["name"], row)
            if row["event"] != "made":
                holder = row["to_npc_id"]
        if artifact["holder_npc_id"] is not None:
            assert holder == artifact["holder_npc_id"]
        else:
            assert rows[-1]["event"] == "lost"
            assert rows[-1]["sublocation_id"] == artifact["sublocation_id"]


def test_the_same_world_rolls_the_same(world: World) -> None:
    gear_flow(str(world.home), world.world_id)
    database = Settings(home=world.home).world_db(world.world_id)
    with open_store(database, read_only=True) as store:
        for name in STAGE_TABLES["gear"]:
            assert store.read(name, world.world_id).equals(world.tables[name]), name


def test_the_map_shows_treasure_and_danger_on_pois(world: World) -> None:
    geojson = json.loads((world.snapshot / "world.geojson").read_text())
    pois = {
        f["properties"]["poi_id"]: f["properties"]
        for f in geojson["features"]
        if "poi_id" in f["properties"]
    }
    treasure = world.tables["poi_loot"].group_by("poi_id").agg(pl.col("value").sum())
    for poi, copper in zip(treasure["poi_id"], treasure["value"], strict=True):
        assert pois[poi]["treasure_copper"] == copper
    hardest = world.tables["encounters"].group_by("poi_id").agg(pl.len())
    for poi, count in zip(hardest["poi_id"], hardest["len"], strict=True):
        assert pois[poi]["encounters"] == count
        assert pois[poi]["difficulty"] in ("easy", "medium", "hard", "deadly")


def test_the_report_has_the_loot_and_difficulty_curves(world: World) -> None:
    summary = gear_summary(str(world.home), world.world_id)
    assert summary is not None
    expected = summary.loot_by_danger["expected_copper"].to_numpy()
    assert np.all(np.diff(expected) >= 0)
    assert expected[0] > 0
    assert summary.encounters_by_danger["band"].to_list() == [
        catalog.combat_rulebook().rules.bands[catalog.combat_rulebook().rules.danger_band[d - 1]]
        for d in summary.encounters_by_danger["danger"].to_list()
    ]
    assert "## Loot by danger" in summary.markdown()
    result = CliRunner().invoke(app, ["report", world.world_id, "--home", str(world.home)])
    assert result.exit_code == 0, result.output
    for title in ("Loot by danger", "Encounter difficulty by danger", "Most dangerous sites"):
        assert title in result.stdout
