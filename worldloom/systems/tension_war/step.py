"""One step of tension and war: the composer the simulation calls once a period, and the
diplomacy table as it stands after it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from worldloom.systems.rng import Seeds
from worldloom.systems.tension_war.campaign import wage
from worldloom.systems.tension_war.inputs import FloatArray, WarInputs
from worldloom.systems.tension_war.peace import exhaust, make_peace, pay_tributes
from worldloom.systems.tension_war.record import NONE, Incident, WarRecord
from worldloom.systems.tension_war.state import WarState
from worldloom.systems.tension_war.table import WarTable
from worldloom.systems.tension_war.tension import (
    apply_incidents,
    drift_tension,
    random_incidents,
    record_rises,
    shared_borders,
)
from worldloom.systems.tension_war.treaty import declare_wars, make_alliances
from worldloom.systems.tension_war.turn import Turn

MAX_DAYS = 366
"""The longest step (a month is the intended one: marches and sieges are counted in days)."""
_BANDS = ("ally", "friendly", "neutral", "suspicious", "rival")


def advance_war(
    state: WarState,
    *,
    tick: int,
    days: int,
    inputs: WarInputs,
    table: WarTable,
    seeds: Seeds,
    incidents: Sequence[Incident] = (),
) -> tuple[WarState, tuple[WarRecord, ...]]:
    """Advance tension and war over days `tick` .. `tick + days - 1`.

    In order: tensions drift; the caller's incidents and border clashes strain them; crossings
    of the tension bands are recorded; alliances and pacts are made or renounced; wars are
    declared (allies called, armies raised); each war's campaign moves (march, battle, siege,
    occupation); exhaustion grows, and worn-out wars end in peace; tributes are paid. Every
    draw is keyed by the step's first tick and the entities it is for, so a run split into
    segments (with the state stored between them) equals one run.

    Args:
        state: from `start_war_state`, or the previous step.
        tick: the first day of the step.
        days: its length (1 .. MAX_DAYS; a calendar month is the intended step).
        inputs: the world (the same ids as the state's).
        table: the war seed table.
        seeds: the world's seed tree.
        incidents: what strained relations during the step (chaos raids...), ticks within it.

    Returns:
        The new state and the step's records, in tick order with ids counting on.

    Raises:
        ValueError: a negative tick, a step out of range, inputs for other entities than the
            state's, an incident outside the step or naming an unknown region or faction.
    """
    if tick < 0:
        raise ValueError(f"advance_war: tick must be non-negative, got {tick}")
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"advance_war: days must be 1-{MAX_DAYS}, got {days}")
    for name in ("faction_ids", "region_ids", "settlement_ids"):
        if not np.array_equal(getattr(state, name), getattr(inputs, name)):
            raise ValueError(f"advance_war: the state and the inputs have different {name}")
    _check_incidents(incidents, inputs, tick=tick, days=days)
    turn = Turn(state, tick=tick, days=days, inputs=inputs, table=table, seeds=seeds)
    border = shared_borders(inputs, region_owner=turn.region_owner, faction_ids=turn.ids)
    drift_tension(turn, border)
    apply_incidents(turn, incidents, border)
    random_incidents(turn, border)
    record_rises(turn, border)
    make_alliances(turn, border)
    declare_wars(turn, border)
    population = _population(turn)
    for war_id in sorted(turn.wars):
        wage(turn, war_id)
    exhaust(turn, population)
    make_peace(turn)
    pay_tributes(turn)
    return turn.finish()


def _check_incidents(
    incidents: Sequence[Incident], inputs: WarInputs, *, tick: int, days: int
) -> None:
    for incident in incidents:
        if not tick <= incident.tick < tick + days:
            raise ValueError(
                f"advance_war: incident {incident.incident_id} at tick {incident.tick} lies "
                f"outside the step {tick}..{tick + days - 1}"
            )
        if incident.region_id not in inputs.region_ids:
            raise ValueError(
                f"advance_war: incident {incident.incident_id} names unknown "
                f"region {incident.region_id}"
            )
        blamed = incident.blamed_faction_id
        if blamed != NONE and blamed not in inputs.faction_ids:
            raise ValueError(
                f"advance_war: incident {incident.incident_id} blames unknown faction {blamed}"
            )
        if not 0 <= incident.severity <= 10:
            raise ValueError(
                f"advance_war: incident {incident.incident_id} severity must lie in 0-10"
            )


def _population(turn: Turn) -> FloatArray:
    owners = turn.settlement_owner
    held = owners != NONE
    people = np.zeros(turn.ids.size)
    np.add.at(
        people, np.searchsorted(turn.ids, owners[held]), turn.inputs.settlement_population[held]
    )
    return people


def diplomacy_pairs(state: WarState, *, inputs: WarInputs, table: WarTable) -> pl.DataFrame:
    """The diplomacy table as it stands (the shape of `faction.Diplomacy.pairs`): a_id < b_id,
    status (at_war, vassal/suzerain, ally, else by tension band), tension (Int16),
    shared_border."""
    n = state.faction_ids.size
    a, b = np.triu_indices(n, 1)
    tension = state.tension[a, b]
    status = np.full(a.size, "enemy", dtype=object)
    for bound, name in reversed(tuple(zip(table.bands, _BANDS, strict=True))):
        status[tension < bound] = name
    status[state.allied[a, b]] = "ally"
    ids = state.faction_ids
    status[state.suzerain[a] == ids[b]] = "vassal"
    status[state.suzerain[b] == ids[a]] = "suzerain"
    status[state.at_war()[a, b]] = "at_war"
    border = shared_borders(inputs, region_owner=state.region_owner, faction_ids=ids)
    return pl.DataFrame(
        {
            "a_id": pl.Series(ids[a], dtype=pl.Int32),
            "b_id": pl.Series(ids[b], dtype=pl.Int32),
            "status": pl.Series(status.tolist(), dtype=pl.String),
            "tension": pl.Series(np.round(tension), dtype=pl.Int16),
            "shared_border": border[a, b],
        }
    )
