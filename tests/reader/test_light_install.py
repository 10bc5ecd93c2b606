"""`pip install worldloom` alone, in a fresh venv with nothing but pyarrow: the reader reads and
verifies a snapshot the pipeline wrote, and the `worldloom` command says what it lacks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.reader.samples import export, flip_byte

REPO = Path(__file__).parents[2]
LOCK = REPO / "requirements.lock"
ABSENT = ("polars", "prefect", "duckdb", "pydantic", "numpy", "numba", "typer", "fsspec")
"""Installed in the pipeline's environment, and not in the light one."""

SCRIPT = """
import json, sys
from pathlib import Path

from worldloom.reader import SnapshotCorruptError, manifest_schema, open_snapshot, verify_snapshot

good, tampered = sys.argv[1], sys.argv[2]
by_text, by_path = open_snapshot(good), open_snapshot(Path(good))
regions = by_text.table("regions")
try:
    open_snapshot(tampered)
    refused = None
except SnapshotCorruptError as error:
    refused = str(error)
try:
    by_text.polars("regions")
    polars = None
except ImportError as error:
    polars = str(error)
try:
    open_snapshot("s3://bucket/w7-small/tick000003-0123456789ab")
    store = None
except ImportError as error:
    store = str(error)
print(json.dumps({
    "same": by_text.manifest == by_path.manifest == verify_snapshot(good),
    "type": type(regions).__module__,
    "region_ids": regions.column("region_id").to_pylist(),
    "columns": [(c.name, c.type, c.unit) for c in by_text.manifest.tables["regions"].columns],
    "features": len(by_path.geojson()["features"]),
    "refused": refused,
    "polars": polars,
    "store": store,
    "schema_id": manifest_schema()["$id"],
    "loaded": sorted(name for name in json.loads(sys.argv[3]) if name in sys.modules),
}))
"""


def _run(command: Sequence[str | Path], **options: object) -> subprocess.CompletedProcess[str]:
    # Nothing of this environment (its path, its venv) may leak into the light one.
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    return subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
        **options,  # type: ignore[arg-type]
    )


def _checked(command: Sequence[str | Path]) -> subprocess.CompletedProcess[str]:
    result = _run(command)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def light_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv holding worldloom (as pip builds it from this tree) and pyarrow, nothing else."""
    root = tmp_path_factory.mktemp("light")
    # A copy of what the wheel is built from, so the build leaves nothing in the work tree.
    source = root / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(
        REPO / "worldloom", source / "worldloom", ignore=shutil.ignore_patterns("__pycache__")
    )
    venv = root / "venv"
    # This environment's pip installs into the new one: quicker than bootstrapping a pip there.
    _checked([sys.executable, "-m", "venv", "--without-pip", venv])
    pip = [sys.executable, "-m", "pip", "--python", _bin(venv, "python"), "install", "--quiet"]
    _checked([*pip, "-c", LOCK, "pyarrow"])
    _checked([*pip, "--no-deps", source])
    return venv


def _bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


def test_the_reader_reads_and_verifies_with_only_pyarrow(light_venv: Path, tmp_path: Path) -> None:
    good = export(tmp_path / "good")
    tampered = tmp_path / "tampered" / good.name
    shutil.copytree(good, tampered)
    flip_byte(tampered / "tables" / "npcs.parquet")
    python = _bin(light_venv, "python")

    # Run from a folder where `worldloom` does not resolve to this work tree.
    result = _run([python, "-c", SCRIPT, good, tampered, json.dumps(ABSENT)], cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["same"] is True
    assert report["type"].startswith("pyarrow")
    assert report["region_ids"] == [1, 2, 3, 4, 5]
    assert report["columns"][2] == ["area_km2", "float64", "km2"]
    assert report["features"] == 1
    assert report["refused"].endswith(
        "npcs.parquet: checksum does not match the manifest (tampered?)"
    )
    assert "pip install polars" in report["polars"]
    assert "pip install 'worldloom[s3]'" in report["store"]
    assert report["schema_id"] == "urn:worldloom:snapshot-manifest:2"
    assert report["loaded"] == []
    listing = [sys.executable, "-m", "pip", "--python", python, "list", "--format=json"]
    installed = {package["name"].lower() for package in json.loads(_checked(listing).stdout)}
    assert installed == {"worldloom", "pyarrow"}


def test_the_command_asks_for_the_pipeline(light_venv: Path, tmp_path: Path) -> None:
    command = _bin(light_venv, "worldloom")

    result = _run([command, "snapshot", "verify", tmp_path], cwd=tmp_path)

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "the worldloom command needs the pipeline: pip install 'worldloom[pipeline]'\n"
    )
