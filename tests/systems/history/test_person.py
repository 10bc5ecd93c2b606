"""Tier-2 lives: births with parents, marriages, deaths with causes, coming of age, and a
ruler's death as a succession."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from worldloom.systems.history import (
    VITALS_SCHEMA,
    Conditions,
    EventLog,
    Leaders,
    PeopleYear,
    Tally,
    advance_people,
)
from worldloom.systems.history.person import _first
from worldloom.systems.history.person_log import People
from worldloom.systems.people import npc_schema
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog

SCHEMA = npc_schema(catalog.character_table())


def _person(npc_id: int, age: int, sex: str, **extra: object) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(SCHEMA, 0)
    row.update(
        npc_id=npc_id, settlement_id=0, name=f"N{npc_id}", family_name="Vell", age=age, sex=sex,
        culture_id=0, religion_id=0, profession="farmer", trait_1=None, trait_2=None,
        trait_3=None, household_id=0, father_id=None, mother_id=None, spouse_id=None,
        wealth=10, notable=False, notable_role=None, strength=12,
    )  # fmt: skip
    row.update(extra)
    return row


def _village(couples: int = 40) -> pl.DataFrame:
    rows = [_person(0, 80, "male", notable=True, notable_role="ruler", spouse_id=1),
            _person(1, 75, "female", spouse_id=0),
            _person(2, 50, "male", father_id=0, mother_id=1, household_id=0),
            _person(3, 15, "female", father_id=2, mother_id=1, profession="child")]  # fmt: skip
    for k in range(couples):
        man, woman = 10 + 2 * k, 11 + 2 * k
        rows.append(_person(man, 25, "male", spouse_id=woman, household_id=man))
        rows.append(_person(woman, 24, "female", spouse_id=man, household_id=man))
    for k in range(20):
        rows.append(_person(200 + k, 20, "female" if k % 2 else "male", household_id=200 + k))
    return pl.DataFrame(rows, schema=SCHEMA)


def village_year(people: int, *, births: int, deaths: int) -> Tally:
    """The cohorts' year of a village (settlement 0) of `people`."""
    none = np.zeros(1, np.int64)
    end = np.array([people + births - deaths])
    return Tally(np.array([people]), np.array([births]), np.array([deaths]), none, none, end)


def living(npcs: pl.DataFrame, vitals: pl.DataFrame) -> int:
    """How many of `npcs` have not died."""
    dead = vitals.filter(pl.col("died_tick") >= 0)["npc_id"].implode()
    return npcs.filter(~pl.col("npc_id").is_in(dead)).height


def _year(npcs: pl.DataFrame, vitals: pl.DataFrame, *, hard: float, year: int, log: EventLog):  # type: ignore[no-untyped-def]
    # Every villager is an NPC: theirs are the village's births and deaths (fewer births
    # and more deaths in a hard year).
    people = living(npcs, vitals)
    return advance_people(
        npcs,
        vitals,
        leaders=Leaders(np.array([7]), np.array([0]), np.array([0])),
        roles=catalog.notable_roles(),
        conditions=Conditions(
            np.array([hard]), np.zeros(1), np.array([hard]), np.zeros(1, np.int64)
        ),
        cohorts=village_year(
            people,
            births=round(people * 0.08 * (1 - hard / 2)),
            deaths=round(people * 0.02 * (1 + 4 * hard)),
        ),
        region_of=np.array([4]),
        rules=catalog.history_rules(),
        seeds=Seeds(11),
        year=year,
        first_tick=year * 365,
        days=365,
        log=log,
        causes={("plague", 0): (0, 0)},
    )


