"""The character system: attributes, skills, opposed traits and professions, rolled in bulk."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from worldloom.systems.people.culture import TIERS

ATTRIBUTES = ("strength", "dexterity", "constitution", "intelligence", "wisdom", "charisma")
"""The six attributes, physical then mental; rolls and age effects rely on this order."""
_N_ATTRIBUTES = len(ATTRIBUTES)
ATTRIBUTE_MIN, ATTRIBUTE_MAX = 3, 18
SKILL_MAX = 10
MAX_TRAITS = 3
ROLLS_PER_CHARACTER = 16
"""Uniform numbers one character consumes: 6 attributes, 6 skill noises, trait count + 3 picks.
Fixed, so a caller can hand over a block of rolls per entity and stay reproducible."""
_SKILLS = 6
_3D6 = np.sort(
    (np.arange(216) // 36 + np.arange(216) // 6 % 6 + np.arange(216) % 6 + 3).astype(np.int16)
)
"""The 216 equally likely 3d6 totals, sorted: one uniform per attribute picks one (inverse CDF
by table lookup, far cheaper than a search on millions of rolls)."""

IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class AgeBand:
    """An age band of the Tier-1 pyramid; ages `lo`..`hi` inclusive."""

    key: str
    lo: int
    hi: int
    share: float


@dataclass(frozen=True, slots=True)
class Profession:
    """A way to earn a living, and where it is found."""

    key: str
    min_tier: str
    resources: frozenset[str]
    """Any one of these in the region allows it; empty means anywhere."""
    weight: float
    urban: float
    """Weight factor per tier above `min_tier`."""
    coastal: float
    wealth: float
    bonus: Mapping[str, int]
    skills: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class NotableRole:
    """A role a story meets first; `counts` per settlement tier."""

    role: str
    profession: str
    min_age: int
    wealth: float
    counts: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class PointBuy:
    """Player-character point buy (the 5e scheme: 27 points over scores 8-15)."""

    budget: int
    min_score: int
    max_score: int
    costs: Mapping[int, int]
    max_traits: int


@dataclass(frozen=True, slots=True)
class CharacterTable:
    """Everything `data/characters.toml` defines, validated."""

    attributes: tuple[str, ...]
    skills: tuple[str, ...]
    skill_attribute: tuple[int, ...]
    """Index into `attributes` of the attribute that governs each skill."""
    trait_pairs: tuple[tuple[str, str], ...]
    trait_counts: tuple[float, ...]
    age_bands: tuple[AgeBand, ...]
    professions: tuple[Profession, ...]
    child_profession: str
    notables: tuple[NotableRole, ...]
    tier_wealth: Mapping[str, float]
    point_buy: PointBuy

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> CharacterTable:
        """Validate a parsed `characters.toml`.

        Raises:
            ValueError: a wrong number of attributes or skills, an unknown attribute, skill,
                tier or profession, a trait paired twice, shares that do not add up, or age
                bands with gaps; the message names it.
        """
        attributes = tuple(str(a) for a in table["attributes"])
        if attributes != ATTRIBUTES:
            raise ValueError(f"characters.toml: attributes must be {', '.join(ATTRIBUTES)}")
        skills = tuple(str(s["key"]) for s in table["skill"])
        if len(skills) != _SKILLS or len(set(skills)) != _SKILLS:
            raise ValueError(f"characters.toml: need {_SKILLS} distinct skills")
        governing = tuple(
            _index(attributes, str(s["attribute"]), "attribute") for s in table["skill"]
        )
        pairs = tuple((str(t["key"]), str(t["opposite"])) for t in table["trait"])
        flat = [key for pair in pairs for key in pair]
        if len(set(flat)) != len(flat) or len(pairs) < MAX_TRAITS:
            raise ValueError("characters.toml: each trait must appear in exactly one pair")
        counts = tuple(float(c) for c in table["trait_counts"])
        if len(counts) != MAX_TRAITS + 1 or abs(sum(counts) - 1) > 1e-9:
            raise ValueError(
                f"characters.toml: trait_counts needs {MAX_TRAITS + 1} shares summing to 1"
            )
        bands = tuple(
            AgeBand(str(b["key"]), int(b["lo"]), int(b["hi"]), float(b["share"]))
            for b in table["age_band"]
        )
        _check_bands(bands)
        professions = tuple(_profession(p, attributes, skills) for p in table["profession"])
        keys = [p.key for p in professions]
        child = str(table["child_profession"])
        if len(set(keys)) != len(keys) or child in keys:
            raise ValueError(
                "characters.toml: profession keys must be unique (and not the child's)"
            )
        if not any(not p.resources and p.min_tier == TIERS[0] for p in professions):
            raise ValueError("characters.toml: some hamlet profession must need no resources")
        notables = tuple(_notable(n, keys) for n in table["notable"])
        wealth = {str(k): float(v) for k, v in dict(table["tier_wealth"]).items()}
        if sorted(wealth) != sorted(TIERS):
            raise ValueError("characters.toml: tier_wealth needs every tier")
        buy = dict(table["point_buy"])
        point_buy = PointBuy(
            budget=int(buy["budget"]),
            min_score=int(buy["min_score"]),
            max_score=int(buy["max_score"]),
            costs={int(k): int(v) for k, v in dict(buy["costs"]).items()},
            max_traits=int(buy["max_traits"]),
        )
        if set(point_buy.costs) != set(range(point_buy.min_score, point_buy.max_score + 1)):
            raise ValueError("characters.toml: point_buy costs must price every score in range")
        return cls(
            attributes, skills, governing, pairs, counts, bands, professions, child, notables,
            wealth, point_buy,
        )  # fmt: skip

    @property
    def profession_keys(self) -> tuple[str, ...]:
        """Profession codes as NPC arrays use them: the table's, then the child's last."""
        return (*(p.key for p in self.professions), self.child_profession)

    @property
    def trait_keys(self) -> tuple[str, ...]:
        """Trait codes: pair `i` holds codes `2i` and its opposite `2i + 1`."""
        return tuple(key for pair in self.trait_pairs for key in pair)

    def profession_matrix(self, field: str) -> NDArray[np.int64]:
        """(professions + child, attributes or skills) bonus or trained-level matrix."""
        names = self.attributes if field == "bonus" else self.skills
        matrix = np.zeros((len(self.professions) + 1, len(names)), dtype=np.int64)
        for row, profession in enumerate(self.professions):
            for key, value in getattr(profession, field).items():
                matrix[row, names.index(key)] = value
        return matrix


def _index(known: Sequence[str], key: str, what: str) -> int:
    if key not in known:
        raise ValueError(f"characters.toml: unknown {what} {key!r}")
    return list(known).index(key)


def _check_bands(bands: Sequence[AgeBand]) -> None:
    if not bands or bands[0].lo != 0 or abs(sum(b.share for b in bands) - 1) > 1e-9:
        raise ValueError("characters.toml: age bands must start at 0 and their shares sum to 1")
    for before, after in itertools.pairwise(bands):
        if after.lo != before.hi + 1 or after.hi < after.lo:
            raise ValueError(f"characters.toml: age band {after.key!r} leaves a gap or overlap")


def _profession(
    raw: Mapping[str, Any], attributes: Sequence[str], skills: Sequence[str]
) -> Profession:
    key = str(raw["key"])
    if str(raw["min_tier"]) not in TIERS:
        raise ValueError(
            f"characters.toml: profession {key!r} has unknown tier {raw['min_tier']!r}"
        )
    bonus = {str(k): int(v) for k, v in dict(raw.get("bonus", {})).items()}
    trained = {str(k): int(v) for k, v in dict(raw.get("skills", {})).items()}
    for name in bonus:
        _index(attributes, name, f"attribute in profession {key!r}:")
    for name in trained:
        _index(skills, name, f"skill in profession {key!r}:")
    weight, urban = float(raw["weight"]), float(raw.get("urban", 1.0))
    if weight <= 0 or urban <= 0 or float(raw.get("coastal", 1.0)) <= 0:
        raise ValueError(f"characters.toml: profession {key!r} weights must be positive")
    return Profession(
        key=key,
        min_tier=str(raw["min_tier"]),
        resources=frozenset(str(r) for r in raw.get("resources", ())),
        weight=weight,
        urban=urban,
        coastal=float(raw.get("coastal", 1.0)),
        wealth=float(raw["wealth"]),
        bonus=bonus,
        skills=trained,
    )


def _notable(raw: Mapping[str, Any], professions: Sequence[str]) -> NotableRole:
    role = str(raw["role"])
    _index(professions, str(raw["profession"]), f"profession for notable {role!r}:")
    counts = {str(k): int(v) for k, v in dict(raw["counts"]).items()}
    if unknown := sorted(set(counts) - set(TIERS)):
        raise ValueError(f"characters.toml: notable {role!r} counts unknown tiers {unknown}")
    return NotableRole(
        role, str(raw["profession"]), int(raw["min_age"]), float(raw["wealth"]), counts
    )


@dataclass(frozen=True, slots=True, eq=False)
class Characters:
    """Rolled characters, one row each: the arrays a frame's columns are made from."""

    attributes: NDArray[np.int8]
    """(n, 6) scores 3-18, in `CharacterTable.attributes` order."""
    skills: NDArray[np.int8]
    """(n, 6) levels 0-10, in `CharacterTable.skills` order."""
    traits: NDArray[np.int16]
    """(n, 3) trait codes (`CharacterTable.trait_keys`), -1 for none; never both of a pair."""


