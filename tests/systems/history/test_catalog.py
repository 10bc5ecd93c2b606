"""The one catalog of event types: its schemas check payloads, and it covers every system."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worldloom.systems.history import EventCatalog
from worldloom.systems.history.catalog import SYSTEMS
from worldloom.tasks import catalog


def test_the_shipped_catalog_has_at_least_forty_types_across_every_system() -> None:
    types = catalog.event_catalog().types
    assert len(types) >= 40
    assert {t.system for t in types.values()} == set(SYSTEMS)
    for name in ("birth", "death", "marriage", "succession", "migration", "famine", "plague",
                 "drought", "flood", "fire", "bandit_raid", "monster_attack", "ruin_discovered",
                 "ore_discovered", "price_shock", "caravan_lost", "alliance_formed",
                 "treaty_signed", "war_declared", "battle", "siege_begun", "siege_ended",
                 "settlement_occupied", "peace", "tribute_paid", "schism", "conversion",
                 "holy_site_founded", "holy_site_desecrated", "settlement_founded",
                 "settlement_grown", "settlement_abandoned", "merchant_ruined"):  # fmt: skip
        assert name in types, name


def test_a_payload_is_checked_against_its_schema_and_stored_as_canonical_json() -> None:
    events = catalog.event_catalog()
    text = events.encode("death", {"age": 70, "cause": "old_age"})
    assert text == '{"age":70,"cause":"old_age"}'
    assert json.loads(text) == {"age": 70, "cause": "old_age"}
    with pytest.raises(ValueError, match="missing"):
        events.encode("death", {"age": 70})
    with pytest.raises(ValueError, match="unexpected"):
        events.encode("death", {"age": 70, "cause": "x", "mood": "sad"})
    with pytest.raises(ValueError, match="must be int"):
        events.encode("death", {"age": "old", "cause": "x"})
    with pytest.raises(ValueError, match="must be int"):
        events.encode("death", {"age": True, "cause": "x"})  # a bool is no age
    with pytest.raises(KeyError, match="unknown event type"):
        events.encode("dragon_wedding", {})


def test_a_float_field_takes_an_int_and_an_optional_field_may_be_absent() -> None:
    table = {
        "types": {
            "quake": {
                "system": "chaos",
                "importance": 3,
                "description": "The earth shakes.",
                "payload": {"severity": "float", "note": "str?"},
            }
        }
    }
    events = EventCatalog.from_mapping(table)
    assert events.encode("quake", {"severity": 1}) == '{"severity":1}'
    assert events["quake"].payload[1].optional


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"system": "weather"}, "unknown system"),
        ({"importance": 11}, "importance"),
        ({"payload": {"x": "colour"}}, "unknown kind"),
    ],
)
def test_a_bad_catalog_is_refused(change: dict[str, object], message: str) -> None:
    entry = {"system": "chaos", "importance": 3, "description": "d", "payload": {}} | change
    with pytest.raises(ValueError, match=message):
        EventCatalog.from_mapping({"types": {"quake": entry}})


_QUAKE = EventCatalog.from_mapping(
    {
        "types": {
            "quake": {
                "system": "chaos",
                "importance": 3,
                "description": "The earth shakes.",
                "payload": {"depth": "int", "severity": "float", "felt": "bool", "note": "str"},
            }
        }
    }
)


@given(
    st.lists(
        st.tuples(
            st.integers(-(2**62), 2**62),
            st.one_of(st.integers(-1000, 1000), st.floats(allow_nan=False, allow_infinity=False)),
            st.booleans(),
            st.text(),  # quotes, escapes, accents and emoji: JSON's own escaping
        ),
        min_size=1,
        max_size=20,
    )
)
def test_payloads_encoded_together_are_those_encoded_one_by_one(
    rows: list[tuple[int, float, bool, str]],
) -> None:
    columns = dict(
        zip(("depth", "severity", "felt", "note"), map(list, zip(*rows, strict=True)), strict=True)
    )
    one_by_one = [_QUAKE.encode("quake", dict(zip(columns, row, strict=True))) for row in rows]
    assert _QUAKE.encode_many("quake", columns) == one_by_one


def test_payloads_encoded_together_are_checked_as_one_is() -> None:
    events = catalog.event_catalog()
    with pytest.raises(ValueError, match="missing"):
        events.encode_many("death", {"age": [70]})
    with pytest.raises(ValueError, match="unexpected"):
        events.encode_many("death", {"age": [70], "cause": ["x"], "mood": ["sad"]})
    with pytest.raises(ValueError, match=r"'age' must be int, got \['bool'\]"):
        events.encode_many("death", {"age": [70, True], "cause": ["x", "y"]})
    with pytest.raises(ValueError, match="'cause' must be str"):
        events.encode_many("death", {"age": [70], "cause": [3]})
    with pytest.raises(ValueError, match=r"lengths \[1, 2\]"):
        events.encode_many("death", {"age": [70, 71], "cause": ["x"]})
    with pytest.raises(KeyError, match="unknown event type"):
        events.encode_many("dragon_wedding", {"age": [1]})
    # No events: the fields are still checked, and none are encoded.
    assert events.encode_many("death", {"age": [], "cause": []}) == []
    with pytest.raises(ValueError, match="unexpected"):
        events.encode_many("death", {"age": [], "cause": [], "mood": []})
