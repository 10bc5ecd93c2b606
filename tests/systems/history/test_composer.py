"""A year chronicled: famine follows the lost harvest, people flee it, plague and war weigh on
them, and every hook for the next year is an event."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import numpy as np
import polars as pl
import pytest

from tests.systems.history.test_faith import holy_sites
from tests.systems.history.test_person import _village
from worldloom.systems.history import (
    VITALS_SCHEMA,
    Cohorts,
    Happening,
    HistoryRules,
    Hooks,
    Leaders,
    Places,
    WorldYear,
    chronicle_year,
)
from worldloom.systems.history.faith import Faiths
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog

PROFESSIONS = ("child", "farmer", "laborer")


def _world(*, hardship: float, food: float, ruined: int = 0) -> WorldYear:
    rows = [(s, band, sex, 0, 0, 1 if band else 0) for s in range(3) for band in range(5)
            for sex in (0, 1)]  # fmt: skip
    columns = [np.array(c, dtype=np.int64) for c in zip(*rows, strict=True)]
    counts = np.array([900 if r[0] == 0 else 102 if r[0] == 1 else 60 for r in rows])
    counts[10] += 4  # settlement 1 starts at 1,024 people: any change passes a mark
    return WorldYear(
        year=2,
        first_tick=730,
        days=365,
        places=Places(
            region=np.array([5, 5, 6]), realm=np.array([1, 1, 2]), neighbours=((1,), (0, 2), (1,))
        ),
        cohorts=Cohorts(*columns, counts.astype(np.int64), PROFESSIONS),
        npcs=_village(4),
        vitals=pl.DataFrame(schema=VITALS_SCHEMA),
        leaders=Leaders(np.array([1]), np.array([0]), np.array([0])),
        hardship=np.array([hardship, 0.0, 0.0]),
        market_settlement=np.array([0, 2]),
        market_of=np.array([0, -1, 1]),
        food_index=np.array([food, 1.0]),
        ruined=np.array([ruined, 0]),
        market_agents=np.array([20, 20]),
        harvest_failures={5: 3},
        # Everyone follows their states' faith already, and there are no holy sites.
        faiths=Faiths(
            ruler=np.array([1, 1, 2]),
            state_faith=np.zeros(3, dtype=np.int64),
            hostility=np.zeros((1, 1)),
            sites=holy_sites([]),
        ),
    )


def _chronicle(world: WorldYear, **extra: Any):  # type: ignore[no-untyped-def]
    plague = Happening("plague", 800, {"severity": 0.6, "deaths": 12, "until_tick": 900,
                                       "market_closed_until": 850},
                       actors={"region_id": 6, "settlement_id": 2})  # fmt: skip
    kwargs: dict[str, Any] = {
        "happenings": (plague,),
        "at_war_realms": frozenset({2}),
        "killed": {2: 12},
        "hooks": Hooks(((1, 2),), ((2, "siege"),), (6,)),
        "rules": catalog.history_rules(),
        "roles": catalog.notable_roles(),
        "seeds": Seeds(4),
        "first_event_id": 10,
    } | extra
    return chronicle_year(world, **kwargs)


def _events(record: Any) -> pl.DataFrame:
    return pl.DataFrame(dict(record.events))


def test_a_famine_follows_the_lost_harvest_and_people_flee_it() -> None:
    record = _chronicle(_world(hardship=0.9, food=2.5))
    events = _events(record)
    famine = events.filter(pl.col("type") == "famine").row(0, named=True)
    assert famine["cause_ids"] == [3]  # last year's lost harvest
    assert famine["settlement_id"] == 0
    assert events.filter(pl.col("type") == "dearth").height == 1
    moves = events.filter(pl.col("type") == "migration")
    assert moves.height >= 1
    move = moves.row(0, named=True)
    assert json.loads(move["payload"])["reason"] == "hunger"
    assert move["cause_ids"] == [famine["event_id"]]
    yearly = events.filter((pl.col("type") == "population_year") & (pl.col("settlement_id") == 0))
    assert famine["event_id"] in yearly["cause_ids"][0]
    # The war-torn settlement's people flee too, and its plague is the cause of its year.
    plague_year = events.filter((pl.col("type") == "population_year")
                                & (pl.col("settlement_id") == 2)).row(0, named=True)  # fmt: skip
    assert plague_year["cause_ids"] == [10]
    assert record.conditions.at_war.tolist() == [0.0, 0.0, 1.0]
    assert record.tally.deaths[2] >= 12
    assert set(events["type"]) >= {"harvest_failed", "market_closed", "trade_route_cut"}
    cut = events.filter(pl.col("type") == "trade_route_cut").row(0, named=True)
    assert (cut["faction_id"], cut["other_faction_id"]) == (1, 2)
    assert list(events["event_id"]) == list(range(10, 10 + events.height))


def test_a_fed_year_has_no_famine_and_passing_a_mark_is_news() -> None:
    record = _chronicle(_world(hardship=0.0, food=1.0), happenings=(), killed={},
                        hooks=Hooks((), (), ()), at_war_realms=frozenset())  # fmt: skip
    events = _events(record)
    assert not set(events["type"]) & {"famine", "dearth", "refugees", "harvest_failed"}
    start, end = record.tally.start.tolist(), record.tally.end.tolist()

    def crossed(s: int) -> bool:
        low, high = sorted((start[s], end[s]))
        return any(low < 1 << b <= high for b in range(6, 40)) or end[s] == 0 < start[s]

    marks = events.filter(
        pl.col("type").is_in(["settlement_grown", "settlement_declined", "settlement_abandoned"])
    )
    assert sorted(marks["settlement_id"]) == [s for s in range(3) if crossed(s)]
    assert 1 in set(marks["settlement_id"])
    for mark in marks.iter_rows(named=True):
        s = mark["settlement_id"]
        kind = "settlement_grown" if end[s] > start[s] else "settlement_declined"
        assert mark["type"] == kind


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"death_rate": [0.1, 0.1]}, "differ in length"),
        ({"years_in_band": [16, 14, 15, 15, 5]}, "the last none"),
        ({"death_rate": [0.1, 0.1, 0.1, 0.1, 1.5]}, "outside 0..1"),
    ],
)
def test_bad_rates_are_refused(change: dict[str, object], message: str) -> None:
    from worldloom.infrastructure.seed_data import read_toml

    table = read_toml("history.toml")
    table["bands"] |= change
    with pytest.raises(ValueError, match=message):
        HistoryRules.from_mapping(table, events=catalog.event_catalog())


def test_a_settlement_struck_to_its_last_soul_is_abandoned() -> None:
    record = _chronicle(_world(hardship=0.0, food=1.0), struck={1: 10**6})
    events = _events(record)
    abandoned = events.filter(pl.col("type") == "settlement_abandoned")
    assert abandoned["settlement_id"].to_list() == [1]
    assert json.loads(abandoned["payload"][0]) == {"population_before": 1_024}
    assert record.tally.start[1] - record.tally.deaths[1] + record.tally.births[1] <= 0


def test_a_market_whose_agents_went_bankrupt_saw_its_merchants_ruined() -> None:
    shock = Happening("price_shock", 800, {"severity": 0.5, "price_factor": 2.0,
                                           "until_tick": 900},
                      actors={"settlement_id": 0, "region_id": 5})  # fmt: skip
    calm = {"happenings": (shock,), "killed": {}, "hooks": Hooks((), (), ()),
            "at_war_realms": frozenset()}  # fmt: skip
    events = _events(_chronicle(_world(hardship=0.0, food=1.0, ruined=8), **calm))
    ruin = events.filter(pl.col("type") == "merchant_ruined").row(0, named=True)
    assert (ruin["settlement_id"], ruin["region_id"]) == (0, 5)
    assert json.loads(ruin["payload"]) == {"bankruptcies": 8, "agents": 20}
    assert ruin["cause_ids"] == [10]  # the price shock
    # Seven of twenty agents is not two in five.
    fewer = _events(_chronicle(_world(hardship=0.0, food=1.0, ruined=7), **calm))
    assert "merchant_ruined" not in set(fewer["type"])


def test_the_killed_in_battle_die_of_war_after_the_happening_that_killed_them() -> None:
    # The village's people live in settlement 2, where 300 are killed; the year's first
    # happening (event 10) is the one that killed them.
    world = _world(hardship=0.0, food=1.0)
    moved = world.npcs.with_columns(pl.lit(2, world.npcs["settlement_id"].dtype).alias(
        "settlement_id"))  # fmt: skip
    record = _chronicle(replace(world, npcs=moved), killed={2: 300}, killings={2: 0})
    deaths = _events(record).filter(pl.col("type") == "death")
    cause = pl.col("payload").str.json_decode(pl.Struct({"cause": pl.String})).struct.field("cause")
    war = deaths.filter(cause == "war")
    assert war.height >= 10
    after = war.filter(pl.col("tick") >= 800)["cause_ids"].to_list()
    assert after
    assert after == [[10]] * len(after)
    assert war.filter(pl.col("tick") < 800)["cause_ids"].list.len().sum() == 0
