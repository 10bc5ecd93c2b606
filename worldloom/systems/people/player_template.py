"""Player-character templates: point-buy attributes on the same character system as NPCs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from worldloom.systems.people.character import (
    ATTRIBUTE_MAX,
    ATTRIBUTE_MIN,
    SKILL_MAX,
    CharacterTable,
    skill_levels,
)


@dataclass(frozen=True, slots=True)
class PlayerTemplate:
    """A starting player character: what the game offers at character creation."""

    name: str
    profession: str
    attributes: Mapping[str, int]
    """Final scores (point-buy score plus the profession's bonus), 3-18."""
    skills: Mapping[str, int]
    traits: tuple[str, ...]
    points_spent: int


def point_buy_cost(scores: Mapping[str, int], *, table: CharacterTable) -> int:
    """Points the scores cost under the table's point buy.

    Raises:
        ValueError: an attribute missing or unknown, or a score outside the buyable range.
    """
    buy = table.point_buy
    if set(scores) != set(table.attributes):
        missing = sorted(set(table.attributes) - set(scores))
        unknown = sorted(set(scores) - set(table.attributes))
        raise ValueError(
            f"point buy needs exactly the six attributes (missing {missing}, unknown {unknown})"
        )
    for name, score in scores.items():
        if not buy.min_score <= score <= buy.max_score:
            raise ValueError(
                f"{name} {score} is outside the point-buy range {buy.min_score}-{buy.max_score}"
            )
    return sum(buy.costs[score] for score in scores.values())


def build_player_template(
    *,
    name: str,
    profession: str,
    scores: Mapping[str, int],
    traits: Sequence[str],
    table: CharacterTable,
) -> PlayerTemplate:
    """Validate a point-buy build and derive its final attributes and skills.

    Skills follow the NPC rule for a new adult (training plus attribute modifier, no practice
    and no luck), so a player and a villager of the same profession compare fairly.

    Raises:
        ValueError: over budget, a score out of range, an unknown profession or trait, too many
            traits, or both traits of an opposed pair; the message names it.
    """
    spent = point_buy_cost(scores, table=table)
    if spent > table.point_buy.budget:
        raise ValueError(f"point buy spends {spent} points, budget is {table.point_buy.budget}")
    keys = [p.key for p in table.professions]
    if profession not in keys:
        raise ValueError(f"unknown profession {profession!r} (known: {', '.join(keys)})")
    _check_traits(traits, table)
    row = keys.index(profession)
    bonus = table.profession_matrix("bonus")[row]
    final = np.clip(
        np.array([scores[a] for a in table.attributes]) + bonus, ATTRIBUTE_MIN, ATTRIBUTE_MAX
    )
    governing = final[list(table.skill_attribute)]
    levels = np.clip(skill_levels(table.profession_matrix("skills")[row], governing), 0, SKILL_MAX)
    return PlayerTemplate(
        name=name,
        profession=profession,
        attributes={a: int(v) for a, v in zip(table.attributes, final, strict=True)},
        skills={s: int(v) for s, v in zip(table.skills, levels, strict=True)},
        traits=tuple(traits),
        points_spent=spent,
    )


def _check_traits(traits: Sequence[str], table: CharacterTable) -> None:
    if len(traits) > table.point_buy.max_traits:
        raise ValueError(f"at most {table.point_buy.max_traits} traits, got {len(traits)}")
    pair_of = {key: i for i, pair in enumerate(table.trait_pairs) for key in pair}
    if unknown := sorted(set(traits) - set(pair_of)):
        raise ValueError(f"unknown traits: {', '.join(unknown)}")
    pairs = [pair_of[t] for t in traits]
    if len(set(pairs)) != len(pairs):
        raise ValueError(
            f"traits {', '.join(traits)} repeat a trait or hold both of an opposed pair"
        )
