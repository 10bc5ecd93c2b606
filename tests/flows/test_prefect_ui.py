"""The Prefect UI as a user sees it, in a real headless Chromium: `worldloom server` on a port
of its own, a tiny world generated against it, its runs named after the world and stage, the
parent run's overview with the map, the economy's charts; the world's events read back from
the server; the export-after-runs automation firing on a real economy run; and `export --to`
an S3 server (moto on 127.0.0.1). Every process started here is stopped here."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterKey,
    DeploymentFilter,
    DeploymentFilterId,
    FlowRunFilter,
    FlowRunFilterName,
)
from prefect.events.filters import EventFilter, EventNameFilter, EventResourceFilter
from prefect.events.schemas.events import ResourceSpecification
from prefect.settings import PREFECT_API_URL, temporary_settings

from tests.chromium import chromium, require_chromium
from tests.objectstore import BUCKET, object_store
from worldloom.flows.automations import EXPORT_AFTER_RUNS, export_after_runs, install_automation
from worldloom.flows.commands.server import _install_export_after_runs
from worldloom.flows.deployments import EXPORT_DEPLOYMENT, build_deployments
from worldloom.infrastructure.local_server import healthy
from worldloom.infrastructure.processes import end_process_group
from worldloom.reader import open_snapshot
from worldloom.systems.world import ConfigError
from worldloom.tasks.events import EXPORTED, GENERATED

WORLDLOOM = str(Path(sys.executable).with_name("worldloom"))
T = TypeVar("T")

pytestmark = [pytest.mark.flow]

require_chromium()


@dataclass(frozen=True, slots=True)
class UiServer:
    port: int
    home: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api(self) -> str:
        return f"{self.url}/api"

    def env(self, **extra: str) -> dict[str, str]:
        """A clean environment whose commands report to this server."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "AWS_"))}
        return {**env, "PREFECT_API_URL": self.api, **extra}

    def worldloom(self, *args: str, **extra: str) -> str:
        done = subprocess.run(
            [WORLDLOOM, *args, "--home", str(self.home)],
            env=self.env(**extra),
            capture_output=True,
            text=True,
            timeout=540,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout


@dataclass(frozen=True, slots=True)
class World:
    world_id: str
    snapshot: Path
    run_name: str


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def eventually(check: Callable[[], T | None], *, timeout_s: float = 90.0) -> T:
    """`check()`'s first truthy answer, asked every half second until `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        answer = check()
        if answer:
            return answer
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.5)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    """`worldloom server --port <free port>` with a home (and Prefect home) of its own."""
    home = tmp_path_factory.mktemp("ui") / "home"
    running = UiServer(port=free_port(), home=home)
    process = subprocess.Popen(
        [WORLDLOOM, "server", "--port", str(running.port), "--home", str(home)],
        env={k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        eventually(lambda: healthy(running.api) or process.poll() is not None, timeout_s=600)
        assert process.poll() is None, "worldloom server exited"
        yield running
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover - it stops its group on SIGTERM
            end_process_group(process.pid)
            process.wait()


@pytest.fixture(scope="module")
def world(server: UiServer) -> World:
    out = server.worldloom("generate", "--seed", "5", "--preset", "tiny", "--llm", "none")
    fields = dict(line.split(maxsplit=1) for line in out.splitlines() if line.strip())
    world_id = fields["world"]
    return World(
        world_id=world_id,
        snapshot=Path(fields["snapshot"]),
        run_name=f"{world_id} · generate · seed 5 tiny",
    )


@pytest.fixture
def browser() -> Iterator[Any]:
    # One per test: Playwright's sync API keeps an event loop running while it is open, and
    # Prefect's sync-or-async calls (to_deployment, apply) then hand back coroutines.
    with chromium() as launched:
        yield launched


def _on(server: UiServer, read: Callable[[Any], T]) -> T:
    """`read(client)` against the test's server (not the session's test harness)."""
    with (
        temporary_settings(updates={PREFECT_API_URL: server.api}),
        get_client(sync_client=True) as client,
    ):
        return read(client)


def _parent_run(server: UiServer, world: World) -> Any:
    runs = _on(
        server,
        lambda client: client.read_flow_runs(
            flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[world.run_name]))
        ),
    )
    assert len(runs) == 1
    return runs[0]


def _page(browser: Any, problems: list[Any]) -> Any:
    """A new page whose uncaught script errors (Playwright `Error`s) go to `problems`."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})

    def record(error: Any) -> None:  # a function: Playwright refuses a builtin's bound method
        problems.append(error)

    page.on("pageerror", record)
    return page


def _none_but(problems: list[Any], *expected: str) -> None:
    """No script error but the `expected` messages; else fail naming each, with its stack."""
    unexpected = [problem for problem in problems if problem.message not in expected]
    assert not unexpected, "\n\n".join(f"{p.message}\n{p.stack}" for p in unexpected[:3])


def test_the_runs_list_names_each_run_after_its_world_and_stage(
    server: UiServer, world: World, browser: Any
) -> None:
    problems: list[Any] = []
    page = _page(browser, problems)
    page.goto(f"{server.url}/runs")

    page.get_by_text(world.run_name).first.wait_for(timeout=60_000)
    for stage in ("terrain", "regions", "places", "people", "economy +60 days", "gear", "export"):
        assert page.get_by_text(f"{world.world_id} · {stage}", exact=True).count() == 1, stage
    # The UI found its API on this port (it once looked on 4200 and showed no runs).
    assert page.get_by_text("Can't connect to Server API").count() == 0
    _none_but(problems)
    page.close()


