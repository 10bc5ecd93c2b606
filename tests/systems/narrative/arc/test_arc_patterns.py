"""Sifting patterns: the data file loads, and every malformed pattern is refused by name."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from worldloom.systems.history import EventCatalog
from worldloom.systems.narrative.arc import ArcPatterns, compile_candidates, compile_probe


def _valid() -> dict[str, Any]:
    return {
        "patterns": [
            {
                "name": "feud",
                "surface": 1,
                "kinds": {"heir": "npc"},
                "title": "The feud of {realm}",
                "stages": [
                    {
                        "name": "start",
                        "types": ["border_incident"],
                        "bind": {"realm": "faction_id", "rival": "other_faction_id"},
                        "where": ["payload.tension >= 5"],
                        "text": "{realm} in year {year}",
                    },
                    {
                        "name": "heir",
                        "types": ["succession"],
                        "bind": {
                            "realm": "faction_id",
                            "heir": "npc_id",
                            "old": "payload.previous_id",
                        },
                        "where": ["payload.relation == 'child'", "npc_id != rival"],
                        "within_days": 10,
                        "caused_by": "start",
                    },
                ],
                "unless": [
                    {
                        "types": ["peace"],
                        "bind": {"realm": "faction_id"},
                        "between": ["start", "end"],
                    }
                ],
            }
        ]
    }


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(table: dict[str, Any]) -> None:
        target: Any = table["patterns"][0]
        *parents, last = path.split(".")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value

    return edit


CASES: list[tuple[Callable[[dict[str, Any]], None], str]] = [
    (_set("stages.0.types", ["war_won"]), "'feud', stage 'start': unknown event type 'war_won'"),
    (_set("stages.0.types", []), "stage 'start': no event types"),
    (
        _set("stages.0.where", ["payload.dead >= 1"]),
        "'border_incident' has no payload field 'dead'",
    ),
    (_set("stages.0.where", ["payload.tension = 1"]), "is not 'source op value'"),
    (_set("stages.0.where", ["payload.tension >= 'x'"]), "payload.tension is float, not str"),
    (_set("stages.0.where", ["payload.tension >= abc"]), "variable 'abc' is used before"),
    (_set("stages.0.where", ["payload.tension >= 1x"]), "bad value '1x'"),
    (_set("stages.1.where", ["payload.relation >= 'a'"]), ">= needs a number"),
    (_set("stages.0.bind", {"realm": "payload.tension"}), "payload.tension is float"),
    (_set("stages.0.bind", {"realm": "owner_id"}), "unknown source 'owner_id'"),
    (_set("stages.0.bind", {"Realm": "faction_id"}), "bad variable name 'Realm'"),
    (_set("stages.0.bind", {"year": "faction_id"}), "bad variable name 'year'"),
    (_set("stages.1.bind", {"realm": "npc_id"}), "'realm' is a faction, npc_id a npc"),
    (_set("stages.1.caused_by", "later"), "caused_by 'later' is not an earlier stage"),
    (_set("stages.0.within_days", 5), "within_days needs an earlier event"),
    (_set("stages.1.within_days", -1), "within_days needs an earlier event"),
    (_set("stages.1.optional", True), "the first and last stages cannot be optional"),
    (_set("stages.1.name", "start"), "duplicate stage names"),
    (_set("stages", []), "'feud': no stages"),
    (_set("unless.0.bind", {"heir": "npc_id"}), "unless #0: variable 'heir' is used before"),
    (_set("unless.0.between", ["heir", "start"]), "the end must be a later stage"),
    (_set("unless.0.between", ["nowhere", "end"]), "between must name a stage"),
    (_set("title", "The feud of {heir}"), "title: variable 'heir' is used before it is bound"),
    (_set("stages.1.text", "{realm} {old}"), "'old' names no entity"),
    (_set("stages.1.text", "{missing}"), "stage 'heir', text: variable 'missing'"),
    (_set("kinds", {"heir": "god"}), "kinds: 'heir' has unknown kind 'god'"),
    (_set("key", ["heir"]), "key ['heir'] must be variables of the first stage"),
    (_set("surface", 3), "surface must be 1..2"),
    (_set("importance", 11), "importance must be 1..10"),
    (_set("name", "Feud"), "pattern name 'Feud' is not a lower-case identifier"),
    (_set("ended", "{x}"), "ended: variable 'x'"),
]


@pytest.mark.parametrize(("edit", "message"), CASES)
def test_a_malformed_pattern_is_refused_naming_it(
    catalog: EventCatalog, edit: Callable[[dict[str, Any]], None], message: str
) -> None:
    table = _valid()
    ArcPatterns.from_mapping(copy.deepcopy(table), events=catalog)
    edit(table)
    with pytest.raises(ValueError, match=r"[Ff]eud") as error:
        ArcPatterns.from_mapping(table, events=catalog)
    assert message in str(error.value)


def test_the_collection_is_refused_when_empty_too_big_or_repeated(catalog: EventCatalog) -> None:
    with pytest.raises(ValueError, match="no patterns"):
        ArcPatterns.from_mapping({}, events=catalog)
    one = _valid()["patterns"][0]
    with pytest.raises(ValueError, match="duplicate pattern names"):
        ArcPatterns.from_mapping({"patterns": [one, one]}, events=catalog)
    many = [dict(one, name=f"p{i}") for i in range(65)]
    with pytest.raises(ValueError, match="at most 64"):
        ArcPatterns.from_mapping({"patterns": many}, events=catalog)


def test_a_payload_field_of_two_kinds_across_types_is_refused(catalog: EventCatalog) -> None:
    table = _valid()
    table["patterns"][0]["stages"][0]["types"] = ["treaty_signed", "famine"]
    table["patterns"][0]["stages"][0]["where"] = []
    table["patterns"][0]["stages"][0]["bind"] = {"realm": "faction_id"}
    table["patterns"][0]["stages"][1]["where"] = []
    ArcPatterns.from_mapping(table, events=catalog)
    table["patterns"][0]["stages"][0]["types"] = ["drought", "omen"]
    table["patterns"][0]["stages"][0]["where"] = ["payload.severity > 0"]
    ArcPatterns.from_mapping(table, events=catalog)
    table["patterns"][0]["stages"][0]["types"] = ["peace", "caravan_lost"]
    table["patterns"][0]["stages"][0]["where"] = ["payload.days > 0"]
    with pytest.raises(ValueError, match="'caravan_lost' has no payload field 'days'"):
        ArcPatterns.from_mapping(table, events=catalog)


def test_the_data_file_has_the_stories_the_issue_asks_for(patterns: ArcPatterns) -> None:
    names = {p.name for p in patterns.patterns}
    assert len(names) >= 15
    assert {"war_to_peace", "succession_crisis", "hunger_exodus", "siege_and_fall"} <= names
    assert patterns.index("war_to_peace") == 0
    with pytest.raises(KeyError, match="unknown pattern"):
        patterns["nope"]


def test_patterns_compile_to_sql_naming_only_their_types(patterns: ArcPatterns) -> None:
    sql = compile_candidates(patterns)
    assert sql.count("UNION ALL") >= len(patterns.patterns) - 1
    assert "json_extract_string(payload, '$.war_id')" in sql
    probe = compile_probe(patterns["siege_and_fall"])
    assert "checks" in probe
    assert "'birth'" not in probe
