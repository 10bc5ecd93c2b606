"""The stories stage's tasks.

At every year's end (`tell_year_stories`) the systems that read the event log as it grows —
arcs sifted from it, rumors travelling, notables' memories, quest boards — read the events
recorded since they last read, with their own tables as their memory, and write them back with
their read positions in one transaction. Their clock is the world's last year's end, so
however the years were split into simulate runs, each year is read against the world as that
year ended. Then, from the whole history and the world as it is: motifs (`score_motifs_stage`)
and what each notable says (`write_dialogue_stage`).
"""

from __future__ import annotations

import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from worldloom.infrastructure.store import WorldStore, open_store
from worldloom.infrastructure.store.frames import run_sql
from worldloom.systems.narrative import Names
from worldloom.systems.narrative.arc import ArcBook, sift_arcs
from worldloom.systems.narrative.dialogue import write_dialogue
from worldloom.systems.narrative.memory import MemoryBook, heard_rumors, remember
from worldloom.systems.narrative.motif import MotifScores, score_motifs
from worldloom.systems.narrative.quest import (
    QuestBook,
    QuestWorld,
    events_needed_after,
    offer_quests,
)
from worldloom.systems.narrative.rumor import RumorBook, rumor_places, spread_rumors
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog
from worldloom.tasks.story_book import Unread, state_rows, unread_events, world_names
from worldloom.tasks.world import load_world, world_db


