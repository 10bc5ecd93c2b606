"""Tension's monthly drift: the compiled pair-by-pair step equals, to the bit, the arithmetic
over whole [faction, faction] layers and keyed draws that it replaced, in peace, war, vassalage
and alliance."""

from __future__ import annotations

import numpy as np
import pytest

from tests.systems.tension_war.test_war import INPUTS, START, century, months, run
from tests.wars import TABLE
from worldloom.systems.rng import Seeds
from worldloom.systems.tension_war.record import NONE
from worldloom.systems.tension_war.state import WarState
from worldloom.systems.tension_war.tension import (
    _draws,
    drift_tension,
    pressures,
    shared_borders,
)
from worldloom.systems.tension_war.turn import Turn


def layered_drift(turn: Turn, border: np.ndarray) -> None:
    """The drift as numpy did it over whole layers (the reference)."""
    weights, war = turn.table.tension, turn.table.war
    half_life = weights["memory_half_life_years"] * 365.0
    turn.memory *= 0.5 ** (turn.days / half_life) if half_life > 0 else 0.0
    push = pressures(turn, border).sum(axis=0)
    equilibrium = weights["baseline"] + np.where(border, push, 0.5 * push)
    bound = np.zeros_like(turn.allied)
    vassals = np.flatnonzero(turn.suzerain != NONE)
    lords = np.searchsorted(turn.ids, turn.suzerain[vassals])
    bound[vassals, lords] = bound[lords, vassals] = True
    friends = turn.allied | bound
    equilibrium = np.where(friends, np.minimum(equilibrium, war["ally_tension"]), equilibrium)
    closed = 1.0 - np.exp(-weights["reversion_per_year"] * turn.days / 365.0)
    a, b = np.triu_indices(turn.ids.size, 1)
    u, v = _draws(turn, a, b, purposes=2, system="war.tension.drift")
    normal = np.sqrt(-2.0 * np.log1p(-u)) * np.cos(2.0 * np.pi * v)
    noise = weights["noise_per_month"] * np.sqrt(turn.days / 30.0) * normal
    step = (equilibrium[a, b] - turn.tension[a, b]) * closed + noise
    values = np.clip(turn.tension[a, b] + step, 0.0, 100.0)
    fighting = turn.war_of >= 0
    at_war = fighting[a] & (turn.war_of[a] == turn.war_of[b]) & (turn.side[a] != turn.side[b])
    values = np.where(at_war, np.maximum(values, war["threshold"]), values)
    turn.tension[a, b] = turn.tension[b, a] = values


def turns(state: WarState, *, tick: int, seed: int) -> tuple[Turn, Turn]:
    """Two equal turns of `state`, with a war (factions 0 and 1 on opposite sides, 2 on 0's
    side), a vassal (4 of 3), an alliance (5 and 6) and tensions across the whole range."""
    made = []
    for _ in range(2):
        turn = Turn(state, tick=tick, days=31, inputs=INPUTS, table=TABLE, seeds=Seeds(seed))
        turn.war_of[:3], turn.side[:3] = 7, [0, 1, 0]
        turn.suzerain[4] = turn.ids[3]
        turn.allied[5, 6] = turn.allied[6, 5] = True
        turn.tension[:] = np.random.default_rng(seed).uniform(-5.0, 105.0, turn.tension.shape)
        made.append(turn)
    return made[0], made[1]


@pytest.mark.parametrize("when", ["start", "twenty years", "a century"])
@pytest.mark.parametrize("seed", [1, 2])
def test_the_compiled_drift_equals_the_layered_arithmetic(when: str, seed: int) -> None:
    state = {
        "start": lambda: START,
        "twenty years": lambda: run(START, months(0, 240))[0],
        "a century": lambda: century()[0],
    }[when]()
    compiled, layered = turns(state, tick=400 * seed, seed=seed)
    border = shared_borders(INPUTS, region_owner=compiled.region_owner, faction_ids=compiled.ids)
    drift_tension(compiled, border)
    layered_drift(layered, border)
    assert compiled.tension.tobytes() == layered.tension.tobytes()
    assert compiled.memory.tobytes() == layered.memory.tobytes()
    at_war = np.array([[0, 1], [1, 2]])
    assert (compiled.tension[at_war[:, 0], at_war[:, 1]] >= TABLE.war["threshold"]).all()
    pairs = compiled.tension[np.triu_indices(compiled.ids.size, 1)]
    assert pairs.min() >= 0.0
    assert pairs.max() <= 100.0
    assert np.array_equal(compiled.tension, compiled.tension.T)
