"""Process-wide memory settings for the array-heavy stages (the allocator) and the object-heavy
ones (the cycle collector); entry points apply them first."""

from __future__ import annotations

import ctypes
import gc
import os
import sys

_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -2, -3, -8
"""glibc's mallopt parameters (malloc.h)."""
_HEAP_BYTES = 1 << 30
"""Allocations below this come from the heap, and up to this much freed memory stays there."""
_TOP_PAD_BYTES = 1 << 28
"""Extra heap asked for at a time, so growing it is rare."""
POLARS_ALLOCATOR = "_RJEM_MALLOC_CONF"
"""The variable polars' own allocator (jemalloc, its symbols prefixed `_rjem_`) reads its
settings from as it loads (polars puts its own first, a user's after them: the later win)."""
POLARS_ALLOCATOR_SETTINGS = "dirty_decay_ms:20000,muzzy_decay_ms:20000"
"""Freed pages polars' allocator keeps for 20 s before handing them back (polars' own settings
hand them back after 0.5 and 1 s), so a stage's next frames reuse them instead of faulting in
fresh zeroed pages."""
COLLECTOR_THRESHOLDS = (100_000, 50, 100)
"""Python's cycle collector runs its young generation every this many allocations (its default
700), the older ones after this many younger runs (10 and 10)."""


def tune_memory(*, one_heap: bool = True) -> bool:
    """Reuse freed array memory instead of handing it back to the kernel.

    An economy tick allocates and frees hundreds of temporaries of a few megabytes. With
    glibc's defaults each is a fresh mapping whose pages the kernel zeroes on first touch (a
    profile of a 1,000-market run put ~15 % of its time in the kernel's clear_page), and
    numpy's huge-page advice makes every fresh one fault in 2 MB pages. Keeping them in the
    heap and dropping the advice made that run ~18 % faster (bench/economy.py). The cost: the
    process keeps its high-water memory until it exits, which suits a command that runs one
    world and ends.

    With `one_heap` its threads share one heap (glibc gives each thread that allocates
    alongside another an arena of its own, up to 8 per core, and each would keep its own
    high-water): a simulate run's economy, run in a thread beside the store's write, held
    ~0.5 GB more in an arena of its own (a small world) at the same speed; a medium world's
    generation took as long with one heap. Not for a server answering on many threads: with one
    heap the runtime API's reads p95 was 13.5-20 ms against 10-15 ms and its CPU 0.48-0.55
    against 0.40-0.51 cores (bench/api.py, 50 users, three and four runs).

    Polars' frames come from its own allocator, which polars sets to hand freed pages back to
    the kernel within a second (`POLARS_ALLOCATOR_SETTINGS` keeps them 20 s): a medium world's
    simulate, whose every year makes and drops frames of millions of rows, faulted a third to
    two fifths fewer pages and spent a quarter less time in the kernel; four years from year 100
    took ~9 % less time (eight runs each way: 18.5 against 20.3 s on average), eight years ~4 %,
    eight from year 10 ~7 % (most of it the first year's, whose reads are the biggest), for
    ~0.25 GB more at the peak (3.06 against 2.82 GB). A whole century (350.0 and 373.0 s against
    350.5 and 353.6 s), a small world's ten years and a medium world's generate showed no
    difference through this machine's noise. The setting is an environment variable, so the
    run's side process and Dask workers, started from this one, have it too.

    The cycle collector runs less often (`tune_collector`).

    Call it before numpy and polars are imported (they read their settings as they load);
    settings the user made in the environment win. Returns whether glibc's allocator was tuned
    (elsewhere only the numpy and polars settings and the collector's apply).
    """
    tune_collector()
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    os.environ.setdefault(POLARS_ALLOCATOR, POLARS_ALLOCATOR_SETTINGS)
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    tuned = True
    for parameter, value, variable in (
        (_M_MMAP_THRESHOLD, _HEAP_BYTES, "MALLOC_MMAP_THRESHOLD_"),
        (_M_TRIM_THRESHOLD, _HEAP_BYTES, "MALLOC_TRIM_THRESHOLD_"),
        (_M_TOP_PAD, _TOP_PAD_BYTES, "MALLOC_TOP_PAD_"),
        *([(_M_ARENA_MAX, 1, "MALLOC_ARENA_MAX")] if one_heap else []),
    ):
        if variable not in os.environ:
            tuned = bool(mallopt(ctypes.c_int(parameter), ctypes.c_int(value))) and tuned
    return tuned


def tune_collector() -> None:
    """Run Python's cycle collector less often (`COLLECTOR_THRESHOLDS`).

    A year of history makes millions of short-lived objects (events, candidate rows, rumors)
    while the world's frames and indexes hold millions more, and each collection walks them: a
    medium world's 60th year of simulate took ~11 % less time so (21.2 to 18.9 s for three
    years), for ~150 MB more at its peak. Nothing reclaimed only by the collector is lost; it
    comes later.
    """
    gc.set_threshold(*COLLECTOR_THRESHOLDS)
