"""The prose stage: region names chosen among procedural ones, and a sentence of colour added to
region descriptions, the world's lore and the most visible places and people, through the LLM.

The earlier stages wrote procedural text; here each entity asks the LLM gateway (cache ->
provider -> that procedural text unchanged as the fallback), so a dead or slow provider costs
nothing but the colour. Every call is recorded in `llm_calls` as it ends, in batches.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from prefect import get_run_logger, tags, task
from prefect.cache_policies import NO_CACHE

from worldloom.infrastructure.llm import (
    CallRecord,
    GatewayLimits,
    LLMGateway,
    ProviderConfigError,
    open_gateway,
)
from worldloom.infrastructure.settings import Settings
from worldloom.infrastructure.store import open_store, table_frame
from worldloom.prompts.catalog import PROMPTS
from worldloom.prompts.lore import LORE_PROMPT, WorldFacts
from worldloom.prompts.region import (
    MAX_NAME_CANDIDATES,
    REGION_PROMPT,
    RegionColour,
    RegionFacts,
)
from worldloom.systems.prose import (
    REGION_DESCRIPTION_MAX,
    WORLD_LORE_MAX,
    apply_people_texts,
    rename_descriptions,
    rename_regions_in_tree,
    renamer,
)
from worldloom.systems.prose.selection import add_colour, name_candidates
from worldloom.systems.region import REGION_NAME_MAX, describe_relief
from worldloom.systems.rng import Seeds
from worldloom.tasks.catalog import place_patterns
from worldloom.tasks.people_prose import (
    PEOPLE_TABLES,
    ColourAsk,
    Record,
    colour_texts,
    people_asks,
)
from worldloom.tasks.world_record import load_world, world_db

_LISTED = 12
"""The prompts take at most this many names per list (their facts models bound them)."""
_LORE_REGIONS = 24
_LOG_BATCH, _LOG_WAIT_S = 8, 5.0
"""`llm_calls` rows are written once 8 are pending or the oldest has waited 5 s: a killed run
loses at most that many records, or that many seconds of them."""


def gateway_for(settings: Settings, provider: str) -> LLMGateway:
    """A gateway with the run's budgets, deadline and routes, caching under the Worldloom home.

    Raises:
        ProviderConfigError: On an unknown provider, a route for no prompt, or a missing key.
    """
    known = {spec.name for spec in PROMPTS}
    if unknown := sorted(set(settings.llm_routes) - known):
        raise ProviderConfigError(
            f"LLM routes name no prompt: {', '.join(unknown)} (prompts: {', '.join(sorted(known))})"
        )
    return open_gateway(
        provider,
        cache_dir=settings.llm_cache_dir,
        limits=GatewayLimits(
            max_calls=settings.llm_max_calls,
            max_tokens=settings.llm_max_tokens,
            timeout_s=settings.llm_timeout_s,
            deadline_s=settings.llm_stage_deadline_s,
        ),
        routes=settings.llm_routes,
    )


class CallLog:
    """Writes the stage's `llm_calls` rows in batches as calls end, so a killed run keeps the
    record of the calls it made (all but the last unwritten batch)."""

    def __init__(
        self,
        path: Path,
        *,
        world_id: str,
        run_id: str,
        stage: str = "prose",
        batch: int = _LOG_BATCH,
        wait_s: float = _LOG_WAIT_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._path, self._world_id, self._run_id, self._stage = path, world_id, run_id, stage
        self._batch, self._wait_s, self._clock = batch, wait_s, clock
        self._pending: list[tuple[str, CallRecord]] = []
        self._oldest = 0.0
        self._written = 0

    def __call__(self, entity: str, record: CallRecord) -> None:
        """Keep one call's record; write the batch once it is full or has waited long enough."""
        if not self._pending:
            self._oldest = self._clock()
        self._pending.append((entity, record))
        if len(self._pending) >= self._batch or self._clock() - self._oldest >= self._wait_s:
            self.flush()

    def flush(self) -> None:
        """Write every record not yet written."""
        if not self._pending:
            return
        entities = [entity for entity, _ in self._pending]
        rows = call_rows(
            [record for _, record in self._pending],
            self._run_id,
            entities,
            start=self._written,
            stage=self._stage,
        )
        with open_store(self._path) as store:
            store.append_rows(self._world_id, "llm_calls", rows)
        self._written += len(self._pending)
        self._pending = []


