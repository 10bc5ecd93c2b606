"""The world generation flows: the whole pipeline, and each stage runnable alone on a world."""

from __future__ import annotations

from typing import ParamSpec, TypeVar

from prefect import Task, flow, unmapped
from prefect.runtime import flow_run

from worldloom.flows.heartbeats import subflows_without_heartbeats
from worldloom.flows.params import GeneratedWorld, GenerateWorldParams
from worldloom.flows.runners import (
    BATCHES_PER_WORKER,
    DASK,
    default_workers,
    runner_started_early,
)
from worldloom.infrastructure.store import keep_open
from worldloom.reader.remote import is_remote, local_path
from worldloom.systems.world import ConfigError
from worldloom.tasks.economy import run_economy_stage as _economy_stage
from worldloom.tasks.events import announce_snapshot_exported, announce_world_generated
from worldloom.tasks.export import export_snapshot, upload_snapshot
from worldloom.tasks.gear import generate_gear_stage as _gear_stage
from worldloom.tasks.generation import end_generation, open_generation, resumable
from worldloom.tasks.generation import start_economy as _start_economy
from worldloom.tasks.people import (
    generate_cultures_step,
    generate_diplomacy_step,
    generate_factions_step,
    generate_population_step,
    generate_religions_step,
    write_people_prose_step,
)
from worldloom.tasks.people_npcs import (
    MAX_BATCHES,
    clear_staging,
    draw_npc_batch,
    plan_npc_batches,
    save_npcs,
)
from worldloom.tasks.plan import plan_world
from worldloom.tasks.plan import plan_world_task as _plan_world_task
from worldloom.tasks.pois import generate_places_stage as _places_stage
from worldloom.tasks.prose import write_prose_stage as _prose_stage
from worldloom.tasks.provenance import held_world, recorded_run
from worldloom.tasks.regions import generate_regions_stage as _regions_stage
from worldloom.tasks.report import (
    publish_economy_report,
    publish_gear_report,
    publish_map,
    publish_world_overview,
    publish_world_report,
)
from worldloom.tasks.terrain import generate_terrain_stage as _terrain_stage
from worldloom.tasks.world import create_world as _create_world
from worldloom.tasks.world_record import world_db

P = ParamSpec("P")
R = TypeVar("R")


def _named_by_world(stage: Task[P, R]) -> Task[P, R]:
    """The stage's task with its runs named `<task> · <world id>` in the UI."""
    return stage.with_options(task_run_name=f"{stage.name} · {{world_id}}")


plan_world_task = _plan_world_task.with_options(task_run_name="plan-world · seed {seed} {preset}")
create_world = _named_by_world(_create_world)
generate_terrain_stage = _named_by_world(_terrain_stage)
generate_regions_stage = _named_by_world(_regions_stage)
generate_places_stage = _named_by_world(_places_stage)
people_cultures = _named_by_world(generate_cultures_step)
people_religions = _named_by_world(generate_religions_step)
people_population = _named_by_world(generate_population_step)
people_npc_batches = _named_by_world(plan_npc_batches)
people_npcs = draw_npc_batch.with_options(
    task_run_name="people-npcs · {world_id} · regions {regions}"
)
people_save_npcs = _named_by_world(save_npcs)
people_factions = _named_by_world(generate_factions_step)
people_diplomacy = _named_by_world(generate_diplomacy_step)
people_prose = _named_by_world(write_people_prose_step)
run_economy_stage = _named_by_world(_economy_stage)
start_economy = _named_by_world(_start_economy)
generate_gear_stage = _named_by_world(_gear_stage)
write_prose_stage = _named_by_world(_prose_stage)


@flow(name="terrain", log_prints=False, flow_run_name="{world_id} · terrain")
def terrain_flow(home: str, world_id: str, generation: str | None = None) -> dict[str, int]:
    """Terrain stage: mesh, heightmap, climate, rivers, lakes, biomes."""
    with recorded_run(home=home, world_id=world_id, flow="terrain", parameters={}):
        stage = resumable(
            generate_terrain_stage, home=home, world_id=world_id, generation=generation
        )
        return stage(home=home, world_id=world_id)


@flow(name="regions", flow_run_name="{world_id} · regions")
def regions_flow(home: str, world_id: str, generation: str | None = None) -> dict[str, int]:
    """Regions stage: contiguous named regions over the terrain, and the location tree."""
    with recorded_run(home=home, world_id=world_id, flow="regions", parameters={}):
        stage = resumable(
            generate_regions_stage, home=home, world_id=world_id, generation=generation
        )
        return stage(home=home, world_id=world_id)


