"""Helpers of the runtime's tests: the session's world and server, and a server in a thread."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI


@dataclass(frozen=True, slots=True)
class RuntimeWorld:
    """The session's generated world: its home, id and snapshot folder."""

    home: Path
    world_id: str
    snapshot: Path


@dataclass(frozen=True, slots=True)
class Server:
    """The session's API: its URL, its home and a token per role (and one revoked)."""

    url: str
    home: Path
    world_id: str
    snapshot_id: str
    reader: str
    admin: str
    revoked: str

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


def copy_home(world: RuntimeWorld, home: Path) -> Path:
    """The world's snapshots in another home (which the test may change)."""
    shutil.copytree(world.home / "snapshots", home / "snapshots", symlinks=True)
    return home


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Run `app` under uvicorn on a free loopback port in a thread; yield its URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="api-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def republish(snapshot: Path, snapshots_dir: Path, *, tick: int) -> Path:
    """The same tables, GeoJSON and map as a new snapshot of a later day (another id)."""
    import polars as pl

    from worldloom.infrastructure.snapshot import (
        ColumnDoc,
        SnapshotMeta,
        TableData,
        open_snapshot,
        write_snapshot,
    )

    source = open_snapshot(snapshot)
    manifest = source.manifest
    tables = {
        name: TableData(
            frame=pl.from_arrow(source.table(name)),  # type: ignore[arg-type]  # a Table gives a frame
            primary_key=entry.primary_key,
            description=entry.description,
            columns=tuple(
                ColumnDoc(c.name, c.description, c.unit, c.nullable) for c in entry.columns
            ),
            references=entry.references,
        )
        for name, entry in manifest.tables.items()
    }
    meta = SnapshotMeta(
        world_id=manifest.world_id,
        world_name=manifest.world_name,
        seed=manifest.seed,
        preset=manifest.preset,
        config_hash=manifest.config_hash,
        code_version=manifest.code_version,
        tick=tick,
    )
    return write_snapshot(
        snapshots_dir=snapshots_dir,
        meta=meta,
        tables=tables,
        geojson=source.geojson(),
        map_png=source.map_png(),
    )


def tamper(snapshot: Path, table: str = "regions") -> None:
    """Change one byte of a table file (its checksum no longer matches)."""
    path = snapshot / "tables" / f"{table}.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
