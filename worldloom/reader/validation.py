"""Turn ``manifest.json``'s data into a :class:`Manifest`, checking all its JSON Schema says.

The JSON Schema (``manifest.schema.json`` beside this module) is the contract other tools
validate against; this module checks the same rules with the standard library only, plus the
ones a JSON Schema cannot state (a table's file is named after it, its key and references
name its own columns, a reference's target table is in the snapshot).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Final, TypeVar

from worldloom.reader.manifest import (
    FORMAT,
    FORMAT_VERSION,
    GEOJSON_FILE,
    MAP_FILE,
    SCHEMA_ID,
    SHA256_PATTERN,
    SNAPSHOT_ID_PATTERN,
    TABLE_NAME_PATTERN,
    TABLES_DIR,
    TYPE_NAME_PATTERN,
    WORLD_ID_PATTERN,
    ColumnEntry,
    FileEntry,
    Manifest,
    ReferenceEntry,
    TableEntry,
)

T = TypeVar("T")

_ROOT: Final = (
    "$schema",
    "format",
    "format_version",
    "snapshot_id",
    "world_id",
    "world_name",
    "seed",
    "preset",
    "config_hash",
    "code_version",
    "tick",
    "created_at",
    "tables",
    "files",
)
_TABLE: Final = ("file", "rows", "sha256", "description", "primary_key", "references", "columns")
_COLUMN: Final = ("name", "type", "nullable", "description", "unit")
_REFERENCE: Final = ("column", "table", "target")
_FILE: Final = ("sha256", "bytes")


class ManifestError(ValueError):
    """The manifest breaks a rule; ``location`` is the dotted path of the offending value."""

    def __init__(self, location: str, problem: str) -> None:
        super().__init__(f"{location or '<root>'}: {problem}")
        self.location = location
        self.problem = problem


def parse_manifest(raw: object) -> Manifest:
    """Check ``manifest.json``'s parsed JSON and return it as a :class:`Manifest`.

    Raises:
        ManifestError: The first rule the data breaks, with where it breaks it.
    """
    root = _fields(raw, "", _ROOT)
    _const(root["$schema"], "$schema", SCHEMA_ID)
    _const(root["format"], "format", FORMAT)
    _const(root["format_version"], "format_version", FORMAT_VERSION)
    tables = _mapping(root["tables"], "tables", TABLE_NAME_PATTERN, _table)
    files = _mapping(root["files"], "files", None, _file)
    if sorted(files) != sorted((GEOJSON_FILE, MAP_FILE)):
        raise ManifestError("files", f"must list exactly {GEOJSON_FILE} and {MAP_FILE}")
    for name, table in tables.items():
        _check_table(f"tables.{name}", name, table, tables)
    return Manifest(
        format=FORMAT,
        format_version=FORMAT_VERSION,
        snapshot_id=_string(root["snapshot_id"], "snapshot_id", SNAPSHOT_ID_PATTERN),
        world_id=_string(root["world_id"], "world_id", WORLD_ID_PATTERN),
        world_name=_string(root["world_name"], "world_name"),
        seed=_integer(root["seed"], "seed", minimum=0),
        preset=_string(root["preset"], "preset"),
        config_hash=_string(root["config_hash"], "config_hash"),
        code_version=_string(root["code_version"], "code_version"),
        tick=_integer(root["tick"], "tick", minimum=0),
        created_at=_utc_time(root["created_at"], "created_at"),
        tables=tables,
        files=files,
    )


def _table(raw: object, where: str) -> TableEntry:
    entry = _fields(raw, where, _TABLE)
    return TableEntry(
        file=_string(entry["file"], f"{where}.file"),
        rows=_integer(entry["rows"], f"{where}.rows", minimum=0),
        sha256=_string(entry["sha256"], f"{where}.sha256", SHA256_PATTERN),
        description=_string(entry["description"], f"{where}.description"),
        primary_key=tuple(_items(entry["primary_key"], f"{where}.primary_key", _name, min_items=1)),
        references=tuple(_items(entry["references"], f"{where}.references", _reference)),
        columns=tuple(_items(entry["columns"], f"{where}.columns", _column, min_items=1)),
    )


def _column(raw: object, where: str) -> ColumnEntry:
    entry = _fields(raw, where, _COLUMN)
    unit = entry["unit"]
    return ColumnEntry(
        name=_name(entry["name"], f"{where}.name"),
        type=_string(entry["type"], f"{where}.type", TYPE_NAME_PATTERN),
        nullable=_boolean(entry["nullable"], f"{where}.nullable"),
        description=_string(entry["description"], f"{where}.description"),
        unit=None if unit is None else _name(unit, f"{where}.unit"),
    )


def _reference(raw: object, where: str) -> ReferenceEntry:
    entry = _fields(raw, where, _REFERENCE)
    return ReferenceEntry(
        column=_name(entry["column"], f"{where}.column"),
        table=_string(entry["table"], f"{where}.table", TABLE_NAME_PATTERN),
        target=_name(entry["target"], f"{where}.target"),
    )


def _file(raw: object, where: str) -> FileEntry:
    entry = _fields(raw, where, _FILE)
    return FileEntry(
        sha256=_string(entry["sha256"], f"{where}.sha256", SHA256_PATTERN),
        bytes=_integer(entry["bytes"], f"{where}.bytes", minimum=0),
    )


def _check_table(
    where: str, name: str, table: TableEntry, tables: Mapping[str, TableEntry]
) -> None:
    # The reader opens files by these paths, so a manifest must not point anywhere else.
    if table.file != f"{TABLES_DIR}/{name}.parquet":
        raise ManifestError(f"{where}.file", f"must be {TABLES_DIR}/{name}.parquet")
    names = table.column_names
    if len(set(names)) != len(names):
        raise ManifestError(f"{where}.columns", f"duplicate column names in {list(names)}")
    columns = {column.name: column for column in table.columns}
    if len(set(table.primary_key)) != len(table.primary_key):
        raise ManifestError(f"{where}.primary_key", "names a column twice")
    for key in table.primary_key:
        if key not in columns:
            raise ManifestError(f"{where}.primary_key", f"{key!r} is not one of the columns")
        if columns[key].nullable:
            raise ManifestError(f"{where}.primary_key", f"key column {key!r} must not be nullable")
    for index, ref in enumerate(table.references):
        at = f"{where}.references.{index}"
        if ref.column not in columns:
            raise ManifestError(f"{at}.column", f"{ref.column!r} is not one of the columns")
        target = tables.get(ref.table)
        if target is None:
            raise ManifestError(f"{at}.table", f"{ref.table!r} is not a table of the snapshot")
        if ref.target not in target.column_names:
            raise ManifestError(f"{at}.target", f"{ref.target!r} is not a column of {ref.table}")


def _fields(raw: object, where: str, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ManifestError(where, "expected an object")
    missing = [key for key in keys if key not in raw]
    if missing:
        raise ManifestError(where, f"missing field(s) {missing}")
    extra = sorted(str(key) for key in raw if key not in keys)
    if extra:
        raise ManifestError(where, f"unexpected field(s) {extra}")
    return raw


def _mapping(
    raw: object, where: str, key_pattern: str | None, item: Callable[[object, str], T]
) -> dict[str, T]:
    if not isinstance(raw, dict):
        raise ManifestError(where, "expected an object")
    for key in raw:
        if key_pattern is not None and not re.fullmatch(key_pattern, key):
            raise ManifestError(f"{where}.{key}", f"name does not match {key_pattern}")
    return {key: item(value, f"{where}.{key}") for key, value in raw.items()}


def _items(
    raw: object, where: str, item: Callable[[object, str], T], *, min_items: int = 0
) -> list[T]:
    if not isinstance(raw, list):
        raise ManifestError(where, "expected an array")
    if len(raw) < min_items:
        raise ManifestError(where, f"expected at least {min_items} item(s)")
    return [item(value, f"{where}.{index}") for index, value in enumerate(raw)]


def _const(raw: object, where: str, value: object) -> None:
    if raw != value or type(raw) is not type(value):
        raise ManifestError(where, f"must be {value!r}, not {raw!r}")


def _string(raw: object, where: str, pattern: str | None = None) -> str:
    if not isinstance(raw, str):
        raise ManifestError(where, "expected a string")
    if pattern is not None and not re.fullmatch(pattern, raw):
        raise ManifestError(where, f"{raw!r} does not match {pattern}")
    return raw


def _name(raw: object, where: str) -> str:
    value = _string(raw, where)
    if not value:
        raise ManifestError(where, "must not be empty")
    return value


def _integer(raw: object, where: str, *, minimum: int | None = None) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool):
        raise ManifestError(where, "expected an integer")
    if minimum is not None and raw < minimum:
        raise ManifestError(where, f"must be at least {minimum}")
    return raw


def _boolean(raw: object, where: str) -> bool:
    if not isinstance(raw, bool):
        raise ManifestError(where, "expected true or false")
    return raw


def _utc_time(raw: object, where: str) -> datetime:
    text = _string(raw, where)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ManifestError(where, f"{text!r} is not an ISO 8601 date-time") from None
    if value.utcoffset() != timedelta(0):
        raise ManifestError(where, "must be in UTC")
    return value
