"""Faction and religion prompts: what their validators accept, and the fallback on bad answers."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from tests.infrastructure.llm.conftest import GatewayFactory
from tests.infrastructure.llm.scripted import ScriptedEndpoint, answer, status
from worldloom.infrastructure.llm.prompt import PromptFacts, PromptRenderer, PromptSpec
from worldloom.prompts.description import DescriptionText
from worldloom.prompts.faction import EXAMPLE_FACTS as FACTIONS
from worldloom.prompts.faction import FACTION_PROMPT
from worldloom.prompts.religion import EXAMPLE_FACTS as RELIGIONS
from worldloom.prompts.religion import RELIGION_PROMPT

STATE, ORDER = FACTIONS
CHURCH, CULT = RELIGIONS
PROCEDURAL = "The Grim Commonwealth is a republic ruled from Vellebridge."

CASES: list[tuple[PromptSpec[PromptFacts, BaseModel], PromptFacts, str, str | None]] = [
    (
        FACTION_PROMPT,
        STATE,
        "The Grim Commonwealth is ruled from Vellebridge by Gurgrun Zharngarn.",
        None,
    ),
    (FACTION_PROMPT, STATE, "The Grim Commonwealth keeps the Gundak Covenant.", None),
    (FACTION_PROMPT, STATE, "The Grim Commonwealth rules the Golden Isles.", "Golden Isles"),
    (FACTION_PROMPT, STATE, "The Grim Commonwealth is a Roman republic.", "real-world"),
    (FACTION_PROMPT, ORDER, "The Wardens of Tibera Haven guard the.", "mid-sentence"),
    (FACTION_PROMPT, ORDER, "The Wardens are a fantasy order of monks.", "outside the story"),
    (
        RELIGION_PROMPT,
        CHURCH,
        "The Faith of the Plough-Father honours Aquiloravia, the Plough-Father.",
        None,
    ),
    (RELIGION_PROMPT, CHURCH, "Lindra, the Green Mother, keeps its fields alive.", None),
    (RELIGION_PROMPT, CULT, "The Cult of Wrendle broke away from the Oakennock Rites.", None),
    (RELIGION_PROMPT, CULT, "The Cult of Wrendle is a Christian sect of night.", "real-world"),
    (RELIGION_PROMPT, CULT, "Wrendle serves the god Morwen of the deep night.", "Morwen"),
]


@pytest.mark.parametrize(("spec", "facts", "text", "error"), CASES)
def test_validators_keep_grounded_prose_and_reject_the_rest(
    spec: PromptSpec[PromptFacts, BaseModel], facts: PromptFacts, text: str, error: str | None
) -> None:
    def validate() -> BaseModel:
        return spec.response_model.model_validate(
            {"description": text}, context=facts.validation_context()
        )

    if error is None:
        assert validate().model_dump() == {"description": text}
    else:
        with pytest.raises(ValidationError, match=error):
            validate()


def test_the_prompts_state_the_facts_and_only_the_given_names() -> None:
    renderer = PromptRenderer()
    state = renderer.render(FACTION_PROMPT, STATE).user
    for fact in ("Grim Commonwealth", "a republic", "Vellebridge", "Gurgrun Zharngarn"):
        assert fact in state
    cult = renderer.render(RELIGION_PROMPT, CULT).user
    for fact in ("Cult of Wrendle", "Wrendle", "the Star-Keeper", "Oakennock Rites"):
        assert fact in cult
    church = renderer.render(RELIGION_PROMPT, CHURCH).user
    assert "broke away" not in church  # a fact left empty is left out, not stated as blank
    assert {"Aquiloravia", "Lindra", "the Green Mother"} <= set(
        CHURCH.validation_context()["known_names"]
    )


@pytest.mark.parametrize(
    "reply",
    [
        answer({"description": "The Grim Commonwealth rules the Golden Isles."}),
        answer({"description": "The Grim Commonwealth is ruled by the."}),
        answer({"description": "too short"}),
        status(500),
    ],
)
def test_a_bad_or_failed_answer_falls_back_to_the_procedural_text(
    make_gateway: GatewayFactory, reply: object
) -> None:
    endpoint = ScriptedEndpoint(reply)  # type: ignore[arg-type]  # parametrised reply
    gateway = make_gateway(endpoint)
    procedural = DescriptionText.model_construct(description=PROCEDURAL)

    result = gateway.generate(FACTION_PROMPT, STATE, fallback=lambda: procedural, seed=3)

    assert result.value.description == PROCEDURAL
    assert result.record.outcome == "fallback"
    assert result.record.template == "faction"
    assert len(endpoint.paths) <= FACTION_PROMPT.max_retries + 1


def test_a_grounded_answer_is_kept(make_gateway: GatewayFactory) -> None:
    text = "The Cult of Wrendle worships Wrendle, the Star-Keeper, by night."
    gateway = make_gateway(ScriptedEndpoint(answer({"description": text})))

    result = gateway.generate(
        RELIGION_PROMPT,
        CULT,
        fallback=lambda: DescriptionText.model_construct(description=PROCEDURAL),
    )

    assert (result.value.description, result.record.outcome) == (text, "llm")
