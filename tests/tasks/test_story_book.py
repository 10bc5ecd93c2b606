"""The stories' shared frames: a quest world's people carry their vitals' birth day, as a join
on the ids would give them, whichever order the frames come in."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from worldloom.tasks.story_book import _with_births

IDS = st.lists(st.integers(0, 40), unique=True, max_size=15)


@settings(max_examples=80, deadline=None)
@given(data=st.data(), people=IDS, recorded=IDS)
def test_people_get_their_own_birth_day_or_none(
    data: st.DataObject, people: list[int], recorded: list[int]
) -> None:
    npcs = pl.DataFrame(
        {"npc_id": people, "name": [f"n{i}" for i in people]},
        schema={"npc_id": pl.Int64, "name": pl.String},
    )
    born = data.draw(
        st.lists(
            st.one_of(st.none(), st.integers(-99, 99)),
            min_size=len(recorded),
            max_size=len(recorded),
        )
    )
    vitals = pl.DataFrame(
        {"npc_id": recorded, "born_tick": born, "died_tick": [None] * len(recorded)},
        schema={"npc_id": pl.Int64, "born_tick": pl.Int64, "died_tick": pl.Int64},
    )
    joined = npcs.join(vitals.select("npc_id", "born_tick"), on="npc_id", how="left")
    assert _with_births(npcs, vitals).equals(joined.sort("npc_id"))
    in_order = _with_births(npcs.sort("npc_id"), vitals.sort("npc_id"))
    assert in_order.equals(joined.sort("npc_id"))
