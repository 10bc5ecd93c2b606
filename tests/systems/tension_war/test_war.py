"""Tension and war over synthetic centuries: the same history for the same seed however the run
is split, causes before effects, only existing entities, wars that end, battles that follow
strength, and incidents that lead to war."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from functools import cache

import numpy as np
import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.strategies import world_seeds
from tests.wars import TABLE, grid_world
from worldloom.systems.combat import Force
from worldloom.systems.rng import Seeds
from worldloom.systems.tension_war import (
    KINDS,
    ArmyRaised,
    Battle,
    BorderIncident,
    Incident,
    Peace,
    SettlementOccupied,
    SiegeBegun,
    SiegeEnded,
    Treaty,
    WarDeclared,
    WarInputs,
    WarRecord,
    WarState,
    advance_war,
    diplomacy_pairs,
    effective_strength,
    start_war_state,
)

LENGTHS = (30, 30, 31, 30, 31, 30, 31, 31, 30, 31, 30, 30)
INPUTS, DIPLOMACY, PROVINCES = grid_world(0)
START = start_war_state(INPUTS, diplomacy=DIPLOMACY, provinces=PROVINCES)


def months(first: int, count: int) -> list[tuple[int, int]]:
    ticks = np.cumsum([0] + [LENGTHS[m % 12] for m in range(first + count)])
    return [(int(ticks[m]), LENGTHS[m % 12]) for m in range(first, first + count)]


def run(
    state: WarState,
    periods: list[tuple[int, int]],
    *,
    inputs: WarInputs = INPUTS,
    seed: int = 3,
    incidents: dict[int, list[Incident]] | None = None,
) -> tuple[WarState, list[WarRecord]]:
    records: list[WarRecord] = []
    for tick, days in periods:
        state, step = advance_war(
            state,
            tick=tick,
            days=days,
            inputs=inputs,
            table=TABLE,
            seeds=Seeds(seed),
            incidents=(incidents or {}).get(tick, []),
        )
        records.extend(step)
    return state, records


@cache
def century() -> tuple[WarState, list[WarRecord]]:
    """A hundred years of months of the grid world (run once per test session)."""
    return run(START, months(0, 1200))


def test_the_same_seed_makes_the_same_history_and_another_seed_another() -> None:
    assert run(START, months(0, 120)) == run(START, months(0, 120))
    assert run(START, months(0, 120))[1] != run(START, months(0, 120), seed=4)[1]


@settings(max_examples=6, deadline=None)
@given(split=st.integers(min_value=1, max_value=119), seed=world_seeds)
@example(split=36, seed=41)  # two tributes owed, the later war's made first
def test_a_split_run_through_frames_equals_one_run(split: int, seed: int) -> None:
    whole_state, whole = run(START, months(0, 120), seed=seed)
    head_state, head = run(START, months(0, split), seed=seed)
    stored = WarState.from_frames(head_state.to_frames())
    assert stored == head_state
    tail_state, tail = run(stored, months(split, 120 - split), seed=seed)
    assert tail_state == whole_state
    assert head + tail == whole


def test_frames_round_trip_mid_war_in_any_row_order() -> None:
    _, records = century()
    ticks = [tick for tick, _ in months(0, 1200)]
    at_war = [r.tick for r in records if r.kind == "siege_begun"]
    assert at_war
    stop = int(np.searchsorted(ticks, at_war[0], side="right"))
    mid, _ = run(START, months(0, stop))
    assert mid.wars
    assert mid.levies.sum() > 0
    frames = {name: frame.reverse() for name, frame in mid.to_frames().items()}
    assert WarState.from_frames(frames) == mid
    assert mid != START
    assert START.__eq__(3) is NotImplemented


def test_records_count_on_in_tick_order_with_earlier_causes() -> None:
    _, records = century()
    assert [r.record_id for r in records] == list(range(len(records)))
    assert [r.tick for r in records] == sorted(r.tick for r in records)
    by_id = {r.record_id: r for r in records}
    for record in records:
        assert record.kind in KINDS
        assert 1 <= record.importance <= 10
        for cause in record.causes:
            assert cause < record.record_id
            assert by_id[cause].tick <= record.tick


def test_records_name_only_existing_entities() -> None:
    _, records = century()
    factions = set(INPUTS.faction_ids.tolist()) | {-1}
    settlements = set(INPUTS.settlement_ids.tolist())
    regions = set(INPUTS.region_ids.tolist())
    region_of = dict(
        zip(INPUTS.settlement_ids.tolist(), INPUTS.settlement_region.tolist(), strict=True)
    )
    leader = dict(zip(INPUTS.faction_ids.tolist(), INPUTS.faction_leader.tolist(), strict=True))
    for record in records:
        assert record.faction_id in factions
        assert record.other_faction_id in factions
        assert record.settlement_id == -1 or record.settlement_id in settlements
        assert record.region_id == -1 or record.region_id in regions
        if record.settlement_id != -1:
            assert region_of[record.settlement_id] == record.region_id
        assert record.npc_id == leader.get(record.faction_id, -1)
        payload = record.payload
        if isinstance(payload, Battle | ArmyRaised | Peace):
            people = [
                *getattr(payload, "deaths", ()),
                *getattr(payload, "levies", ()),
                *getattr(payload, "professionals", ()),
                *getattr(payload, "returned", ()),
            ]
            assert all(s in settlements and n > 0 for s, n in people)


def test_wars_are_declared_fought_and_end_in_peace() -> None:
    state, records = century()
    kinds = Counter(r.kind for r in records)
    assert 3 <= kinds["war_declared"] <= 40
    assert kinds["peace"] >= kinds["war_declared"] - len(state.wars)
    assert len(state.wars) <= 3
    assert kinds["battle"] > 0
    assert kinds["siege_begun"] > 0
    assert kinds["settlement_occupied"] > 0
    lengths = [r.payload.days for r in records if isinstance(r.payload, Peace)]
    assert np.median(lengths) < 5 * 365
    assert max(lengths) < 30 * 365
    declared = {r.payload.war_id for r in records if isinstance(r.payload, WarDeclared)}
    ended = {r.payload.war_id for r in records if isinstance(r.payload, Peace)}
    assert ended <= declared
    assert declared - ended == {w.war_id for w in state.wars}
    assert all(
        r.payload.casus_belli
        in ("border_dispute", "conquest", "holy_war", "trade_rivalry", "revenge", "border_incident")
        for r in records
        if isinstance(r.payload, WarDeclared)
    )


def test_only_states_at_war_fight_and_sieges_pair_up() -> None:
    _, records = century()
    states = set(INPUTS.faction_ids[INPUTS.faction_is_state].tolist())
    begun: dict[int, WarRecord] = {}
    for record in records:
        if record.kind in ("war_declared", "battle", "ally_called", "army_raised"):
            assert record.faction_id in states
        if isinstance(record.payload, SiegeBegun):
            begun[record.payload.siege_id] = record
        if isinstance(record.payload, SiegeEnded):
            opened = begun.pop(record.payload.siege_id)
            assert opened.settlement_id == record.settlement_id
            assert opened.tick <= record.tick


def test_occupation_moves_settlements_and_provinces_as_recorded() -> None:
    state, records = century()
    owner = dict(zip(START.settlement_ids.tolist(), START.settlement_owner.tolist(), strict=True))
    region_owner = dict(zip(START.region_ids.tolist(), START.region_owner.tolist(), strict=True))
    for record in records:
        if isinstance(record.payload, SettlementOccupied):
            assert owner[record.settlement_id] == record.payload.from_faction_id
            owner[record.settlement_id] = record.payload.to_faction_id
            if record.payload.region_changed:
                region_owner[record.region_id] = record.payload.to_faction_id
    assert list(owner.values()) == state.settlement_owner.tolist()
    assert list(region_owner.values()) == state.region_owner.tolist()
    assert not np.array_equal(state.settlement_owner, START.settlement_owner)


def test_soldiers_raised_die_or_come_home() -> None:
    state, records = century()
    raised = sum(
        n
        for r in records
        if isinstance(r.payload, ArmyRaised)
        for _, n in (*r.payload.levies, *r.payload.professionals)
    )
    dead = sum(
        n
        for r in records
        if isinstance(r.payload, Battle) and not r.payload.assault
        for _, n in r.payload.deaths
    )
    attackers_dead = sum(
        r.payload.attackers_lost
        for r in records
        if isinstance(r.payload, Battle) and r.payload.assault
    )
    home = sum(n for r in records if isinstance(r.payload, Peace) for _, n in r.payload.returned)
    under_arms = int(state.levies.sum() + state.professionals.sum())
    assert raised == dead + attackers_dead + home + under_arms


@settings(max_examples=5, deadline=None)
@given(seed=world_seeds)
def test_battles_are_won_by_the_stronger_side(seed: int) -> None:
    _, records = run(START, months(0, 600), seed=seed)
    battles = [r.payload for r in records if isinstance(r.payload, Battle)]
    clear = [
        b
        for b in battles
        if max(b.attacker_strength, b.defender_strength)
        > 1.5 * min(b.attacker_strength, b.defender_strength)
    ]
    stronger = [
        (b.winner_faction_id == r.faction_id) == (b.attacker_strength > b.defender_strength)
        for r in records
        if isinstance(b := r.payload, Battle) and b in clear
    ]
    assert sum(stronger) >= 0.8 * len(stronger)


def test_a_stream_of_blamed_incidents_drives_neighbours_to_war() -> None:
    states = np.flatnonzero(INPUTS.faction_is_state)
    victim, blamed = (int(INPUTS.faction_ids[s]) for s in states[:2])
    region = int(START.region_ids[np.flatnonzero(START.region_owner == victim)[0]])
    calm = replace(START, tension=np.full_like(START.tension, 20.0))
    periods = months(0, 36)
    incidents = {
        tick: [Incident(9_000 + i, tick + 3, region, 8.0, blamed)]
        for i, (tick, _) in enumerate(periods)
    }
    _, records = run(calm, periods, incidents=incidents)
    clashes = [r for r in records if isinstance(r.payload, BorderIncident) and r.incident_causes]
    assert {r.faction_id for r in clashes} == {blamed}
    assert all(r.incident_causes[0] >= 9_000 and r.other_faction_id == victim for r in clashes)
    wars = [
        r
        for r in records
        if r.kind == "war_declared" and {r.faction_id, r.other_faction_id} == {victim, blamed}
    ]
    by_id = {r.record_id: r for r in records}
    assert wars
    assert wars[0].causes
    assert by_id[wars[0].causes[0]].kind == "border_incident"


def test_diplomacy_follows_the_wars_and_region_tension_the_worst_pair() -> None:
    state, _ = century()
    mid = state
    frame = diplomacy_pairs(mid, inputs=INPUTS, table=TABLE)
    n = INPUTS.faction_ids.size
    assert frame.height == n * (n - 1) // 2
    assert set(frame["status"].to_list()) <= {
        "ally",
        "friendly",
        "neutral",
        "suspicious",
        "rival",
        "enemy",
        "vassal",
        "suzerain",
        "at_war",
    }
    assert (frame["status"] == "at_war").sum() == int(mid.at_war().sum()) // 2
    tension = state.region_tension()
    assert tension.shape == state.region_ids.shape
    assert np.all((tension >= 0) & (tension <= 100))
    held = state.region_owner != -1
    assert np.all(tension[held] > 0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"tick": -1}, "tick must be non-negative"),
        ({"days": 0}, "days must be"),
        ({"days": 400}, "days must be"),
        ({"incidents": [Incident(1, 99, 10, 3.0)]}, "outside the step"),
        ({"incidents": [Incident(1, 5, 11, 3.0)]}, "unknown region"),
        ({"incidents": [Incident(1, 5, 10, 3.0, 7)]}, "blames unknown faction"),
        ({"incidents": [Incident(1, 5, 10, 30.0)]}, "severity"),
    ],
)
def test_bad_steps_raise_clear_errors(change: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"tick": 0, "days": 30}
    arguments.update(change)
    with pytest.raises(ValueError, match=message):
        advance_war(START, inputs=INPUTS, table=TABLE, seeds=Seeds(1), **arguments)  # type: ignore[arg-type]


def test_a_state_for_another_world_is_refused() -> None:
    other, diplomacy, _ = grid_world(1, side=5)
    with pytest.raises(ValueError, match="different"):
        advance_war(START, tick=0, days=30, inputs=other, table=TABLE, seeds=Seeds(1))
    with pytest.raises(ValueError, match="unknown factions"):
        start_war_state(
            INPUTS,
            diplomacy=diplomacy.with_columns(a_id=diplomacy["a_id"] + 1),
            provinces=PROVINCES,
        )
    with pytest.raises(ValueError, match="provinces name unknown"):
        start_war_state(
            INPUTS,
            diplomacy=DIPLOMACY,
            provinces=PROVINCES.with_columns(region_id=PROVINCES["region_id"] + 1),
        )


def duel(ratio: float, seed: int) -> WarRecord:
    """Two states on a road of four settlements, one `ratio` times the other's fighting men,
    goaded by a clash every month until they fight a field battle."""
    men = [int(4000 * ratio), 500, 4000, 500]
    inputs = WarInputs.of(
        faction_ids=[1, 2],
        faction_is_state=[True, True],
        faction_seat_settlement=[10, 12],
        faction_seat_region=[0, 2],
        region_ids=[0, 1, 2, 3],
        region_a=[0, 1, 2],
        region_b=[1, 2, 3],
        settlement_ids=[10, 11, 12, 13],
        settlement_region=[0, 1, 2, 3],
        settlement_tier=["city", "village", "city", "village"],
        settlement_population=[m * 4 for m in men],
        settlement_men=men,
        settlement_women=men,
        settlement_guards=[m // 20 for m in men],
        road_start=[10, 11, 12],
        road_end=[11, 12, 13],
        road_days=[3.0, 3.0, 3.0],
    )
    diplomacy = pl.DataFrame({"a_id": [1], "b_id": [2], "status": ["enemy"], "tension": [90]})
    provinces = pl.DataFrame({"region_id": [0, 1, 2, 3], "faction_id": [1, 1, 2, 2]})
    state = start_war_state(inputs, diplomacy=diplomacy, provinces=provinces)
    for tick, days in months(0, 240):
        goad = [Incident(tick, tick, 1, 10.0, 2)]
        state, records = advance_war(
            state,
            tick=tick,
            days=days,
            inputs=inputs,
            table=TABLE,
            seeds=Seeds(seed),
            incidents=goad,
        )
        for record in records:
            if isinstance(record.payload, Battle) and not record.payload.assault:
                return record
    raise AssertionError("two goaded neighbours never fought")


@settings(max_examples=12, deadline=None)
@given(
    ratio=st.one_of(st.floats(0.2, 0.6), st.floats(1.7, 5.0)),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_the_stronger_army_attacks_and_wins_the_field(ratio: float, seed: int) -> None:
    battle = duel(ratio, seed)
    assert isinstance(battle.payload, Battle)
    stronger = 1 if ratio > 1 else 2
    assert battle.faction_id == stronger
    assert battle.payload.winner_faction_id == stronger
    assert battle.payload.attacker_strength > battle.payload.defender_strength


def test_walls_terrain_and_leadership_move_effective_strength() -> None:
    blocks = TABLE.blocks.take(np.array([1, 0]))
    army = Force(blocks, (200, 2000))
    plain = effective_strength(army, against=army)
    walled = Force(replace(blocks, ac=blocks.ac + 3), (200, 2000))
    led = Force(replace(blocks, attack=blocks.attack + 2), (200, 2000))
    assert effective_strength(army, against=walled) < plain < effective_strength(led, against=army)
    assert effective_strength(Force(blocks, (400, 4000)), against=army) == pytest.approx(2 * plain)


def test_unblamed_incidents_fall_on_the_most_hated_neighbour_or_on_nobody() -> None:
    held = START.region_owner != -1
    owner = START.region_owner
    near = INPUTS.region_graph.toarray() > 0
    border_region = next(
        r for r in np.flatnonzero(held) if len(set(owner[near[r]].tolist()) - {owner[r], -1}) > 0
    )
    inner = next(r for r in np.flatnonzero(held) if set(owner[near[r]].tolist()) == {owner[r]})
    region_ids = INPUTS.region_ids
    incidents = [
        Incident(1, 5, int(region_ids[border_region]), 6.0),
        Incident(2, 6, int(region_ids[inner]), 6.0),
    ]
    _, records = advance_war(
        START, tick=0, days=30, inputs=INPUTS, table=TABLE, seeds=Seeds(1), incidents=incidents
    )
    caused = [r for r in records if r.incident_causes]
    assert [r.incident_causes for r in caused] == [(1,)]
    victim = int(owner[border_region])
    neighbours = set(owner[near[border_region]].tolist()) - {victim, -1}
    rows = np.searchsorted(START.faction_ids, sorted(neighbours))
    hated = int(
        START.faction_ids[
            rows[np.argmax(START.tension[START.faction_ids.tolist().index(victim), rows])]
        ]
    )
    assert caused[0].faction_id == hated
    assert caused[0].other_faction_id == victim


def test_upkeep_counts_the_soldiers_under_arms() -> None:
    state = START
    for tick, days in months(0, 1200):
        state, records = advance_war(
            state, tick=tick, days=days, inputs=INPUTS, table=TABLE, seeds=Seeds(3)
        )
        raised = [r for r in records if isinstance(r.payload, ArmyRaised)]
        if raised:
            break
    cost = state.upkeep_per_day(
        levy=TABLE.army["upkeep_levy"], professional=TABLE.army["upkeep_professional"]
    )
    for record in raised:
        assert isinstance(record.payload, ArmyRaised)
        row = int(np.searchsorted(state.faction_ids, record.faction_id))
        assert cost[row] <= record.payload.upkeep_per_day  # less whoever fell since
    assert cost.sum() > 0
    assert cost.sum() == pytest.approx(
        TABLE.army["upkeep_levy"] * state.levies.sum()
        + TABLE.army["upkeep_professional"] * state.professionals.sum()
    )


def test_a_step_changes_neither_its_state_nor_its_inputs() -> None:
    before = {name: frame.clone() for name, frame in START.to_frames().items()}
    roads = INPUTS.road_days.copy()
    men = INPUTS.settlement_men.copy()
    run(START, months(0, 240))
    after = START.to_frames()
    assert all(before[name].equals(after[name]) for name in before)
    assert np.array_equal(INPUTS.road_days, roads)
    assert np.array_equal(INPUTS.settlement_men, men)


def test_a_war_nobody_can_reach_ends_in_a_white_peace() -> None:
    inputs = WarInputs.of(
        faction_ids=[1, 2],
        faction_is_state=[True, True],
        faction_seat_settlement=[10, 11],
        faction_seat_region=[0, 1],
        region_ids=[0, 1],
        region_a=[0],
        region_b=[1],
        settlement_ids=[10, 11],
        settlement_region=[0, 1],
        settlement_tier=["city", "city"],
        settlement_population=[9000, 9000],
        settlement_men=[2000, 2000],
        settlement_women=[2000, 2000],
        settlement_guards=[90, 90],
    )
    diplomacy = pl.DataFrame({"a_id": [1], "b_id": [2], "status": ["at_war"], "tension": [100]})
    provinces = pl.DataFrame({"region_id": [0, 1], "faction_id": [1, 2]})
    state = start_war_state(inputs, diplomacy=diplomacy, provinces=provinces)
    _, records = run(state, months(0, 120), inputs=inputs)
    kinds = [r.kind for r in records]
    assert "war_declared" in kinds
    assert "battle" not in kinds
    peace = next(r.payload for r in records if isinstance(r.payload, Peace))
    assert 2 * 365 < peace.days < 4 * 365
    assert peace.dead == 0
    assert peace.ceded == ()


def test_crushed_small_losers_become_vassals_and_never_fight_their_lords() -> None:
    state, records = century()
    by_id = {r.record_id: r for r in records}
    lord_of: dict[int, int] = dict.fromkeys(START.faction_ids.tolist(), -1)
    bound = 0
    for record in records:
        payload = record.payload
        if isinstance(payload, Treaty) and payload.terms == "vassalage":
            assert by_id[record.causes[0]].kind == "peace"
            assert lord_of[record.faction_id] == -1
            lord_of[record.faction_id] = record.other_faction_id
            bound += 1
        if isinstance(payload, Treaty) and payload.terms == "independence":
            assert lord_of[record.faction_id] == record.other_faction_id
            lord_of[record.faction_id] = -1
        if record.kind == "war_declared":
            pair = {record.faction_id, record.other_faction_id}
            assert not any({v, lord} == pair for v, lord in lord_of.items())
    assert bound
    assert list(lord_of.values()) == state.suzerain.tolist()
    frame = diplomacy_pairs(state, inputs=INPUTS, table=TABLE)
    assert (frame["status"].is_in(["vassal", "suzerain"])).sum() == int(
        (state.suzerain != -1).sum()
    )
