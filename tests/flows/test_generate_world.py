"""The real flows, run against a real Prefect server, writing real DuckDB files and snapshots."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

from worldloom.flows.generate import generate_world, people_flow, pois_flow, regions_flow
from worldloom.flows.params import GeneratedWorld, GenerateWorldParams
from worldloom.infrastructure.snapshot import open_snapshot, verify_snapshot
from worldloom.infrastructure.store import open_store
from worldloom.tasks import people_npcs
from worldloom.tasks.people import as_made, read_stored
from worldloom.tasks.people_npcs import (
    DRAWN_FROM,
    clear_staging,
    draw_npc_batch,
    plan_npc_batches,
    staged_inputs,
)

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_server")]


def generate(home: Path, *, seed: int = 11, name: str | None = None) -> GeneratedWorld:
    return generate_world(GenerateWorldParams(seed=seed, preset="tiny", name=name, home=str(home)))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GeneratedWorld]:
    home = tmp_path_factory.mktemp("home")
    return home, generate(home)


def test_generation_stores_every_stage_and_exports_a_verified_snapshot(
    world: tuple[Path, GeneratedWorld],
) -> None:
    home, result = world
    with open_store(Path(result.database), read_only=True) as store:
        counts = store.row_counts(result.world_id)
        runs = store.read("runs", result.world_id)
        cells = store.read("cells", result.world_id)
    assert counts["worlds"] == 1
    assert counts["cells"] >= 1_900
    assert counts["regions"] >= 8
    assert counts["rivers"] > 0
    places = counts["settlements"] + counts["pois"]
    assert counts["settlements"] == 40
    assert counts["routes"] > 0
    assert (
        counts["locations"]
        == 1 + counts["regions"] + counts["cells"] + places + counts["sublocations"]
    )
    assert (cells.filter("is_land")["region_id"] >= 0).all()
    assert set(runs["flow"]) == {
        "generate-world",
        "terrain",
        "regions",
        "pois",
        "people",
        "economy",
        "gear",
        "export-snapshot",
    }
    assert set(runs["status"]) == {"completed"}

    manifest = verify_snapshot(Path(result.snapshot))
    assert manifest.world_id == result.world_id
    assert manifest.tables["cells"].rows == counts["cells"]
    assert "runs" not in manifest.tables
    snapshot = open_snapshot(Path(result.snapshot))
    kinds = {feature["properties"]["kind"] for feature in snapshot.geojson()["features"]}
    assert {"region", "river", "route", "settlement", "poi"} <= kinds
    assert manifest.tables["settlements"].rows == counts["settlements"]
    assert manifest.tables["routes"].rows == counts["routes"]
    assert manifest.tables["npcs"].rows == counts["npcs"] > 0
    assert counts["markets"] > 0
    assert counts["market_goods"] == counts["markets"] * counts["goods"]
    assert counts["market_prices"] == counts["market_goods"] * 60  # the default burn-in
    assert manifest.tables["market_goods"].rows == counts["market_goods"]
    assert manifest.tables["items"].rows == counts["items"] > 0
    assert "economy_agents" not in manifest.tables
    assert Path(result.snapshot).is_relative_to(home / "snapshots" / result.world_id)


def test_people_stand_in_the_places_and_add_up(world: tuple[Path, GeneratedWorld]) -> None:
    _, result = world
    with open_store(Path(result.database), read_only=True) as store:
        read = {
            name: store.read(name, result.world_id)
            for name in (
                "settlements",
                "population_groups",
                "npcs",
                "factions",
                "provinces",
                "regions",
                "region_cultures",
                "religion_shares",
                "diplomacy",
            )
        }
    settlements, npcs = read["settlements"], read["npcs"]
    assert set(npcs["settlement_id"]) <= set(settlements["settlement_id"])
    assert read["population_groups"]["count"].sum() == settlements["population"].sum()
    assert npcs["npc_id"].n_unique() == npcs.height >= 2_000  # the tiny preset's target
    states = read["factions"].filter(pl.col("kind") == "state")
    assert states.height == (settlements["tier"] == "capital").sum()
    assert set(read["provinces"]["region_id"]) <= set(read["regions"]["region_id"])
    assert set(read["region_cultures"]["region_id"]) == set(read["regions"]["region_id"])
    shares = read["religion_shares"].group_by("settlement_id").agg(pl.col("share").sum())
    assert (shares["share"] - 1.0).abs().max() < 1e-9
    factions = read["factions"].height
    assert read["diplomacy"].height == factions * (factions - 1) // 2


def test_npc_batches_draw_the_stored_npcs_from_staged_files_however_many_they_are(
    world: tuple[Path, GeneratedWorld], monkeypatch: pytest.MonkeyPatch
) -> None:
    home, result = world
    where = {"home": str(home), "world_id": result.world_id}
    with open_store(Path(result.database), read_only=True) as store:
        stored_npcs = store.read("npcs", result.world_id)
    monkeypatch.setattr(people_npcs, "NPCS_PER_BATCH", 100)  # the tiny world's 2,000 in many
    counts = []
    try:
        for most in (1, 3, 32):
            batches = plan_npc_batches.fn(**where, most=most)
            counts.append(len(batches))
            assert 1 <= len(batches) <= most
            assert sorted(r for b in batches for r in b) == sorted(
                stored_npcs.join(
                    read_stored(str(home), result.world_id, ()).places(), on="settlement_id"
                )["region_id"].unique()
            )
            staged = staged_inputs(**where)
            read = read_stored(str(home), result.world_id, DRAWN_FROM[1:])
            assert staged.world == read.world
            for name in DRAWN_FROM:
                assert staged.rows[name].equals(read.rows[name]), name
            drawn = pl.concat(
                pl.read_parquet(str(draw_npc_batch.fn(**where, regions=b)["path"])) for b in batches
            ).sort("npc_id")
            assert drawn.equals(as_made("npcs", stored_npcs).select(drawn.columns)), most
    finally:
        clear_staging(**where)
    assert counts[0] == 1 < counts[1] < counts[2]
    with pytest.raises(FileNotFoundError):
        staged_inputs(**where)


def test_generation_publishes_a_summary_and_a_region_table(
    world: tuple[Path, GeneratedWorld],
) -> None:
    _, result = world
    key = "".join(c if c.isalnum() else "-" for c in result.world_id)
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=[f"{key}-summary", f"{key}-regions"])
            )
        )
    by_type = {artifact.type: artifact for artifact in artifacts}
    assert set(by_type) == {"markdown", "table"}
    assert result.name in str(by_type["markdown"].data)


def test_same_seed_and_config_give_identical_tables(
    world: tuple[Path, GeneratedWorld], tmp_path: Path
) -> None:
    _, first = world
    second = generate(tmp_path)
    assert second.world_id == first.world_id
    checksums = [
        {name: entry.sha256 for name, entry in verify_snapshot(Path(s)).tables.items()}
        for s in (first.snapshot, second.snapshot)
    ]
    assert checksums[0] == checksums[1]
    assert Path(first.snapshot).name == Path(second.snapshot).name


def test_a_regions_rerun_clears_what_stood_on_the_old_regions(tmp_path: Path) -> None:
    result = generate(tmp_path, seed=12)
    regions_flow(str(tmp_path), result.world_id)
    with open_store(Path(result.database), read_only=True) as store:
        counts = store.row_counts(result.world_id)
    assert counts["regions"] > 0
    assert counts["settlements"] == counts["npcs"] == counts["factions"] == 0
    with pytest.raises(Exception, match="run the places stage first"):
        people_flow(str(tmp_path), result.world_id)
    with open_store(Path(result.database), read_only=True) as store:
        runs = store.read("runs", result.world_id).sort("started_at")
    assert runs.row(-1, named=True)["status"] == "failed"
    assert "run the places stage first" in runs.row(-1, named=True)["error"]


def test_a_stage_rerun_replaces_its_rows(world: tuple[Path, GeneratedWorld]) -> None:
    home, result = world
    with open_store(Path(result.database), read_only=True) as store:
        before = store.read("regions", result.world_id)
    regions_flow(str(home), result.world_id)
    with open_store(Path(result.database), read_only=True) as store:
        after = store.read("regions", result.world_id)
        runs = store.read("runs", result.world_id)
        counts_after = store.row_counts(result.world_id)
    assert after.equals(before)
    assert (runs["flow"] == "regions").sum() == 2
    assert counts_after["settlements"] == 0  # places stood on the old regions: cleared


def test_a_failing_stage_is_recorded_as_failed(tmp_path: Path) -> None:
    with open_store(tmp_path / "worlds" / "empty.duckdb"):
        pass
    with pytest.raises(Exception, match="no world 'empty'"):
        regions_flow(str(tmp_path), "empty")
    with open_store(tmp_path / "worlds" / "empty.duckdb", read_only=True) as store:
        run = store.read("runs", "empty").row(0, named=True)
    assert run["status"] == "failed"
    assert "no world 'empty'" in run["error"]


def test_the_pois_stage_runs_alone_and_replaces_its_rows(
    world: tuple[Path, GeneratedWorld],
) -> None:
    home, result = world
    tables = ("settlements", "pois", "routes", "sublocations", "locations")
    pois_flow(str(home), result.world_id)  # another test may have rerun regions, clearing them
    with open_store(Path(result.database), read_only=True) as store:
        before = {name: store.read(name, result.world_id) for name in tables}
    written = pois_flow(str(home), result.world_id)
    with open_store(Path(result.database), read_only=True) as store:
        after = {name: store.read(name, result.world_id) for name in tables}
        runs = store.read("runs", result.world_id)
    for name in tables:
        assert after[name].equals(before[name]), name
        assert written[name] == after[name].height
    assert (runs.filter(runs["flow"] == "pois")["status"] == "completed").sum() >= 3
    locations = after["locations"]
    places = locations.filter(locations["kind"] == "poi")
    assert places.height == written["settlements"] + written["pois"]
    assert set(places["parent_id"]) <= set(
        locations.filter(locations["kind"] == "region")["location_id"]
    )
