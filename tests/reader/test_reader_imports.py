"""Importing the reader and reading a table with it pull in none of the pipeline's libraries."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.reader.samples import export

PIPELINE = (
    "polars",
    "prefect",
    "duckdb",
    "pydantic",
    "numba",
    "fsspec",
    "worldloom.infrastructure",
)
"""Modules the light reader must not import. numpy is not among them here: pyarrow imports it
whenever it is installed (it is, in this environment); test_light_install.py checks that the
reader runs without it."""

SCRIPT = """
import json, sys
from worldloom.reader import open_snapshot
loaded = sorted(name for name in json.loads(sys.argv[1]) if name in sys.modules)
snapshot = open_snapshot(sys.argv[2])
snapshot.table("regions"), snapshot.geojson()
read = sorted(name for name in json.loads(sys.argv[1]) if name in sys.modules)
print(json.dumps([loaded, read]))
"""


def test_reader_imports_none_of_the_pipeline(tmp_path: Path) -> None:
    path = export(tmp_path)

    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(PIPELINE), str(path)],
        capture_output=True,
        text=True,
        check=True,
    )

    assert json.loads(result.stdout) == [[], []]
