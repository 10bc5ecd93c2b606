"""The event log: ids in order, causes always earlier, actors by name."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

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


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["death", "marriage"]),
            st.integers(400, 420),  # tick
            st.integers(0, 50),  # a number for the payload and the actor
            st.sampled_from([(), (3,), (3, 3), ("previous",)]),  # causes
        ),
        max_size=30,
    ),
    st.data(),
)
def test_batches_record_what_adding_the_events_one_by_one_in_their_order_would(
    events: list[tuple[str, int, int, tuple[object, ...]]], data: st.DataObject
) -> None:
    """However a year's events are batched by type, they get the ids, columns and checks of
    events added one by one in the order given (a cause may be one of the same batches)."""
    order = data.draw(st.permutations(range(len(events))))
    # Events in the order they are added; a cause "previous" is the one added just before (the
    # first one's, the last of an earlier segment).
    ticks = sorted(events[i][1] for i in order)
    one_by_one = _log()
    for at, i in enumerate(order):
        kind, _, number, causes = events[i]
        named = [one_by_one.first_id + at - 1 if c == "previous" else c for c in causes]
        one_by_one.add(
            kind,
            tick=ticks[at],
            payload=_payload(kind, number),
            causes=[int(c) for c in named],
            npc_id=number,
            settlement_id=number + 1,
        )
    batched = _log()
    rows = {
        kind: [i for i in range(len(events)) if events[i][0] == kind]
        for kind in ("death", "marriage")
    }
    place = {i: at for at, i in enumerate(order)}
    batches = []
    for kind, mine in rows.items():
        numbers = [events[i][2] for i in mine]
        causes = []
        for i in mine:
            at = place[i]
            named = [batched.first_id + at - 1 if c == "previous" else c for c in events[i][3]]
            causes.append([int(c) for c in named])
        payloads = [_payload(kind, n) for n in numbers]
        batches.append(
            batched.batch(
                kind,
                ticks=np.array([ticks[place[i]] for i in mine], dtype=np.int64),
                payload={f: [p[f] for p in payloads] for f in _payload(kind, 0)},
                causes=causes,
                actors={
                    "npc_id": np.array(numbers, dtype=np.int64),
                    "settlement_id": np.array(numbers, dtype=np.int64) + 1,
                },
            )
        )
    # The batches' rows (deaths, then marriages) in the order the events were added.
    rank = np.array([place[i] for mine in rows.values() for i in mine], dtype=np.int64)
    ids = batched.add_batches(batches, np.argsort(rank))
    assert batched.rows == one_by_one.rows
    assert [batched.tick_of(int(e)) for e in np.concatenate(ids)] == [
        ticks[place[i]] for mine in rows.values() for i in mine
    ]
    assert np.concatenate(ids).tolist() == [batched.first_id + r for r in rank.tolist()]


def _payload(kind: str, number: int) -> dict[str, object]:
    return {"cause": f"cause {number}", "age": number} if kind == "death" else {"groom_id": number}


def test_batches_are_checked_as_events_added_one_by_one_are() -> None:
    log = _log()
    late = log.add("omen", tick=500, payload={"severity": 0.1, "portent": "x"})

    def deaths(ticks: list[int], causes: list[list[int]] | None = None, **more: object) -> object:
        n = len(ticks)
        arguments: dict[str, Any] = {
            "ticks": np.array(ticks, dtype=np.int64),
            "payload": {"cause": ["x"] * n, "age": [1] * n},
            "causes": causes,
            "actors": {"npc_id": np.arange(n, dtype=np.int64)},
        } | more
        return log.batch("death", **arguments)

    with pytest.raises(ValueError, match="unknown actor"):
        deaths([501], actors={"dragon_id": np.array([1])})
    with pytest.raises(ValueError, match="of other lengths"):
        deaths([501, 502], actors={"npc_id": np.array([1])})
    with pytest.raises(ValueError, match="of other lengths"):
        deaths([501, 502], causes=[[late]])
    with pytest.raises(ValueError, match="must be int"):
        deaths([501], payload={"cause": ["x"], "age": ["old"]})
    with pytest.raises(ValueError, match="2 ticks, but 1 payloads"):
        deaths([501, 502], payload={"cause": ["x"], "age": [1]})
    two = deaths([501, 502])
    with pytest.raises(ValueError, match="an order of 2 positions for 4 events"):
        log.add_batches([two, two], np.array([0, 1]))
    with pytest.raises(ValueError, match="an order of 2 positions"):
        log.add_batches([two], np.array([1, 1]))
    with pytest.raises(ValueError, match="is later"):
        log.add_batches([deaths([499], causes=[[late]])], np.array([0]))
    # The second death caused by the first: earlier in the order, but of a later tick.
    with pytest.raises(ValueError, match="is later"):
        log.add_batches([deaths([503, 502], causes=[[], [late + 1]])], np.array([0, 1]))
    with pytest.raises(ValueError, match="not an earlier event"):
        log.add_batches([deaths([503, 503], causes=[[late + 2], []])], np.array([0, 1]))
    with pytest.raises(ValueError, match="not an earlier event"):
        log.add_batches([deaths([503], causes=[[-1]])], np.array([0]))
    assert len(log) == 1  # nothing refused was recorded
    assert log.add_batches([], np.array([], dtype=np.int64)) == []
