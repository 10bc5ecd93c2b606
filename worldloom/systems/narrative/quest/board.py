"""Quest boards: on fixed ticks, close the quests the world undid, then post new ones (capped)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from worldloom.systems.narrative.names import Names
from worldloom.systems.narrative.quest.expand import Offer, expand
from worldloom.systems.narrative.quest.frames import QUEST_STEPS_SCHEMA, QUESTS_SCHEMA, frame_of
from worldloom.systems.narrative.quest.motive import (
    ArcsOnBoard,
    Motive,
    Standing,
    arc_motives,
    event_motives,
    standing_motives,
)
from worldloom.systems.narrative.quest.rules import QuestRules
from worldloom.systems.narrative.quest.world import (
    Atlas,
    Life,
    QuestBook,
    QuestWorld,
    build_atlas,
    living,
)
from worldloom.systems.rng import Seeds

_UNDOING = ("settlement_occupied", "settlement_abandoned", "peace")
"""Event types that close open quests."""


def first_board(after: int, rules: QuestRules) -> int:
    """The first board tick after `after`."""
    days = rules.board.days
    return after + 1 + (days - 1 - (after + 1) % days)


def events_needed_after(book: QuestBook, rules: QuestRules) -> int:
    """Events with a tick above this are what the next `offer_quests` call needs: those of the
    next board's whole period, even if the last call read part of it."""
    return first_board(book.tick, rules) - rules.board.days


def offer_quests(
    *,
    rules: QuestRules,
    book: QuestBook,
    world: QuestWorld,
    events: pl.DataFrame,
    arcs: pl.DataFrame,
    arc_roles: pl.DataFrame,
    names: Names,
    until_tick: int,
    seeds: Seeds,
) -> QuestBook:
    """Post every quest board on a tick in (book.tick, until_tick] and close what the world undid.

    A board on tick b (b % board days == board days - 1) first closes open quests whose giver
    or a target person died, whose arc is no longer in progress, whose settlement was occupied
    or abandoned, whose war ended in peace (conquest), or which are older than the max age;
    then it posts quests from the events of (b - board days, b] (triggers), from arcs in
    progress on b, and from notables' standing states, up to the caps. Boards sit on fixed
    ticks and every draw is keyed by giver, tick and cause, so two windows give the tables of
    one pass.

    Args:
        events: at least the events with tick > `events_needed_after(book, rules)` up to
            until_tick (events schema minus world_id); earlier ones are ignored.
        arcs, arc_roles: the arc room's tables (arcs in progress give quests with arc_id).
        until_tick: the last tick simulated.

    Returns:
        The book with its quests (open ones updated, new ones appended, with ids above the
        book's) and steps, at max(book.tick, until_tick). Only the open quests' steps are read:
        a book may carry no others, and the steps returned are the book's and the new quests'.
    """
    # Residents are looked up by the roles that give quests only (triggers' and arcs').
    keys = {key for trigger in rules.triggers for key in trigger.givers} | set(rules.arc_givers)
    start = first_board(book.tick, rules)
    # Every board asks about its own day: those who died before the first are of no board's.
    atlas = build_atlas(world, levels=rules.encounter_levels, keys=keys, since=start)
    desk = _Desk.of(book)
    days = rules.board.days
    relevant = {t.event for t in rules.triggers} | set(_UNDOING)
    recent = events.filter(
        (pl.col("tick") > start - days)
        & (pl.col("tick") <= until_tick)
        & pl.col("type").is_in(list(relevant))
    )
    board_of = pl.col("tick") + (days - 1 - pl.col("tick") % days)
    by_board = {
        b: frame
        for (b,), frame in recent.with_columns(_board=board_of)
        .partition_by("_board", as_dict=True)
        .items()
    }
    empty = events.clear()
    boards = range(start, until_tick + 1, days)
    board = ArcsOnBoard.of(arcs, arc_roles, boards=boards, atlas=atlas, rules=rules)
    standing = Standing.of(rules, atlas)
    for tick in boards:
        window = by_board.get(tick, empty)
        running = {arc.arc_id for arc in board.running(tick)}
        desk.close(tick, window=window, running=running, atlas=atlas, rules=rules)
        motives = [
            *event_motives(rules=rules, atlas=atlas, events=window, tick=tick),
            *arc_motives(board=board, tick=tick),
            *standing_motives(rules=rules, atlas=atlas, standing=standing, tick=tick, seeds=seeds),
        ]
        for motive in motives:
            desk.post(motive, tick, rules=rules, atlas=atlas, names=names, seeds=seeds)
    return desk.book(max(book.tick, until_tick))


