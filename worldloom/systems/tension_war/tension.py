"""Tension: every pair drifts towards what divides it (borders, culture, faith, trade, old wars),
with a keyed random walk; incidents — the caller's and the border's own clashes — push it up,
and crossing a band upwards is news."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix

from worldloom.systems.draw import fold, keyed_uniform, stream_key, unit
from worldloom.systems.kernel import kernel
from worldloom.systems.tension_war.inputs import BoolArray, FloatArray, IntArray, WarInputs
from worldloom.systems.tension_war.record import NONE, BorderIncident, Incident, TensionRose
from worldloom.systems.tension_war.turn import Turn

ROSE_HYSTERESIS = 15.0
"""A pair must fall this far below a band before crossing it again is news."""
CASUS_BELLI = ("border_dispute", "conquest", "holy_war", "trade_rivalry", "revenge")
"""What divided a pair most, in the order of `pressures`' layers; "border_incident" when a
clash came within the year before."""


def shared_borders(
    inputs: WarInputs, *, region_owner: IntArray, faction_ids: IntArray
) -> BoolArray:
    """[faction, faction]: lands (a state's regions; any other faction's seat region) that
    touch or overlap over region adjacency."""
    key = region_owner.tobytes()
    cached = inputs.border_cache.get(key)
    if cached is not None:
        return cached.copy()
    n, regions = faction_ids.size, inputs.region_ids.size
    held = region_owner != NONE
    seated = ~inputs.faction_is_state & (inputs.faction_seat_region != NONE)
    rows = np.concatenate(
        [np.searchsorted(faction_ids, region_owner[held]), np.flatnonzero(seated)]
    )
    columns = np.concatenate(
        [
            np.flatnonzero(held),
            np.searchsorted(inputs.region_ids, inputs.faction_seat_region[seated]),
        ]
    )
    # Sparse products: dense ones cost BLAS threads far more than these few hundred cells.
    land = csr_matrix((np.ones(rows.size), (rows, columns)), shape=(n, regions))
    touching: BoolArray = (land @ inputs.region_graph @ land.T).toarray() > 0
    np.fill_diagonal(touching, False)
    inputs.border_cache.clear()  # borders move seldom: the latest map is the one asked again
    inputs.border_cache[key] = touching.copy()
    return touching


def pressures(turn: Turn, border: BoolArray) -> FloatArray:
    """[layer, faction, faction]: what pushes each pair's equilibrium up, by `CASUS_BELLI`."""
    inputs, weights = turn.inputs, turn.table.tension
    culture = inputs.faction_culture
    faith = inputs.faction_religion
    known = (faith[:, None] >= 0) & (faith[None, :] >= 0)
    hostility = inputs.religion_hostility[np.maximum(faith, 0)][:, np.maximum(faith, 0)]
    return np.stack(
        [
            weights["border"] * border,
            weights["culture"] * ((culture[:, None] != culture[None, :]) & (culture[:, None] >= 0)),
            weights["religion"] * np.where(known, hostility, 0.0),
            weights["trade"] * inputs.trade_competition,
            weights["memory"] * turn.memory,
        ]
    )


def drift_tension(turn: Turn, border: BoolArray) -> None:
    """Move every pair towards its equilibrium (what divides it, `pressures`; allies, vassals
    and their suzerains no higher than `ally_tension`) and let it wander (a normal step keyed
    by the pair and the tick); fade old wars' memory. Pairs at war stay at the war threshold
    at least."""
    weights, war, inputs = turn.table.tension, turn.table.war, turn.inputs
    half_life = weights["memory_half_life_years"] * 365.0
    turn.memory *= 0.5 ** (turn.days / half_life) if half_life > 0 else 0.0
    lords = np.full(turn.ids.size, -1, dtype=np.int64)
    vassals = np.flatnonzero(turn.suzerain != NONE)
    lords[vassals] = np.searchsorted(turn.ids, turn.suzerain[vassals])
    _drift(
        turn.tension,
        border,
        np.array([weights[name] for name in _LAYERS], dtype=np.float64),
        np.asarray(inputs.faction_culture, dtype=np.int64),
        np.asarray(inputs.faction_religion, dtype=np.int64),
        np.asarray(inputs.religion_hostility, dtype=np.float64),
        np.asarray(inputs.trade_competition, dtype=np.float64),
        turn.memory,
        turn.allied,
        lords,
        np.asarray(turn.war_of, dtype=np.int64),
        np.asarray(turn.side, dtype=np.int64),
        np.array(
            [
                weights["baseline"],
                war["ally_tension"],
                1.0 - np.exp(-weights["reversion_per_year"] * turn.days / 365.0),
                war["threshold"],
                weights["noise_per_month"] * np.sqrt(turn.days / 30.0),
            ]
        ),
        np.asarray(turn.ids, dtype=np.int64).view(np.uint64),
        np.uint64(turn.tick),
        stream_key(turn.seeds, "war.tension.drift"),
    )


