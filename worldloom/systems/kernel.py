"""Compiled kernels: numba's `njit`, typed for mypy and cached on disk.

A kernel is for the per-agent, per-order steps of a tick, whose work is a few small branches
per order: as numpy passes they cost a full array pass per branch. Kernels follow numpy's
arithmetic exactly (no fast-math), so a kernel and the numpy it replaces agree to the bit.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt

F = TypeVar("F", bound=Callable[..., object])


def kernel(function: F) -> F:
    """Compile `function` on its first call; the machine code is cached beside this package
    (or in `NUMBA_CACHE_DIR`), so later processes load it instead of compiling again.

    Kernels are called from Python only; what they share is a `kernel_helper`."""
    compiled = numba.njit(cache=True, nogil=True)(function)

    @functools.wraps(function)
    def call(*args: Any) -> Any:
        return _with_numpy_dtypes(compiled(*args))

    return cast(F, call)


def kernel_helper(function: F) -> F:
    """Compile `function` for calls from kernels (inlined there); it takes and returns
    numbers and arrays only, and is not for calls from Python."""
    return cast(F, numba.njit(cache=True, inline="always")(function))


def load_compiler() -> None:
    """Load numba's compiler and typing context now. A process's first kernel call pays for
    it (~0.2 s CPU measured, most of a generated world's economy stage), every later one
    only for its own cached code (~3 ms); a process that forks command children (the warm
    command host) calls this once before forking, and the children inherit it."""
    _size(np.zeros(1))


def _with_numpy_dtypes(result: Any) -> Any:
    """Numba's arrays carry dtype objects of their own, equal to numpy's but not numpy's, and
    numpy then takes its slow generic paths: `np.maximum.at` was measured 18x slower on them.
    A view with numpy's own dtype costs nothing. (Exact type tests and a list: a kernel call
    a day returns ~60 arrays, and this wrapper was a tenth of an economy day.)"""
    kind = type(result)
    if kind is np.ndarray:
        return result.view(result.dtype.type)
    if kind is tuple:
        return tuple([_with_numpy_dtypes(item) for item in result])
    return result


@kernel
def _size(values: npt.NDArray[np.float64]) -> int:
    return values.size
