"""The combat rulebook: the rules and the bestiary, validated together."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from worldloom.systems.combat.bestiary import Bestiary
from worldloom.systems.combat.encounter import check_reachable
from worldloom.systems.combat.table import CombatRules


@dataclass(frozen=True, slots=True)
class Rulebook:
    """`data/combat.toml` and `data/bestiary.toml`: how fights go and who is met where."""

    rules: CombatRules
    bestiary: Bestiary

    @classmethod
    def from_mappings(
        cls,
        combat: Mapping[str, Any],
        bestiary: Mapping[str, Any],
        *,
        professions: Sequence[str],
        poi_kinds: Sequence[str],
    ) -> Rulebook:
        """Validate both tables, and that every encounter table meets every danger's band.

        Raises:
            ValueError: the first problem found, naming the table and the field.
        """
        rules = CombatRules.from_mapping(combat, professions=professions)
        beasts = Bestiary.from_mapping(bestiary, rules=rules, poi_kinds=poi_kinds)
        check_reachable(beasts, rules=rules)
        return cls(rules, beasts)
