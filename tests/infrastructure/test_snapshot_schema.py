"""The manifest's JSON Schema is the runtime contract: any change must show up as a diff here."""

from __future__ import annotations

import json
import os
from pathlib import Path

from worldloom.infrastructure.snapshot import FORMAT_VERSION, Manifest

SCHEMA_FILE = Path(__file__).with_name("snapshot_manifest.schema.json")
UPDATE_VARIABLE = "WORLDLOOM_UPDATE_SCHEMA"


def render_schema() -> str:
    return json.dumps(Manifest.model_json_schema(), indent=2, sort_keys=True) + "\n"


def test_manifest_schema_matches_the_checked_in_contract() -> None:
    current = render_schema()
    if os.environ.get(UPDATE_VARIABLE) == "1":
        SCHEMA_FILE.write_text(current, encoding="utf-8")
    checked_in = SCHEMA_FILE.read_text(encoding="utf-8")

    assert current == checked_in, (
        f"Manifest schema changed. If intended (and FORMAT_VERSION={FORMAT_VERSION} bumped for "
        f"breaking changes), regenerate with {UPDATE_VARIABLE}=1 pytest {__file__}"
    )


def test_checked_in_schema_requires_the_contract_fields() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))

    assert schema["additionalProperties"] is False
    assert set(schema["required"]) >= {
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
    table = schema["$defs"]["TableEntry"]
    assert set(table["required"]) >= {"file", "rows", "sha256", "columns", "primary_key"}