@flow(name="pois", flow_run_name="{world_id} · places")
def pois_flow(home: str, world_id: str, generation: str | None = None) -> dict[str, int]:
    """Places stage: settlements, points of interest, routes and sub-locations."""
    with recorded_run(home=home, world_id=world_id, flow="pois", parameters={}):
        stage = resumable(
            generate_places_stage, home=home, world_id=world_id, generation=generation
        )
        return stage(home=home, world_id=world_id)


@flow(name="people", flow_run_name="{world_id} · people")
def people_flow(
    home: str, world_id: str, generation: str | None = None, batches: int = MAX_BATCHES
) -> dict[str, int]:
    """People stage: cultures, religions, population, NPCs (by batches of regions, side by side
    on the flow's task runner; about `batches` at most), factions, diplomacy and their prose."""
    with recorded_run(home=home, world_id=world_id, flow="people", parameters={}):
        where = {"home": home, "world_id": world_id}

        def step(stage: Task[P, R]) -> Task[P, R]:
            return resumable(stage, home=home, world_id=world_id, generation=generation)

        written = step(people_cultures)(**where)
        written |= step(people_religions)(**where)
        written |= step(people_population)(**where)
        regions = step(people_npc_batches)(**where, most=batches)
        drawn = step(people_npcs).map(
            home=unmapped(home), world_id=unmapped(world_id), regions=regions
        )
        written |= step(people_save_npcs)(**where, batches=drawn.result())
        written |= step(people_factions)(**where)
        written |= step(people_diplomacy)(**where)
        written |= step(people_prose)(**where)
        clear_staging(home, world_id)
        return written


@flow(name="economy", flow_run_name="{world_id} · economy +{ticks} days")
def economy_flow(
    home: str, world_id: str, ticks: int = 30, generation: str | None = None
) -> dict[str, int]:
    """Economy stage: markets, agents and caravans, advanced `ticks` days (started if new)."""
    with recorded_run(home=home, world_id=world_id, flow="economy", parameters={"ticks": ticks}):
        # A generation's economy starts anew; alone, the stage runs on the economy there is.
        economy = start_economy if generation else run_economy_stage
        stage = resumable(economy, home=home, world_id=world_id, generation=generation)
        written = stage(home=home, world_id=world_id, ticks=ticks)
        publish_economy_report(home=home, world_id=world_id)
        return written


@flow(name="gear", flow_run_name="{world_id} · gear")
def gear_flow(home: str, world_id: str, generation: str | None = None) -> dict[str, int]:
    """Gear stage: magic, equipment, inventories, merchants' stock, artifacts, loot,
    encounters and stat blocks."""
    with recorded_run(home=home, world_id=world_id, flow="gear", parameters={}):
        stage = resumable(generate_gear_stage, home=home, world_id=world_id, generation=generation)
        written = stage(home=home, world_id=world_id)
        publish_gear_report(home=home, world_id=world_id)
        return written


@flow(name="advance-economy", flow_run_name="{world_id} · advance economy +{ticks} days")
def advance_economy(home: str, world_id: str, ticks: int = 30) -> dict[str, int]:
    """Advance a world's economy `ticks` days, then make its gear again: the economy stage
    clears it, as it was priced in the old markets and shared out the old holdings."""
    with (
        held_world(home=home, world_id=world_id, what="advance-economy"),
        subflows_without_heartbeats(),
    ):
        written = economy_flow(home, world_id, ticks)
        return written | gear_flow(home, world_id)


@flow(name="prose", flow_run_name="{world_id} · prose ({llm})")
def prose_flow(home: str, world_id: str, llm: str, generation: str | None = None) -> dict[str, int]:
    """Prose stage: region names and descriptions and world lore through the LLM gateway."""
    with recorded_run(home=home, world_id=world_id, flow="prose", parameters={"llm": llm}) as run:
        stage = resumable(write_prose_stage, home=home, world_id=world_id, generation=generation)
        return stage(home=home, world_id=world_id, llm=llm, run_id=run)


@flow(name="enrich-world", flow_run_name="{world_id} · enrich ({llm})")
def enrich_world(home: str, world_id: str, llm: str) -> str:
    """Rewrite an existing world's prose through `llm` and export a fresh snapshot."""
    with (
        held_world(home=home, world_id=world_id, what="enrich-world"),
        subflows_without_heartbeats(),
    ):
        prose_flow(home, world_id, llm)
        return export_snapshot_flow(home, world_id)


