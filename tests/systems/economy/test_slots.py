"""Slot templates: what the order book relies on holds for the shipped and the test recipes."""

from __future__ import annotations

import numpy as np
import pytest

from tests.economies import one_good_rules, village_rules
from worldloom.systems.economy import OUTPUT, SPARE, EconomyRules, build_slots, compile_rules
from worldloom.tasks import catalog

RULES = {
    "shipped": lambda: compile_rules(catalog.goods_table(), catalog.recipe_book()),
    "village": village_rules,
    "one good": one_good_rules,
}


@pytest.mark.parametrize("name", RULES)
def test_a_slot_below_its_reorder_point_is_below_what_it_keeps(name: str) -> None:
    # The order book restocks a slot up to `keep` once it falls below `reorder`.
    rules: EconomyRules = RULES[name]()
    slots = build_slots(rules)
    assert (slots.reorder <= slots.keep).all()
    assert (slots.keep[:, slots.width :] == 0).all()
    assert (slots.reorder[:, slots.width :] == 0).all()


@pytest.mark.parametrize("name", RULES)
def test_outputs_and_spares_are_sold_never_restocked(name: str) -> None:
    slots = build_slots(RULES[name]())
    assert not slots.restocked[np.isin(slots.purpose, (OUTPUT, SPARE))].any()
    assert slots.restocked[:, [slots.food, slots.comfort, slots.cargo]].all()
