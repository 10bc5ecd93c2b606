"""Prices read a settlement at a time answer as the whole frame read into a dict would: each
place's goods (the last row of a good priced twice), nothing for a place not priced."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from worldloom.systems.narrative.quest.world import Prices

ROWS = st.lists(
    st.tuples(
        st.one_of(st.none(), st.integers(0, 6)),
        st.sampled_from(["grain", "iron", "salt"]),
        st.one_of(st.none(), st.floats(0, 100)),
    ),
    max_size=30,
)


@settings(max_examples=80, deadline=None)
@given(rows=ROWS)
def test_a_settlements_prices_are_its_rows(
    rows: list[tuple[int | None, str, float | None]],
) -> None:
    frame = pl.DataFrame(
        rows,
        schema={"settlement_id": pl.Int32, "good": pl.String, "price": pl.Float32},
        orient="row",
    )
    whole = dict(
        zip(
            zip(frame["settlement_id"].to_list(), frame["good"].to_list(), strict=True),
            frame["price"].cast(pl.Float64).to_list(),
            strict=True,
        )
    )
    prices = Prices(frame)
    for settlement in range(-1, 8):
        expected = {good: price for (place, good), price in whole.items() if place == settlement}
        assert dict(prices.of(settlement)) == expected
        assert prices.of(settlement) is prices.of(settlement)  # read once