@task(name="write-prose", cache_policy=NO_CACHE)
def write_prose_stage(*, home: str, world_id: str, llm: str, run_id: str) -> dict[str, int]:
    """Choose region names among procedural candidates and add a sentence of colour to the
    chosen entities' procedural text and to the lore, through `llm`.

    The asking runs in `WORLDLOOM_LLM_CONCURRENCY` lanes, tasks tagged `llm` and
    `llm:<provider>` (a Prefect tag concurrency limit on either caps them further): one lane,
    `name-regions`, asks region after region in id order, so each name is checked against
    every name already in the world; the others (`colour-entities`), beside it, ask for the
    lore and the chosen entities' colour. Returns how many calls ended as llm / cache /
    fallback.
    """
    path = world_db(home, world_id)
    with open_store(path, read_only=True) as store:
        world = load_world(store, world_id)
        tables = {
            name: store.read(name, world_id)
            for name in ("regions", "rivers", "biomes", "worlds", "locations", "prose_baseline")
        }
        tables |= {
            name: store.read(name, world_id, where=where) for name, where in PEOPLE_TABLES.items()
        }
    regions = tables["regions"]
    baseline = dict(
        tables["prose_baseline"].select("entity", pl.struct("name", "text")).iter_rows()
    )
    seeds = Seeds(world.config.seed)
    # Facts come from the procedural baseline, not from whatever a previous run renamed
    # things to: a re-run then asks the same questions and is answered from the cache.
    base_names = [baseline[f"region {i}"]["name"] for i in regions["region_id"]]
    inputs = _Inputs(tables=tables, baseline=baseline, base_names=base_names, seeds=seeds)
    asks = [_lore_ask(inputs)]
    if tables["people_prose_baseline"].height:  # the people stage has run
        named_regions = regions.with_columns(pl.Series("name", base_names))
        asks += people_asks(tables, regions=named_regions, seeds=seeds)
    settings = Settings(home=Path(home))
    record = _Recorder(CallLog(path, world_id=world_id, run_id=run_id))
    with gateway_for(settings, llm) as gateway, tags(f"llm:{llm}"):
        try:
            named = name_regions.submit(gateway=gateway, inputs=inputs, record=record)
            # One lane is the regions'; with no other, the rest waits for it.
            lanes, after = (
                max(1, settings.llm_concurrency - 1),
                [named] if settings.llm_concurrency == 1 else [],
            )
            colours = [
                colour_entities.submit(
                    gateway=gateway,
                    asks=lane,
                    record=record,
                    lane=index,
                    wait_for=after,
                    return_state=False,
                )
                for index, lane in enumerate(_lanes(asks, lanes), start=1)
            ]
            names, descriptions = named.result()
            texts = {entity: text for lane in colours for entity, text in lane.result().items()}
        finally:
            record.flush()
            gateway.drain_records()
    # Text (procedural or with colour) names regions as the baseline did; carry the chosen
    # names into every description and the lore so no text names a stale region.
    rename = renamer({old: new for old, new in zip(base_names, names, strict=True) if old != new})
    descriptions = [rename(text) for text in descriptions]
    lore_text = rename(texts.pop("world"))
    described = {}
    if texts:
        people_baseline = tables["people_prose_baseline"].select("entity", "text").iter_rows()
        described = rename_descriptions(
            apply_people_texts(tables, {**dict(people_baseline), **texts}), rename
        )
    with open_store(path) as store:
        store.replace_rows(
            world_id,
            {
                **described,
                "regions": regions.with_columns(
                    pl.Series("name", names), pl.Series("description", descriptions)
                ),
                "worlds": tables["worlds"].with_columns(pl.lit(lore_text).alias("lore")),
                "locations": rename_regions_in_tree(
                    tables["locations"], regions["region_id"], names
                ),
            },
        )
    get_run_logger().info("prose via %s: %s", llm, dict(record.outcomes))
    return dict(record.outcomes)