def test_a_year_of_lives_is_written_as_events_and_rows() -> None:
    npcs, vitals = _village(), pl.DataFrame(schema=VITALS_SCHEMA)
    log = EventLog(catalog.event_catalog(), 1, earlier_tick=365)
    year = _year(npcs, vitals, hard=0.0, year=1, log=log)
    kinds = log.rows["type"]
    born = [i for i, k in enumerate(kinds) if k == "birth"]
    assert born
    assert {"marriage", "coming_of_age"} <= set(kinds)
    children = year.npcs.filter(pl.col("npc_id") > npcs["npc_id"].max())
    assert children.height == len(born)
    assert set(children["profession"]) == {"child"}
    assert (children["age"] == 0).all()
    for child in children.iter_rows(named=True):
        mother = npcs.filter(pl.col("npc_id") == child["mother_id"]).row(0, named=True)
        assert mother["spouse_id"] == child["father_id"]
        assert child["strength"] == mother["strength"]
    assert set(year.vitals.filter(pl.col("born_tick") >= 0)["npc_id"]) == set(children["npc_id"])
    grown = year.npcs.filter(pl.col("npc_id") == 3).row(0, named=True)
    assert (grown["age"], grown["profession"]) == (16, "farmer")  # her father's trade
    wed = [json.loads(p)["groom_id"] for k, p in zip(kinds, log.rows["payload"], strict=True)
           if k == "marriage"]  # fmt: skip
    spouses = dict(year.npcs.select("npc_id", "spouse_id").rows())
    for bride, groom in zip(
        [n for k, n in zip(kinds, log.rows["npc_id"], strict=True) if k == "marriage"],
        wed,
        strict=True,
    ):
        assert (spouses[bride], spouses[groom]) == (groom, bride)


def test_a_ruler_s_death_is_a_succession_caused_by_it() -> None:
    npcs, vitals = _village(), pl.DataFrame(schema=VITALS_SCHEMA)
    log = EventLog(catalog.event_catalog(), 1, earlier_tick=365)
    for year in range(1, 30):
        lived = _year(npcs, vitals, hard=1.0, year=year, log=log)
        npcs, vitals = lived.npcs, lived.vitals
        if lived.successions:
            break
    (succession,) = lived.successions
    assert succession.previous_id == 0
    death = lived.deaths[0]
    assert log.rows["type"][succession.event_id - 1] in {"succession", "ruler_vacant"}
    assert log.rows["cause_ids"][succession.event_id - 1] == [death]
    if succession.npc_id >= 0:
        assert lived.leaders.leader[0] == succession.npc_id
        heir = npcs.filter(pl.col("npc_id") == succession.npc_id).row(0, named=True)
        assert heir["notable_role"] == "ruler"
    dead = vitals.filter(pl.col("died_tick") >= 0)
    assert 0 in set(dead["npc_id"])
    causes = set(dead["death_cause"])
    assert causes <= {"old_age", "sickness", "hunger", "war", "plague"}
    assert "plague" in causes or "hunger" in causes
    # The dead keep their rows and stop ageing.
    assert npcs.height >= _village().height


def _year_of(cohorts: Tally, *, seed: int = 11, killed: int = 0) -> tuple[PeopleYear, EventLog]:
    """A year of the village under `cohorts`, `killed` of its people killed in battle."""
    log = EventLog(catalog.event_catalog(), 1, earlier_tick=365)
    year = advance_people(
        _village(),
        pl.DataFrame(schema=VITALS_SCHEMA),
        leaders=Leaders(np.array([7]), np.array([0]), np.array([0])),
        roles=catalog.notable_roles(),
        conditions=Conditions(np.zeros(1), np.zeros(1), np.zeros(1), np.array([killed])),
        cohorts=cohorts,
        region_of=np.array([4]),
        rules=catalog.history_rules(),
        seeds=Seeds(seed),
        year=1,
        first_tick=365,
        days=365,
        log=log,
    )
    return year, log


def _lives(cohorts: Tally, *, seed: int = 11) -> tuple[int, int, set[int]]:
    """The deaths and births a year of the village logs under `cohorts`, and who died."""
    year, log = _year_of(cohorts, seed=seed)
    kinds = log.rows["type"]
    dead = set(year.vitals.filter(pl.col("died_tick") >= 0)["npc_id"].to_list())
    return kinds.count("death"), kinds.count("birth"), dead


