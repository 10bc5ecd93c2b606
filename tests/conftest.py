"""Shared fixtures: one Prefect test server for the session, and a Worldloom home per test."""

from __future__ import annotations

import os

# Prefect reads its settings when first imported: make it offline and quiet before that.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect.testing.utilities import prefect_test_harness

import worldloom  # noqa: F401  (before any test module imports numpy: it pins numpy's float math)

# instructor logs each exhausted re-ask as an ERROR with a traceback; the gateway records and
# tests assert those outcomes, so the log lines are noise here (the CLI silences them too).
logging.getLogger("instructor").setLevel(logging.CRITICAL)


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """A real Prefect API server (SQLite, temporary) shared by every flow test (of a worker,
    under pytest-xdist)."""
    # Under `-n`, every worker starts its own at once, while the others still collect: on a
    # loaded 2-core machine that took over 120 s, and a harness that times out fails every flow
    # test of its worker. Waiting longer for it costs nothing when it starts sooner.
    with prefect_test_harness(server_startup_timeout=600):
        yield


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty Worldloom home."""
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """`-n N --dist loadgroup`: a module's tests stay on one worker (its fixtures, a generated
    world or a server, are built once) and `xdist_group` still binds tests across modules."""
    from tests.scheduling import make_scheduler  # imported here: xdist only where -n is given

    return make_scheduler(config, log)
