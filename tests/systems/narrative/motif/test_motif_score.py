"""Motif scores: events carry motifs by type and payload, weighed by importance; each scope's
scores sum to 1; arcs get their themes strongest first; the result depends only on the set of
events (any order, any split into windows); steering ranks arcs and names a tone."""

from __future__ import annotations

import json
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worldloom.infrastructure.seed_data import read_toml
from worldloom.infrastructure.store.schema.history import EVENTS
from worldloom.infrastructure.store.schema.narrative import ARC_EVENTS, ARCS, MOTIFS, REGION_MOTIFS
from worldloom.systems.narrative.motif import (
    MotifScores,
    MotifTable,
    Tone,
    score_motifs,
    surface_arcs,
    tone,
)
from worldloom.tasks.catalog import event_catalog

TABLE = MotifTable.from_mapping(read_toml("motifs.toml"), catalog=event_catalog())

Event = tuple[str, int, int | None, dict[str, Any]]
"""(type, importance, region_id, payload) of a hand-built event."""


def _events(rows: list[Event], *, first_id: int = 0) -> pl.DataFrame:
    n = len(rows)
    return EVENTS.frame(
        {
            "event_id": range(first_id, first_id + n),
            "tick": [10 * (first_id + i) for i in range(n)],
            "type": [r[0] for r in rows],
            "importance": [r[1] for r in rows],
            "npc_id": [None] * n,
            "faction_id": [None] * n,
            "other_faction_id": [None] * n,
            "settlement_id": [None] * n,
            "region_id": [r[2] for r in rows],
            "poi_id": [None] * n,
            "cause_ids": [[] for _ in range(n)],
            "payload": [json.dumps(r[3]) for r in rows],
        }
    )


def _arcs(rows: list[tuple[int, str, int, int]]) -> pl.DataFrame:
    """Arcs from (arc_id, status, importance, last_tick), motifs not yet filled."""
    n = len(rows)
    return ARCS.frame(
        {
            "arc_id": [r[0] for r in rows],
            "pattern": ["war"] * n,
            "status": [r[1] for r in rows],
            "stage": [1] * n,
            "stages": [2] * n,
            "start_tick": [0] * n,
            "last_tick": [r[3] for r in rows],
            "importance": [r[2] for r in rows],
            "motifs": [[] for _ in range(n)],
            "title": ["t"] * n,
            "summary": ["s"] * n,
        }
    )


def _arc_events(pairs: list[tuple[int, int]]) -> pl.DataFrame:
    return ARC_EVENTS.frame(
        {
            "arc_id": [p[0] for p in pairs],
            "event_id": [p[1] for p in pairs],
            "stage": [0] * len(pairs),
            "step": ["x"] * len(pairs),
        }
    )


NO_ARCS = _arcs([])
NO_ARC_EVENTS = _arc_events([])

WAR_DEATH: Event = ("death", 2, 0, {"cause": "war", "age": 30})
OLD_DEATH: Event = ("death", 2, 0, {"cause": "old_age", "age": 80})
BATTLE: Event = ("battle", 6, 1, {"war_id": 1})
PLAGUE: Event = ("plague", 7, 1, {"severity": 0.5, "deaths": 9, "until_tick": 9})
OMEN: Event = ("omen", 2, None, {"severity": 0.2, "portent": "comet"})
TAKEN: Event = ("siege_ended", 6, 1, {"war_id": 1, "taken": True, "deaths": 3})
LIFTED: Event = ("siege_ended", 6, 1, {"war_id": 1, "taken": False, "deaths": 0})
POPULATION: Event = ("population_year", 1, 0, {"births": 3})


def _score(rows: list[Event]) -> MotifScores:
    return score_motifs(table=TABLE, events=_events(rows), arcs=NO_ARCS, arc_events=NO_ARC_EVENTS)


def _world(rows: list[Event]) -> dict[str, tuple[float, int]]:
    return {r["motif"]: (r["score"], r["events"]) for r in _score(rows).world.iter_rows(named=True)}


def test_the_frames_have_the_tables_schemas() -> None:
    scores = _score([WAR_DEATH, BATTLE, PLAGUE])
    assert scores.world.schema == MOTIFS.schema
    assert scores.regions.schema == REGION_MOTIFS.schema
    assert scores.arcs.schema == ARCS.schema


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # A death in war is war; one of old age is decay; a yearly tally carries nothing.
        ([WAR_DEATH], {"war": (1.0, 1)}),
        ([OLD_DEATH], {"decay": (1.0, 1)}),
        ([POPULATION], {}),
        ([], {}),
        # A taken siege is war and death (weights 1000 and 400 of the same say); a lifted one war.
        ([TAKEN], {"war": (1000 / 1400, 1), "death": (400 / 1400, 1)}),
        ([LIFTED], {"war": (1.0, 1)}),
        # Importance doubles the say per step: a plague (7, weight 1) against a war death
        # (2, weight 1): 64 to 2.
        ([PLAGUE, WAR_DEATH], {"plague": (64 / 66, 1), "war": (2 / 66, 1)}),
    ],
)
def test_events_carry_motifs_by_type_payload_and_importance(
    rows: list[Event], expected: dict[str, tuple[float, int]]
) -> None:
    world = _world(rows)
    assert world.keys() == expected.keys()
    for motif, (score, events) in expected.items():
        assert world[motif][0] == pytest.approx(score)
        assert world[motif][1] == events


