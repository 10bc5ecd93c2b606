"""One economy tick: every step that draws has its own named stream, unmoved by the others."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

from tests.economies import markets, ring_links, village_rules
from worldloom.systems.economy import EconomyState, seed_economy, simulate_economy
from worldloom.systems.economy.context import TickContext
from worldloom.systems.economy.ledger import Ledger
from worldloom.systems.economy.slots import AgentSlots
from worldloom.systems.economy.tick import TickStreams, run_tick
from worldloom.systems.rng import Seeds

WEIGHTS = {"farmer": 4.0, "innkeeper": 2.0, "woodcutter": 1.0, "smith": 1.0, "guard": 1.0}
STEPS = tuple(field.name for field in fields(TickStreams))
SEEDS = Seeds(7)


class Recording(np.random.Generator):
    """A generator that keeps every block of uniforms it hands out."""

    def __init__(self, rng: np.random.Generator) -> None:
        super().__init__(rng.bit_generator)
        self.drawn: list[np.ndarray] = []

    def random(self, *args: object, **kwargs: object) -> np.ndarray:  # type: ignore[override]
        out = np.asarray(super().random(*args, **kwargs))  # type: ignore[call-overload]
        self.drawn.append(out)
        return out

    def all_drawn(self) -> np.ndarray:
        return np.concatenate([np.empty(0), *(block.ravel() for block in self.drawn)])


def _warm_village() -> EconomyState:
    """A village economy 20 ticks in: producers at work, food spoiling, books full."""
    rules, places, links = village_rules(), markets(3), ring_links(3)
    state = seed_economy(rules, places, links=links, seeds=SEEDS, profession_weights=WEIGHTS)
    return simulate_economy(state, rules, places, links, seeds=SEEDS, ticks=20).state


def _run_one_tick(state: EconomyState, streams: TickStreams) -> EconomyState:
    rules, places, links = village_rules(), markets(3), ring_links(3)
    work = state.copy()
    context = TickContext.build(rules, places, links)
    ledger = Ledger.empty(1, n_markets=places.ids.size, rules=rules)
    agent_slots = AgentSlots.of(context.slots, work.role)
    run_tick(
        work, context, ledger, agent_slots=agent_slots, step=0, tick=state.tick, streams=streams
    )
    return work


def test_tick_streams_are_named_by_step_and_tick() -> None:
    here, next_tick = TickStreams.of(SEEDS, tick=20), TickStreams.of(SEEDS, tick=21)
    firsts = set()
    for step in STEPS:
        drawn = getattr(here, step).random(4)
        assert np.array_equal(drawn, SEEDS.stream(f"economy.{step}", 20).random(4))
        assert not np.array_equal(drawn, getattr(next_tick, step).random(4))
        firsts.add(float(drawn[0]))
    assert len(firsts) == len(STEPS)


@pytest.mark.parametrize("changed", STEPS)
def test_a_step_drawing_otherwise_leaves_every_other_step_its_own_draws(changed: str) -> None:
    """Each step of a tick sees the first numbers of its own stream (`economy.<step>`, tick),
    whatever the other steps drew: here `changed` draws from a foreign stream instead (other
    numbers, so what it does and how much later steps draw may change), yet every other step
    still sees exactly its own numbers. With one stream shared by the whole tick, a step's
    draws began where the previous step's ended, so changing one step's draws shifted those
    of every step after it."""
    state = _warm_village()
    tick = state.tick
    recordings = {step: Recording(SEEDS.stream(f"economy.{step}", tick)) for step in STEPS}
    recordings[changed] = Recording(Seeds(8).stream("elsewhere", tick))
    _run_one_tick(state, TickStreams(**recordings))
    for step, recording in recordings.items():
        drawn = recording.all_drawn()
        assert drawn.size > 0, f"{step} drew nothing from its stream"
        own = SEEDS.stream(f"economy.{step}", tick).random(drawn.size)
        assert np.array_equal(drawn, own) == (step != changed), step
