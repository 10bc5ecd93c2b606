"""Compiled kernels hand back arrays numpy treats as its own."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from worldloom.systems.kernel import kernel, load_compiler


@kernel
def _halves_and_count(values: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.float64], int]:
    halves = np.empty(values.size)
    for i in range(values.size):
        halves[i] = values[i] / 2
    return halves, values.size


@kernel
def _copy(values: npt.NDArray[np.int32]) -> npt.NDArray[np.int32]:
    return values.copy()


def test_arrays_carry_numpys_own_dtypes_and_other_results_pass_through() -> None:
    halves, count = _halves_and_count(np.arange(5, dtype=np.int64))
    assert halves.tolist() == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert count == 5
    # Numba's own dtype objects send numpy down its slow generic paths (ufunc.at).
    assert halves.dtype is np.dtype(np.float64)
    assert _copy(np.arange(3, dtype=np.int32)).dtype is np.dtype(np.int32)


def test_a_kernel_keeps_its_python_name_and_docs() -> None:
    assert _copy.__name__ == "_copy"
    assert _copy.__wrapped__(np.arange(3, dtype=np.int32)).tolist() == [0, 1, 2]  # type: ignore[attr-defined]


def test_the_compiler_loads_ahead_and_kernels_run_after() -> None:
    load_compiler()
    assert _copy(np.arange(2, dtype=np.int32)).tolist() == [0, 1]