def story_clock(tick: int) -> int:
    """The day the stories are told up to: the world's last year's end (its first day)."""
    days = catalog.calendar().days_per_year
    return (tick // days) * days


@task(
    name="tell-year-stories",
    cache_policy=NO_CACHE,
    task_run_name="tell-year-stories · {world_id}",
)
def tell_year_stories(*, home: str, world_id: str) -> dict[str, int]:
    """Sift arcs, spread rumors, remember and post quest boards up to the world's last year's
    end; returns the rows each table holds."""
    path = world_db(home, world_id)
    with open_store(path, read_only=True) as store:
        world = load_world(store, world_id)
        clock = story_clock(world.tick)
        names = world_names(store, world_id)
        seeds = Seeds(world.config.seed)
        arcs = _sift(store, world_id, clock=clock, names=names)
        rumors, rumor_frames = _spread(store, world_id, clock=clock, names=names, seeds=seeds)
        memories = _remember(store, world_id, clock=clock, names=names, rumors=rumor_frames)
        quests = _post_quests(store, world_id, clock=clock, names=names, seeds=seeds, arcs=arcs)
        reads = {"arcs": arcs[0], "rumors": rumors, "memories": memories[0], "quests": quests[0]}
        frames = arcs[1] | rumor_frames | memories[1] | quests[1]
        frames["narrative_state"] = state_rows(store, world_id, reads)
    with open_store(path) as store:
        written = store.replace_rows(world_id, frames)
    get_run_logger().info(
        "stories to tick %d: %d arcs, %d rumors (%d beliefs), %d memories, %d quests",
        clock,
        written["arcs"],
        written["rumors"],
        written["rumor_beliefs"],
        written["memories"],
        written["quests"],
    )
    return written


Frames = dict[str, pl.DataFrame]


def _sift(store: WorldStore, world_id: str, *, clock: int, names: Names) -> tuple[Unread, Frames]:
    unread = unread_events(store, world_id, system="arcs", tick=clock)
    book = sift_arcs(
        patterns=catalog.arc_patterns(),
        book=ArcBook(
            arcs=store.read("arcs", world_id),
            arc_events=store.read("arc_events", world_id),
            arc_roles=store.read("arc_roles", world_id),
            partials=store.read("arc_partials", world_id),
            last_event_id=unread.after,
            tick=_state_tick(store, world_id, "arcs"),
        ),
        events=unread.events,
        names=names,
        run=run_sql,
    )
    frames = {
        "arcs": book.arcs,
        "arc_events": book.arc_events,
        "arc_roles": book.arc_roles,
        "arc_partials": book.partials,
    }
    # The sifting's clock is the latest day its log has reached (windows close by it).
    return Unread(events=unread.events, after=unread.after, tick=book.tick), frames


def _spread(
    store: WorldStore, world_id: str, *, clock: int, names: Names, seeds: Seeds
) -> tuple[Unread, Frames]:
    unread = unread_events(store, world_id, system="rumors", tick=clock)
    book = spread_rumors(
        rules=catalog.rumor_rules(),
        book=RumorBook(
            rumors=store.read("rumors", world_id),
            versions=store.read("rumor_versions", world_id),
            beliefs=store.read("rumor_beliefs", world_id),
            frontier=store.read("rumor_frontier", world_id),
        ),
        events=unread.events,
        places=rumor_places(
            store.read("settlements", world_id),
            store.read("routes", world_id),
            factions=store.read("factions", world_id),
        ),
        names=names,
        until_tick=clock,
        seeds=seeds,
    )
    frames = {
        "rumors": book.rumors,
        "rumor_versions": book.versions,
        "rumor_beliefs": book.beliefs,
        "rumor_frontier": book.frontier,
    }
    return unread, frames


def _remember(
    store: WorldStore, world_id: str, *, clock: int, names: Names, rumors: Frames
) -> tuple[Unread, Frames]:
    unread = unread_events(store, world_id, system="memories", tick=clock)
    since = _state_tick(store, world_id, "memories")
    beliefs = rumors["rumor_beliefs"].filter(pl.col("heard_tick") > since)
    # A rumor's id is its event's: the events heard of are those from the oldest one on.
    first = int(beliefs["rumor_id"].min()) if beliefs.height else unread.after + 1  # type: ignore[arg-type]
    told = store.read("events", world_id, after={"event_id": min(first - 1, unread.after)})
    book = remember(
        rules=catalog.memory_rules(),
        book=MemoryBook(
            memories=store.read("memories", world_id),
            reflections=store.read("reflections", world_id),
        ),
        events=unread.events,
        notables=_notables(store, world_id),
        beliefs=heard_rumors(
            beliefs=beliefs,
            rumors=rumors["rumors"],
            versions=rumors["rumor_versions"],
            events=told,
        ),
        names=names,
        until_tick=clock,
    )
    return unread, {"memories": book.memories, "reflections": book.reflections}


def _post_quests(
    store: WorldStore,
    world_id: str,
    *,
    clock: int,
    names: Names,
    seeds: Seeds,
    arcs: tuple[Unread, Frames],
) -> tuple[Unread, Frames]:
    rules = catalog.quest_rules()
    book = QuestBook(
        quests=store.read("quests", world_id),
        quest_steps=store.read("quest_steps", world_id),
        tick=_state_tick(store, world_id, "quests"),
    )
    # A board reads its whole period's events, even those a previous run read.
    since = events_needed_after(book, rules)
    events = store.read("events", world_id, after={"tick": since})
    book = offer_quests(
        rules=rules,
        book=book,
        world=_quest_world(store, world_id),
        events=events,
        arcs=arcs[1]["arcs"],
        arc_roles=arcs[1]["arc_roles"],
        names=names,
        until_tick=clock,
        seeds=seeds,
    )
    unread = Unread(events=events, after=since, tick=clock)
    return unread, {"quests": book.quests, "quest_steps": book.quest_steps}


@task(name="score-motifs", cache_policy=NO_CACHE, task_run_name="score-motifs · {world_id}")
def score_motifs_stage(*, home: str, world_id: str) -> int:
    """Score the themes of the whole history, per world, region and arc; returns how many
    motifs the world carries."""
    path = world_db(home, world_id)
    with open_store(path, read_only=True) as store:
        events = store.read("events", world_id)
        arcs, arc_events = store.read("arcs", world_id), store.read("arc_events", world_id)
    scores = score_motifs(
        table=catalog.motif_table(), events=events, arcs=arcs, arc_events=arc_events
    )
    with open_store(path) as store:
        store.replace_rows(
            world_id,
            {"motifs": scores.world, "region_motifs": scores.regions, "arcs": scores.arcs},
        )
    get_run_logger().info("motifs: %s", ", ".join(scores.world["motif"].head(3)))
    return scores.world.height


@task(name="write-dialogue", cache_policy=NO_CACHE, task_run_name="write-dialogue · {world_id}")
def write_dialogue_stage(*, home: str, world_id: str) -> int:
    """Write what each living notable says: greetings, rumors, quest offers, memories; returns
    the lines written."""
    path = world_db(home, world_id)
    with open_store(path, read_only=True) as store:
        world = load_world(store, world_id)
        lines = write_dialogue(
            rules=catalog.dialogue_rules(),
            motifs=MotifScores(
                world=store.read("motifs", world_id),
                regions=store.read("region_motifs", world_id),
                arcs=store.read("arcs", world_id),
                table=catalog.motif_table(),
            ),
            names=world_names(store, world_id),
            tick=story_clock(world.tick),
            seeds=Seeds(world.config.seed),
            **dialogue_inputs(store, world_id),
        )
    with open_store(path) as store:
        store.replace_rows(world_id, {"dialogue_lines": lines})
    get_run_logger().info("dialogue: %d lines", lines.height)
    return lines.height


def dialogue_inputs(store: WorldStore, world_id: str) -> dict[str, pl.DataFrame]:
    """What notables speak of (`write_dialogue`'s and `line_facts`' frames): the living
    notables, the rumors believed where each lives, quests and their steps, memories."""
    people = store.read("npcs", world_id, where={"notable": True}).select(
        "npc_id",
        pl.concat_str("name", "family_name", separator=" ").alias("name"),
        pl.col("notable_role").fill_null("notable"),
        "trait_1",
        "trait_2",
        "trait_3",
    )
    speakers = (
        _notables(store, world_id).filter(pl.col("died_tick").is_null()).join(people, on="npc_id")
    )
    believed = store.read("rumor_beliefs", world_id).join(
        store.read("rumor_versions", world_id).select("rumor_id", "version", "text"),
        on=["rumor_id", "version"],
    )
    return {
        "speakers": speakers,
        "rumors": believed.select("settlement_id", "rumor_id", "version", "text", "confidence"),
        "quests": store.read("quests", world_id),
        "quest_steps": store.read("quest_steps", world_id),
        "memories": store.read("memories", world_id),
    }


def _state_tick(store: WorldStore, world_id: str, system: str) -> int:
    """The day `system` last told its stories up to; -1 before its first run."""
    state = store.read("narrative_state", world_id, where={"system": system})
    return int(state["tick"][0]) if state.height else -1


def _notables(store: WorldStore, world_id: str) -> pl.DataFrame:
    """Notables: where they live, the faction they lead (else the state holding their home's
    region), the day they died (null while alive)."""
    settlements = store.read("settlements", world_id).select("settlement_id", "region_id")
    leads = (
        store.read("factions", world_id)
        .filter(pl.col("leader_npc_id").is_not_null())
        .group_by("leader_npc_id")
        .agg(pl.col("faction_id").min().alias("leads"))
        .rename({"leader_npc_id": "npc_id"})
    )
    holders = store.read("provinces", world_id).select("region_id", "faction_id")
    died = store.read("npc_vitals", world_id).select("npc_id", "died_tick")
    return (
        store.read("npcs", world_id, where={"notable": True})
        .select("npc_id", "settlement_id")
        .join(settlements, on="settlement_id", how="left")
        .join(leads, on="npc_id", how="left")
        .join(holders, on="region_id", how="left")
        .join(died, on="npc_id", how="left")
        .select(
            "npc_id",
            "settlement_id",
            pl.coalesce("leads", "faction_id").alias("faction_id"),
            "region_id",
            "died_tick",
        )
        .sort("npc_id")
    )


def _quest_world(store: WorldStore, world_id: str) -> QuestWorld:
    """The frames quests are built on (see `QuestWorld`)."""
    vitals = store.read("npc_vitals", world_id)
    return QuestWorld(
        npcs=store.read("npcs", world_id).join(
            vitals.select("npc_id", "born_tick"), on="npc_id", how="left"
        ),
        dead=vitals.filter(pl.col("died_tick").is_not_null()).select("npc_id", "died_tick"),
        settlements=store.read("settlements", world_id),
        pois=store.read("pois", world_id),
        encounters=store.read("encounters", world_id),
        monsters=store.read("monsters", world_id),
        items=store.read("items", world_id),
        prices=_local_prices(store, world_id),
        regions=store.read("regions", world_id),
        factions=store.read("factions", world_id),
    )


def _local_prices(store: WorldStore, world_id: str) -> pl.DataFrame:
    """Each settlement's price of each good: its market's, else the mean of its region's
    markets, else the world's."""
    settlements = store.read("settlements", world_id).select("settlement_id", "region_id")
    markets = store.read("markets", world_id).select("market_id", "settlement_id", "region_id")
    goods = store.read("market_goods", world_id).join(markets, on="market_id")
    own = goods.select("settlement_id", "good", "price")
    regional = goods.group_by("region_id", "good").agg(pl.col("price").mean().alias("regional"))
    worldwide = goods.group_by("good").agg(pl.col("price").mean().alias("worldwide"))
    return (
        settlements.join(worldwide, how="cross")
        .join(regional, on=["region_id", "good"], how="left")
        .join(own, on=["settlement_id", "good"], how="left")
        .select(
            "settlement_id",
            "good",
            pl.coalesce("price", "regional", "worldwide").alias("price"),
        )
        .sort("settlement_id", "good")
    )
