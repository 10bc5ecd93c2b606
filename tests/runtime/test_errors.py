"""The sentences the API answers a refused request with."""

from __future__ import annotations

from typing import Any

import pytest

from worldloom.runtime.errors import MAX_DESCRIBED, describe_invalid, describe_no_route


@pytest.mark.parametrize(
    ("errors", "sentence"),
    [
        ([{"loc": ("body",), "msg": "Field required", "input": None}], "body: Field required"),
        (
            [{"loc": ("query", "limit"), "msg": "Input too big", "input": "5000"}],
            "query limit: Input too big (got '5000')",
        ),
        (
            [{"loc": ("path", "npc_id"), "msg": "Not an int", "input": True}],
            "path npc_id: Not an int",
        ),
        ([{"loc": ("body", "a", 0), "msg": "Bad", "input": 2.5}], "body a.0: Bad (got '2.5')"),
        ([{"msg": "Bad"}], "request: Bad"),
        ([{"loc": ("query", "q"), "input": "x" * 500}], f"query q: invalid (got '{'x' * 40}')"),
    ],
)
def test_each_problem_in_a_sentence(errors: list[dict[str, Any]], sentence: str) -> None:
    assert describe_invalid(errors) == sentence


def test_many_problems_are_counted_not_listed() -> None:
    errors = [{"loc": ("query", f"p{i}"), "msg": "Bad", "input": i} for i in range(8)]
    sentence = describe_invalid(errors)
    assert sentence.count("Bad") == MAX_DESCRIBED
    assert sentence.endswith(f"; and {8 - MAX_DESCRIBED} more")


def test_no_route_says_where_the_routes_are() -> None:
    assert describe_no_route("GET", "/nowhere", 404).startswith("no route GET /nowhere;")
    assert "/docs" in describe_no_route("PUT", "/worlds", 405)
    assert describe_no_route("PUT", "/worlds", 405).startswith("PUT is not allowed on /worlds")
    assert len(describe_no_route("GET", "/" + "a" * 5000, 404)) < 300
