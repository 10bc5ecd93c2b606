"""A year's population groups come out as rows named by their cohorts' codes."""

from __future__ import annotations

import numpy as np

from worldloom.systems.history import SEXES, Cohorts
from worldloom.tasks import catalog
from worldloom.tasks.history_rows import _groups_out


def test_population_groups_are_named_as_their_codes_say() -> None:
    # `_groups_out` gathers the names by code: the names one by one, as a plain lookup gives.
    rng = np.random.default_rng(4)
    bands, n = catalog.history_rules().bands, 50
    professions = ("farmer", "miner", "smith")
    codes = [rng.integers(0, k, n) for k in (len(bands), len(SEXES), len(professions))]
    cohorts = Cohorts(
        rng.integers(0, 9, n), codes[0], codes[1], rng.integers(0, 3, n),
        rng.integers(0, 4, n), codes[2], rng.integers(1, 99, n), professions,
    )  # fmt: skip
    rows = _groups_out(cohorts)
    assert rows["age_band"].to_list() == [bands[b] for b in codes[0]]
    assert rows["sex"].to_list() == [SEXES[s] for s in codes[1]]
    assert rows["profession"].to_list() == [professions[p] for p in codes[2]]
    assert rows["count"].to_list() == cohorts.count.tolist()
