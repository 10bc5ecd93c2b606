"""Provenance: the code version tells apart builds that differ in commit, source or libraries."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import worldloom
from worldloom.infrastructure import provenance


def test_the_code_version_names_package_commit_source_and_lock() -> None:
    version = provenance.code_version()
    base = worldloom.__version__.split("+")[0]
    assert re.fullmatch(
        re.escape(base) + r"\+(git\.[0-9a-f]{12}\.)?src\.[0-9a-f]{8}\.lock\.[0-9a-f]{8}", version
    )
    # A checkout records its commit.
    head = subprocess.run(
        ["git", "-C", str(Path(worldloom.__file__).parents[1]), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    if head.returncode == 0:
        assert f"git.{head.stdout.strip()[:12]}." in version


def test_any_edit_to_the_source_changes_its_digest(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "data").mkdir(parents=True)
    (package / "rules.py").write_text("X = 1\n")
    (package / "data" / "goods.toml").write_text("[grain]\n")
    (package / "notes.md").write_text("not source")
    before = provenance.source_digest(package)
    (package / "notes.md").write_text("still not source")
    assert provenance.source_digest(package) == before
    (package / "data" / "goods.toml").write_text("[grain]\nvalue = 2\n")
    assert provenance.source_digest(package) != before


def test_without_git_or_lock_the_environment_still_counts(tmp_path: Path) -> None:
    assert provenance._git_commit(tmp_path) is None
    (tmp_path / ".git").mkdir()  # not a repository: git fails, and the commit is unknown
    assert provenance._git_commit(tmp_path) is None
    installed = provenance._lock_digest(tmp_path / "requirements.lock")
    (tmp_path / "requirements.lock").write_text("numpy==2.0.0\n")
    locked = provenance._lock_digest(tmp_path / "requirements.lock")
    assert re.fullmatch(r"[0-9a-f]{64}", installed)
    assert locked != installed