@flow(name="export-snapshot", flow_run_name="{world_id} · export")
def export_snapshot_flow(
    home: str, world_id: str, out_dir: str | None = None, to: str | None = None
) -> str:
    """Export the world's current state as a verified snapshot; returns its folder, or its URL
    when `to` names shared storage (`s3://bucket/prefix`: written in the home, then uploaded)."""
    params = {"out_dir": out_dir, "to": to}
    with recorded_run(home=home, world_id=world_id, flow="export-snapshot", parameters=params):
        folder = str(local_path(to)) if to and not is_remote(to) else out_dir
        snapshot = export_snapshot(home=home, world_id=world_id, out_dir=folder)
        location = upload_snapshot(snapshot=snapshot, to=to) if to and is_remote(to) else snapshot
        publish_world_report(home=home, world_id=world_id, snapshot=location)
        publish_map(world_id=world_id, snapshot=snapshot)
        announce_snapshot_exported(snapshot=snapshot, location=location)
        return location


def generate_run_name() -> str:
    """`<world id> · generate · seed <seed> <preset>` (the id is planned from the parameters
    as the run will plan it); `generate · seed <seed> <preset>` if they do not plan."""
    raw = flow_run.parameters["params"]
    params = raw if isinstance(raw, GenerateWorldParams) else GenerateWorldParams(**raw)
    what = f"generate · seed {params.seed} {params.preset}"
    try:
        plan = plan_world(
            seed=params.seed, preset=params.preset, name=params.name, overrides=params.overrides
        )
    except ConfigError:
        return what  # the run itself fails on it, and says why
    return f"{plan.world_id} · {what}"


def _npc_batches(runner: str) -> int:
    """How many NPC batches (at most, about) the people stage draws on `runner`: a few per
    worker of the LocalCluster `dask` starts, the usual number on threads or a scheduler's
    workers (how many there are is not known when the batches are planned)."""
    return BATCHES_PER_WORKER * default_workers() if runner == DASK else MAX_BATCHES


@flow(name="generate-world", flow_run_name=generate_run_name)
def generate_world(params: GenerateWorldParams) -> GeneratedWorld:
    """Generate a world end to end: terrain, regions, places, people, economy burn-in, gear,
    prose, export."""
    plan = plan_world_task(
        seed=params.seed, preset=params.preset, name=params.name, overrides=params.overrides
    )
    home, world_id = params.home, plan.world_id
    # One run at a time per world, from the first write: a second run waits, then says who runs.
    # The world's file is then kept open (its tasks' ~100 opens cost nothing), on any runner:
    # the NPC batches, which may run in other processes, read staged files, not the database.
    # Other processes wait meanwhile (a simulate, which runs for minutes, lets them in between
    # years).
    with (
        held_world(home=home, world_id=world_id, what="generate-world"),
        subflows_without_heartbeats(),
    ):
        generation = open_generation(
            home=home, world_id=world_id, parameters=params.model_dump(), fresh=params.fresh
        )
        recorded = params.model_dump() | {"generation": generation}
        with (
            keep_open(world_db(home, world_id)),
            # A Dask cluster starts while the stages before the NPC batches run.
            runner_started_early(params.runner) as batch_runner,
            recorded_run(home=home, world_id=world_id, flow="generate-world", parameters=recorded),
        ):
            resumable(create_world, home=home, world_id=world_id, generation=generation)(
                home=home, world_id=world_id, name=plan.name, config_json=plan.config_json
            )
            terrain_flow(home, world_id, generation)
            regions_flow(home, world_id, generation)
            pois_flow(home, world_id, generation)
            # The NPC batches run side by side on the chosen runner, the last of its work.
            people_flow.with_options(task_runner=batch_runner.runner())(
                home, world_id, generation, _npc_batches(params.runner)
            )
            batch_runner.close()
            economy_flow(home, world_id, params.economy_ticks, generation)
            gear_flow(home, world_id, generation)
            if params.llm != "none":
                prose_flow(home, world_id, params.llm, generation)
            snapshot = export_snapshot_flow(home, world_id)
            publish_world_overview(
                home=home, world_id=world_id, snapshot=snapshot, location=snapshot
            )
        end_generation(home=home, world_id=world_id)
    announce_world_generated(snapshot=snapshot, name=plan.name)
    return GeneratedWorld(
        world_id=world_id,
        name=plan.name,
        database=str(world_db(home, world_id)),
        snapshot=snapshot,
    )
