"""Kin between an artifact's holders: asked by id, as the whole realm's family map said."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from worldloom.systems.gear.artifact import _Kin

IDS = st.integers(min_value=0, max_value=12)
LINK = st.one_of(st.none(), st.integers(min_value=-1, max_value=12))


def family_map(rows: list[tuple[int, int | None, int | None, int | None]]) -> dict[int, set[int]]:
    """Every candidate's parents and spouse, and each of them theirs: the tie both ways."""
    links: dict[int, set[int]] = {}
    for npc, *others in rows:
        for other in others:
            if other is not None and other >= 0:
                links.setdefault(npc, set()).add(other)
                links.setdefault(other, set()).add(npc)
    return links


@settings(max_examples=60, deadline=None)
@given(
    people=st.dictionaries(IDS, st.tuples(LINK, LINK, LINK), max_size=10),
    a=st.integers(min_value=-1, max_value=13),
    b=st.integers(min_value=-1, max_value=13),
)
def test_kin_are_those_the_family_map_names(
    people: dict[int, tuple[int | None, int | None, int | None]], a: int, b: int
) -> None:
    rows = [(npc, *links) for npc, links in people.items()]
    frame = pl.DataFrame(
        rows[::-1],  # any order
        schema=dict.fromkeys(("npc_id", "father_id", "mother_id", "spouse_id"), pl.Int64),
        orient="row",
    )

    kin = _Kin.of(frame)

    assert kin.related(a, b) == (b in family_map(rows).get(a, set()))
