"""A year of the living alone (`Everyone` beside them) is the year of the whole table: the same
events, and the same rows for everyone who lived."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.systems.history.test_person import _person, _village, living, village_year
from worldloom.systems.history import (
    VITALS_SCHEMA,
    Conditions,
    EventLog,
    Everyone,
    Leaders,
    PeopleYear,
    advance_people,
)
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog


def _year(
    npcs: pl.DataFrame, vitals: pl.DataFrame, *, seed: int, year: int, everyone: Everyone | None
) -> tuple[PeopleYear, EventLog]:
    log = EventLog(catalog.event_catalog(), 1, earlier_tick=year * 365)
    lived = advance_people(
        npcs,
        vitals,
        leaders=Leaders(np.array([7]), np.array([0]), np.array([0])),
        roles=catalog.notable_roles(),
        conditions=Conditions(np.array([0.6]), np.zeros(1), np.array([0.3]), np.zeros(1, np.int64)),
        cohorts=village_year(living(npcs, vitals), births=6, deaths=9),
        region_of=np.array([4]),
        rules=catalog.history_rules(),
        seeds=Seeds(seed),
        year=year,
        first_tick=year * 365,
        days=365,
        log=log,
        everyone=everyone,
    )
    return lived, log


def _world() -> tuple[pl.DataFrame, pl.DataFrame]:
    """A village whose dead matter: a dead smith fathers a boy about to come of age, and the
    largest id is a dead man's (no newborn may take it)."""
    npcs = pl.concat(
        [
            _village().filter(~pl.col("npc_id").is_in([2, 3])),
            pl.DataFrame(
                [
                    _person(2, 50, "male", father_id=0, mother_id=1, profession="smith"),
                    _person(3, 15, "male", father_id=2, mother_id=1, profession="child"),
                    _person(999, 30, "male", name="Oldname"),
                ],
                schema=_village().schema,
            ),
        ]
    ).sort("npc_id")
    vitals = pl.DataFrame(
        {"npc_id": [2, 999], "born_tick": [-1, -1], "died_tick": [300, 310],
         "death_cause": ["war", "plague"]},
        schema=VITALS_SCHEMA,
    )  # fmt: skip
    return npcs, vitals


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), years=st.integers(1, 3))
def test_the_living_alone_live_the_year_of_the_whole_table(seed: int, years: int) -> None:
    npcs, vitals = _world()
    for year in range(1, 1 + years):
        dead = vitals.filter(pl.col("died_tick") >= 0)["npc_id"]
        living = npcs.filter(~pl.col("npc_id").is_in(dead.implode()))
        whole, whole_log = _year(npcs, vitals, seed=seed, year=year, everyone=None)
        alone, alone_log = _year(
            living,
            vitals.filter(pl.col("died_tick") < 0),
            seed=seed,
            year=year,
            everyone=Everyone.of(npcs),
        )
        assert alone_log.rows == whole_log.rows
        assert alone.successions == whole.successions
        assert alone.deaths == whole.deaths
        theirs = pl.col("npc_id").is_in(alone.npcs["npc_id"].implode())
        assert alone.npcs.equals(whole.npcs.filter(theirs))
        # The dead's rows are as they were; the living's vitals as the whole table's.
        assert whole.npcs.filter(~theirs).equals(
            npcs.filter(pl.col("npc_id").is_in(dead.implode()))
        )
        assert alone.vitals.equals(
            whole.vitals.filter(pl.col("npc_id").is_in(alone.vitals["npc_id"].implode()))
        )
        npcs, vitals = whole.npcs, whole.vitals
    assert "Oldname" in Everyone.of(npcs).names["name"].to_list()


def test_the_dead_still_lend_their_trade_and_their_ids() -> None:
    npcs, vitals = _world()
    living = npcs.filter(~pl.col("npc_id").is_in([2, 999]))
    lived, log = _year(living, vitals.clear(), seed=11, year=1, everyone=Everyone.of(npcs))
    grown = lived.npcs.filter(pl.col("npc_id") == 3).row(0, named=True)
    assert (grown["age"], grown["profession"]) == (16, "smith")  # his dead father's trade
    born = lived.npcs.filter(pl.col("age") == 0)["npc_id"]
    assert born.len() > 0
    assert born.min() == 1000
    assert set(log.rows["type"]) >= {"birth", "coming_of_age"}


def test_a_person_not_among_everyone_is_refused() -> None:
    npcs, vitals = _world()
    stranger = npcs.filter(pl.col("npc_id") == 10).with_columns(
        pl.lit(5000, npcs["npc_id"].dtype).alias("npc_id")
    )
    with pytest.raises(ValueError, match=r"npc ids \[5000\]"):
        _year(pl.concat([npcs, stranger]), vitals, seed=1, year=1, everyone=Everyone.of(npcs))
    known, trade = int(npcs["npc_id"][0]), str(npcs["profession"][0])
    assert Everyone.of(npcs).professions_of(np.array([12345, known, -1])) == [None, trade, None]
