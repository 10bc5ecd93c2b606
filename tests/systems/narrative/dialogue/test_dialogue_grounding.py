"""Grounding: a capitalised name in a line must be made of the allowed names' words."""

from __future__ import annotations

import pytest

from worldloom.systems.narrative.dialogue import ungrounded_names

ALLOWED = frozenset({"Alda Brenn", "Vale of the Ash", "Kor", "Élodie"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Well met. You stand in Kor.", set()),
        ("I met Alda at Kor, and Brenn too.", set()),
        ("They say Gorm burned Kor.", {"Gorm"}),
        ("Word has reached us: Gorm is dead.", set()),  # a sentence opener is not checked
        ("The Vale of the Ash is cold.", set()),
        ("I went to the Vale of Zed.", {"Vale of Zed"}),
        ("Next came Bob and Dan.", {"Bob", "Dan"}),
        ("Élodie sang; Mira wept.", {"Mira"}),  # only . ! ? : quotes open a sentence
        ("Élodie sang, then Mira wept.", {"Mira"}),
        ("I'm told I'll see Kor.", set()),
        ("Alda Brenn of the Red Hand rode out.", {"Alda Brenn of the Red Hand"}),
        ("one of the Kor men", set()),
        ("", set()),
        ("\u201cMira\u201d, he said, \u201cMira Holt.\u201d", {"Mira Holt"}),
    ],
)
def test_ungrounded_names(text: str, expected: set[str]) -> None:
    assert ungrounded_names(text, allowed=ALLOWED) == expected
