"""The manifest's JSON Schema is the runtime contract: any change must show up as a diff here,
every manifest the writer produces must satisfy it, and the reader must agree with it."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.reader.samples import export
from worldloom.infrastructure.snapshot import FORMAT_VERSION, SCHEMA_ID
from worldloom.reader import manifest_schema
from worldloom.reader.validation import ManifestError, parse_manifest

PINNED = Path(__file__).with_name("snapshot_manifest.schema.json")
SHIPPED = Path(__file__).parents[2] / "worldloom" / "reader" / "manifest.schema.json"
UPDATE_VARIABLE = "WORLDLOOM_UPDATE_SCHEMA"


def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(PINNED.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = export(tmp_path_factory.mktemp("schema"))
    raw: dict[str, Any] = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    return raw


def test_shipped_schema_matches_the_checked_in_contract() -> None:
    shipped = SHIPPED.read_text(encoding="utf-8")
    if os.environ.get(UPDATE_VARIABLE) == "1":
        PINNED.write_text(shipped, encoding="utf-8")

    assert shipped == PINNED.read_text(encoding="utf-8"), (
        f"The reader's manifest schema changed. If intended (and FORMAT_VERSION="
        f"{FORMAT_VERSION} bumped for breaking changes), copy it with {UPDATE_VARIABLE}=1 "
        f"pytest {__file__}"
    )
    assert manifest_schema() == json.loads(shipped)


def test_checked_in_schema_is_a_draft_2020_12_schema_of_format_2() -> None:
    schema = json.loads(PINNED.read_text(encoding="utf-8"))

    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID == f"urn:worldloom:snapshot-manifest:{FORMAT_VERSION}"
    assert schema["properties"]["format_version"] == {
        "description": schema["properties"]["format_version"]["description"],
        "const": 2,
    }
    assert schema["properties"]["$schema"]["const"] == SCHEMA_ID
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) >= {
        "$schema",
        "format",
        "format_version",
        "world_id",
        "seed",
        "config_hash",
        "code_version",
        "tick",
        "created_at",
        "tables",
        "files",
    }
    definitions = schema["$defs"]
    assert set(definitions["table"]["required"]) >= {
        "file",
        "rows",
        "sha256",
        "description",
        "columns",
        "primary_key",
        "references",
    }
    assert set(definitions["column"]["required"]) == {
        "name",
        "type",
        "nullable",
        "description",
        "unit",
    }
    assert set(definitions["reference"]["required"]) == {"column", "table", "target"}


def test_written_manifest_satisfies_the_schema(manifest: dict[str, Any]) -> None:
    validator().validate(manifest)
    parse_manifest(manifest)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    *parents, last = path.split("/")

    def edit(raw: dict[str, Any]) -> None:
        node: Any = raw
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if value is _DELETE:
            del node[last]
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return edit


_DELETE = object()
_COLUMN = "tables/regions/columns/2"
_TABLE = "tables/npcs"

# Edits the schema and the reader both refuse; the reader's own extra rules are tested in
# test_snapshot_refusals.py.
REFUSED = {
    "no-$schema": _set("$schema", _DELETE),
    "other-$schema": _set("$schema", "urn:worldloom:snapshot-manifest:1"),
    "format-version-3": _set("format_version", 3),
    "format-version-text": _set("format_version", "2"),
    "extra-field": _set("extra", 1),
    "bad-snapshot-id": _set("snapshot_id", "tick3-abc"),
    "world-id-with-slash": _set("world_id", "a/b"),
    "negative-seed": _set("seed", -1),
    "negative-tick": _set("tick", -1),
    "tick-as-text": _set("tick", "3"),
    "created-at-not-utc": _set("created_at", "2024-05-01T10:00:00+02:00"),
    "table-name-escape": lambda raw: raw["tables"].update({"../x": raw["tables"]["npcs"]}),
    "table-without-description": _set(f"{_TABLE}/description", _DELETE),
    "table-without-references": _set(f"{_TABLE}/references", _DELETE),
    "table-extra-field": _set(f"{_TABLE}/indexes", []),
    "file-outside-tables": _set(f"{_TABLE}/file", "../npcs.parquet"),
    "rows-negative": _set(f"{_TABLE}/rows", -1),
    "sha-upper-case": _set(f"{_TABLE}/sha256", "A" * 64),
    "empty-key": _set(f"{_TABLE}/primary_key", []),
    "key-twice": _set(f"{_TABLE}/primary_key", ["npc_id", "npc_id"]),
    "no-columns": _set(f"{_TABLE}/columns", []),
    "reference-without-target": _set(f"{_TABLE}/references/0/target", _DELETE),
    "reference-to-bad-table-name": _set(f"{_TABLE}/references/0/table", "Regions"),
    "column-without-unit": _set(f"{_COLUMN}/unit", _DELETE),
    "column-empty-unit": _set(f"{_COLUMN}/unit", ""),
    "column-nullable-as-text": _set(f"{_COLUMN}/nullable", "no"),
    "column-polars-type": _set(f"{_COLUMN}/type", "Float64"),
    "column-unknown-type": _set(f"{_COLUMN}/type", "decimal128(10, 2)"),
    "column-empty-name": _set(f"{_COLUMN}/name", ""),
    "column-extra-field": _set(f"{_COLUMN}/dtype", "Float64"),
    "file-missing": _set("files/map.png", _DELETE),
    "file-extra": _set("files/notes.txt", {"sha256": "0" * 64, "bytes": 1}),
    "file-size-negative": _set("files/map.png/bytes", -1),
}

ACCEPTED = {
    "as-written": lambda raw: None,
    "unit-null": _set(f"{_COLUMN}/unit", None),
    "no-references": _set(f"{_TABLE}/references", []),
    "nested-types": _set(f"{_COLUMN}/type", "list<struct<good: string, units: int32>>"),
    "timestamp": _set(f"{_COLUMN}/type", "timestamp[us, tz=UTC]"),
    "utc-as-offset": _set("created_at", "2024-05-01T10:00:00+00:00"),
    "unicode-name": _set("world_name", "Ærendal"),
    "no-tables": lambda raw: raw.update(tables={}),
}


@pytest.mark.parametrize("edit", REFUSED.values(), ids=REFUSED.keys())
def test_schema_and_reader_refuse_the_same_manifests(
    manifest: dict[str, Any], edit: Callable[[dict[str, Any]], None]
) -> None:
    raw = copy.deepcopy(manifest)
    edit(raw)

    assert not validator().is_valid(raw)
    with pytest.raises(ManifestError):
        parse_manifest(raw)


@pytest.mark.parametrize("edit", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_schema_and_reader_accept_the_same_manifests(
    manifest: dict[str, Any], edit: Callable[[dict[str, Any]], None]
) -> None:
    raw = copy.deepcopy(manifest)
    edit(raw)

    validator().validate(raw)
    parse_manifest(raw)


def test_reader_refuses_a_trailing_newline_that_python_jsonschema_lets_through(
    manifest: dict[str, Any],
) -> None:
    # JSON Schema patterns are ECMA-262, where `$` is the end of the text; Python's `re`, which
    # the jsonschema library uses, also matches `$` before a final newline. The reader follows
    # ECMA-262.
    raw = copy.deepcopy(manifest)
    raw["world_id"] = "w7-small\n"

    with pytest.raises(ManifestError, match="world_id"):
        parse_manifest(raw)
