"""Who inherits a dead ruler's seat: an adult child (the eldest, then the smaller id), else the
living spouse, else the seat's eldest grown notable, else its eldest grown person, else no one;
and who takes another notable's place: an adult child at home, else the richest of the trade."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from tests.systems.history.test_person import SCHEMA, _person
from worldloom.systems.history import EventLog, Leaders
from worldloom.systems.history.succession import (
    Succession,
    empty_places,
    pass_roles,
    succeed,
    vacancies,
)
from worldloom.tasks import catalog

RULER = _person(0, 70, "male", notable=True, notable_role="ruler", spouse_id=1)
"""The ruler who dies (npc 0, seat settlement 0)."""


def _ids(living: set[int]) -> np.ndarray:
    """The ids of the living, as `succeed`, `pass_roles` and `empty_places` take them."""
    return np.array(sorted(living), dtype=np.int64)


def _heir(people: list[dict[str, object]], *, dead: set[int]) -> tuple[Succession, str, int]:
    """The succession to the ruler, the event it wrote and the faction's leader after it."""
    npcs = pl.DataFrame([RULER, *people], schema=SCHEMA)
    log = EventLog(catalog.event_catalog(), 10, earlier_tick=400)
    leaders, (succession,) = succeed(
        npcs,
        Leaders(np.array([3]), np.array([0]), np.array([0])),
        dead={0: 9},
        alive_after=_ids(set(npcs["npc_id"]) - dead - {0}),
        died_tick={0: 400},
        region_of=np.array([6, 7]),
        log=log,
    )
    return succession, str(log.rows["type"][0]), int(leaders.leader[0])


@pytest.mark.parametrize(
    ("people", "dead", "heir", "relation"),
    [
        # Adult children first, the eldest; of the same age the smaller id.
        (
            [
                _person(5, 30, "male", father_id=0),
                _person(4, 30, "female", mother_id=0),
                _person(6, 40, "male", father_id=0, settlement_id=1),
                _person(1, 60, "female", spouse_id=0),
            ],
            {6},
            4,
            "child",
        ),
        # A child under 16 does not rule; the living spouse does.
        ([_person(4, 15, "female", mother_id=0), _person(1, 60, "female")], set(), 1, "spouse"),
        # No spouse alive: the seat's eldest grown notable, not a notable elsewhere.
        (
            [
                _person(1, 60, "female"),
                _person(7, 44, "male", notable=True),
                _person(8, 41, "male", notable=True),
                _person(9, 70, "male", notable=True, settlement_id=1),
                _person(2, 80, "male"),
            ],
            {1},
            7,
            "notable",
        ),
        # No notable: the seat's eldest grown person.
        (
            [_person(2, 50, "male"), _person(3, 66, "female"), _person(4, 12, "male")],
            set(),
            3,
            "elder",
        ),
        # No one grown at the seat: it stands empty.
        ([_person(4, 12, "male"), _person(9, 50, "male", settlement_id=1)], set(), -1, "none"),
    ],
)
def test_the_heir_is_the_first_the_rule_finds(
    people: list[dict[str, object]], dead: set[int], heir: int, relation: str
) -> None:
    succession, event, leader = _heir(people, dead=dead)
    assert (succession.npc_id, succession.relation, leader) == (heir, relation, heir)
    assert (succession.faction_id, succession.previous_id, succession.tick) == (3, 0, 400)
    assert event == ("succession" if heir >= 0 else "ruler_vacant")


def test_a_living_ruler_keeps_the_seat() -> None:
    npcs = pl.DataFrame([RULER, _person(4, 30, "male", father_id=0)], schema=SCHEMA)
    leaders = Leaders(np.array([3]), np.array([0]), np.array([0]))
    log = EventLog(catalog.event_catalog(), 10, earlier_tick=400)
    after, successions = succeed(
        npcs,
        leaders,
        dead={4: 9},
        alive_after=_ids({0}),
        died_tick={4: 400},
        region_of=np.array([6]),
        log=log,
    )
    assert (after, successions, len(log.rows["type"])) == (leaders, (), 0)


def test_only_the_seats_of_dead_rulers_change_hands() -> None:
    npcs = pl.DataFrame(
        [RULER, _person(4, 30, "male", notable=True), _person(5, 30, "male", father_id=4)],
        schema=SCHEMA,
    )
    leaders = Leaders(np.array([3, 5]), np.array([0, 4]), np.array([0, 0]))
    log = EventLog(catalog.event_catalog(), 10, earlier_tick=400)
    after, (succession,) = succeed(
        npcs,
        leaders,
        dead={4: 9},
        alive_after=_ids({0, 5}),
        died_tick={4: 401},
        region_of=np.array([6]),
        log=log,
    )
    assert after.leader.tolist() == [0, 5]
    assert (succession.faction_id, succession.npc_id, succession.relation) == (5, 5, "child")


PRIEST = _person(20, 60, "female", notable=True, notable_role="priest", profession="priest")
"""The priest of settlement 0, who dies (her death: event 9, day 400)."""


def _passed(
    people: list[dict[str, object]],
    *,
    dead: dict[int, int] | None = None,
    successions: tuple[Succession, ...] = (),
) -> tuple[pl.DataFrame, EventLog]:
    """The npcs after the year's places passed on, and the log of it; everyone but the dead
    lives to the year's end."""
    npcs = pl.DataFrame([RULER, PRIEST, *people], schema=SCHEMA)
    dead = {20: 9} if dead is None else dead
    log = EventLog(catalog.event_catalog(), 10, earlier_tick=400)
    left = vacancies(
        npcs,
        dead=dead,
        died_tick=dict.fromkeys(dead, 400),
        leaders=Leaders(np.array([3]), np.array([0]), np.array([0])),
        successions=successions,
    )
    after = pass_roles(
        npcs,
        left,
        roles=catalog.notable_roles(),
        alive_after=_ids(set(npcs["npc_id"]) - set(dead)),
        region_of=np.array([6, 7]),
        log=log,
    )
    return after, log


