"""A year's stories, as the stories stage tells them (`tasks.stories`) and a run's side process
does beside the next year (`year_stories_of`).

At every year's end the systems that read the event log as it grows — arcs sifted from it,
rumors travelling, notables' memories, quest boards — read the events recorded since they last
read, with their own tables as their memory, and give what changed with their read positions,
for one transaction. Their clock is the world's last year's end, so however the years were
split into simulate runs, each year is read against the world as that year ended.

No Prefect here (nor in what it imports): the side process that tells the stories imports this
module alone, not the pipeline's tasks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from worldloom.infrastructure.side_process import resident
from worldloom.infrastructure.store import (
    Revision,
    RowRange,
    WorldStore,
    Writes,
    open_store,
    stored_rows,
    table_revision,
)
from worldloom.systems.narrative import Names
from worldloom.systems.narrative.arc import ArcBook, sift_arcs
from worldloom.systems.narrative.memory import MemoryBook, heard_rumors, remember
from worldloom.systems.narrative.quest import QuestBook, events_needed_after, offer_quests
from worldloom.systems.narrative.rumor import RumorBook, rumor_places, spread_rumors
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog
from worldloom.tasks.story_book import (
    Shelf,
    Unread,
    notables_of,
    quest_world,
    read_shelf,
    state_rows,
)
from worldloom.tasks.story_kept import KEPT, KeptBooks, StoryBooks
from worldloom.tasks.world_record import load_world


def story_clock(tick: int) -> int:
    """The day the stories are told up to: the world's last year's end (its first day)."""
    days = catalog.calendar().days_per_year
    return (tick // days) * days


Frames = dict[str, pl.DataFrame]


@dataclass(frozen=True, slots=True)
class YearStories:
    """A year's stories as the store takes them (small enough to pass between processes):
    tables rewritten (with the read positions), rows appended, tables revised, and the rows
    the counted tables hold after."""

    clock: int
    rewritten: Frames
    appended: Frames
    revised: dict[str, Revision]
    holds: dict[str, int]
    kept_taken: bool = False
    """Whether the stories' own rows were those a side process kept from the year before
    (`KeptBooks`), not read."""

    def writes(self) -> Writes:
        """The stories as the store writes them."""
        return Writes(self.rewritten, self.appended, self.revised)


def year_stories(store: WorldStore, world_id: str) -> YearStories:
    """The stories up to the world's last year's end, from `store`, which it only reads (the
    caller writes them: `write_year_stories`).

    Tables that only ever gain rows (rumors with their versions and beliefs, memories,
    reflections, quest steps) get the year's rows appended; the others are rewritten.
    """
    return _tell(store, world_id, None)


def year_stories_of(copy: str, world_id: str) -> YearStories:
    """`year_stories` from the world's file at `copy` (a copy no one writes), in a run's side
    process: the stories' own rows the year before left are taken from its memory rather than
    read, and this year's kept for the next (`KeptBooks`)."""
    with open_store(Path(copy), read_only=True) as store:
        return _tell(store, world_id, resident(KeptBooks))


def _tell(store: WorldStore, world_id: str, books: KeptBooks | None) -> YearStories:
    """`year_stories`; with `books`, taking the stories' rows kept there and keeping them."""
    world = load_world(store, world_id)
    clock = story_clock(world.tick)
    shelf = read_shelf(store, world_id)
    year = _Year(
        store,
        world_id,
        shelf,
        clock,
        shelf.names(),
        Seeds(world.config.seed),
        kept=None if books is None else books.take(store, world_id, state=shelf.state),
    )
    arcs = _sift(year)
    rumors = _spread(year)
    memories = _remember(year, rumors)
    quests = _post_quests(year, arcs)
    told = {"arcs": arcs, "rumors": rumors, "memories": memories, "quests": quests}
    rewritten = {name: frame for one in told.values() for name, frame in one.replace.items()}
    rewritten["narrative_state"] = state_rows(
        shelf.state, {system: one.unread for system, one in told.items()}
    )
    holds = {name: rows for one in told.values() for name, rows in one.holds.items()}
    if books is not None:
        books.keep(world_id, _books_after(told, rewritten["narrative_state"], holds))
    return YearStories(
        clock=clock,
        rewritten=rewritten,
        appended={name: frame for one in told.values() for name, frame in one.append.items()},
        revised={name: change for one in told.values() for name, change in one.revise.items()},
        holds=holds,
        kept_taken=year.kept is not None,
    )


