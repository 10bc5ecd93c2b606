"""Who inherits a dead ruler's seat: an adult child (the eldest, then the smaller id), else the
living spouse, else the seat's eldest grown notable, else its eldest grown person, else no one."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from tests.systems.history.test_person import SCHEMA, _person
from worldloom.systems.history import EventLog, Leaders
from worldloom.systems.history.succession import Succession, succeed
from worldloom.tasks import catalog

RULER = _person(0, 70, "male", notable=True, notable_role="ruler", spouse_id=1)
"""The ruler who dies (npc 0, seat settlement 0)."""


def _heir(people: list[dict[str, object]], *, dead: set[int]) -> tuple[Succession, str, int]:
    """The succession to the ruler, the event it wrote and the faction's leader after it."""
    npcs = pl.DataFrame([RULER, *people], schema=SCHEMA)
    log = EventLog(catalog.event_catalog(), 10, earlier_tick=400)
    leaders, (succession,) = succeed(
        npcs,
        Leaders(np.array([3]), np.array([0]), np.array([0])),
        dead={0: 9},
        alive_after=set(npcs["npc_id"]) - dead - {0},
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
        alive_after={0},
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
        alive_after={0, 5},
        died_tick={4: 401},
        region_of=np.array([6]),
        log=log,
    )
    assert after.leader.tolist() == [0, 5]
    assert (succession.faction_id, succession.npc_id, succession.relation) == (5, 5, "child")
