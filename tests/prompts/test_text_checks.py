"""The text checks on the hand-labelled bad answers, on texts that must pass, and on every
sentence the colour vocabulary can compose."""

from __future__ import annotations

import itertools

import pytest

from tests.prompts.bad_answers import BAD_ANSWERS, GOOD_TEXTS, BadAnswer
from worldloom.prompts.colour import colour_tables
from worldloom.prompts.text_checks import (
    TextFacts,
    check_land_name,
    check_text,
    fact_words_of,
    find_problems,
    read_text_facts,
)
from worldloom.prompts.text_rules import RuleContext, real_world_names, rule_context


def _facts(
    facts: tuple[str, ...] = (),
    names: tuple[str, ...] = (),
    numbers: tuple[float, ...] = (),
    sex: str | None = None,
) -> TextFacts:
    return TextFacts(
        rules=RuleContext(
            known_names=frozenset(names),
            used_names=frozenset(),
            forbidden_names=real_world_names(),
        ),
        numbers=frozenset(numbers),
        fact_words=fact_words_of(facts),
        sex=sex,
    )


@pytest.mark.parametrize("bad", BAD_ANSWERS, ids=lambda bad: bad.label)
def test_every_hand_labelled_bad_answer_is_refused(bad: BadAnswer) -> None:
    if bad.land_name:
        problem = check_land_name(bad.text)
        assert problem is not None
        assert bad.refusal in problem
        return
    problems = find_problems(bad.text, _facts(bad.facts, bad.names, bad.numbers, bad.sex))
    assert problems, f"{bad.label} was accepted"
    assert any(bad.refusal in p for p in problems), problems


@pytest.mark.parametrize(("text", "facts", "names"), GOOD_TEXTS)
def test_grounded_plain_text_passes(
    text: str, facts: tuple[str, ...], names: tuple[str, ...]
) -> None:
    assert check_text(text, _facts(facts, names, numbers=(4582.0,))) == text


@pytest.mark.parametrize(
    "name", ["Bromdor Crags", "Isle of Vell", "Al-Sadim Sands", "Oliathilwood"]
)
def test_procedural_land_names_look_like_names(name: str) -> None:
    assert check_land_name(name) is None


@pytest.mark.parametrize(
    "name", ["the Vale", "Vale of", "Green and Gold Lands", "Ashvale is here", "Two Hills", "x"]
)
def test_phrases_are_not_land_names(name: str) -> None:
    assert check_land_name(name) is not None


@pytest.mark.parametrize("prompt", sorted(colour_tables()))
def test_every_sentence_the_vocabulary_composes_passes_the_checks(prompt: str) -> None:
    """With facts that license its options, every option in every frame makes clean text."""
    table = colour_tables()[prompt]
    slots = list(table.slots)
    for slot in slots:
        for option, licences in table.slots[slot].items():
            others = {s: next(iter(table.slots[s])) for s in slots if s != slot}
            choice = {**others, slot: option}
            words = set(licences)
            for other, value in others.items():
                words |= table.slots[other][value]
            for frame, pronoun in itertools.product(table.frames, ("he", "she")):
                values = {**choice, "pronoun": pronoun, "Pronoun": pronoun.capitalize()}
                text = frame.format(**values)
                sex = "male" if pronoun == "he" else "female"
                problems = find_problems(text, _facts(tuple(words), sex=sex))
                assert not problems, (text, problems)


def test_the_context_carries_numbers_fact_words_and_sex() -> None:
    context = rule_context(known=["Ashvale"], facts=["a port city"], numbers=[4582], sex="female")
    facts = read_text_facts(context)
    assert facts is not None
    assert {"port", "city", "a port city"} <= facts.fact_words
    assert facts.numbers == frozenset({4582.0})
    assert facts.sex == "female"
    assert read_text_facts(None) is None
