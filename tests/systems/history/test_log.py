"""The event log: ids in order, causes always earlier, actors by name."""

from __future__ import annotations

import pytest

from worldloom.systems.history import EventLog
from worldloom.tasks import catalog


def _log(first_id: int = 10, earlier_tick: int = 365) -> EventLog:
    return EventLog(catalog.event_catalog(), first_id, earlier_tick=earlier_tick)


def test_events_get_consecutive_ids_and_their_causes_sorted() -> None:
    log = _log()
    omen = log.add("omen", tick=400, payload={"severity": 0.5, "portent": "comet"}, region_id=2)
    assert omen == 10
    death = log.add(
        "death", tick=401, payload={"cause": "sickness", "age": 30}, causes=(omen, 3), npc_id=7
    )
    assert death == 11
    assert len(log) == 2
    assert log.rows["cause_ids"] == [[], [3, 10]]
    assert log.rows["npc_id"] == [-1, 7]
    assert log.rows["region_id"] == [2, -1]
    assert log.rows["importance"] == [2, 2]
    assert log.tick_of(death) == 401


def test_a_cause_must_be_an_earlier_event() -> None:
    log = _log()
    late = log.add("omen", tick=500, payload={"severity": 0.1, "portent": "x"})
    with pytest.raises(ValueError, match="is later"):
        log.add("omen", tick=499, payload={"severity": 0.1, "portent": "x"}, causes=(late,))
    with pytest.raises(ValueError, match="not an earlier event"):
        log.add("omen", tick=501, payload={"severity": 0.1, "portent": "x"}, causes=(11,))
    with pytest.raises(ValueError, match="not an earlier event"):
        log.add("omen", tick=501, payload={"severity": 0.1, "portent": "x"}, causes=(-1,))
    # An event of an earlier segment happened before this one began.
    with pytest.raises(ValueError, match="is later"):
        _log(earlier_tick=365).add(
            "omen", tick=300, payload={"severity": 0.1, "portent": "x"}, causes=(2,)
        )


def test_unknown_actors_and_importance_out_of_range_are_refused() -> None:
    log = _log()
    with pytest.raises(ValueError, match="unknown actor"):
        log.add("omen", tick=1, payload={"severity": 0.1, "portent": "x"}, dragon_id=1)
    with pytest.raises(ValueError, match="importance"):
        log.add("omen", tick=1, payload={"severity": 0.1, "portent": "x"}, importance=0)