_LAYERS = ("border", "culture", "religion", "trade", "memory")
"""`pressures`' layers in their order, which `_drift` adds them in."""


@kernel
def _drift(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    tension: FloatArray,
    border: BoolArray,
    layer: FloatArray,
    culture: IntArray,
    faith: IntArray,
    hostility: FloatArray,
    trade: FloatArray,
    memory: FloatArray,
    allied: BoolArray,
    lords: IntArray,
    war_of: IntArray,
    side: IntArray,
    constants: FloatArray,
    ids: npt.NDArray[np.uint64],
    tick: np.uint64,
    stream: np.uint64,
) -> None:
    """`drift_tension`'s step of every pair (a < b), in place: the arithmetic numpy did over
    `pressures`' five [faction, faction] layers (added in their order), pair by pair, and the
    pair's normal step by Box-Muller from its two keyed draws (the pair's ids, the tick and
    0 or 1, as `keyed_uniform` folds them). `lords[f]` is f's suzerain's index, -1 for none."""
    baseline, ally_tension, closed, threshold, noise = constants
    n = tension.shape[0]
    for i in range(n):
        for j in range(i + 1, n):
            known = faith[i] >= 0 and faith[j] >= 0
            religion = hostility[max(faith[i], 0), max(faith[j], 0)] if known else 0.0
            apart = culture[i] != culture[j] and culture[i] >= 0
            push = layer[0] * (1.0 if border[i, j] else 0.0)
            push += layer[1] * (1.0 if apart else 0.0)
            push += layer[2] * religion
            push += layer[3] * trade[i, j]
            push += layer[4] * memory[i, j]
            equilibrium = baseline + (push if border[i, j] else 0.5 * push)
            if allied[i, j] or lords[i] == j or lords[j] == i:
                equilibrium = min(equilibrium, ally_tension)
            pair = fold(fold(fold(stream, ids[i]), ids[j]), tick)
            u, v = unit(fold(pair, np.uint64(0))), unit(fold(pair, np.uint64(1)))
            normal = math.sqrt(-2.0 * math.log1p(-u)) * math.cos(2.0 * math.pi * v)
            value = tension[i, j] + ((equilibrium - tension[i, j]) * closed + noise * normal)
            value = min(max(value, 0.0), 100.0)
            if war_of[i] >= 0 and war_of[i] == war_of[j] and side[i] != side[j]:
                value = max(value, threshold)
            tension[i, j] = tension[j, i] = value


def _draws(turn: Turn, a: IntArray, b: IntArray, *, purposes: int, system: str) -> FloatArray:
    """[purpose, pair]: uniform draws keyed by the pair's ids, the step's tick and the purpose."""
    count = a.size
    draws: FloatArray = keyed_uniform(
        np.tile(turn.ids[a], purposes),
        np.tile(turn.ids[b], purposes),
        np.full(count * purposes, turn.tick, dtype=np.int64),
        np.repeat(np.arange(purposes, dtype=np.int64), count),
        seeds=turn.seeds,
        system=system,
    ).reshape(purposes, count)
    return draws


def apply_incidents(turn: Turn, incidents: Sequence[Incident], border: BoolArray) -> None:
    """The caller's incidents: the region's holder blames the faction named, or (with chance
    `incident_blame`) its most hated neighbour; their tension rises by the severity, and a
    border incident is recorded. Unblamed incidents strain nothing."""
    inputs = turn.inputs
    weight = turn.table.tension["incident"]
    ordered = sorted(incidents, key=lambda i: (i.tick, i.incident_id))
    blame = keyed_uniform(
        np.array([i.incident_id for i in ordered], dtype=np.int64),
        np.array([i.tick for i in ordered], dtype=np.int64),
        seeds=turn.seeds,
        system="war.incident.blame_neighbour",
    )
    for incident, luck in zip(ordered, blame.tolist(), strict=True):
        region = int(np.searchsorted(inputs.region_ids, incident.region_id))
        victim = int(turn.region_owner[region])
        if victim == NONE:
            continue
        v = turn.row(victim)
        if incident.blamed_faction_id != NONE:
            blamed = turn.row(incident.blamed_faction_id)
        elif luck >= turn.table.tension["incident_blame"]:
            continue
        else:
            near = inputs.region_graph[region].indices
            neighbours = np.unique(turn.region_owner[near])
            neighbours = neighbours[(neighbours != NONE) & (neighbours != victim)]
            if not neighbours.size:
                continue
            rows = np.searchsorted(turn.ids, neighbours)
            blamed = int(rows[np.argmax(turn.tension[v, rows])])
        if blamed == v:
            continue
        added = weight * incident.severity
        _clash(turn, v, blamed, added, tick=incident.tick, incident=incident.incident_id)


