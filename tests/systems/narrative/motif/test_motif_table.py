"""The motif table: the shipped one loads against the event catalog; a broken one is refused
with a message naming the motif and the problem."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from worldloom.infrastructure.seed_data import read_toml
from worldloom.systems.narrative.motif import Carrier, MotifTable
from worldloom.tasks.catalog import event_catalog

RAW = read_toml("motifs.toml")
REQUIRED = {
    "betrayal",
    "decay",
    "rebirth",
    "greed",
    "faith",
    "exile",
    "war",
    "plague",
    "death",
    "ambition",
    "wonder",
    "hunger",
    "kinship",
}


def _load(raw: dict[str, Any]) -> MotifTable:
    return MotifTable.from_mapping(raw, catalog=event_catalog())


def test_the_shipped_table_has_every_theme_the_issue_names() -> None:
    table = _load(RAW)
    assert {m.key for m in table.motifs} >= REQUIRED
    assert [m.key for m in table.motifs] == sorted(m.key for m in table.motifs)
    assert table.importance_base == 2
    assert table.tone_of("war") == "war-weary"
    with pytest.raises(KeyError, match="unknown motif"):
        table.tone_of("boredom")


def test_payload_conditions_are_kept_as_the_json_text_they_match() -> None:
    table = _load(RAW)
    war = next(m for m in table.motifs if m.key == "war")
    assert Carrier("death", 1000, "cause", "war") in war.carriers
    assert Carrier("battle", 1000) in war.carriers
    death = next(m for m in table.motifs if m.key == "death")
    assert Carrier("siege_ended", 400, "taken", "true") in death.carriers


def _set(path: str, value: Any) -> dict[str, Any]:
    raw = copy.deepcopy(RAW)
    *parents, last = path.split(".")
    node = raw
    for part in parents:
        node = node[part]
    if value is None:
        del node[last]
    else:
        node[last] = value
    return raw


def _when(condition: dict[str, Any]) -> dict[str, Any]:
    return _set("motifs.war.when", [condition])


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({}, "needs a \\[motifs"),
        (_set("motifs", {}), "needs a \\[motifs"),
        (_set("motifs.war", 3), "must be a table"),
        (_set("motifs.war.tone", None), "needs a tone"),
        (_set("motifs.war.tone", " "), "needs a tone"),
        (_set("motifs.war.weights", [1]), "weights must map"),
        (_set("motifs.war.weights.dragon_flight", 1.0), "unknown event type 'dragon_flight'"),
        (_set("motifs.war.weights.battle", 0), "must be a number in"),
        (_set("motifs.war.weights.battle", 1.5), "must be a number in"),
        (_set("motifs.war.weights.battle", True), "must be a number in"),
        (_set("motifs.war.when", {"type": "death"}), "when must be a list"),
        (_when({"type": "death", "field": "cause"}), "exactly type, field, equals, weight"),
        (_when({"type": "death", "field": "mood", "equals": "x", "weight": 1}), "no payload"),
        (_when({"type": "death", "field": "age", "equals": "old", "weight": 1}), "is int"),
        (_when({"type": "death", "field": "age", "equals": True, "weight": 1}), "is int"),
        (_set("motifs.wonder", {"tone": "odd"}), "needs weights or when"),
        (_set("importance_base", 0), "importance_base must be a whole number"),
        (_set("importance_base", 1.5), "importance_base must be a whole number"),
        (_set("dominant_share", 0.0), "dominant_share must be in"),
        (_set("dominant_share", "half"), "dominant_share must be a number"),
        (_set("dominant_share", float("nan")), "dominant_share must be a number"),
        (_set("arc_motifs", 0), "arc_motifs must be"),
        (_set("dominant_max", None), "dominant_max must be"),
        (_set("quiet_tone", ""), "quiet_tone must be"),
    ],
)
def test_a_broken_table_is_refused(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _load(raw)
