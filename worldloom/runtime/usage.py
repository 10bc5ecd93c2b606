"""Usage analytics: one row per API request and one per dialogue call, in the home.

Rows are queued by the request and written in batches by one thread, so recording costs a
request nothing but an append. A row names the route (its template, e.g.
`/worlds/{world_id}/npcs/{npc_id}`), the user's name, never the token.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import astuple, dataclass, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

log = logging.getLogger("worldloom.runtime")

FLUSH_S: Final = 0.25
BATCH: Final = 500

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS usage (
    at TEXT NOT NULL,            -- UTC time the request ended (ISO 8601)
    method TEXT NOT NULL,
    route TEXT NOT NULL,         -- the route's template; '-' for no route
    status INTEGER NOT NULL,
    latency_ms REAL NOT NULL,    -- from the first byte in to the last byte out
    user TEXT,                   -- the user's name; null without a valid token
    world_id TEXT,
    snapshot_id TEXT,            -- the snapshot that answered; null if none did
    bytes INTEGER NOT NULL       -- response body size
);
CREATE INDEX IF NOT EXISTS usage_at ON usage(at);
CREATE TABLE IF NOT EXISTS talk_calls (
    at TEXT NOT NULL,
    world_id TEXT NOT NULL,
    snapshot_id TEXT NOT NULL,
    npc_id INTEGER NOT NULL,
    topic TEXT NOT NULL,
    subject TEXT NOT NULL,
    user TEXT,
    template TEXT NOT NULL,
    template_hash TEXT NOT NULL,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    cache_key TEXT NOT NULL,
    cache_hit INTEGER NOT NULL,  -- the value came from the gateway's cache
    shared INTEGER NOT NULL,     -- answered by an identical request already in flight
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    latency_ms REAL NOT NULL,
    attempts INTEGER NOT NULL,
    outcome TEXT NOT NULL,       -- llm, cache or fallback
    fallback_reason TEXT,
    detail TEXT
);
CREATE INDEX IF NOT EXISTS talk_calls_at ON talk_calls(at);
"""


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One API request, as the usage table keeps it."""

    at: str
    method: str
    route: str
    status: int
    latency_ms: float
    user: str | None
    world_id: str | None
    snapshot_id: str | None
    bytes: int


@dataclass(frozen=True, slots=True)
class TalkRecord:
    """One dialogue request, as `talk_calls` keeps it (the gateway's call record and more)."""

    at: str
    world_id: str
    snapshot_id: str
    npc_id: int
    topic: str
    subject: str
    user: str | None
    template: str
    template_hash: str
    provider: str
    model: str
    cache_key: str
    cache_hit: bool
    shared: bool
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float
    attempts: int
    outcome: str
    fallback_reason: str | None
    detail: str


def usage_path(home: Path) -> Path:
    """Where a home's usage tables live."""
    return home / "runtime" / "usage.sqlite"


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating) the usage database; WAL, so reports read while the API writes."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    db = sqlite3.connect(path, check_same_thread=False)
    db.execute("PRAGMA busy_timeout = 5000")
    db.execute("PRAGMA journal_mode = WAL")
    db.executescript(_SCHEMA)
    return db


def now() -> str:
    """The current UTC time as the tables keep it."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


class UsageLog:
    """Queues records and writes them in batches from a thread of its own."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = connect(path)
        self._queue: queue.SimpleQueue[RequestRecord | TalkRecord | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="usage-writer", daemon=True)
        self._thread.start()

    def record(self, record: RequestRecord | TalkRecord) -> None:
        """Keep a record (written within `FLUSH_S`)."""
        self._queue.put(record)

    def close(self) -> None:
        """Write what is queued and stop the writer."""
        self._queue.put(None)
        self._thread.join(timeout=10)
        self._db.close()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            batch: list[RequestRecord | TalkRecord] = []
            try:
                item = self._queue.get(timeout=FLUSH_S)
                while item is not None:
                    batch.append(item)
                    if len(batch) >= BATCH:
                        break
                    item = self._queue.get_nowait()
                stopping = item is None
            except queue.Empty:
                pass
            if batch:
                self._write(batch)

    def _write(self, batch: Sequence[RequestRecord | TalkRecord]) -> None:
        requests = [astuple(r) for r in batch if isinstance(r, RequestRecord)]
        talks = [astuple(r) for r in batch if isinstance(r, TalkRecord)]
        try:
            with self._db:
                if requests:
                    self._db.executemany(_insert("usage", RequestRecord), requests)
                if talks:
                    self._db.executemany(_insert("talk_calls", TalkRecord), talks)
        except sqlite3.Error:
            log.exception("could not write %d usage records", len(batch))


def _insert(table: str, record: type[RequestRecord] | type[TalkRecord]) -> str:
    names = [f.name for f in fields(record)]
    return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"


def since(hours: float) -> str:
    """The `at` of `hours` ago, for a report's window."""
    moment = datetime.now(UTC) - timedelta(hours=hours)
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")
