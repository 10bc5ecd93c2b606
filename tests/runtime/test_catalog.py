"""Which snapshot is served: the newest that verifies, swapped in whole when a newer one
appears, never a tampered one; older ones on request."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from tests.runtime.servers import RuntimeWorld, copy_home, republish, tamper
from worldloom.runtime.catalog import SnapshotCatalog
from worldloom.runtime.engine import SnapshotEngine, quote
from worldloom.runtime.errors import NotFoundError, UnavailableError

pytestmark = [pytest.mark.flow]


@pytest.fixture
def snapshots(runtime_world: RuntimeWorld, home: Path) -> Path:
    return copy_home(runtime_world, home) / "snapshots"


def test_serves_the_newest_and_swaps_atomically(
    runtime_world: RuntimeWorld, snapshots: Path
) -> None:
    catalog = SnapshotCatalog(snapshots)
    assert catalog.refresh() == [f"{runtime_world.world_id}: serving {runtime_world.snapshot.name}"]
    before = catalog.engine(runtime_world.world_id)
    newer = republish(runtime_world.snapshot, snapshots, tick=61)
    assert catalog.current[runtime_world.world_id] is before  # nothing changes until a refresh
    assert catalog.refresh() == [f"{runtime_world.world_id}: serving {newer.name}"]
    after = catalog.engine(runtime_world.world_id)
    assert after.snapshot_id == newer.name
    # A request that started on the old snapshot finishes on it.
    assert before.scalar('SELECT count(*) FROM "regions"') == after.scalar(
        'SELECT count(*) FROM "regions"'
    )
    assert catalog.refresh() == []
    assert catalog.snapshot_ids(runtime_world.world_id) == [newer.name, runtime_world.snapshot.name]
    pinned = catalog.engine(runtime_world.world_id, runtime_world.snapshot.name)
    assert pinned.snapshot_id == runtime_world.snapshot.name
    assert catalog.engine(runtime_world.world_id, runtime_world.snapshot.name) is pinned


def test_a_tampered_snapshot_is_never_served(runtime_world: RuntimeWorld, snapshots: Path) -> None:
    newer = republish(runtime_world.snapshot, snapshots, tick=62)
    tamper(newer)
    catalog = SnapshotCatalog(snapshots)
    catalog.refresh()
    assert catalog.engine(runtime_world.world_id).snapshot_id == runtime_world.snapshot.name
    with pytest.raises(UnavailableError, match="fails verification") as refused:
        catalog.engine(runtime_world.world_id, newer.name)
    assert str(snapshots) not in refused.value.detail  # no server paths in what a client reads
    assert catalog.refresh() == []  # not tried again until its manifest changes


def test_a_file_changed_after_loading_is_not_read(
    runtime_world: RuntimeWorld, snapshots: Path
) -> None:
    catalog = SnapshotCatalog(snapshots)
    catalog.refresh()
    engine = catalog.engine(runtime_world.world_id)
    expected = engine.rows('SELECT name FROM "regions" ORDER BY region_id')
    tamper(snapshots / runtime_world.world_id / runtime_world.snapshot.name)
    assert engine.rows('SELECT name FROM "regions" ORDER BY region_id') == expected


def test_worlds_come_and_go(runtime_world: RuntimeWorld, snapshots: Path) -> None:
    catalog = SnapshotCatalog(snapshots)
    catalog.refresh()
    with pytest.raises(NotFoundError, match="no world 'elsewhere'"):
        catalog.engine("elsewhere")
    with pytest.raises(NotFoundError, match="is not a snapshot id"):
        catalog.engine(runtime_world.world_id, "latest")
    shutil.rmtree(snapshots / runtime_world.world_id)
    assert catalog.refresh() == [f"{runtime_world.world_id}: no snapshot left, no longer served"]
    assert catalog.current == {}


def test_folders_that_are_not_snapshots_are_ignored(
    runtime_world: RuntimeWorld, snapshots: Path, tmp_path: Path
) -> None:
    world = snapshots / runtime_world.world_id
    (world / ".tmp-host-1-x").mkdir()
    (world / "notes.txt").write_text("x")
    (world / "tick000099-aaaaaaaaaaaa").symlink_to(runtime_world.snapshot)
    (snapshots / "linked-world").symlink_to(world)
    catalog = SnapshotCatalog(snapshots)
    catalog.refresh()
    assert list(catalog.current) == [runtime_world.world_id]
    assert catalog.snapshot_ids(runtime_world.world_id) == [runtime_world.snapshot.name]
    assert SnapshotCatalog(tmp_path / "missing").refresh() == []


def test_watching_picks_up_a_newer_snapshot(runtime_world: RuntimeWorld, snapshots: Path) -> None:
    catalog = SnapshotCatalog(snapshots)
    catalog.refresh()
    catalog.start_watching(0.05)
    try:
        newer = republish(runtime_world.snapshot, snapshots, tick=63)
        for _ in range(200):
            if catalog.current[runtime_world.world_id].snapshot_id == newer.name:
                break
            time.sleep(0.05)
        assert catalog.current[runtime_world.world_id].snapshot_id == newer.name
    finally:
        catalog.stop()


@pytest.mark.parametrize("name", ["", "Regions", "a b", 'x"', "1abc", "a;b"])
def test_only_plain_names_are_quoted(name: str) -> None:
    with pytest.raises(ValueError, match="is not a table or column name"):
        quote(name)


def test_the_response_cache_keeps_the_newest(runtime_world: RuntimeWorld) -> None:
    engine = SnapshotEngine.load(runtime_world.snapshot, threads=1)
    from worldloom.runtime import engine as module

    calls = []
    assert engine.cached("a", lambda: calls.append(1) or b"1") == b"1"
    assert engine.cached("a", lambda: calls.append(1) or b"2") == b"1"
    assert calls == [1]
    assert engine.peek("b") is None
    original = module.RESPONSE_CACHE_ENTRIES
    module.RESPONSE_CACHE_ENTRIES = 1
    try:
        engine.cached("b", lambda: b"b")
        assert engine.peek("a") is None
        assert engine.peek("b") == b"b"
    finally:
        module.RESPONSE_CACHE_ENTRIES = original
    assert engine.table("regions") is not None
    assert engine.table("dragons") is None
    assert engine.path == runtime_world.snapshot
    engine.close()


def test_a_newer_snapshot_is_served_without_dropping_requests(
    runtime_world: RuntimeWorld, home: Path
) -> None:
    import threading

    from tests.runtime.servers import serving
    from worldloom.infrastructure.settings import Settings
    from worldloom.runtime import ApiConfig, create_app
    from worldloom.runtime.auth import UserBook, users_path

    snapshots = copy_home(runtime_world, home) / "snapshots"
    token = UserBook(users_path(home)).add("ann", "reader")
    config = ApiConfig.from_settings(
        Settings(home=home), llm="none", poll_s=0.1, rate=0, record_usage=False
    )
    seen: list[tuple[int, str]] = []
    published: list[Path] = []
    with serving(create_app(config)) as url:
        writer = threading.Thread(
            target=lambda: published.append(republish(runtime_world.snapshot, snapshots, tick=64))
        )
        import httpx

        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as api:
            writer.start()
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                response = api.get(f"/worlds/{runtime_world.world_id}/regions/0")
                seen.append((response.status_code, response.headers.get("etag", "")))
                if published and published[0].name in seen[-1][1]:
                    break
            writer.join()
    assert {status for status, _ in seen} == {200}
    tags = [tag for _, tag in seen]
    first_new = tags.index(f'"{published[0].name}"')
    assert set(tags[:first_new]) == {f'"{runtime_world.snapshot.name}"'}
    assert len(seen) > 1
