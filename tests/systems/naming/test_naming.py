"""Markov names and place patterns: deterministic, unique, in bounds, true to their base."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worldloom.infrastructure.seed_data import read_toml
from worldloom.prompts.text_rules import check_no_real_world_names, real_world_names
from worldloom.systems.naming import MarkovNamer, NameBases, PlacePatterns, generate_names
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog

LARGE_WORLD_NAMES = 4_000
"""The large preset's settlements: the worst case draws every one of them from a single base."""


@pytest.mark.parametrize("base", catalog.name_bases().keys)
def test_names_are_unique_and_within_bounds(base: str) -> None:
    name_base = catalog.name_bases().get(base)
    names = generate_names(
        MarkovNamer.learn(name_base), rng=Seeds(1).stream("test", base), count=200
    )
    assert len({name.lower() for name in names}) == 200
    single = [name for name in names if name.isalpha()]
    assert all(name_base.min_length <= len(name) <= name_base.max_length for name in single)
    assert all(name[0].isupper() for name in names)


@pytest.mark.parametrize("base", catalog.name_bases().keys)
def test_a_base_names_a_large_world_with_fresh_single_words(base: str) -> None:
    """Base names are single words, so a hyphen marks a double-barrelled fallback."""
    namer = MarkovNamer.learn(catalog.name_bases().get(base))
    names = generate_names(namer, rng=Seeds(3).stream("large", base), count=LARGE_WORLD_NAMES)
    assert len({name.lower() for name in names}) == LARGE_WORLD_NAMES
    double_barrelled = [name for name in names if not name.isalpha()]
    assert len(double_barrelled) < LARGE_WORLD_NAMES // 100, double_barrelled[:10]


@pytest.mark.parametrize("base", catalog.name_bases().keys)
def test_sample_names_are_invented(base: str) -> None:
    names = catalog.name_bases().get(base).names
    assert len(names) >= 100, "a base this small repeats itself in a large world"
    check_no_real_world_names(" ".join(names), real_world_names())


def test_forbidden_words_are_never_drawn() -> None:
    table = read_toml("name_bases.toml")
    table["bases"] = {
        "near": {"names": ["Iran", "Irana", "Iranu", "Irano"] * 3, "min_length": 4, "max_length": 5}
    }
    table["affinity"] = {"biomes": {}, "highland_m": 1.0, "highland": "near", "default": "near"}
    free = MarkovNamer.learn(NameBases.from_mapping(table).get("near"))
    assert "Iran" in generate_names(free, rng=Seeds(1).stream("n"), count=4)
    guarded = NameBases.from_mapping(table, forbidden=real_world_names()).get("near")
    names = generate_names(MarkovNamer.learn(guarded), rng=Seeds(1).stream("n"), count=3)
    assert set(names) == {"Irana", "Iranu", "Irano"}


@pytest.mark.parametrize("base", catalog.name_bases().keys)
def test_the_deny_list_guards_a_large_world(base: str) -> None:
    guarded = NameBases.from_mapping(read_toml("name_bases.toml"), forbidden=real_world_names())
    namer = MarkovNamer.learn(guarded.get(base))
    names = generate_names(namer, rng=Seeds(4).stream("large", base), count=LARGE_WORLD_NAMES)
    check_no_real_world_names(" ".join(names), real_world_names())


@given(seed=st.integers(min_value=0, max_value=2**63 - 1))
@settings(max_examples=25, deadline=None)
def test_same_seed_same_names(seed: int) -> None:
    namer = MarkovNamer.learn(catalog.name_bases().bases[0])
    first = generate_names(namer, rng=Seeds(seed).stream("n"), count=5)
    again = generate_names(namer, rng=Seeds(seed).stream("n"), count=5)
    assert first == again


def test_names_avoid_taken_ones_case_insensitively() -> None:
    namer = MarkovNamer.learn(catalog.name_bases().get("khazrak"))
    first = generate_names(namer, rng=Seeds(5).stream("n"), count=30)
    second = generate_names(
        namer, rng=Seeds(5).stream("n"), count=30, taken=[n.upper() for n in first]
    )
    assert not {n.lower() for n in first} & {n.lower() for n in second}


def test_names_keep_their_base_flavour() -> None:
    """Letter bigrams of generated names come from the base's own names."""
    base = catalog.name_bases().get("sylvane")
    names = generate_names(MarkovNamer.learn(base), rng=Seeds(2).stream("n"), count=50)
    source = {w[i : i + 2] for w in (n.lower() for n in base.names) for i in range(len(w) - 1)}
    made = {w[i : i + 2] for w in (n.lower() for n in names) for i in range(len(w) - 1)}
    assert made <= source


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"bases": {}, "affinity": {}}, "no name bases"),
        ({"bases": {"a": {"names": ["Ab"] * 3, "min_length": 2, "max_length": 5}}}, "at least 10"),
        (
            {"bases": {"a": {"names": ["Al-Abcd"] * 12, "min_length": 2, "max_length": 9}}},
            "single words",
        ),
        (
            {
                "bases": {"a": {"names": ["Abcd"] * 12, "min_length": 2, "max_length": 5}},
                "affinity": {
                    "biomes": {"x": "zz"},
                    "highland_m": 1.0,
                    "highland": "a",
                    "default": "a",
                },
            },
            "unknown bases: zz",
        ),
    ],
)
def test_bad_name_tables_are_refused(table: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        NameBases.from_mapping(table)


def test_patterns_fall_back_to_default_and_require_the_name() -> None:
    patterns = PlacePatterns.from_mapping(
        {"patterns": {"default": ["{name}"], "lake": ["Lake {name}"]}}
    )
    rng = np.random.default_rng(0)
    assert patterns.apply("lake", "Mere", rng=rng) == "Lake Mere"
    assert patterns.apply("volcano", "Mere", rng=rng) == "Mere"
    with pytest.raises(ValueError, match="use \\{name\\}"):
        PlacePatterns.from_mapping({"patterns": {"default": ["Nowhere"]}})