def test_the_generate_run_shows_the_world_its_map_and_links(
    server: UiServer, world: World, browser: Any
) -> None:
    parent = _parent_run(server, world)
    problems: list[Any] = []
    page = _page(browser, problems)
    page.goto(f"{server.url}/runs/flow-run/{parent.id}")
    page.get_by_text("Task Runs").first.wait_for(timeout=60_000)
    page.get_by_text("Artifacts", exact=True).click()

    page.get_by_text(f"{world.world_id}-world").wait_for(timeout=30_000)
    assert page.get_by_text("did not produce any artifacts").count() == 0
    page.get_by_text(f"{world.world_id}-world").click()  # the artifact's own page
    page.locator("img[src^='data:image/webp']").first.wait_for(timeout=30_000)
    widths = page.evaluate("Array.from(document.images).map(image => image.naturalWidth)")
    assert 1000 in widths  # the map, decoded
    for title in ("World summary", "Map", "People", "Economy", "Gear, loot and encounters"):
        link = page.get_by_role("link", name=title, exact=True)
        key = {"World summary": "summary", "Gear, loot and encounters": "gear"}.get(
            title, title.lower()
        )
        assert link.get_attribute("href") == f"/artifacts/key/{world.world_id}-{key}"
    # Prefect 3.9's own run graph complains of the task inputs it is sent, on any run.
    _none_but(problems, "Invalid TaskInputResponse")
    page.close()


def test_the_economy_report_shows_its_charts(server: UiServer, world: World, browser: Any) -> None:
    key = f"{world.world_id}-economy"
    artifacts = _on(
        server,
        lambda client: client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key]))
        ),
    )
    assert len(artifacts) == 1
    over_time = artifacts[0].data.split("## Over time")[1].split("##")[0]
    rows = [line.split("|")[1:-1] for line in over_time.splitlines() if line.startswith("| ")]
    assert rows[0][2].strip() == "price\\_change"
    changes = [row[2].strip() for row in rows[2:]]  # after the header and the first day
    assert changes
    assert all(change not in {"", "0"} for change in changes), changes
    page = _page(browser, [])
    page.goto(f"{server.url}/artifacts/artifact/{artifacts[0].id}")

    page.locator("img[src^='data:image/webp']").nth(1).wait_for(timeout=60_000)
    widths = page.evaluate("Array.from(document.images).map(image => image.naturalWidth)")
    assert len([width for width in widths if width > 0]) == 2  # the price and health charts
    page.close()


def test_the_world_s_events_are_on_the_server(server: UiServer, world: World) -> None:
    parent = _parent_run(server, world)
    resource = f"worldloom.world.{world.world_id}"

    def read(client: Any) -> list[Any]:
        page = client.read_events(
            filter=EventFilter(
                event=EventNameFilter(prefix=["worldloom."]),
                resource=EventResourceFilter(id=[resource]),
            ),
            limit=50,  # the client's default (100) is over the 3.9 server's maximum
        )
        return list(page.events)

    events = eventually(lambda: (found := _on(server, read)) and len(found) >= 2 and found)
    by_name = {event.event: event for event in events}
    generated, exported = by_name[GENERATED], by_name[EXPORTED]
    for event in (generated, exported):
        assert event.resource.id == resource
        assert event.payload["seed"] == 5
        assert event.payload["preset"] == "tiny"
        assert event.payload["snapshot_id"] == world.snapshot.name
        snapshot = f"worldloom.snapshot.{world.world_id}.{world.snapshot.name}"
        assert snapshot in {related.id for related in event.related}
    assert exported.payload["location"] == str(world.snapshot)
    assert generated.resource["prefect.resource.name"] == generated.payload["name"]
    assert f"prefect.flow-run.{parent.id}" in {related.id for related in generated.related}


def test_an_economy_run_is_followed_by_an_export(server: UiServer, world: World) -> None:
    deployments = build_deployments(home=str(server.home), export_world=world.world_id)

    def install(_client: Any) -> UUID:
        _install_export_after_runs(deployments)  # what `serve --export-on-completion` does
        export_id = deployments[0].apply()
        assert isinstance(export_id, UUID)
        install_automation(export_after_runs(export_id))  # again: still one of them
        return export_id

    export_id = _on(server, install)
    automations = _on(server, lambda client: client.read_automations_by_name(EXPORT_AFTER_RUNS))
    assert len(automations) == 1
    trigger = automations[0].trigger
    assert trigger.expect == {"prefect.flow-run.Completed"}
    assert trigger.match_related == ResourceSpecification(
        {"prefect.resource.role": "flow", "prefect.resource.name": ["advance-economy", "simulate"]}
    )

    server.worldloom("economy", world.world_id, "--ticks", "1")

    def exports(client: Any) -> list[Any]:
        return client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[export_id]))
        )

    runs = eventually(lambda: _on(server, exports))
    assert runs[0].parameters == {"home": str(server.home), "world_id": world.world_id}
    assert deployments[0].name == EXPORT_DEPLOYMENT


def test_serving_the_automation_needs_the_export_deployment(tmp_path: Path) -> None:
    deployments = build_deployments(home=str(tmp_path), economy_world="w1-x")

    with pytest.raises(ConfigError, match="--export WORLD"):
        _install_export_after_runs(deployments)


def test_export_to_an_object_store(
    server: UiServer, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with object_store() as store:
        prefix = f"s3://{BUCKET}/shared"
        url = server.worldloom("export", world.world_id, "--to", prefix, **store.env).strip()
        assert url.startswith(f"{prefix}/{world.world_id}/tick")
        for key, value in store.env.items():
            monkeypatch.setenv(key, value)
        remote = open_snapshot(url, cache_dir=tmp_path / "cache")
    assert remote.manifest.world_id == world.world_id
    assert remote.manifest.tables.keys() == open_snapshot(world.snapshot).manifest.tables.keys()
