"""A session fixture's folder made once per run: one maker however many ask at once, a failed
maker retried afresh, and the run's root with and without pytest-xdist."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.made_once import DONE, made_once, run_root


@dataclass(frozen=True)
class Factory:
    """What `made_once` asks of pytest's TempPathFactory."""

    base: Path

    def getbasetemp(self) -> Path:
        return self.base


def factory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> pytest.TempPathFactory:
    """A worker's temp base inside `tmp_path`, as xdist lays it out."""
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    base = tmp_path / "popen-gw1"
    base.mkdir()
    return Factory(base)  # type: ignore[return-value]


def test_the_run_root_is_shared_by_xdist_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_root(factory(tmp_path, monkeypatch)) == tmp_path
    monkeypatch.delenv("PYTEST_XDIST_WORKER")
    assert run_root(Factory(tmp_path)) == tmp_path  # type: ignore[arg-type]


def test_many_askers_at_once_get_one_making(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[Path] = []

    def make(folder: Path) -> str:
        made.append(folder)
        time.sleep(0.2)  # long enough for the other askers to be waiting on the lock
        (folder / "world").write_text("w")
        return f"made in {folder.name}"

    tmp = factory(tmp_path, monkeypatch)
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: made_once(tmp, "world", make), range(4)))
    assert made == [tmp_path / "world"]
    assert answers == [(tmp_path / "world", "made in world")] * 4
    assert (tmp_path / "world" / "world").read_text() == "w"
    assert made_once(tmp, "other", lambda folder: "2") == (tmp_path / "other", "2")


def test_a_failed_making_is_started_afresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tmp = factory(tmp_path, monkeypatch)

    def broken(folder: Path) -> str:
        (folder / "half").write_text("half made")
        raise RuntimeError("generation failed")

    with pytest.raises(RuntimeError, match="generation failed"):
        made_once(tmp, "world", broken)
    assert not (tmp_path / "world" / DONE).exists()
    folder, answer = made_once(tmp, "world", lambda folder: "whole")
    assert answer == "whole"
    assert sorted(p.name for p in folder.iterdir()) == [DONE]  # nothing of the failed one
