"""A year of chaos and war as history: every record an event whose payload fits the catalog,
causes first, effects gathered, the same seed the same year, and a split run equal to one."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tests.wars import TABLE as WAR_TABLE
from tests.wars import grid_world
from worldloom.infrastructure.seed_data import read_toml
from worldloom.systems.chaos import ChaosInputs, ChaosState, ChaosTable
from worldloom.systems.history import EventLog
from worldloom.systems.history.year import RolledYear, Rooms, _pay_soldiers, roll_year
from worldloom.systems.rng import Seeds
from worldloom.systems.tension_war import WarState, start_war_state
from worldloom.systems.world import Calendar
from worldloom.tasks import catalog

CALENDAR = Calendar.from_mapping(read_toml("calendar.toml"))
CHAOS = ChaosTable.from_mapping(read_toml("chaos.toml"))
YEAR = CALENDAR.days_per_year


def _rooms(seed: int) -> tuple[Rooms, WarState]:
    inputs, diplomacy, provinces = grid_world(seed)
    rng = np.random.default_rng(seed)
    regions = inputs.region_ids.size
    owner = dict(zip(provinces["region_id"], provinces["faction_id"], strict=True))
    chaos_inputs = ChaosInputs.of(
        region_ids=inputs.region_ids,
        region_danger=rng.integers(3, 11, regions),
        region_faction=[owner.get(int(r), -1) for r in inputs.region_ids],
        region_bandits=np.where(rng.random(regions) < 0.3, int(inputs.faction_ids[-1]), -1),
        settlement_ids=inputs.settlement_ids,
        settlement_region=inputs.settlement_region,
        settlement_population=inputs.settlement_population,
        poi_ids=np.arange(regions) + 9000,
        poi_region=inputs.region_ids,
        poi_kind=np.array(["ruin", "lair"] * (regions // 2)),
        route_ids=np.arange(regions) + 20000,
        route_region=inputs.region_ids,
    )
    rooms = Rooms(CHAOS, WAR_TABLE, chaos_inputs, inputs, "chaotic")
    return rooms, start_war_state(inputs, diplomacy=diplomacy, provinces=provinces)


def _years(seed: int, count: int) -> list[RolledYear]:
    rooms, war = _rooms(seed)
    chaos = ChaosState.start()
    earlier_chaos: dict[int, int] = {}
    earlier_war: dict[int, int] = {}
    out = []
    first_event = 0
    for year in range(count):
        rolled = roll_year(
            chaos, war, rooms=rooms, first_tick=year * YEAR, calendar=CALENDAR, seeds=Seeds(seed),
            earlier_chaos=earlier_chaos, earlier_war=earlier_war,
        )  # fmt: skip
        earlier_chaos |= {r: first_event + p for r, p in rolled.chaos_records}
        earlier_war |= {r: first_event + p for r, p in rolled.war_records}
        first_event += len(rolled.happenings)
        chaos, war = rolled.chaos_state, rolled.war_state
        out.append(rolled)
    return out


@pytest.fixture(scope="module")
def decade() -> list[RolledYear]:
    return _years(3, 10)


def test_every_record_is_an_event_of_the_catalog_with_its_causes_first(
    decade: list[RolledYear],
) -> None:
    log = EventLog(catalog.event_catalog(), 0, earlier_tick=0)
    first = 0
    for rolled in decade:
        for happening in rolled.happenings:
            causes = [first + c if c >= 0 else -1 - c for c in happening.causes]
            log.add(
                happening.kind,
                tick=happening.tick,
                payload=happening.payload,
                causes=causes,
                importance=happening.importance,
                actors=happening.actors,
            )
        first += len(rolled.happenings)
    kinds = set(log.rows["type"])
    assert {"war_declared", "battle", "peace", "plague", "bandit_raid"} <= kinds, kinds
    assert any(log.rows["cause_ids"]), "some events follow from others"


def test_effects_are_gathered_from_the_records(decade: list[RolledYear]) -> None:
    for rolled in decade:
        deaths = sum(
            int(h.payload.get("deaths", 0))
            for h in rolled.happenings
            if h.kind in {"battle", "siege_ended"} or "settlement_id" in h.actors
        )
        assert sum(rolled.killed.values()) + sum(rolled.struck.values()) <= deaths + 1
        for border in rolled.borders:
            assert rolled.happenings[border.position].kind == "settlement_occupied"
        for a, b in rolled.hooks.cut_realms:
            assert a < b
            assert {a, b} <= rolled.at_war_realms
        statuses = set(rolled.diplomacy["status"])
        assert statuses <= {"ally", "friendly", "neutral", "suspicious", "rival", "enemy",
                            "at_war", "vassal", "suzerain"}  # fmt: skip
    assert any(r.borders for r in decade)
    assert any(r.hooks.cut_realms for r in decade)
    assert any(r.killed for r in decade)
    assert any(r.struck for r in decade)


def test_the_same_seed_lives_the_same_years() -> None:
    one, two = _years(5, 3), _years(5, 3)
    for a, b in zip(one, two, strict=True):
        assert a.happenings == b.happenings
        assert a.war_state == b.war_state
        assert a.chaos_state == b.chaos_state
    assert _years(6, 3)[-1].happenings != one[-1].happenings


def test_soldiers_are_paid_as_the_whole_grid_of_wages_says() -> None:
    # `_pay_soldiers` works out the wages of the cells with soldiers alone: the same sums, in
    # the same order, as the wage of every cell of the realms-by-settlements grid.
    _, war = _rooms(2)
    rng = np.random.default_rng(8)
    shape = war.levies.shape
    army = {"upkeep_levy": 0.37, "upkeep_professional": 1.9}
    upkeep: dict[int, dict[int, float]] = {}
    plain: dict[int, dict[int, float]] = {}
    for days in (31, 28, 30):
        levies = np.where(rng.random(shape) < 0.3, rng.integers(0, 40, shape), 0)
        professionals = np.where(rng.random(shape) < 0.2, rng.integers(0, 9, shape), 0)
        month = replace(war, levies=levies, professionals=professionals)
        _pay_soldiers(month, army, days=days, upkeep=upkeep)
        cost = army["upkeep_levy"] * levies + army["upkeep_professional"] * professionals
        for row, column in zip(*np.nonzero(cost), strict=True):
            realm = plain.setdefault(int(war.faction_ids[row]), {})
            home = int(war.settlement_ids[column])
            realm[home] = realm.get(home, 0.0) + float(cost[row, column]) * days
    assert upkeep == plain
    assert [list(realm) for realm in upkeep.values()] == [list(realm) for realm in plain.values()]
    assert list(upkeep) == list(plain)