def _books_after(told: dict[str, _Told], state: pl.DataFrame, holds: dict[str, int]) -> StoryBooks:
    """The stories' own rows once the year's `told` stories are stored, as reads return them."""
    # In one chunk each, as a read returns them: frames concatenated year after year would
    # carry ever more chunks, and the next year's joins and filters slow down on them.
    rows = {name: frame.rechunk() for one in told.values() for name, frame in one.kept.items()}
    tables = {
        name: rows[name] if name == "reflections" else stored_rows(name, rows[name])
        for name in KEPT
    }
    return StoryBooks(
        state=stored_rows("narrative_state", state),
        counts={name: frame.height for name, frame in tables.items()}
        | {"memories": holds["memories"]},
        tables=tables,
        memories=rows["memories"],
        remembered=rows["remembered"]["npc_id"],
    )


@dataclass(frozen=True, slots=True)
class _Year:
    """What each narrative system's year starts from: the world's store and its frames read
    once, the day the stories are told up to, the names, the seeds, and the stories' own rows
    the year before kept (if taken)."""

    store: WorldStore
    world_id: str
    shelf: Shelf
    clock: int
    names: Names
    seeds: Seeds
    kept: StoryBooks | None

    def own(self, name: str) -> pl.DataFrame:
        """The stories' table `name`'s rows: kept by the year before, else read."""
        kept = self.kept
        return self.store.read(name, self.world_id) if kept is None else kept.tables[name]


def write_year_stories(store: WorldStore, world_id: str, told: YearStories) -> None:
    """Write a year's stories with their read positions, in one transaction."""
    store.replace_rows(world_id, told.rewritten, append=told.appended, revise=told.revised)


@dataclass(frozen=True, slots=True)
class _Told:
    """One system's year: what it read, the tables it rewrites, the rows it appends, the
    tables it revises (only the rows that changed are written), the rows its counted tables
    hold after, and frames a later system reads (`shared`)."""

    unread: Unread
    replace: Frames
    append: Frames
    holds: dict[str, int]
    shared: Frames = field(default_factory=dict)
    revise: dict[str, Revision] = field(default_factory=dict)
    kept: Frames = field(default_factory=dict)
    """The system's own rows once the year's are stored, for the next year (`StoryBooks`)."""


def _sift(year: _Year) -> _Told:
    unread = year.shelf.unread("arcs", tick=year.clock)
    before = ArcBook(
        arcs=year.own("arcs"),
        arc_events=year.own("arc_events"),
        arc_roles=year.own("arc_roles"),
        partials=year.own("arc_partials"),
        last_event_id=unread.after,
        tick=year.shelf.state_tick("arcs"),
    )
    book = sift_arcs(
        patterns=catalog.arc_patterns(), book=before, events=unread.events, names=year.names
    )
    # Only the arcs the year changed are written: the others' rows stay as they are.
    rewritten = pl.col("arc_id").is_in(pl.Series(book.rewritten, dtype=pl.Int64).implode())
    revise = {
        name: Revision(remove=old.filter(rewritten), add=new.filter(rewritten))
        for name, old, new in (
            ("arcs", before.arcs, book.arcs),
            ("arc_events", before.arc_events, book.arc_events),
            ("arc_roles", before.arc_roles, book.arc_roles),
            ("arc_partials", before.partials, book.partials),
        )
    }
    # The sifting's clock is the latest day its log has reached (windows close by it).
    read = Unread(events=unread.events, after=unread.after, tick=book.tick)
    shared = {"arcs": book.arcs, "arc_roles": book.arc_roles}
    return _Told(
        read,
        {},
        {},
        {"arcs": book.arcs.height},
        shared=shared,
        revise=revise,
        kept={
            "arcs": book.arcs,
            "arc_events": book.arc_events,
            "arc_roles": book.arc_roles,
            "arc_partials": book.partials,
        },
    )


