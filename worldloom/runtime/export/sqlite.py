"""One SQLite file per snapshot: every table with its primary key, NOT NULL columns, foreign
keys and an index per reference; a `_worldloom` table with the snapshot's manifest and each
table's row count and row digest, so the file can be verified against what was exported."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.compute as pc

from worldloom.reader import Manifest, Snapshot, SnapshotCorruptError, TableEntry
from worldloom.reader.validation import ManifestError, parse_manifest
from worldloom.runtime.engine import quote
from worldloom.runtime.export.rows import RowDigest, batches, export_copy

FORMAT: Final = "worldloom.snapshot.sqlite"
FORMAT_VERSION: Final = 1
META: Final = "_worldloom"
TABLES: Final = "_worldloom_tables"
_INTEGER_TYPES: Final = frozenset(
    f"{sign}int{bits}" for sign in ("", "u") for bits in (8, 16, 32, 64)
)


def sqlite_type(type_name: str) -> str:
    """A snapshot column type as SQLite stores it (lists and structs as JSON text)."""
    if type_name in _INTEGER_TYPES or type_name == "bool":
        return "INTEGER"
    if type_name.startswith("float"):
        return "REAL"
    return "TEXT"


def export_sqlite(snapshot_path: Path, out_dir: Path) -> Path:
    """Write `<out_dir>/<world_id>/<snapshot_id>.sqlite` from a verified snapshot; verify it.

    An existing file of that name that verifies is kept as it is.

    Raises:
        SnapshotError: The snapshot fails verification, or the file written does not verify.
    """
    return export_copy(snapshot_path, out_dir, suffix=".sqlite", write=_write, verify=verify_sqlite)


def verify_sqlite(path: Path) -> Manifest:
    """Check an SQLite export: integrity, foreign keys, and every table's columns, row count
    and row digest against its `_worldloom` record; return the snapshot's manifest.

    Raises:
        SnapshotCorruptError: Anything differs, or the file is not such an export.
    """
    if not path.is_file() or path.is_symlink():
        raise SnapshotCorruptError(f"{path}: no SQLite export here")
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise SnapshotCorruptError(f"{path}: cannot open: {error}") from error
    try:
        return _verify(db, path)
    except sqlite3.Error as error:
        raise SnapshotCorruptError(f"{path}: {error}") from error
    finally:
        db.close()


def _write(snapshot: Snapshot, path: Path) -> None:
    manifest = snapshot.manifest
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        arrow = {name: snapshot.table(name) for name in manifest.tables}
        unique = _unique_targets(manifest, arrow)
        db.execute(f"CREATE TABLE {META} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute(
            f"CREATE TABLE {TABLES} (name TEXT PRIMARY KEY, rows INTEGER NOT NULL, "
            "row_sha256 TEXT NOT NULL)"
        )
        meta = {
            "format": FORMAT,
            "format_version": str(FORMAT_VERSION),
            "snapshot_id": manifest.snapshot_id,
            "world_id": manifest.world_id,
            "manifest": json.dumps(manifest.to_json(), ensure_ascii=False),
        }
        db.executemany(f"INSERT INTO {META} VALUES (?, ?)", sorted(meta.items()))
        for name, entry in manifest.tables.items():
            db.execute(_create_table(name, entry, unique))
            digest = _insert(db, name, entry, arrow[name])
            db.execute(
                f"INSERT INTO {TABLES} VALUES (?, ?, ?)", [name, digest.rows, digest.hexdigest()]
            )
        for table, column in sorted(unique):
            db.execute(
                f"CREATE UNIQUE INDEX {quote(f'{table}__{column}__key')} "
                f"ON {quote(table)} ({quote(column)})"
            )
        for name, entry in manifest.tables.items():
            for ref in entry.references:
                db.execute(
                    f"CREATE INDEX IF NOT EXISTS {quote(f'{name}__{ref.column}')} "
                    f"ON {quote(name)} ({quote(ref.column)})"
                )
        db.commit()
        db.execute("VACUUM")
    finally:
        db.close()


def _unique_targets(manifest: Manifest, arrow: dict[str, pa.Table]) -> set[tuple[str, str]]:
    """Reference targets whose values are unique: SQLite needs a unique parent key."""
    targets = {(r.table, r.target) for e in manifest.tables.values() for r in e.references}
    unique = set()
    for table, column in targets:
        values = arrow[table].column(column)
        if pc.count_distinct(values, mode="all").as_py() == len(values):
            unique.add((table, column))
    return unique


def _create_table(name: str, entry: TableEntry, unique: set[tuple[str, str]]) -> str:
    columns = [
        f"{quote(c.name)} {sqlite_type(c.type)}{'' if c.nullable else ' NOT NULL'}"
        for c in entry.columns
    ]
    key = f"PRIMARY KEY ({', '.join(quote(c) for c in entry.primary_key)})"
    foreign = [
        f"FOREIGN KEY ({quote(r.column)}) REFERENCES {quote(r.table)} ({quote(r.target)})"
        for r in entry.references
        if (r.table, r.target) in unique
    ]
    return f"CREATE TABLE {quote(name)} ({', '.join([*columns, key, *foreign])})"


def _insert(db: sqlite3.Connection, name: str, entry: TableEntry, table: pa.Table) -> RowDigest:
    names = entry.column_names
    kinds = [c.type for c in entry.columns]
    marks = ", ".join("?" for _ in names)
    sql = f"INSERT INTO {quote(name)} VALUES ({marks})"
    digest = RowDigest()
    for rows in batches(table):
        values = [[_stored(row[n], k) for n, k in zip(names, kinds, strict=True)] for row in rows]
        for row in values:
            digest.add(row)
        db.executemany(sql, values)
    return digest


def _stored(value: Any, type_name: str) -> Any:
    if value is None:
        return None
    if type_name == "bool":
        return int(value)
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return value


def _verify(db: sqlite3.Connection, path: Path) -> Manifest:
    if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
        raise SnapshotCorruptError(f"{path}: SQLite integrity check failed")
    try:
        meta = dict(db.execute(f"SELECT key, value FROM {META}").fetchall())
        recorded = {
            name: (rows, digest)
            for name, rows, digest in db.execute(f"SELECT name, rows, row_sha256 FROM {TABLES}")
        }
    except sqlite3.Error as error:
        raise SnapshotCorruptError(f"{path}: not a Worldloom SQLite export ({error})") from None
    if meta.get("format") != FORMAT or meta.get("format_version") != str(FORMAT_VERSION):
        raise SnapshotCorruptError(
            f"{path}: format {meta.get('format')!r} v{meta.get('format_version')}, "
            f"expected {FORMAT} v{FORMAT_VERSION}"
        )
    try:
        manifest = parse_manifest(json.loads(meta["manifest"]))
    except (KeyError, ValueError, ManifestError) as error:
        raise SnapshotCorruptError(f"{path}: its manifest is unreadable: {error}") from None
    present = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    expected = set(manifest.tables) | {META, TABLES}
    if present != expected:
        raise SnapshotCorruptError(
            f"{path}: tables {sorted(present ^ expected)} differ from the manifest"
        )
    for name, entry in manifest.tables.items():
        _verify_table(db, path, name, entry, recorded.get(name))
    broken = db.execute("PRAGMA foreign_key_check").fetchone()
    if broken is not None:
        raise SnapshotCorruptError(f"{path}: table {broken[0]} has a dangling reference")
    return manifest


def _verify_table(
    db: sqlite3.Connection,
    path: Path,
    name: str,
    entry: TableEntry,
    recorded: tuple[int, str] | None,
) -> None:
    columns = [r[1] for r in db.execute(f"PRAGMA table_info({quote(name)})")]
    if columns != list(entry.column_names):
        raise SnapshotCorruptError(f"{path}: table {name} has columns {columns}")
    order = ", ".join(quote(c) for c in entry.primary_key)
    digest = RowDigest()
    for row in db.execute(f"SELECT * FROM {quote(name)} ORDER BY {order}"):
        digest.add(list(row))
    if (
        recorded is None
        or digest.rows != entry.rows
        or recorded
        != (
            digest.rows,
            digest.hexdigest(),
        )
    ):
        raise SnapshotCorruptError(
            f"{path}: table {name} holds {digest.rows} rows that do not match the export "
            f"record (manifest: {entry.rows} rows)"
        )
