"""Memory settings: applied before numpy loads, and what the user set wins."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = (
    "from worldloom.infrastructure.runtime import tune_memory\n"
    "tuned = tune_memory()\n"
    "import numpy, os\n"
    "from numpy._core.multiarray import _set_madvise_hugepage\n"
    "print(tuned, os.environ['NUMPY_MADVISE_HUGEPAGE'], _set_madvise_hugepage(False))\n"
)
"""Prints whether glibc was tuned, numpy's huge-page variable, and numpy's setting at import."""


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
    assert _probe() == ["True", "0", "False"]


def test_the_users_own_setting_wins() -> None:
    assert _probe(NUMPY_MADVISE_HUGEPAGE="1")[1:] == ["1", "True"]