def _spread(year: _Year) -> _Told:
    unread = year.shelf.unread("rumors", tick=year.clock)
    # Rumors and beliefs are only numbers: read whole, they are counted and heard of.
    rumors = year.own("rumors")
    beliefs = year.own("rumor_beliefs")
    news = spread_rumors(
        rules=catalog.rumor_rules(),
        book=RumorBook(rumors=rumors, frontier=year.own("rumor_frontier")),
        events=unread.events,
        places=rumor_places(
            year.shelf.settlements,
            year.store.read("routes", year.world_id),
            factions=year.shelf.factions,
        ),
        names=year.names,
        until_tick=year.clock,
        seeds=year.seeds,
    )
    told_rumors = pl.concat([rumors, news.rumors])
    told_beliefs = pl.concat([beliefs, news.beliefs])
    return _Told(
        unread,
        replace={"rumor_frontier": news.frontier},
        append={
            "rumors": news.rumors,
            "rumor_versions": news.versions,
            "rumor_beliefs": news.beliefs,
        },
        holds={
            "rumors": rumors.height + news.rumors.height,
            "rumor_beliefs": beliefs.height + news.beliefs.height,
        },
        shared={
            "rumors": told_rumors,
            "rumor_beliefs": told_beliefs,
            "new_versions": news.versions,
        },
        kept={
            "rumors": told_rumors,
            "rumor_beliefs": told_beliefs,
            "rumor_frontier": news.frontier,
        },
    )


HEARD_OF = ("event_id", "type", "importance")
"""The events columns a rumor heard of is remembered by (`heard_rumors`)."""
REMEMBERED = ("memory_id", "npc_id", "event_id", "tick", "importance", "topics")
"""The memories columns `remember` reads of the book (not the texts: most of the table)."""
REFLECTED = ("reflection_id", "npc_id", "memory_ids")
"""The reflections columns `remember` reads of the book (not the texts)."""


