"""Worldloom: RPG world generation and simulation as Prefect flows.

Importing it first pins numpy's float math to the C library's on x86-64 (`NUMPY_AVX512`), so
a seed makes the same world on every machine, whatever its vector units.
"""

import importlib
import os
import platform
import sys
import warnings
from importlib.metadata import PackageNotFoundError, version

NUMPY_AVX512 = "X86_V4 AVX512_ICL AVX512_SPR"
"""numpy's AVX-512 dispatch targets (numpy 2.4's names), turned off for this process and the
processes it starts (numpy reads `NPY_DISABLE_CPU_FEATURES` as it loads; a user's own setting
wins). Their float64 exp, log, power and trigonometric kernels are not the C library's: exp
differed from it in the last bit for ~5 % of values, and a medium world made with them differed
from one made without (as on a machine without AVX-512) in four tables' floats (rivers'
discharge, lakes' surface, settlements' scores, religions' shares), enough to turn a ranking
or a threshold elsewhere. Without them numpy computes these as glibc does, like the numba
kernels; a medium world's generate and a small and a medium world's years measured as fast."""

if platform.machine().lower() in {"x86_64", "amd64"}:
    os.environ.setdefault("NPY_DISABLE_CPU_FEATURES", NUMPY_AVX512)
    if "numpy" in sys.modules:  # loaded before worldloom: too late to pin, say so
        umath = importlib.import_module("numpy._core._multiarray_umath")
        if any(umath.__cpu_features__.get(target) for target in NUMPY_AVX512.split()):
            warnings.warn(
                "numpy was imported before worldloom with its AVX-512 math on: this process's "
                "worlds may differ in their last bits from other machines'. Import worldloom "
                f"first, or set NPY_DISABLE_CPU_FEATURES='{NUMPY_AVX512}' before Python starts.",
                RuntimeWarning,
                stacklevel=2,
            )

try:
    __version__ = version("worldloom")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