@dataclass(slots=True)
class _Desk:
    """The quests being written: every row, the open ones' targets, and the open counts."""

    rows: list[dict[str, Any]]
    """The open quests as the book had them, then the new ones (closing updates them)."""
    steps: list[pl.DataFrame]
    closed: pl.DataFrame
    """The quests closed before (never changed again: they stay a frame)."""
    new_steps: list[dict[str, Any]] = field(default_factory=list)
    next_id: int = 0
    open: dict[int, dict[str, Any]] = field(default_factory=dict)
    targets: dict[int, tuple[set[int], set[int]]] = field(default_factory=dict)
    """Open quest -> the people and settlements its steps name."""
    lives: dict[int, tuple[tuple[Life, ...], tuple[Life, ...]]] = field(default_factory=dict)
    """Open quest -> its giver's and its target people's days, read on the first board that
    asks (every board asks whether they are alive); no one's ids are left out."""
    by_giver: dict[int, dict[int, None]] = field(default_factory=dict)
    by_place: dict[int | None, dict[int, None]] = field(default_factory=dict)
    """The open quests of each giver and of each settlement, in the order of `open`."""
    open_arcs: Counter[int] = field(default_factory=Counter)
    """How many open quests each arc has."""

    @classmethod
    def of(cls, book: QuestBook) -> _Desk:
        quests = book.quests.select(QUESTS_SCHEMA.names()).cast(QUESTS_SCHEMA)
        is_open = pl.col("status") == "open"
        rows = quests.filter(is_open).sort("quest_id").to_dicts()
        desk = cls(rows, [book.quest_steps], quests.filter(~is_open))
        for row in rows:
            desk._open(row)
        desk.targets = {q: (set(), {r["settlement_id"]}) for q, r in desk.open.items()}
        top = quests["quest_id"].max()
        desk.next_id = 0 if top is None else int(top) + 1  # type: ignore[arg-type]
        opened = book.quest_steps.filter(pl.col("quest_id").is_in(list(desk.open)))
        for quest, npc, settlement in opened.select(
            "quest_id", "npc_id", "settlement_id"
        ).iter_rows():
            people, places = desk.targets[quest]
            people.update([npc] if npc is not None else [])
            places.update([settlement] if settlement is not None else [])
        return desk

    def close(
        self, tick: int, *, window: pl.DataFrame, running: set[int], atlas: Atlas, rules: QuestRules
    ) -> None:
        lost: dict[str, set[int]] = {"settlement_occupied": set(), "settlement_abandoned": set()}
        factions: set[int] = set()
        for kind, settlement, *sides in (
            window.filter(pl.col("type").is_in(list(_UNDOING)))
            .select("type", "settlement_id", "faction_id", "other_faction_id")
            .iter_rows()
        ):
            if kind == "peace":
                factions.update(f for f in sides if f is not None)
            elif settlement is not None:
                lost[kind].add(settlement)
        at_peace = {atlas.leaders[f] for f in factions if f in atlas.leaders}
        for quest in sorted(self.open):
            row = self.open[quest]
            people, places = self.targets[quest]
            giver, targets = self._lives(quest, atlas)
            # The giver is alive if their life is living, the targets if all of theirs are
            # (no one's ids have none, and count as dead, as `Atlas.alive` says).
            reason = (
                "giver_died" if not living(giver, tick)
                else "target_died" if len(living(targets, tick)) < len(people)
                else "arc_ended" if row["arc_id"] is not None and row["arc_id"] not in running
                else "settlement_occupied" if places & lost["settlement_occupied"]
                else "settlement_abandoned" if places & lost["settlement_abandoned"]
                else "peace" if row["motivation"] == "conquest" and row["giver_npc_id"] in at_peace
                else "expired" if tick - row["issued_tick"] >= rules.board.max_age_days
                else None
            )  # fmt: skip
            if reason is not None:
                self._close(quest, tick, reason)

    def _lives(self, quest: int, atlas: Atlas) -> tuple[tuple[Life, ...], tuple[Life, ...]]:
        lives = self.lives.get(quest)
        if lives is None:
            people, _ = self.targets[quest]
            giver = [self.open[quest]["giver_npc_id"]]
            lives = (atlas.people.lives(giver), atlas.people.lives(people))
            self.lives[quest] = lives
        return lives

    def post(
        self,
        motive: Motive,
        tick: int,
        *,
        rules: QuestRules,
        atlas: Atlas,
        names: Names,
        seeds: Seeds,
    ) -> None:
        """Post the motive's quest for up to `take` of its givers who have room."""
        if motive.arc_id is not None and self.open_arcs[motive.arc_id]:
            return
        taken = 0
        for giver in motive.givers:
            home = atlas.people[giver].settlement_id
            drop = self._room(giver, home, rules, urgent=motive.source[0] != "standing")
            if drop is None:
                continue
            offer = expand(
                motive, giver, rules=rules, atlas=atlas, names=names, tick=tick, seeds=seeds
            )
            if offer is None:
                continue
            for quest in drop:
                self._close(quest, tick, "superseded")
            self._add(offer, motive, tick)
            taken += 1
            if taken >= motive.take:
                return

    def _room(
        self, giver: int, home: int | None, rules: QuestRules, *, urgent: bool
    ) -> list[int] | None:
        """Standing quests to withdraw so the giver may post (none when under the caps), or None
        when there is no room: what happened outranks what a notable always wants."""
        mine = list(self.by_giver.get(giver, ()))
        here = list(self.by_place.get(home, ()))
        drop: list[int] = []
        for quests, cap in ((mine, rules.board.per_giver), (here, rules.board.per_settlement)):
            if len([q for q in quests if q not in drop]) < cap:
                continue
            spare = [q for q in quests if q not in drop and self._standing(q)]
            if not urgent or not spare:
                return None
            drop.append(spare[0])
        return drop

    def _standing(self, quest: int) -> bool:
        row = self.open[quest]
        return row["cause_event_id"] is None and row["arc_id"] is None

    def _open(self, row: dict[str, Any]) -> None:
        quest = row["quest_id"]
        self.open[quest] = row
        self.by_giver.setdefault(row["giver_npc_id"], {})[quest] = None
        self.by_place.setdefault(row["settlement_id"], {})[quest] = None
        if row["arc_id"] is not None:
            self.open_arcs[row["arc_id"]] += 1

    def _close(self, quest: int, tick: int, reason: str) -> None:
        row = self.open.pop(quest)
        row.update(status="closed", closed_tick=tick, closed_reason=reason)
        del self.targets[quest]
        self.lives.pop(quest, None)
        del self.by_giver[row["giver_npc_id"]][quest], self.by_place[row["settlement_id"]][quest]
        if row["arc_id"] is not None:
            self.open_arcs[row["arc_id"]] -= 1

    def _add(self, offer: Offer, motive: Motive, tick: int) -> None:
        quest = self.next_id
        self.next_id += 1
        row = {
            "quest_id": quest,
            "giver_npc_id": offer.giver,
            "settlement_id": offer.settlement_id,
            "motivation": offer.strategy.motivation,
            "strategy": offer.strategy.key,
            "arc_id": motive.arc_id,
            "cause_event_id": motive.cause_event_id,
            "difficulty_level": offer.difficulty,
            "reward": offer.reward,
            "reward_item_id": offer.reward_item_id,
            "issued_tick": tick,
            "status": "open",
            "closed_tick": None,
            "closed_reason": None,
            "title": offer.title,
            "text": offer.text,
        }
        self.rows.append(row)
        self._open(row)
        people = {s.npc_id for s in offer.steps if s.npc_id is not None} - {offer.giver}
        places = {offer.settlement_id} | {
            s.settlement_id for s in offer.steps if s.settlement_id is not None
        }
        self.targets[quest] = (people, places)
        for position, step in enumerate(offer.steps):
            self.new_steps.append(
                {
                    "quest_id": quest,
                    "position": position,
                    **{k: getattr(step, k) for k in step.__slots__},
                }
            )

    def book(self, tick: int) -> QuestBook:
        quests = pl.concat([self.closed, frame_of(QUESTS_SCHEMA, self.rows)])
        fresh = frame_of(QUEST_STEPS_SCHEMA, self.new_steps)
        steps = pl.concat([*self.steps, fresh]).sort("quest_id", "position")
        return QuestBook(quests.sort("quest_id"), steps, tick)
