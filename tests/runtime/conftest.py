"""One tiny world for the runtime's tests, and one API server over it for the session."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.made_once import made_once
from tests.runtime.servers import RuntimeWorld, Server, copy_home, serving
from worldloom.flows.generate import generate_world
from worldloom.flows.params import GenerateWorldParams
from worldloom.infrastructure.settings import Settings
from worldloom.runtime import ApiConfig, create_app
from worldloom.runtime.auth import UserBook, users_path


@pytest.fixture(scope="session")
def runtime_world(prefect_server: None, tmp_path_factory: pytest.TempPathFactory) -> RuntimeWorld:
    """A tiny world (generated once per run, whatever the xdist workers; tests copy it before
    changing anything)."""

    def generate(home: Path) -> str:
        made = generate_world(GenerateWorldParams(seed=5, preset="tiny", home=str(home)))
        return json.dumps([made.world_id, made.snapshot])

    home, made = made_once(tmp_path_factory, "runtime-world", generate)
    world_id, snapshot = json.loads(made)
    return RuntimeWorld(home=home, world_id=world_id, snapshot=Path(snapshot))


@pytest.fixture(scope="session")
def api_server(
    runtime_world: RuntimeWorld, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A real uvicorn server on 127.0.0.1 over a copy of the world, for the whole session."""
    home = copy_home(runtime_world, tmp_path_factory.mktemp("api-home"))
    book = UserBook(users_path(home))
    reader, admin, revoked = (
        book.add("ann", "reader"),
        book.add("root", "admin"),
        book.add("old", "reader"),
    )
    book.revoke("old")
    book.close()
    config = ApiConfig.from_settings(
        Settings(home=home), llm="none", poll_s=0, rate=1000, burst=1000
    )
    with serving(create_app(config)) as url:
        yield Server(
            url=url,
            home=home,
            world_id=runtime_world.world_id,
            snapshot_id=runtime_world.snapshot.name,
            reader=reader,
            admin=admin,
            revoked=revoked,
        )