def test_a_village_of_npcs_has_its_cohorts_births_and_deaths() -> None:
    people = _village().height
    for seed in (1, 2, 3):
        assert _lives(village_year(people, births=3, deaths=7), seed=seed)[:2] == (7, 3)


def test_a_town_s_npcs_have_their_share_of_its_births_and_deaths() -> None:
    # The village's people are a quarter of the town's.
    town = village_year(4 * _village().height, births=20, deaths=40)
    assert _lives(town)[:2] == (10, 5)
    # A share that is not whole is rounded either way, to the share on average.
    odd = village_year(4 * _village().height, births=2, deaths=6)
    counts = [_lives(odd, seed=seed)[:2] for seed in range(40)]
    assert {d for d, _ in counts} == {1, 2}
    assert {b for _, b in counts} == {0, 1}
    assert sum(d for d, _ in counts) / len(counts) == pytest.approx(1.5, abs=0.25)


def test_the_likelier_to_die_die_first() -> None:
    # Five deaths among 108 villagers: the two elders (80 and 75) are among them far more
    # often than their share of the village (~5 %).
    quota = village_year(_village().height, births=0, deaths=5)
    elders = sum(len(_lives(quota, seed=seed)[2] & {0, 1}) for seed in range(20))
    assert elders >= 3 * 2 * 20 * 5 / _village().height


def test_the_killed_in_battle_are_its_men_of_fighting_age_dead_of_war() -> None:
    # Twelve die in a village of NPCs, ten of them killed in battle.
    for seed in (1, 2, 3):
        year, _ = _year_of(village_year(_village().height, births=0, deaths=12), seed=seed,
                           killed=10)  # fmt: skip
        dead = year.vitals.filter(pl.col("died_tick") >= 0)
        assert dead.height == 12
        slain = year.npcs.join(dead.filter(pl.col("death_cause") == "war"), on="npc_id")
        assert slain.height == 10
        assert (slain["sex"] == "male").all()
        assert slain["age"].is_between(16, 44).all()


def test_the_first_of_each_settlement_are_those_a_plain_sort_finds() -> None:
    # `_first` skips the settlements without a quota and sorts by key, then by settlement;
    # the choice is a plain sort's: each settlement's rows among the chosen by key, ties in
    # row order, the first `quota` taken (keys with ties and without).
    rng = np.random.default_rng(5)
    for trial in range(40):
        n = int(rng.integers(0, 60))
        key = rng.integers(0, 6, n).astype(np.float64) if trial % 2 else rng.random(n)
        settlement = rng.integers(0, 4, n)
        quota = rng.integers(-1, 5, 4)
        among = rng.random(n) < 0.8
        plain = np.zeros(n, dtype=bool)
        for s in range(4):
            rows = sorted(np.flatnonzero(among & (settlement == s)).tolist(), key=lambda r: key[r])
            plain[rows[: max(int(quota[s]), 0)]] = True
        assert (_first(key, settlement, quota, among=among) == plain).all()


def test_people_know_who_holds_an_id_and_come_in_id_order() -> None:
    npcs = _village(couples=3)
    vitals = pl.DataFrame(
        {"npc_id": [1, 10, 999], "died_tick": [400, -1, 12]}, schema_overrides={"npc_id": pl.Int64}
    )
    people = People.of(npcs, vitals)
    assert people.ids[~people.alive].tolist() == [1]
    asked = np.array([-1, 0, 1, 5, 10, 15, 219, 220], dtype=np.int64)
    for who in (people.alive, ~people.alive, people.female, np.zeros(people.ids.size, bool)):
        assert people.hold(asked, who).tolist() == np.isin(asked, people.ids[who]).tolist()
    with pytest.raises(ValueError, match="ascending npc_id order"):
        People.of(npcs.reverse(), vitals)
    nobody = People.of(npcs.head(0), vitals)
    assert nobody.hold(asked, nobody.alive).tolist() == [False] * asked.size