def draw_characters(
    *, rng: np.random.Generator, profession: IntArray, age: IntArray, table: CharacterTable
) -> Characters:
    """Roll characters for people of the given profession codes and ages."""
    rolls = rng.random((profession.size, ROLLS_PER_CHARACTER), dtype=np.float32)
    return roll_characters(rolls, profession=profession, age=age, table=table)


def roll_characters(
    rolls: NDArray[np.float32], *, profession: IntArray, age: IntArray, table: CharacterTable
) -> Characters:
    """Turn a block of uniform numbers (n, ROLLS_PER_CHARACTER) into characters, vectorised.

    Attributes are 3d6 plus the profession's bonus, lowered for children and the old (the old
    gain wisdom). Skills are the profession's training, plus (attribute - 10) // 4, plus a year
    of practice per eight worked (up to three, trained skills only), plus -1..+1 of luck.
    Traits: a count, then that many distinct pairs, each with a side, so opposites exclude
    each other by construction.
    """
    years = age.astype(np.int16)
    # int16 throughout: scores and levels are small, and millions of rows stay cache-friendly.
    dice = np.minimum((rolls[:, :_N_ATTRIBUTES] * 216).astype(np.int16), 215)
    scores = _3D6[dice] + table.profession_matrix("bonus").astype(np.int16)[profession]
    young = np.maximum(16 - years, 0)[:, None]
    old = np.maximum(years - 55, 0)[:, None]
    # ATTRIBUTES order: the physical three, then the mental three (wisdom is index 4).
    scores[:, :3] -= young // 3 + old // 8
    scores[:, 3:] -= young // 4
    scores[:, 4] += old[:, 0] // 10
    attributes = np.minimum(np.maximum(scores, ATTRIBUTE_MIN), ATTRIBUTE_MAX)
    trained = table.profession_matrix("skills").astype(np.int16)[profession]
    governing = attributes[:, list(table.skill_attribute)]
    noise = (rolls[:, _N_ATTRIBUTES : _N_ATTRIBUTES + _SKILLS] * 3).astype(np.int16) - 1
    experience = np.minimum(np.maximum((years - 16) // 8, 0), 3)[:, None] * (trained > 0)
    skills = skill_levels(trained, governing) + experience + noise
    cap = np.minimum(SKILL_MAX, np.maximum(years, 0) // 2)[:, None]
    skills = np.minimum(np.maximum(skills, 0), cap)
    traits = _roll_traits(rolls[:, _N_ATTRIBUTES + _SKILLS :], len(table.trait_pairs), table)
    return Characters(attributes.astype(np.int8), skills.astype(np.int8), traits)


def skill_levels(
    trained: NDArray[np.integer[Any]], governing: NDArray[np.integer[Any]]
) -> NDArray[np.int16]:
    """Trained level plus the governing attribute's modifier, before practice and luck."""
    return (trained + (governing - 10) // 4).astype(np.int16)


def _roll_traits(
    rolls: NDArray[np.float32], pairs: int, table: CharacterTable
) -> NDArray[np.int16]:
    """Distinct pairs without replacement by the shifting-index trick; a side per pick from the
    roll's fractional part, so each pick costs one uniform."""
    n = rolls.shape[0]
    edges = np.cumsum(table.trait_counts).astype(np.float32)
    count = np.minimum(np.searchsorted(edges, rolls[:, 0], side="right"), MAX_TRAITS)
    chosen = np.full((n, MAX_TRAITS), -1, dtype=np.int16)
    codes = np.full((n, MAX_TRAITS), -1, dtype=np.int16)
    for slot in range(MAX_TRAITS):
        # Twice the picks: the low bit is the side of the pair, the rest the pair itself.
        doubled = np.minimum(
            (rolls[:, 1 + slot] * 2 * (pairs - slot)).astype(np.int16), 2 * (pairs - slot) - 1
        )
        pick, side = doubled // 2, doubled % 2
        # Skip over pairs already taken, lowest first, so the pick lands on a free pair.
        for taken in np.sort(chosen[:, :slot], axis=1).T:
            pick += pick >= taken
        chosen[:, slot] = pick
        active = slot < count
        codes[active, slot] = (2 * pick + side)[active]
    return codes
