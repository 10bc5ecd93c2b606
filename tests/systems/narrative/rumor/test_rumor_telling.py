"""Telling an event: the first template whose names are known; each kind of retelling change."""

from __future__ import annotations

from typing import Any

import pytest

from tests.systems.narrative.rumor.rumor_world import (
    line_routes,
    rules_with,
    settlements_frame,
    world_names,
)
from worldloom.systems.narrative.rumor import RumorRules, rumor_places, tell_event
from worldloom.systems.narrative.rumor.telling import Telling, apply_change, draw_change
from worldloom.systems.rng import Seeds

RULES = rules_with()
NAMES = world_names(4)


def _event(**row: Any) -> dict[str, Any]:
    return {"event_id": 1, "tick": 5, "importance": 6, "payload": None, **row}


@pytest.mark.parametrize(
    ("event", "text"),
    [
        (
            _event(
                type="battle",
                faction_id=0,
                other_faction_id=1,
                settlement_id=2,
                payload='{"deaths": 1200}',
            ),
            "F0 fought F1 near S2; 1,200 fell.",
        ),
        (  # no one died: the template without the number fits
            _event(
                type="battle",
                faction_id=0,
                other_faction_id=1,
                settlement_id=2,
                payload='{"deaths": 0}',
            ),
            "F0 fought F1 near S2.",
        ),
        (  # an unknown faction: the battle's templates do not fit, a fallback does
            _event(type="battle", faction_id=0, other_faction_id=77, settlement_id=2),
            "There is news of a battle at S2.",
        ),
        (  # a payload value the template needs is missing
            _event(type="siege_begun", faction_id=1, settlement_id=1),
            "There is news of a siege begun at S1.",
        ),
        (
            _event(type="omen", region_id=1, payload='{"portent": "a red comet"}'),
            "An omen was seen in R1: a red comet.",
        ),
        (
            _event(type="ruin_discovered", poi_id=999),
            "There is news of a ruin discovered from far away.",
        ),
        (
            _event(type="succession", npc_id=1, faction_id=2, payload='{"previous_id": 3}'),
            "N1 now rules F2.",
        ),
        (
            _event(type="marriage", npc_id=1, settlement_id=0, payload='{"groom_id": 2}'),
            "N1 and N2 were married in S0.",
        ),
    ],
)
def test_the_first_fitting_template_tells_it(event: dict[str, Any], text: str) -> None:
    telling = tell_event(event, texts=RULES.texts, names=NAMES, numbers=RULES.number_fields)
    assert telling.render(NAMES) == text


PLACES = rumor_places(settlements_frame([0, 1, 2, 2]), line_routes(4, 2.0))
POOLS = {"npc": tuple(NAMES.npc), "faction": tuple(NAMES.faction), "poi": tuple(NAMES.poi)}
BATTLE = Telling(
    template="{faction} fought {other_faction} near {settlement} in {region}; {deaths} fell.",
    values={"faction": 0, "other_faction": 2, "settlement": 1, "region": 1, "deaths": 10},
    words={},
)


def _only(kind: str) -> RumorRules:
    chances = {"actor": 0.0, "place": 0.0, "number": 0.0} | {kind: 1.0}
    return rules_with(distortion=chances)


@pytest.mark.parametrize("key", range(30))
def test_an_actor_becomes_another_named_faction(key: int) -> None:
    rng = Seeds(key).stream("test")
    change = draw_change(
        rng,
        told=BATTLE,
        truth=BATTLE,
        rules=_only("actor"),
        places=PLACES,
        names=NAMES,
        pools=POOLS,
    )
    assert change is not None
    assert change.kind == "actor"
    assert change.placeholder in {"faction", "other_faction"}
    assert change.told_value == 1  # the only faction the telling does not already name
    told = apply_change(BATTLE, change).render(NAMES)
    assert "F1" in told
    assert told != BATTLE.render(NAMES)


@pytest.mark.parametrize("key", range(30))
def test_a_place_moves_to_a_neighbour(key: int) -> None:
    change = draw_change(
        Seeds(key).stream("test"),
        told=BATTLE,
        truth=BATTLE,
        rules=_only("place"),
        places=PLACES,
        names=NAMES,
        pools=POOLS,
    )
    assert change is not None
    assert change.kind == "place"
    if change.placeholder == "settlement":
        assert change.field == "settlement_id"
        assert change.told_value in {0, 2}
    else:
        assert change.field == "region_id"
        assert change.told_value in {0, 2}


@pytest.mark.parametrize("key", range(30))
def test_a_number_is_exaggerated(key: int) -> None:
    change = draw_change(
        Seeds(key).stream("test"),
        told=BATTLE,
        truth=BATTLE,
        rules=_only("number"),
        places=PLACES,
        names=NAMES,
        pools=POOLS,
    )
    assert change is not None
    assert change.field == "deaths"
    assert 15 <= change.told_value <= 40


def test_no_change_when_nothing_of_that_kind_is_told() -> None:
    plain = Telling(template="News: {what}.", values={}, words={"what": "x"})
    for kind in ("actor", "place", "number"):
        assert (
            draw_change(
                Seeds(1).stream("test"),
                told=plain,
                truth=plain,
                rules=_only(kind),
                places=PLACES,
                names=NAMES,
                pools=POOLS,
            )
            is None
        )


def test_no_change_when_every_other_entity_is_taken() -> None:
    two = world_names(4, factions=2)
    change = draw_change(
        Seeds(1).stream("test"),
        told=BATTLE,
        truth=BATTLE,
        rules=_only("actor"),
        places=PLACES,
        names=two,
        pools={**POOLS, "faction": (0, 2)},
    )
    assert change is None


def test_large_pools_are_sampled_without_the_taken() -> None:
    many = {**POOLS, "faction": tuple(range(200))}
    lone = Telling(template="{faction}", values={"faction": 150}, words={})
    for key in range(20):
        change = draw_change(
            Seeds(key).stream("test"),
            told=lone,
            truth=lone,
            rules=_only("actor"),
            places=PLACES,
            names=NAMES,
            pools=many,
        )
        assert change is not None
        assert change.told_value < 150  # an entity no newer than the event's
    crowded = {**POOLS, "faction": (150,) * 100}
    assert (
        draw_change(
            Seeds(2).stream("test"),
            told=lone,
            truth=lone,
            rules=_only("actor"),
            places=PLACES,
            names=NAMES,
            pools=crowded,
        )
        is None
    )


def test_no_change_at_all_mostly() -> None:
    calm = rules_with(distortion={"actor": 0.0, "place": 0.0, "number": 0.0})
    assert (
        draw_change(
            Seeds(3).stream("test"),
            told=BATTLE,
            truth=BATTLE,
            rules=calm,
            places=PLACES,
            names=NAMES,
            pools=POOLS,
        )
        is None
    )
