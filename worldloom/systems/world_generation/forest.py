"""Forests of parent pointers (wind paths, drainage trees): folds along chains, subtree sums."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from worldloom.systems.world_generation.model import FloatArray


def fold_to_root(
    parent: NDArray[np.int64], value: FloatArray, op: np.ufunc
) -> tuple[FloatArray, NDArray[np.int64]]:
    """Fold `value` with `op` along each cell's chain of parents, root included.

    Roots are their own parents. `op` must be idempotent on a root's value folded with itself
    (max) or the root's value must be its identity (0 for add), since a root meets itself.
    Pointer jumping: after round k every cell has folded 2^k links, so chains of length L take
    log2(L) vectorised rounds instead of L sequential steps.

    Args:
        parent: (n,) each cell's parent; roots point to themselves.
        value: (n,) the value of each cell.
        op: a binary ufunc such as `np.add` or `np.maximum`.

    Returns:
        The folded value per cell and the root each cell's chain ends at.
    """
    total = value.copy()
    pointer = parent
    while True:
        ahead = pointer[pointer]
        if np.array_equal(ahead, pointer):
            break
        total = op(total, total[pointer])
        pointer = ahead
    result: FloatArray = op(total, total[pointer])
    return result, pointer


def sum_subtrees(
    parent: NDArray[np.int64], value: FloatArray, order: NDArray[np.int64]
) -> FloatArray:
    """Sum `value` over every cell's subtree (itself and all cells upstream of it).

    Args:
        parent: (n,) each cell's parent, or -1 for a root.
        value: (n,) what each cell contributes.
        order: cells listed so that every parent comes before its children (a BFS order).

    Returns:
        (n,) subtree totals.
    """
    # A plain loop over Python lists (~10 ms per 100k cells): each cell's total depends on all
    # its children's, so numpy could only do this level by level, one call per level.
    total = value.tolist()
    parents = parent.tolist()
    for cell in reversed(order.tolist()):
        up = parents[cell]
        if up >= 0:
            total[up] += total[cell]
    return np.asarray(total, dtype=np.float64)
