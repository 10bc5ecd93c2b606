"""SQLite and JSON copies of a snapshot: the same rows, keys and references, verified on
write and refused once changed."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.runtime.servers import RuntimeWorld, tamper
from worldloom.reader import SnapshotCorruptError, open_snapshot
from worldloom.runtime.export import export_json, export_sqlite, verify_json, verify_sqlite
from worldloom.runtime.export.sqlite import sqlite_type

pytestmark = [pytest.mark.flow]


@pytest.fixture(scope="module")
def sqlite_file(runtime_world: RuntimeWorld, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_sqlite(runtime_world.snapshot, tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(scope="module")
def json_folder(runtime_world: RuntimeWorld, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_json(runtime_world.snapshot, tmp_path_factory.mktemp("json"))


def test_sqlite_holds_every_table_with_keys_and_indexes(
    runtime_world: RuntimeWorld, sqlite_file: Path
) -> None:
    snapshot = open_snapshot(runtime_world.snapshot)
    manifest = snapshot.manifest
    assert sqlite_file.name == f"{manifest.snapshot_id}.sqlite"
    assert verify_sqlite(sqlite_file).snapshot_id == manifest.snapshot_id
    db = sqlite3.connect(sqlite_file)
    for name, entry in manifest.tables.items():
        assert db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] == entry.rows
        info = db.execute(f'PRAGMA table_info("{name}")').fetchall()
        assert [r[1] for r in info] == list(entry.column_names)
        assert [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5]] == list(entry.primary_key)
    npcs_fk = {row[3] for row in db.execute('PRAGMA foreign_key_list("npcs")')}
    assert {"settlement_id", "culture_id", "father_id"} <= npcs_fk
    indexes = {row[1] for row in db.execute('PRAGMA index_list("npcs")')}
    assert "npcs__settlement_id" in indexes
    db.execute("PRAGMA foreign_keys = ON")
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    first = db.execute('SELECT name, neighbors FROM "regions" ORDER BY region_id').fetchone()
    expected = snapshot.table("regions").to_pylist()[0]
    assert first == (expected["name"], json.dumps(expected["neighbors"], separators=(",", ":")))
    db.close()
    assert export_sqlite(runtime_world.snapshot, sqlite_file.parent.parent) == sqlite_file


def test_a_changed_sqlite_file_is_refused(sqlite_file: Path, tmp_path: Path) -> None:
    copy = tmp_path / sqlite_file.name
    shutil.copyfile(sqlite_file, copy)
    db = sqlite3.connect(copy)
    db.execute("UPDATE \"regions\" SET name = 'Elsewhere' WHERE region_id = 0")
    db.commit()
    db.close()
    with pytest.raises(SnapshotCorruptError, match="regions holds"):
        verify_sqlite(copy)
    db = sqlite3.connect(copy)
    db.execute('CREATE TABLE "extra" (x)')
    db.commit()
    db.close()
    with pytest.raises(SnapshotCorruptError, match="differ from the manifest"):
        verify_sqlite(copy)
    (tmp_path / "junk.sqlite").write_bytes(b"not a database at all" * 10)
    with pytest.raises(SnapshotCorruptError):
        verify_sqlite(tmp_path / "junk.sqlite")
    with pytest.raises(SnapshotCorruptError, match="no SQLite export here"):
        verify_sqlite(tmp_path / "missing.sqlite")
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(SnapshotCorruptError, match="not a Worldloom SQLite export"):
        verify_sqlite(empty)


def test_json_holds_every_table(runtime_world: RuntimeWorld, json_folder: Path) -> None:
    snapshot = open_snapshot(runtime_world.snapshot)
    assert verify_json(json_folder).snapshot_id == snapshot.manifest.snapshot_id
    manifest = json.loads((json_folder / "manifest.json").read_text())
    assert manifest["format"] == "worldloom.snapshot.json"
    assert manifest["snapshot"]["snapshot_id"] == snapshot.manifest.snapshot_id
    regions = json.loads((json_folder / "tables" / "regions.json").read_text())
    assert regions[0] == dict(snapshot.table("regions").to_pylist()[0].items())
    assert export_json(runtime_world.snapshot, json_folder.parent.parent) == json_folder


def test_a_changed_json_export_is_refused(json_folder: Path, tmp_path: Path) -> None:
    copy = tmp_path / json_folder.name
    shutil.copytree(json_folder, copy)
    (copy / "tables" / "stray.json").write_text("[]")
    with pytest.raises(SnapshotCorruptError, match="not listed"):
        verify_json(copy)
    (copy / "tables" / "stray.json").unlink()
    regions = copy / "tables" / "regions.json"
    regions.write_text(regions.read_text().replace('"name"', '"Name"', 1))
    with pytest.raises(SnapshotCorruptError, match="tampered"):
        verify_json(copy)
    (copy / "manifest.json").write_text("{}")
    with pytest.raises(SnapshotCorruptError, match="not a JSON export manifest"):
        verify_json(copy)
    with pytest.raises(SnapshotCorruptError, match="no JSON export here"):
        verify_json(tmp_path / "nothing")


def test_a_tampered_snapshot_is_not_exported(runtime_world: RuntimeWorld, tmp_path: Path) -> None:
    snapshot = tmp_path / "snap" / runtime_world.snapshot.name
    shutil.copytree(runtime_world.snapshot, snapshot)
    tamper(snapshot)
    with pytest.raises(SnapshotCorruptError):
        export_sqlite(snapshot, tmp_path / "out")
    with pytest.raises(SnapshotCorruptError):
        export_json(snapshot, tmp_path / "out")
    assert not list((tmp_path / "out").rglob("*.sqlite")) if (tmp_path / "out").exists() else True


def test_a_broken_earlier_export_is_replaced(
    runtime_world: RuntimeWorld, sqlite_file: Path, tmp_path: Path
) -> None:
    target = tmp_path / sqlite_file.parent.name / sqlite_file.name
    target.parent.mkdir()
    target.write_bytes(b"broken")
    assert export_sqlite(runtime_world.snapshot, tmp_path) == target
    verify_sqlite(target)


@pytest.mark.parametrize(
    ("type_name", "stored"),
    [
        ("int32", "INTEGER"),
        ("uint64", "INTEGER"),
        ("bool", "INTEGER"),
        ("float32", "REAL"),
        ("string", "TEXT"),
        ("list<int32>", "TEXT"),
        ("timestamp[us, tz=UTC]", "TEXT"),
    ],
)
def test_sqlite_types(type_name: str, stored: str) -> None:
    assert sqlite_type(type_name) == stored
