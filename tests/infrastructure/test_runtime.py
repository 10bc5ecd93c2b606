"""Memory settings: applied before numpy loads, and what the user set wins; the cycle collector
runs less often."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from worldloom.infrastructure.runtime import COLLECTOR_THRESHOLDS

PROBE = (
    "from worldloom.infrastructure.runtime import tune_memory\n"
    "tuned = tune_memory()\n"
    "import gc, numpy, os\n"
    "from numpy._core.multiarray import _set_madvise_hugepage\n"
    "print(tuned, os.environ['NUMPY_MADVISE_HUGEPAGE'], _set_madvise_hugepage(False),\n"
    "      *gc.get_threshold())\n"
)
"""Prints whether glibc was tuned, numpy's huge-page variable, numpy's setting at import, and
the collector's thresholds."""


def _probe(**env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        check=False,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_tunes_glibc_and_turns_numpys_huge_page_advice_off() -> None:
    assert _probe()[:3] == ["True", "0", "False"]


def test_the_users_own_setting_wins() -> None:
    assert _probe(NUMPY_MADVISE_HUGEPAGE="1")[1:3] == ["1", "True"]


def test_the_cycle_collector_runs_less_often() -> None:
    assert [int(n) for n in _probe()[3:]] == list(COLLECTOR_THRESHOLDS)
