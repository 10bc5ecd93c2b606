"""Dialogue rules: the shipped templates load, fall back by role and motif, and carry no name
of their own; a broken table is refused with a message naming the place."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from worldloom.infrastructure.seed_data import read_toml
from worldloom.systems.narrative.dialogue import HOWS, DialogueRules, ungrounded_names

RAW = read_toml("dialogue.toml")
RULES = DialogueRules.from_mapping(RAW)


def test_the_shipped_rules_load_with_every_kind() -> None:
    assert set(RULES.memories) == set(HOWS)
    assert [band.min_confidence for band in RULES.rumor_bands] == [0.8, 0.4, 0.0]
    assert (RULES.max_rumors, RULES.max_quests, RULES.max_memories) == (3, 2, 3)
    assert RULES.memory_half_life_days == 3650.0


@pytest.mark.parametrize(
    ("role", "motif", "expected"),
    [
        ("ruler", "war", RAW["greetings"]["ruler"]["war"]),
        ("ruler", "plague", RAW["greetings"]["ruler"]["default"]),
        ("guild_master", "plague", RAW["greetings"]["guild_master"]["default"]),
        ("smith", "plague", RAW["greetings"]["any"]["plague"]),
        (None, "hunger", RAW["greetings"]["any"]["hunger"]),
        (None, None, RAW["greetings"]["any"]["default"]),
        ("smith", "boredom", RAW["greetings"]["any"]["default"]),
    ],
)
def test_greetings_fall_back_from_role_and_motif_to_any_and_default(
    role: str | None, motif: str | None, expected: list[str]
) -> None:
    assert RULES.greeting_templates(role, motif) == tuple(expected)


def test_farewells_and_rumor_bands_fall_back() -> None:
    assert RULES.farewell_templates("ruler") == ("You may go.",)
    assert RULES.farewell_templates("smith") == RULES.farewell_templates(None)
    assert RULES.rumor_templates(1.0) == RULES.rumor_bands[0].templates
    assert RULES.rumor_templates(0.8) == RULES.rumor_bands[0].templates
    assert RULES.rumor_templates(0.79) == RULES.rumor_bands[1].templates
    assert RULES.rumor_templates(0.0) == RULES.rumor_bands[2].templates
    assert RULES.rumor_templates(-1.0) == RULES.rumor_bands[2].templates


def test_no_template_names_anything_of_its_own() -> None:
    fields = dict.fromkeys(
        ("speaker", "settlement", "region", "tone", "rumor", "title", "text", "reward", "steps"),
        "Zed",
    )
    templates = [
        *(t for by_motif in RULES.greetings.values() for ts in by_motif.values() for t in ts),
        *(t for band in RULES.rumor_bands for t in band.templates),
        *RULES.quest_offers,
        *RULES.quest_steps,
        *(t for ts in RULES.memories.values() for t in ts),
        *(t for ts in RULES.farewells.values() for t in ts),
    ]
    for template in templates:
        text = template.format(**fields, memory="Zed")
        assert ungrounded_names(text, allowed=frozenset({"Zed"})) == set(), template


def _set(path: str, value: Any) -> dict[str, Any]:
    raw = copy.deepcopy(RAW)
    *parents, last = path.split(".")
    node = raw
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key: Any = int(last) if isinstance(node, list) else last
    if value is None:
        del node[key]
    else:
        node[key] = value
    return raw


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (_set("limits", None), "needs a \\[limits\\]"),
        (_set("greetings", {}), "needs a \\[greetings\\]"),
        (_set("greetings.ruler", []), "needs a \\[ruler\\]"),
        (_set("greetings.any.default", None), "greetings.any.default"),
        (_set("greetings.ruler.war", []), "must be a non-empty list"),
        (_set("greetings.ruler.war", [3]), "must be a non-empty list"),
        (_set("greetings.ruler.war", ["Hail, {lord}."]), "uses \\['lord'\\]"),
        (_set("greetings.ruler.war", ["Hail {speaker"]), "is not a template"),
        (_set("greetings.ruler.war", ["Hail to Lord {speaker}."]), "names \\['Lord Zed'\\]"),
        (_set("rumor_intros", []), "rumor_intros\\]\\] bands"),
        (_set("rumor_intros.0", 3), "must be a table"),
        (_set("rumor_intros.2.min_confidence", 0.1), "min_confidence = 0"),
        (_set("rumor_intros.0.min_confidence", 1.5), "must be in 0..1"),
        (_set("rumor_intros.0.templates", ["{memory}"]), "uses \\['memory'\\]"),
        (_set("memories.heard", None), "memories needs exactly"),
        (_set("memories.witnessed", ["{rumor}"]), "uses \\['rumor'\\]"),
        (_set("quests.offer", None), "quests.offer must be"),
        (_set("farewells.any", None), "farewells.any"),
        (_set("limits.rumors", 0), "limits.rumors must be"),
        (_set("limits.quests", True), "limits.quests must be"),
        (_set("limits.memory_half_life_days", 0), "must be a positive number"),
    ],
)
def test_a_broken_table_is_refused(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DialogueRules.from_mapping(raw)
