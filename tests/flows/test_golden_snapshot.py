"""A golden tiny world through every stage: what a runtime reads is pinned, table by table.

The pin holds each exported table's columns and types, its row count and its checksum (and the
GeoJSON's and map's), so any change to generation or to the snapshot contract shows up as a
reviewed diff. If a change is intended, refresh it with
`.venv/bin/pytest tests/flows/test_golden_snapshot.py --snapshot-update` and read the diff.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from syrupy.assertion import SnapshotAssertion

from worldloom.flows.generate import generate_world
from worldloom.flows.params import GenerateWorldParams
from worldloom.infrastructure.snapshot import verify_snapshot
from worldloom.infrastructure.snapshot.reference import column_type
from worldloom.infrastructure.store import TABLES

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_server")]


@pytest.fixture(scope="module")
def golden_manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("golden")
    result = generate_world(GenerateWorldParams(seed=1, preset="tiny", home=str(home)))
    return verify_snapshot(Path(result.snapshot)).to_json()


def test_manifest_satisfies_the_pinned_schema(golden_manifest: dict[str, Any]) -> None:
    pinned = Path(__file__).parents[1] / "infrastructure" / "snapshot_manifest.schema.json"
    schema = json.loads(pinned.read_text(encoding="utf-8"))

    jsonschema.Draft202012Validator(schema).validate(golden_manifest)


def test_tables_and_their_columns_are_pinned(
    golden_manifest: dict[str, Any], snapshot: SnapshotAssertion
) -> None:
    shapes = {
        name: {
            "primary_key": entry["primary_key"],
            "columns": [f"{column['name']}: {column['type']}" for column in entry["columns"]],
        }
        for name, entry in sorted(golden_manifest["tables"].items())
    }
    assert shapes == snapshot


def test_table_contents_are_pinned(
    golden_manifest: dict[str, Any], snapshot: SnapshotAssertion
) -> None:
    contents = {
        name: f"{entry['rows']} rows, sha256 {entry['sha256']}"
        for name, entry in sorted(golden_manifest["tables"].items())
    }
    files = {name: entry["sha256"] for name, entry in sorted(golden_manifest["files"].items())}
    assert {"tables": contents, "files": files} == snapshot


def test_a_real_snapshot_says_what_the_reference_says(golden_manifest: dict[str, Any]) -> None:
    """SNAPSHOT.md is generated from the data dictionary; a written manifest must agree with
    it column by column: type, nullability, description and unit."""
    for name, entry in golden_manifest["tables"].items():
        table = TABLES[name]
        declared = {column.name: column for column in table.columns}
        assert [c["name"] for c in entry["columns"]] == list(declared), name
        for column in entry["columns"]:
            expected = declared[column["name"]]
            assert column["type"] == column_type(table, expected.name), (name, expected.name)
            assert column["nullable"] == expected.nullable, (name, expected.name)
            assert column["description"] == expected.description, (name, expected.name)
            assert column["unit"] == expected.unit, (name, expected.name)
        assert entry["description"] == table.description, name