def _role(npcs: pl.DataFrame, npc_id: int) -> tuple[bool, str | None]:
    row = npcs.filter(pl.col("npc_id") == npc_id).row(0, named=True)
    return row["notable"], row["notable_role"]


def test_a_dead_notable_s_place_goes_to_her_eldest_child_at_home() -> None:
    after, log = _passed([
        _person(21, 30, "male", mother_id=20),
        _person(22, 34, "female", mother_id=20, settlement_id=1),  # lives elsewhere
        _person(23, 50, "female", profession="priest", wealth=900),
    ])  # fmt: skip
    assert _role(after, 21) == (True, "priest")
    assert _role(after, 23) == (False, None)
    (kind,), (cause,) = log.rows["type"], log.rows["cause_ids"]
    assert (kind, cause, log.rows["npc_id"][0], log.rows["tick"][0]) == (
        "role_passed",
        [9],
        21,
        400,
    )
    assert json.loads(log.rows["payload"][0]) == {"previous_id": 20, "role": "priest",
                                                  "relation": "child"}  # fmt: skip


def test_without_a_child_the_richest_of_the_trade_of_age_takes_it() -> None:
    after, log = _passed([
        _person(21, 12, "male", mother_id=20),  # too young
        _person(23, 40, "female", profession="priest", wealth=50),
        _person(24, 41, "male", profession="priest", wealth=80),
        _person(25, 20, "male", profession="priest", wealth=999),  # under the priests' 25
        _person(26, 50, "male", profession="priest", wealth=999, settlement_id=1),
        _person(27, 50, "male", profession="priest", wealth=999, notable=True,
                notable_role="merchant"),
        _person(28, 50, "male", profession="farmer", wealth=999),
    ])  # fmt: skip
    assert _role(after, 24) == (True, "priest")
    assert json.loads(log.rows["payload"][0])["relation"] == "trade"
    assert after.filter(pl.col("notable_role") == "priest").height == 2  # the dead keeps hers


def test_with_no_one_to_take_it_the_place_stays_empty() -> None:
    people = [_person(28, 50, "male", profession="farmer")]
    after, log = _passed(people)
    assert after.equals(pl.DataFrame([RULER, PRIEST, *people], schema=SCHEMA))
    assert log.rows["type"] == []


def test_a_faction_leader_s_seat_is_a_succession_not_a_place_passed() -> None:
    after, log = _passed([_person(21, 30, "male", father_id=0)], dead={0: 9})
    assert _role(after, 21) == (False, None)
    assert log.rows["type"] == []


def test_a_notable_who_takes_a_seat_leaves_her_place_to_another() -> None:
    seated = Succession(3, 20, 0, 400, 9, "notable")
    after, log = _passed(
        [_person(23, 40, "female", profession="priest")], dead={0: 8}, successions=(seated,)
    )
    assert _role(after, 23) == (True, "priest")
    assert log.rows["cause_ids"] == [[9]]


def test_a_notable_seated_twice_leaves_one_place() -> None:
    # Two factions seated in her town took her as their leader the same day.
    seats = (Succession(3, 20, 0, 400, 9, "notable"), Succession(4, 20, 5, 400, 8, "notable"))
    after, log = _passed(
        [
            _person(23, 40, "female", profession="priest"),
            _person(24, 40, "male", profession="priest"),
        ],
        dead={0: 7},
        successions=seats,
    )
    assert after.filter(pl.col("notable_role") == "priest").height == 2  # 20's, and one heir
    assert log.rows["cause_ids"] == [[8]]


def test_a_town_s_empty_places_go_to_the_richest_of_their_trades() -> None:
    # Town 0 keeps a priest, a merchant, a guild master and an adventurer; it has a merchant
    # and two priests who are not notables. Village 1 keeps none.
    npcs = pl.DataFrame(
        [
            RULER,
            _person(30, 40, "female", profession="priest", wealth=5),
            _person(31, 45, "male", profession="priest", wealth=9),
            _person(32, 35, "male", profession="merchant", notable=True, notable_role="merchant"),
        ],
        schema=SCHEMA,
    )
    alive, roles = npcs["npc_id"].to_numpy(), catalog.notable_roles()
    empty = empty_places(npcs, ("town", "village"), roles=roles, alive_after=alive, tick=729)
    assert sorted(v.role for v in empty) == ["adventurer", "guild_master", "priest"]
    assert {(v.previous_id, v.settlement_id, v.tick, v.cause) for v in empty} == {(-1, 0, 729, -1)}
    log = EventLog(catalog.event_catalog(), 10, earlier_tick=400)
    after = pass_roles(
        npcs, empty, roles=roles, alive_after=alive, region_of=np.array([6, 7]), log=log
    )
    assert _role(after, 31) == (True, "priest")
    # No artisan or adventurer is there to take the other two.
    assert (log.rows["type"], log.rows["cause_ids"]) == (["role_passed"], [[]])
    assert json.loads(log.rows["payload"][0])["previous_id"] == -1
    # A dead holder holds no place.
    gone = empty_places(npcs, ("town",), roles=roles, alive_after=alive[alive != 32], tick=729)
    assert "merchant" in {v.role for v in gone}
    assert empty_places(npcs, (), roles=roles, alive_after=alive, tick=729) == ()
