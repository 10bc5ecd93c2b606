"""Markov names and place patterns: deterministic, unique, in bounds, true to their base."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worldloom.systems.naming import MarkovNamer, NameBases, PlacePatterns, generate_names
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog


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
    assert patterns.apply("lake", "Mere", rng) == "Lake Mere"
    assert patterns.apply("volcano", "Mere", rng) == "Mere"
    with pytest.raises(ValueError, match="use \\{name\\}"):
        PlacePatterns.from_mapping({"patterns": {"default": ["Nowhere"]}})
