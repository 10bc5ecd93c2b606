"""numpy's float math is the C library's once worldloom is imported (its AVX-512 kernels off):
a seed makes the same world on a machine with AVX-512 and on one without."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import numpy as np
import pytest

from worldloom import NUMPY_AVX512

pytestmark = pytest.mark.skipif(
    platform.machine().lower() not in {"x86_64", "amd64"}, reason="numpy's x86-64 dispatch"
)

AGREES = (
    "import math, numpy as np\n"
    "x = np.random.default_rng(7).uniform(-8.0, 8.0, 200_000)\n"
    "y = np.abs(x) + 0.5\n"
    "pairs = [(np.exp(x), map(math.exp, x)), (np.log(y), map(math.log, y)),\n"
    "         (np.power(y, x / 4), (a ** (b / 4) for a, b in zip(y, x))),\n"
    "         (np.sin(x), map(math.sin, x))]\n"
    "print(sum(int((numpy_ != np.fromiter(libm, float)).sum()) for numpy_, libm in pairs))\n"
)
"""Prints how many of numpy's exp, log, power and sin values differ from the C library's."""


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k != "NPY_DISABLE_CPU_FEATURES"}
    return subprocess.run(
        [sys.executable, "-W", "always", "-c", code],
        check=True,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def test_after_worldloom_numpy_computes_floats_as_the_c_library_does() -> None:
    done = _run("import worldloom\n" + AGREES)
    assert done.stdout.split() == ["0"]
    assert done.stderr == ""


def test_the_processes_worldloom_starts_inherit_the_pin_and_so_does_this_one() -> None:
    assert os.environ["NPY_DISABLE_CPU_FEATURES"] == NUMPY_AVX512
    features = np._core._multiarray_umath.__cpu_features__  # type: ignore[attr-defined]
    assert not any(features.get(target) for target in NUMPY_AVX512.split())


@pytest.mark.skipif(
    not np._core._multiarray_umath.__cpu_features__.get("AVX512F"),  # type: ignore[attr-defined]
    reason="the machine has no AVX-512: numpy's math is the C library's anyway",
)
def test_numpy_imported_first_keeps_its_avx512_math_and_worldloom_says_so() -> None:
    """The case the pin is for: without it, numpy's values differ from the C library's."""
    done = _run("import numpy\nimport worldloom\n" + AGREES)
    assert int(done.stdout) > 0
    assert "numpy was imported before worldloom with its AVX-512 math on" in done.stderr
    assert "NPY_DISABLE_CPU_FEATURES" in done.stderr


def test_a_setting_of_the_user_s_own_wins() -> None:
    done = _run(
        "import worldloom, os\nprint(repr(os.environ['NPY_DISABLE_CPU_FEATURES']))",
        NPY_DISABLE_CPU_FEATURES="X86_V4",
    )
    assert done.stdout.strip() == "'X86_V4'"
