"""A series of streams seeded together gives the very generators `Seeds.stream` gives one by one."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from worldloom.systems.rng import Seeds, stable_key

_KEYS = st.lists(st.one_of(st.integers(0, 2**70), st.text(max_size=8)), min_size=1, max_size=6)


@given(seed=st.integers(0, 2**96), system=st.text(max_size=12), keys=_KEYS)
def test_a_series_equals_its_streams_made_one_by_one(
    seed: int, system: str, keys: list[int | str]
) -> None:
    seeds = Seeds(seed)
    series = seeds.streams(system, keys)
    assert len(series) == len(keys)
    for index, key in enumerate(keys):
        made_alone = seeds.stream(system, key)
        together = series[index]
        assert together.bit_generator.state == made_alone.bit_generator.state
        assert together.random(3).tolist() == made_alone.random(3).tolist()


_PART = st.one_of(st.integers(0, 2**70), st.text(max_size=8))


@given(
    seed=st.integers(0, 2**64),
    keys=st.lists(st.tuples(_PART, _PART) | st.tuples(_PART, _PART, _PART), min_size=1, max_size=4),
)
def test_a_series_of_tuple_keys_equals_streams_of_their_parts(
    seed: int, keys: list[tuple[int | str, ...]]
) -> None:
    seeds = Seeds(seed)
    series = seeds.streams("rumor-hop", keys)
    for index, key in enumerate(keys):
        made_alone = seeds.stream("rumor-hop", *key)
        assert series[index].random(3).tolist() == made_alone.random(3).tolist()


@pytest.mark.parametrize("seed", [0, 7, 2**32 - 1, 2**32, 2**64 + 5])
def test_the_words_of_a_seed_at_its_edges(seed: int) -> None:
    series = Seeds(seed).streams("economy.pricing", range(3))
    for tick in range(3):
        expected = Seeds(seed).stream("economy.pricing", tick).integers(0, 2**62, 4)
        assert series[tick].integers(0, 2**62, 4).tolist() == expected.tolist()


def test_an_empty_series_and_a_fresh_generator_each_time() -> None:
    assert len(Seeds(1).streams("economy.taste", [])) == 0
    series = Seeds(1).streams("economy.taste", [5])
    assert series[0].random() == series[0].random()


def test_a_seeded_state_is_only_for_pcg64() -> None:
    generator = Seeds(1).streams("x", [1])[0]
    seed_sequence = generator.bit_generator.seed_seq
    with pytest.raises(ValueError, match="4 uint64 words"):
        seed_sequence.generate_state(8, np.uint32)


@given(
    seed=st.integers(0, 2**96),
    keys=st.lists(st.tuples(st.integers(0, 2**40), st.integers(0, 2**20)), max_size=40),
)
def test_first_randoms_are_each_streams_first_draw(seed: int, keys: list[tuple[int, int]]) -> None:
    series = Seeds(seed).streams("quest.standing", keys)
    drawn = series.first_randoms()
    assert drawn.dtype == np.float64
    assert drawn.tolist() == [series[index].random() for index in range(len(keys))]


@given(seed=st.integers(0, 2**96), system=st.text(max_size=12), keys=_KEYS)
def test_a_stream_is_seeded_by_its_key_words_then_the_seed(
    seed: int, system: str, keys: list[int | str]
) -> None:
    made = Seeds(seed).stream(system, *keys)
    expected = np.random.default_rng([*stable_key(system, *keys), seed])
    assert made.bit_generator.state == expected.bit_generator.state