def _remember(year: _Year, rumors: _Told) -> _Told:
    unread = year.shelf.unread("memories", tick=year.clock)
    since = year.shelf.state_tick("memories")
    beliefs = rumors.shared["rumor_beliefs"].filter(pl.col("heard_tick") > since)
    # A rumor's id is its event's: the events heard of are those from the oldest one on.
    first = int(beliefs["rumor_id"].min()) if beliefs.height else unread.after + 1  # type: ignore[arg-type]
    bound = min(first - 1, unread.after)
    told = (
        year.shelf.log
        if bound >= year.shelf.log_after
        else year.store.read("events", year.world_id, after={"event_id": bound}, columns=HEARD_OF)
    )
    # The versions heard of: those stored of the rumors heard, and the year's new ones.
    versions = pl.concat(
        [
            year.store.read("rumor_versions", year.world_id, after={"rumor_id": first - 1}),
            rumors.shared["new_versions"],
        ]
    )
    notables = notables_of(
        year.shelf.npcs,
        year.shelf.settlements,
        year.shelf.factions,
        year.shelf.provinces,
        year.shelf.vitals,
    )
    # Only the notables alive on the first day of the unread events and rumors (heard after
    # `since`) can remember more: the book is theirs (the long dead's memories are most of an
    # old world's, and never change).
    ticks = unread.events["tick"]
    opens = min(since + 1, int(ticks.min())) if ticks.len() else since + 1  # type: ignore[arg-type]
    alive = notables.filter(pl.col("died_tick").is_null() | (pl.col("died_tick") > opens))
    memories, reflections = (
        (
            year.store.read(
                "memories",
                year.world_id,
                columns=REMEMBERED,
                among={"npc_id": alive["npc_id"].to_list()},
            ),
            year.store.read("reflections", year.world_id, columns=REFLECTED),
        )
        if year.kept is None
        else (
            year.kept.memories_of(year.store, year.world_id, alive["npc_id"]),
            year.kept.tables["reflections"],
        )
    )
    book = MemoryBook(
        memories=memories,
        reflections=reflections,
        next_memory_id=year.store.next_id("memories", year.world_id, "memory_id"),
    )
    after = remember(
        rules=catalog.memory_rules(),
        book=book,
        events=unread.events,
        notables=notables,
        beliefs=heard_rumors(
            beliefs=beliefs, rumors=rumors.shared["rumors"], versions=versions, events=told
        ),
        names=year.names,
        until_tick=year.clock,
    )
    # `remember` returns the book's rows first: what follows them is the year's.
    return _Told(
        unread,
        replace={},
        append={
            "memories": after.memories.slice(book.memories.height),
            "reflections": after.reflections.slice(book.reflections.height),
        },
        holds={
            "memories": year.store.row_counts(year.world_id, ["memories"])["memories"]
            + after.memories.height
            - book.memories.height
        },
        # The book's columns, in its types: the year's rows follow the book's in id order.
        kept={
            "memories": after.memories.select(book.memories.columns).cast(book.memories.schema),
            "remembered": alive.select("npc_id"),
            "reflections": after.reflections.select(book.reflections.columns).cast(
                book.reflections.schema
            ),
        },
    )


def _post_quests(year: _Year, arcs: _Told) -> _Told:
    rules = catalog.quest_rules()
    numbered = year.store.next_id("quests", year.world_id, "quest_id")
    # Closed quests never change: the book holds the open ones, and the latest (its id numbers
    # the next quests), not every quest the world has offered.
    quests = year.store.read(
        "quests",
        year.world_id,
        within=[RowRange(where={"status": "open"}), RowRange(after={"quest_id": numbered - 2})],
    )
    offered = year.store.row_counts(year.world_id, ["quests"])["quests"]
    opened = quests.filter(pl.col("status") == "open")["quest_id"]
    # Only the open quests' steps are read (`offer_quests`): from the oldest open one on.
    first_open = int(opened.min()) if opened.len() else numbered  # type: ignore[arg-type]
    book = QuestBook(
        quests=quests,
        quest_steps=year.store.read(
            "quest_steps", year.world_id, after={"quest_id": first_open - 1}
        ),
        tick=year.shelf.state_tick("quests"),
    )
    # A board reads its whole period's events, even those a previous run read.
    since = events_needed_after(book, rules)
    events = year.store.read("events", year.world_id, after={"tick": since})
    book = offer_quests(
        rules=rules,
        book=book,
        world=quest_world(year.store, year.world_id, year.shelf),
        events=events,
        arcs=arcs.shared["arcs"],
        arc_roles=arcs.shared["arc_roles"],
        names=year.names,
        until_tick=year.clock,
        seeds=year.seeds,
    )
    # New quests are numbered past the book's: their steps are the year's.
    steps = book.quest_steps.filter(pl.col("quest_id") >= numbered)
    return _Told(
        # Its position is an event's id like the others' (not `since`, a tick): the log's end.
        Unread(events=events, after=year.shelf.last_event_id, tick=year.clock),
        replace={},
        append={"quest_steps": steps},
        holds={"quests": offered + book.quests.height - quests.height},
        # Closed quests never change: the open ones closed and the new ones are written.
        revise={"quests": table_revision("quests", quests, book.quests)},
    )
