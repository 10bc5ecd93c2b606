"""Validators reject real-world names, unknown entities, taken names and cut-off text."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pydantic import ValidationError

from worldloom.prompts.region import RegionFacts, RegionText
from worldloom.prompts.text_rules import (
    ProseBounds,
    check_complete_sentences,
    check_known_entities,
    check_no_real_world_names,
    check_not_repetitive,
    check_plain_words,
    check_stays_in_world,
    drop_cut_sentence,
    real_world_names,
)

FACTS = RegionFacts(
    biome="forest",
    climate="mild",
    danger_level=2,
    neighbours=("Ashvale", "Sea of Thorns"),
    rivers=("Silverrun",),
    used_names=("Dunmarch",),
)


def _validate(name: str, description: str) -> RegionText:
    return RegionText.model_validate(
        {"name": name, "description": description}, context=FACTS.validation_context()
    )


@pytest.mark.parametrize(
    ("name", "description", "complaint"),
    [
        ("Emberfall", "Emberfall borders Southern China. Its hills are green.", "China"),
        ("Emberfall", "The Inuit hunt along its frozen shore. It is cold.", "Inuit"),
        ("Emberfall", "Roman roads cross its meadows. It is quiet.", "Roman"),
        ("Europe", "A quiet land of green hills and slow rivers.", "Europe"),
        ("Emberfall", "Emberfall lies beside the Whispering Woods. It is calm.", "Whispering"),
        ("Emberfall", "Pilgrims visit the Tower of Varn each spring. It is calm.", "Tower of Varn"),
        ("Emberfall", "Emberfall is a land of green hills and slow rivers that", "pattern"),
        ("Emberfall", "Emberfall is a land of green hills and slow rivers", "pattern"),
        (
            "Emberfall",
            "Emberfall is a land of green hills, where the river runs to the.",
            "mid-sentence",
        ),
        ("Emberfall", "Emberfall is a land of green hills and slow rivers...", "mid-sentence"),
        ("Dunmarch", "A quiet land of green hills and slow rivers.", "already taken"),
        ("Ashvale", "A quiet land of green hills and slow rivers.", "already taken"),
        ("Emberfall", "Short.", "at least 40"),
    ],
)
def test_region_text_rejects(name: str, description: str, complaint: str) -> None:
    with pytest.raises(ValidationError, match=complaint):
        _validate(name, description)


@pytest.mark.parametrize(
    "description",
    [
        "Emberfall is a land of green hills. The Silverrun flows past Ashvale.",
        "Few travellers cross Emberfall. Its shores face the Sea of Thorns!",
        "The forests of Emberfall are mild and wet. Ashvale's traders buy its timber.",
        "North of the Silverrun, the Upper Vale of Emberfall is calm. Is it safe?",
    ],
)
def test_region_text_accepts_grounded_prose(description: str) -> None:
    assert _validate("Emberfall", description).description == description


def test_procedural_writers_are_not_held_to_the_llm_rules() -> None:
    # No validation context: only the length and pattern bounds apply.
    text = RegionText(
        name="Emberfall", description="A land near the Whispering Woods and China. Calm."
    )
    assert text.name == "Emberfall"


def test_deny_list_covers_the_names_small_models_reach_for() -> None:
    names = real_world_names()
    for expected in ("China", "Inuit", "Romans", "Europe", "Africa", "Vikings", "South America"):
        assert expected in names
    check_no_real_world_names("A romantic china teacup.", names)  # lower case, other words


def test_multiword_deny_entries_match_before_their_parts() -> None:
    with pytest.raises(ValueError, match="'South America'"):
        check_no_real_world_names("Ships sail to South America.", real_world_names())


def test_sentence_count_bounds() -> None:
    with pytest.raises(ValueError, match="1 to 2"):
        check_complete_sentences("One. Two. Three.", min_sentences=1, max_sentences=2)
    assert check_complete_sentences(" One. Two! ", min_sentences=1, max_sentences=2) == "One. Two!"


CAPPED = ProseBounds(min_length=10, max_length=60, max_sentences=4)


def test_a_text_at_its_cap_loses_the_sentence_the_cap_cut() -> None:
    whole = "Ashvale lies under old oaks. "
    cut = whole + "Its people keep the ancient ways of the T."
    cut = cut[: CAPPED.max_length - 1] + "."  # what the grammar forces at the cap
    assert len(cut) == CAPPED.max_length
    assert drop_cut_sentence(cut, CAPPED) == whole.strip()
    # Below the cap nothing is cut, so nothing is dropped.
    assert drop_cut_sentence(" " + whole, CAPPED) == whole.strip()


@pytest.mark.parametrize(
    "text",
    [
        "Ashvale lies under old oaks and its folk keep the ways of the T.",  # one cut sentence
        "Old oaks. Ashvale lies under old oaks and its folk keep the way.",  # too short a rest
    ],
)
def test_a_capped_text_without_a_whole_sentence_to_keep_is_cut(text: str) -> None:
    capped = text[: CAPPED.max_length - 1] + "."
    with pytest.raises(ValueError, match="mid-sentence"):
        drop_cut_sentence(capped, CAPPED)


def test_a_region_description_at_its_cap_keeps_its_whole_sentences() -> None:
    first = "Ashvale is a quiet forest of oaks where the Silverrun winds through the glades."
    description = (first + " The woods " + "grow dark and deep " * 20)[:279] + "."
    assert _validate("Elmreach", description).description == first


def test_known_entities_ignore_sentence_openers_and_seasons() -> None:
    check_known_entities("Forests cover the hills. In Spring they bloom.", frozenset())


@pytest.mark.parametrize(
    "text",
    [
        "The Eldmere folk are kind.",  # a people nobody gave
        "It lies below the mountains of Khegor.",  # a single-word place nobody gave
        "Arena is a town in the country of Aetna.",  # what SmolLM2 wrote for a region
    ],
)
def test_known_entities_reject_lone_unknown_names(text: str) -> None:
    with pytest.raises(ValueError, match="not a given name"):
        check_known_entities(text, frozenset({"Ashvale"}))


@pytest.mark.parametrize(
    ("text", "rule", "message"),
    [
        (
            "The land of the Aelora, the land of the Aelora, the land of the Aelora.",
            check_not_repetitive,
            "repeats 'the land of'",
        ),
        ("Sorvire is a region of the fantasy world.", check_stays_in_world, "fantasy"),
        ("It is far from our world.", check_stays_in_world, "our world"),
        ("Gro-Norr-haven-Rand-Norr-Norr.", check_plain_words, "not a word"),
        ("A Borrowingtonshirefieldsmoor tale.", check_plain_words, "not a word"),
    ],
)
def test_loops_and_out_of_world_talk_are_rejected(
    text: str, rule: Callable[[str], None], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        rule(text)


def test_plain_prose_passes_the_loop_and_world_checks() -> None:
    text = "Ashvale is a land of green hills. Its rivers are slow and its people are kind."
    check_not_repetitive(text)
    check_plain_words(text)
    check_stays_in_world(text)
