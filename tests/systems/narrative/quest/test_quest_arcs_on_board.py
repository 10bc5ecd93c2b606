"""The arcs a call's boards read, gathered once: on each board tick the same arcs run as a scan
of every arc the world has had finds (started by the tick, and in progress or not over
before it)."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.systems.narrative.quest.quest_fixtures import RULES, arc_roles, world
from worldloom.systems.narrative.quest.motive import ArcsOnBoard
from worldloom.systems.narrative.quest.world import build_atlas

ATLAS = build_atlas(world(), levels=RULES.encounter_levels)

HEADS = st.tuples(
    st.sampled_from(["in_progress", "complete", "ended"]),
    st.one_of(st.none(), st.integers(0, 200)),
    st.one_of(st.none(), st.integers(0, 200)),
)
"""status, start_tick, last_tick."""


@settings(max_examples=80, deadline=None)
@given(
    heads=st.lists(HEADS, max_size=12),
    data=st.data(),
    first=st.integers(0, 150),
    count=st.integers(0, 5),
)
def test_the_arcs_running_on_a_board_are_those_a_full_scan_finds(
    heads: list[tuple[str, int | None, int | None]], data: st.DataObject, first: int, count: int
) -> None:
    rows = [(arc_id, *head) for arc_id, head in enumerate(heads)]
    shuffled = data.draw(st.permutations(rows))  # the store's order is no one's promise
    frame = pl.DataFrame(
        {
            "arc_id": [r[0] for r in shuffled],
            "pattern": "plague",
            "status": [r[1] for r in shuffled],
            "start_tick": [r[2] for r in shuffled],
            "last_tick": [r[3] for r in shuffled],
        },
        schema={
            "arc_id": pl.Int64,
            "pattern": pl.String,
            "status": pl.String,
            "start_tick": pl.Int64,
            "last_tick": pl.Int64,
        },
    )
    boards = range(first, first + 30 * count, 30)
    board = ArcsOnBoard.of(frame, arc_roles(), boards=boards, atlas=ATLAS, rules=RULES)
    for tick in boards:
        expected = [
            arc_id
            for arc_id, status, start, last in rows
            if start is not None
            and start <= tick
            and (status == "in_progress" or (last is not None and last > tick))
        ]
        assert [arc.arc_id for arc in board.running(tick)] == expected, tick