def test_regions_score_their_own_events_and_world_wide_ones_count_only_in_the_world() -> None:
    scores = _score([WAR_DEATH, BATTLE, PLAGUE, OMEN])
    regions = {
        (r["region_id"], r["motif"]): r["score"] for r in scores.regions.iter_rows(named=True)
    }
    assert regions[(0, "war")] == pytest.approx(1.0)
    assert regions[(1, "plague")] == pytest.approx(64 / (64 + 32))
    assert not any(motif == "wonder" for _, motif in regions)
    assert "wonder" in set(scores.world["motif"])
    assert scores.regions["region_id"].to_list() == sorted(scores.regions["region_id"])


def test_arcs_get_their_events_themes_strongest_first() -> None:
    events = _events([WAR_DEATH, BATTLE, PLAGUE, POPULATION, TAKEN])
    arcs = _arcs([(7, "complete", 8, 40), (8, "ended", 3, 30), (9, "in_progress", 5, 0)])
    links = _arc_events([(7, 1), (7, 4), (7, 0), (8, 2), (8, 1), (9, 3)])
    scored = score_motifs(table=TABLE, events=events, arcs=arcs, arc_events=links)
    themes = dict(zip(scored.arcs["arc_id"], scored.arcs["motifs"].to_list(), strict=True))
    assert themes == {7: ["war", "death"], 8: ["plague", "war"], 9: []}
    assert scored.arcs.drop("motifs").equals(arcs.drop("motifs"))


_EVENT_POOL: list[Event] = [
    WAR_DEATH,
    OLD_DEATH,
    BATTLE,
    PLAGUE,
    OMEN,
    TAKEN,
    LIFTED,
    POPULATION,
    ("birth", 1, 2, {"name": "x"}),
    ("marriage", 2, 2, {"groom_id": 3}),
    ("famine", 6, 3, {"hunger": 0.4}),
    ("war_declared", 8, None, {"war_id": 2, "casus_belli": "revenge"}),
    ("treaty_signed", 7, None, {"terms": "independence"}),
]


@settings(max_examples=40, deadline=None)
@given(
    picks=st.lists(st.sampled_from(_EVENT_POOL), min_size=1, max_size=30),
    split=st.integers(min_value=0, max_value=30),
    order=st.randoms(use_true_random=False),
)
def test_scores_depend_only_on_the_set_of_events(
    picks: list[Event], split: int, order: Any
) -> None:
    events = _events(picks)
    whole = score_motifs(table=TABLE, events=events, arcs=NO_ARCS, arc_events=NO_ARC_EVENTS)
    # Two windows read one after the other, in any row order, give the same tables.
    cut = min(split, events.height)
    rows = list(range(events.height))
    order.shuffle(rows)
    windows = pl.concat([events.head(cut), events.slice(cut)])[rows]
    again = score_motifs(table=TABLE, events=windows, arcs=NO_ARCS, arc_events=NO_ARC_EVENTS)
    assert again.world.equals(whole.world)
    assert again.regions.equals(whole.regions)
    # Each scope's scores sum to 1, are in 0..1, strongest first; counts are real.
    if whole.world.height:
        assert whole.world["score"].sum() == pytest.approx(1.0)
        assert whole.world["score"].to_list() == sorted(whole.world["score"], reverse=True)
    for region in whole.regions.partition_by("region_id"):
        assert region["score"].sum() == pytest.approx(1.0)
    assert whole.world["score"].is_between(0.0, 1.0).all()
    assert (whole.world["events"] <= len(picks)).all()


def test_surface_arcs_puts_fitting_important_complete_recent_arcs_first() -> None:
    events = _events([BATTLE, BATTLE, WAR_DEATH, OMEN, PLAGUE])
    arcs = _arcs(
        [
            (1, "complete", 6, 3650),  # war, the world's leading theme: fit 1
            (2, "complete", 6, 3650),  # wonder: a weak fit
            (3, "in_progress", 6, 3650),  # war, still unfolding
            (4, "complete", 6, 0),  # war, ten years older than the newest arc
            (5, "complete", 6, 3650),  # no theme at all
        ]
    )
    links = _arc_events([(1, 0), (2, 3), (3, 1), (4, 2)])
    scores = score_motifs(table=TABLE, events=events, arcs=arcs, arc_events=links)
    top = surface_arcs(scores.arcs, scores, region_id=None, k=5)
    assert top["arc_id"].to_list() == [1, 3, 2, 5, 4]
    priority = dict(zip(top["arc_id"], top["priority"], strict=True))
    assert priority[1] == pytest.approx(6.0)
    assert priority[3] == pytest.approx(6.0 * 0.8)
    assert priority[4] == pytest.approx(3.0)
    assert priority[5] == pytest.approx(3.0)
    assert surface_arcs(scores.arcs, scores, region_id=None, k=2)["arc_id"].to_list() == [1, 3]
    # In region 1 (battles and a plague) the war arcs still lead; the wonder arc has no fit.
    regional = surface_arcs(scores.arcs, scores, region_id=1, k=5)
    assert dict(zip(regional["arc_id"], regional["fit"], strict=True))[2] == 0.0


def test_the_tone_names_the_dominant_motifs_of_a_region_or_the_world() -> None:
    scores = _score([PLAGUE, BATTLE, WAR_DEATH, OMEN])
    assert tone(scores, region_id=1) == Tone(("plague", "war"), "grim, war-weary")
    assert tone(scores, region_id=0) == Tone(("war",), "war-weary")
    # A region without scores takes the world's tone.
    assert tone(scores, region_id=42) == tone(scores, region_id=None)
    assert tone(_score([]), region_id=None) == Tone((), "quiet")
