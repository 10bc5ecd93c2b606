"""The snapshots the API serves: the newest verified one of each world, swapped in atomically
when a newer one appears, and older ones loaded on demand for clients that pin them."""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Final

from worldloom.reader import SnapshotError, inspect_snapshot
from worldloom.reader.manifest import SNAPSHOT_ID_PATTERN, WORLD_ID_PATTERN
from worldloom.runtime.engine import SnapshotEngine
from worldloom.runtime.errors import NotFoundError, UnavailableError

log = logging.getLogger("worldloom.runtime")

_WORLD_ID: Final = re.compile(WORLD_ID_PATTERN)
_SNAPSHOT_ID: Final = re.compile(SNAPSHOT_ID_PATTERN)
PINNED_KEPT: Final = 4
"""Pinned (not newest) snapshots kept loaded, least recently used out."""

Loader = Callable[[Path], SnapshotEngine]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A snapshot folder on disk, before verification."""

    world_id: str
    snapshot_id: str
    path: Path
    tick: int
    created_at: datetime | None
    """From its manifest; None when the manifest cannot be read (it then fails to load)."""


class SnapshotCatalog:
    """Which snapshot of each world is served; thread-safe.

    Requests read the current mapping without a lock: a swap replaces the whole mapping at
    once, so a request sees the old snapshot or the new one, never a mix, and finishes on the
    snapshot it started with.
    """

    def __init__(self, snapshots_dir: Path, *, loader: Loader = SnapshotEngine.load) -> None:
        """Serve the snapshots under `snapshots_dir` (call :meth:`refresh` to load them)."""
        self.snapshots_dir = snapshots_dir
        self._loader = loader
        self._current: Mapping[str, SnapshotEngine] = MappingProxyType({})
        self._pinned: OrderedDict[tuple[str, str], SnapshotEngine] = OrderedDict()
        self._rejected: dict[Path, tuple[int, str]] = {}
        """Folders that failed verification, by the manifest's mtime then, and why."""
        self._created: dict[Path, tuple[int, datetime | None]] = {}
        self._refresh_lock = threading.Lock()
        self._pin_lock = threading.Lock()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    @property
    def current(self) -> Mapping[str, SnapshotEngine]:
        """The served snapshot of every world, by world id."""
        return self._current

    def engine(self, world_id: str, snapshot_id: str | None = None) -> SnapshotEngine:
        """The world's newest served snapshot, or the pinned one.

        Raises:
            NotFoundError: No such world, or no such snapshot of it.
            UnavailableError: The pinned snapshot exists but fails verification.
        """
        current = self._current.get(world_id)
        if current is None:
            served = ", ".join(sorted(self._current)) or "none"
            raise NotFoundError(f"no world {world_id!r} is served (worlds: {served})")
        if snapshot_id is None or snapshot_id == current.snapshot_id:
            return current
        return self._pinned_engine(world_id, snapshot_id)

    def snapshot_ids(self, world_id: str) -> list[str]:
        """The snapshot folders of a world on disk, newest first (verified or not)."""
        return [c.snapshot_id for c in self._candidates(world_id)]

    def refresh(self) -> list[str]:
        """Serve the newest snapshot of every world that verifies; return what changed.

        A newer snapshot is verified and loaded before it replaces the served one; one that
        fails verification is logged and skipped (the previous one stays served), and is not
        tried again until its manifest changes.
        """
        with self._refresh_lock:
            changes: list[str] = []
            served = dict(self._current)
            for world_id in self._world_ids():
                engine = self._newest(world_id, served.get(world_id))
                if engine is not None and engine is not served.get(world_id):
                    served[world_id] = engine
                    changes.append(f"{world_id}: serving {engine.snapshot_id}")
            for world_id in sorted(set(served) - set(self._world_ids())):
                del served[world_id]
                changes.append(f"{world_id}: no snapshot left, no longer served")
            if changes:
                self._current = MappingProxyType(served)
                for change in changes:
                    log.info("%s", change)
            return changes

    def start_watching(self, interval_s: float) -> None:
        """Refresh every `interval_s` seconds in a background thread until :meth:`stop`."""
        if interval_s <= 0 or self._watcher is not None:
            return

        def watch() -> None:
            while not self._stop.wait(interval_s):
                try:
                    self.refresh()
                except Exception:  # the watcher must outlive a bad folder
                    log.exception("refreshing the snapshots failed")

        self._watcher = threading.Thread(target=watch, name="snapshot-watcher", daemon=True)
        self._watcher.start()

    def stop(self) -> None:
        """Stop the watcher thread."""
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
            self._watcher = None

    def _newest(self, world_id: str, served: SnapshotEngine | None) -> SnapshotEngine | None:
        """The best snapshot of a world: the served one, or a newer one that loads."""
        for candidate in self._candidates(world_id):
            if served is not None and candidate.snapshot_id == served.snapshot_id:
                return served
            engine = self._try_load(candidate)
            if engine is not None:
                return engine
        return served

    def _try_load(self, candidate: Candidate) -> SnapshotEngine | None:
        stamp = _manifest_stamp(candidate.path)
        rejected = self._rejected.get(candidate.path)
        if rejected is not None and rejected[0] == stamp:
            return None
        try:
            return self._loader(candidate.path)
        except SnapshotError as error:
            reason = _relative(str(error), self.snapshots_dir)
            self._rejected[candidate.path] = (stamp, reason)
            log.warning("not serving %s: %s", candidate.snapshot_id, reason)
            return None

    def _pinned_engine(self, world_id: str, snapshot_id: str) -> SnapshotEngine:
        if not _SNAPSHOT_ID.fullmatch(snapshot_id):
            raise NotFoundError(f"{snapshot_id!r} is not a snapshot id (tick000060-<12 hex>)")
        key = (world_id, snapshot_id)
        with self._pin_lock:
            engine = self._pinned.get(key)
            if engine is not None:
                self._pinned.move_to_end(key)
                return engine
            candidate = next(
                (c for c in self._candidates(world_id) if c.snapshot_id == snapshot_id), None
            )
            if candidate is None:
                known = ", ".join(self.snapshot_ids(world_id)[:8])
                raise NotFoundError(
                    f"world {world_id!r} has no snapshot {snapshot_id!r} (newest first: {known})"
                )
            try:
                engine = self._loader(candidate.path)
            except SnapshotError as error:
                reason = _relative(str(error), self.snapshots_dir)
                raise UnavailableError(
                    f"snapshot {snapshot_id} of world {world_id!r} fails verification and is "
                    f"not served: {reason}"
                ) from None
            self._pinned[key] = engine
            while len(self._pinned) > PINNED_KEPT:
                self._pinned.popitem(last=False)
            return engine

    def _world_ids(self) -> list[str]:
        try:
            entries = sorted(self.snapshots_dir.iterdir())
        except OSError:
            return []
        return [
            entry.name
            for entry in entries
            if _WORLD_ID.fullmatch(entry.name) and entry.is_dir() and not entry.is_symlink()
        ]

    def _candidates(self, world_id: str) -> list[Candidate]:
        """A world's snapshot folders, newest first: highest tick, then latest created_at."""
        if not _WORLD_ID.fullmatch(world_id):
            return []
        folder = self.snapshots_dir / world_id
        try:
            entries = list(folder.iterdir()) if not folder.is_symlink() else []
        except OSError:
            return []
        found = []
        for entry in entries:
            if not _SNAPSHOT_ID.fullmatch(entry.name) or entry.is_symlink() or not entry.is_dir():
                continue
            tick = int(entry.name[4 : entry.name.index("-")])
            found.append(Candidate(world_id, entry.name, entry, tick, self._created_at(entry)))
        return sorted(found, key=_newest_first, reverse=True)

    def _created_at(self, folder: Path) -> datetime | None:
        """A snapshot's creation time from its manifest, remembered while the file is unchanged."""
        stamp = _manifest_stamp(folder)
        remembered = self._created.get(folder)
        if remembered is not None and remembered[0] == stamp:
            return remembered[1]
        try:
            created: datetime | None = inspect_snapshot(folder).created_at
        except SnapshotError:
            created = None
        self._created[folder] = (stamp, created)
        return created


def _newest_first(candidate: Candidate) -> tuple[int, float, str]:
    created = candidate.created_at.timestamp() if candidate.created_at else float("-inf")
    return (candidate.tick, created, candidate.snapshot_id)


def _manifest_stamp(path: Path) -> int:
    try:
        return (path / "manifest.json").stat().st_mtime_ns
    except OSError:
        return -1


def _relative(message: str, root: Path) -> str:
    """An error message without the server's own folders (clients see it)."""
    return message.replace(f"{root}/", "").replace(str(root), "")
