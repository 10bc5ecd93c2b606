"""The stories' shared frames: a quest world's people carry their vitals' birth day, and
notables their day of death, as a join on the ids would give them, whichever order the frames
come in."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from worldloom.tasks.story_book import _local_prices, _with_births, notables_of

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


@settings(max_examples=80, deadline=None)
@given(data=st.data(), people=IDS, recorded=IDS)
def test_notables_get_their_own_death_day_or_none(
    data: st.DataObject, people: list[int], recorded: list[int]
) -> None:
    size = len(people)
    npcs = pl.DataFrame(
        {
            "npc_id": people,
            "settlement_id": data.draw(st.lists(st.integers(0, 2), min_size=size, max_size=size)),
            "notable": data.draw(st.lists(st.booleans(), min_size=size, max_size=size)),
        },
        schema={"npc_id": pl.Int64, "settlement_id": pl.Int32, "notable": pl.Boolean},
    )
    died = data.draw(
        st.lists(
            st.one_of(st.none(), st.integers(0, 99)), min_size=len(recorded), max_size=len(recorded)
        )
    )
    vitals = pl.DataFrame(
        {"npc_id": recorded, "born_tick": [0] * len(recorded), "died_tick": died},
        schema={"npc_id": pl.Int64, "born_tick": pl.Int64, "died_tick": pl.Int64},
    )
    settlements = pl.DataFrame({"settlement_id": [0, 1, 2], "region_id": [5, 5, 6]})
    settlements = settlements.cast({"settlement_id": pl.Int32})
    factions = pl.DataFrame(
        {"faction_id": [1, 2], "leader_npc_id": [people[0] if people else 0, None]}
    )
    provinces = pl.DataFrame({"region_id": [5, 6], "faction_id": [1, 2]})
    found = notables_of(npcs, settlements, factions, provinces, vitals)
    joined = npcs.filter(pl.col("notable")).join(vitals, on="npc_id", how="left")
    assert found["npc_id"].to_list() == sorted(joined["npc_id"].to_list())
    assert found["died_tick"].equals(joined.sort("npc_id")["died_tick"])


class _Markets:
    """A store holding markets and their goods alone (what `_local_prices` reads)."""

    def read(self, name: str, world_id: str) -> pl.DataFrame:
        assert world_id == "w"
        if name == "markets":
            return pl.DataFrame({"market_id": [7, 8], "settlement_id": [3, 1], "region_id": [0, 0]})
        return pl.DataFrame(
            {"market_id": [7, 7, 8], "good": ["salt", "grain", "grain"], "price": [4.0, 1.0, 3.0]}
        )


def test_local_prices_by_place_then_good_fall_back_to_the_region_then_the_world() -> None:
    settlements = pl.DataFrame({"settlement_id": [5, 3, 1], "region_id": [1, 0, 0]})
    prices = _local_prices(_Markets(), "w", settlements)  # type: ignore[arg-type]
    assert prices.rows() == [
        (1, "grain", 3.0),
        (1, "salt", 4.0),  # its region's mean
        (3, "grain", 1.0),
        (3, "salt", 4.0),
        (5, "grain", 2.0),  # the world's mean
        (5, "salt", 4.0),
    ]
