"""The dialogue line's contract: a spoken line is kept, the prompt's facts copied back are not."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from worldloom.prompts.dialogue import EXAMPLE_FACTS, DialogueLine

FACTS = EXAMPLE_FACTS[0]
"""Corsena Neranus, ruler of Vellanford in Paverra Fields."""


@pytest.mark.parametrize(
    "line",
    [
        "Welcome to Vellanford, traveller. Speak quickly, I have little time.",
        "I am Corsena Neranus. What brings you to Paverra Fields?",
        "Mind your manners in Vellanford!",
    ],
)
def test_a_spoken_line_is_kept(line: str) -> None:
    checked = DialogueLine.model_validate({"line": line}, context=FACTS.validation_context())
    assert checked.line == line


@pytest.mark.parametrize(
    ("line", "copied"),
    [
        ("The traveller: Corsena Neranus, a noble of Vellanford.", "traveller:"),
        ("Corsena Neranus, aged 34, rules Vellanford.", "aged 3"),
        ("I rule Vellanford (ruler) with care.", "("),
        ("Vellanford lies north; it is old.", ";"),
        ("Its danger 7 of 10 keeps folk in Vellanford at home.", "danger 7 of 10"),
        ("Faith: I keep the old ways in Vellanford.", "Faith:"),
        ("Ruled by: Corsena Neranus.", "Ruled by:"),
    ],
)
def test_the_prompt_copied_back_is_refused(line: str, copied: str) -> None:
    with pytest.raises(ValidationError, match="the line copies the prompt") as refused:
        DialogueLine.model_validate({"line": line}, context=FACTS.validation_context())
    assert repr(copied) in str(refused.value)


def test_procedural_lines_answer_only_to_the_field_bounds() -> None:
    # A procedural writer builds the model without a context: the prose rules guard LLM output.
    line = "Corsena Neranus, aged 34 (ruler); danger 2 of 10."
    assert DialogueLine(line=line).line == line
