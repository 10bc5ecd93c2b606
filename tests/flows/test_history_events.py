"""The living world's wars and disasters reach the Prefect server as events: one per such event
in the world's log, named after its type, with the world as the resource and the factions and
places it names as related resources."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from prefect.client.orchestration import get_client
from prefect.events.filters import EventFilter, EventNameFilter, EventResourceFilter

from worldloom.flows.generate import generate_world
from worldloom.flows.params import GenerateWorldParams
from worldloom.flows.simulate import simulate
from worldloom.infrastructure.store import open_store
from worldloom.tasks import catalog
from worldloom.tasks.events import (
    ANNOUNCED_IMPORTANCE,
    ANNOUNCED_SYSTEMS,
    HISTORY,
    announce_history,
    history_mark,
)
from worldloom.tasks.world_record import world_db

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_server")]

YEARS = 4


def _server_events(world_id: str) -> list[Any]:
    """Every `worldloom.history.*` event of the world the server holds."""
    with get_client(sync_client=True) as client:
        page = client.read_events(
            filter=EventFilter(
                event=EventNameFilter(prefix=[HISTORY]),
                resource=EventResourceFilter(id=[f"worldloom.world.{world_id}"]),
            ),
            limit=50,  # the client's default (100) is over the 3.9 server's maximum
        )
        events = list(page.events)
        while page.next_page is not None:
            page = client.read_events_page(str(page.next_page))
            events.extend(page.events)
    return events


def _announced(home: Path, world_id: str) -> pl.DataFrame:
    """The world's log events that are wars or disasters, by the rule's own definition."""
    types = catalog.event_catalog().types
    kinds = [key for key, kind in types.items() if kind.system in ANNOUNCED_SYSTEMS]
    with open_store(world_db(str(home), world_id), read_only=True) as store:
        return store.read("events", world_id).filter(
            pl.col("type").is_in(kinds) & (pl.col("importance") >= ANNOUNCED_IMPORTANCE)
        )


def test_a_simulated_world_announces_its_wars_and_disasters(tmp_path: Path) -> None:
    home = tmp_path / "home"
    made = generate_world(
        GenerateWorldParams(seed=5, preset="tiny", home=str(home), economy_ticks=3)
    )
    assert history_mark(home=str(home), world_id=made.world_id) == -1  # no history yet
    simulate(str(home), made.world_id, days=YEARS * 365)
    expected = _announced(home, made.world_id)
    assert expected.height > 0, "the tiny world lived years without a war or a disaster"
    assert set(expected["type"]) & {"war_declared", "battle", "plague", "drought", "famine"}

    deadline = time.monotonic() + 90
    while len(events := _server_events(made.world_id)) < expected.height:
        assert time.monotonic() < deadline, f"{len(events)} of {expected.height} arrived"
        time.sleep(0.5)
    by_id = {event.payload["event_id"]: event for event in events}
    assert sorted(by_id) == expected["event_id"].to_list()  # each once, and nothing else

    calendar = catalog.calendar()
    for row in expected.iter_rows(named=True):
        event = by_id[row["event_id"]]
        assert event.event == f"{HISTORY}{row['type']}"
        assert event.resource.id == f"worldloom.world.{made.world_id}"
        assert event.resource["prefect.resource.name"] == made.name
        assert event.payload["tick"] == row["tick"]
        assert event.payload["year"] == calendar.date_of(row["tick"]).year
        assert event.payload["importance"] == row["importance"]
        assert event.payload["cause_ids"] == list(row["cause_ids"] or [])
        assert event.payload["details"] == json.loads(row["payload"])
        assert event.payload["seed"] == 5
        related = {r["prefect.resource.role"]: r for r in event.related if "worldloom." in r.id}
        for column, role in (("faction_id", "faction"), ("settlement_id", "settlement")):
            if row[column] is None:
                assert role not in related
            else:
                assert related[role].id.endswith(f".{made.world_id}.{row[column]}")
                assert related[role]["prefect.resource.name"]  # named, as the world names it


def test_nothing_new_announces_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    made = generate_world(
        GenerateWorldParams(seed=5, preset="tiny", home=str(home), economy_ticks=3)
    )
    assert announce_history(home=str(home), world_id=made.world_id, after_event_id=-1) == 0