def random_incidents(turn: Turn, border: BoolArray) -> None:
    """Clashes between tense neighbours (at least one a state), more often the tenser."""
    weights = turn.table.tension
    a, b = np.nonzero(np.triu(border, 1))
    states = turn.inputs.faction_is_state
    keep = states[a] | states[b]
    a, b = a[keep], b[keep]
    strain = np.clip((turn.tension[a, b] - 50.0) / 50.0, 0.0, 1.0) ** 2
    chance = 1.0 - np.exp(-weights["border_incident_per_year"] * strain * turn.days / 365.0)
    luck, day, blame = _draws(turn, a, b, purposes=3, system="war.incident")
    struck = luck < chance
    order = np.flatnonzero(struck)
    for i in order[np.argsort(day[order], kind="stable")].tolist():
        when = turn.tick + int(day[i] * turn.days)
        victim, blamed = (int(a[i]), int(b[i])) if blame[i] < 0.5 else (int(b[i]), int(a[i]))
        _clash(turn, victim, blamed, weights["border_incident_tension"], tick=when, incident=NONE)


def _clash(turn: Turn, victim: int, blamed: int, added: float, *, tick: int, incident: int) -> None:
    turn.tension[victim, blamed] = turn.tension[blamed, victim] = min(
        100.0, turn.tension[victim, blamed] + added
    )
    record = turn.emit(
        "border_incident",
        tick=tick,
        importance=2 + int(added // 4),
        faction=int(turn.ids[blamed]),
        other=int(turn.ids[victim]),
        causes=(int(turn.incident_record[victim, blamed]),)
        if turn.incident_tick[victim, blamed] >= tick - 365
        else (),
        incidents=() if incident == NONE else (incident,),
        payload=BorderIncident(added, incident),
    )
    turn.incident_record[victim, blamed] = turn.incident_record[blamed, victim] = record
    turn.incident_tick[victim, blamed] = turn.incident_tick[blamed, victim] = turn.tick_of(record)


def record_rises(turn: Turn, border: BoolArray) -> None:
    """A tension_rose record for each pair of neighbouring states whose tension reached a band
    it had not reached since it last fell `ROSE_HYSTERESIS` below it."""
    states = turn.inputs.faction_is_state
    a, b = np.triu_indices(turn.ids.size, 1)
    keep = states[a] & states[b] & border[a, b]
    a, b = a[keep], b[keep]
    bands = np.asarray(turn.table.rose_bands)
    tension = turn.tension[a, b]
    level = turn.bands_risen[a, b]
    reached = np.searchsorted(bands, tension, side="right")
    kept = np.searchsorted(bands, tension + ROSE_HYSTERESIS, side="right")
    new_level = np.maximum(reached, np.minimum(level, kept))
    for i in np.flatnonzero(reached > level).tolist():
        x, y = int(a[i]), int(b[i])
        recent = turn.incident_tick[x, y] >= turn.tick - 365
        band = float(bands[reached[i] - 1])
        turn.emit(
            "tension_rose",
            tick=turn.tick + turn.days - 1,
            importance=3 if band < turn.table.war["threshold"] - 10 else 4,
            faction=int(turn.ids[x]),
            other=int(turn.ids[y]),
            causes=(int(turn.incident_record[x, y]),) if recent else (),
            payload=TensionRose(band, float(tension[i])),
        )
    turn.bands_risen[a, b] = turn.bands_risen[b, a] = new_level


def casus_belli(turn: Turn, border: BoolArray, a: int, b: int) -> str:
    """Why a declares war on b: a recent clash, else what divides them most."""
    if turn.incident_tick[a, b] >= turn.tick - 365:
        return "border_incident"
    layers = pressures(turn, border)[:, a, b]
    return CASUS_BELLI[int(np.argmax(layers))]