@dataclass(frozen=True, slots=True)
class _Inputs:
    """What the region and lore questions are asked from (read once, before any call)."""

    tables: dict[str, pl.DataFrame]
    baseline: dict[str, dict[str, str]]
    base_names: list[str]
    seeds: Seeds

    @property
    def biomes(self) -> dict[int, tuple[str, str]]:
        rows = self.tables["biomes"].select("biome_id", "key", "name").iter_rows()
        return {b: (key, name.lower()) for b, key, name in rows}


class _Recorder:
    """Counts the calls' outcomes and logs their records, from any lane's thread."""

    def __init__(self, log: CallLog) -> None:
        self._log, self._lock = log, threading.Lock()
        self.outcomes: Counter[str] = Counter()

    def __call__(self, entity: str, call: CallRecord) -> None:
        with self._lock:
            self.outcomes[call.outcome] += 1
            self._log(entity, call)

    def flush(self) -> None:
        with self._lock:
            self._log.flush()


def _lanes(asks: list[ColourAsk], lanes: int) -> list[list[ColourAsk]]:
    """`asks` dealt into at most `lanes` lanes of consecutive asks, in order."""
    size = -(-len(asks) // lanes) if asks else 0
    return [asks[start : start + size] for start in range(0, len(asks), size or 1)]


_LLM = {"llm"}
"""The tag of every task that asks the LLM (a Prefect tag concurrency limit on it caps them)."""


@task(
    name="colour-entities",
    task_run_name="colour-entities · lane {lane}",
    cache_policy=NO_CACHE,
    tags=_LLM,
)
def colour_entities(
    *, gateway: LLMGateway, asks: list[ColourAsk], record: Record, lane: int
) -> dict[str, str]:
    """One lane of the chosen entities' texts, asked one after another."""
    return colour_texts(gateway, asks, record=record)


def _lore_ask(inputs: _Inputs) -> ColourAsk:
    """The question of the world's lore: a sentence of colour for its procedural text."""
    lore = inputs.baseline["world"]["text"]
    seed = int(inputs.seeds.stream("llm.world").integers(2**31))
    regions, rivers = inputs.tables["regions"], inputs.tables["rivers"]
    facts = _world_facts(regions, inputs.base_names, inputs.biomes, rivers, entry=lore, order=seed)
    return ColourAsk("world", LORE_PROMPT, facts, lore, WORLD_LORE_MAX)


@task(name="name-regions", cache_policy=NO_CACHE, tags=_LLM)
def name_regions(
    *, gateway: LLMGateway, inputs: _Inputs, record: Record
) -> tuple[list[str], list[str]]:
    """Each region's name (chosen among its procedural ones) and description (with a sentence
    of colour), asked in id order so no chosen name repeats one already taken."""
    tables, baseline, biomes, seeds = inputs.tables, inputs.baseline, inputs.biomes, inputs.seeds
    regions = tables["regions"]
    river_names = dict(tables["rivers"].select("river_id", "name").iter_rows())
    entities = [f"region {region_id}" for region_id in regions["region_id"]]
    base_names = [baseline[entity]["name"] for entity in entities]
    names = list(base_names)
    descriptions = [baseline[entity]["text"] for entity in entities]
    patterns = place_patterns().patterns
    for index, row in enumerate(regions.iter_rows(named=True)):
        seed = int(seeds.stream("llm.region", row["seed_cell"]).integers(2**31))
        taken = [name for i, name in enumerate(names) if i != index]
        biome_key, biome_name = biomes[row["dominant_biome_id"]]
        candidates = name_candidates(
            base_names[index],
            patterns,
            prefer=biome_key,
            taken=taken,
            limit=MAX_NAME_CANDIDATES,
            max_length=REGION_NAME_MAX,
        )
        facts = _region_facts(
            row,
            base_names=base_names,
            taken=taken,
            biome=biome_name,
            river_names=river_names,
            entry=descriptions[index],
            candidates=candidates,
            order=seed,
        )
        result = gateway.generate(REGION_PROMPT, facts, fallback=_no_region_colour, seed=seed)
        record(entities[index], result.record)
        if result.record.outcome != "fallback":
            names[index] = result.value.chosen_name(candidates)
            descriptions[index] = add_colour(
                descriptions[index], result.value.sentence(), limit=REGION_DESCRIPTION_MAX
            )
    return names, descriptions


def _no_region_colour() -> RegionColour:
    """The fallback's stand-in: never read, as a fallback keeps the procedural text."""
    return RegionColour.model_construct(name=1)


def _region_facts(
    row: dict[str, Any],
    *,
    base_names: list[str],
    taken: list[str],
    biome: str,
    river_names: dict[int, str],
    entry: str,
    candidates: tuple[str, ...],
    order: int,
) -> RegionFacts:
    return RegionFacts(
        biome=biome,
        climate=row["climate"],
        terrain=describe_relief(
            mean_elevation_m=row["mean_elevation_m"], max_elevation_m=row["max_elevation_m"]
        ),
        coastal=row["coastal"],
        danger_level=row["danger_level"],
        neighbours=tuple(base_names[n] for n in row["neighbors"][:_LISTED]),
        rivers=tuple(river_names[r] for r in row["rivers"][:_LISTED]),
        resources=tuple(r.replace("_", " ") for r in row["resources"][:_LISTED]),
        # Every other region's name, as chosen so far this run: the name must differ.
        used_names=tuple(taken),
        entry=entry,
        name_candidates=candidates,
        order=order,
    )


def _world_facts(
    regions: pl.DataFrame,
    names: list[str],
    biomes: dict[int, tuple[str, str]],
    rivers: pl.DataFrame,
    *,
    entry: str,
    order: int,
) -> WorldFacts:
    largest = regions.with_columns(pl.Series("name", names)).sort(
        ["area_km2", "region_id"], descending=[True, False]
    )
    return WorldFacts(
        regions=tuple(largest["name"][:_LORE_REGIONS]),
        biomes=tuple(dict.fromkeys(biomes[b][1] for b in largest["dominant_biome_id"]))[:_LISTED],
        climates=tuple(dict.fromkeys(largest["climate"]))[:8],
        rivers=tuple(
            rivers.sort(["discharge_m3s", "river_id"], descending=[True, False])["name"][:_LISTED]
        ),
        coastal=bool(regions["coastal"].any()),
        entry=entry,
        order=order,
    )


def call_rows(
    calls: list[CallRecord],
    run_id: str,
    entities: list[str],
    *,
    start: int = 0,
    stage: str = "prose",
) -> pl.DataFrame:
    """`llm_calls` rows: each call's record, under the entity it was made for, numbered from
    `start` within the run, for `stage` (prose or stories)."""
    if len(calls) != len(entities):  # one record per generate()
        raise RuntimeError(f"{len(calls)} call records for {len(entities)} entities")
    records = {
        field.name: [getattr(call, field.name) for call in calls]
        for field in dataclasses.fields(CallRecord)
    }
    return table_frame(
        "llm_calls",
        {
            "run_id": [run_id] * len(calls),
            "call_seq": range(start, start + len(calls)),
            "stage": [stage] * len(calls),
            "entity": entities,
            **records,
        },
    )
