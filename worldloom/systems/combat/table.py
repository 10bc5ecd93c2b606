"""The combat seed table: XP by challenge, party thresholds, group multipliers, difficulty bands,
danger budgets, the reference party and fighting training by profession (`data/combat.toml`)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

ATTRIBUTES = ("strength", "dexterity", "constitution", "intelligence", "wisdom", "charisma")
"""The six d20 attributes, in the people room's order (their columns in `npcs`)."""
DANGER_LEVELS = 10
"""Danger runs 1..10 on regions and places."""
LEVELS = 20
"""Character levels 1..20, each with its XP thresholds."""


@dataclass(frozen=True, slots=True)
class Training:
    """How a profession fights: its starting level, hit points per level, and whether it fights
    as a trade (a second attack from level 5, a third from 11)."""

    level: int
    hit_die: float
    martial: bool


@dataclass(frozen=True, slots=True)
class Sheet:
    """A fighter described like an NPC: attributes and what their gear and magic give."""

    role: str
    attributes: Mapping[str, int]
    hit_die: float
    martial: bool
    armour_ac: int
    """Armour class of the armour worn (10 unarmoured)."""
    max_dex: int
    """Most dexterity bonus the armour lets count."""
    shield: int
    ward: int
    """Armour class from magic."""
    weapon_damage: float
    """Average damage of the weapon's die, before the attribute bonus."""
    finesse: bool
    """Dexterity-based (bows, daggers) rather than strength-based."""
    spell_damage: float = 0.0
    spell_targets: int = 0
    heal: float = 0.0
    spell_uses: int = 0


@dataclass(frozen=True, slots=True)
class CombatRules:
    """`data/combat.toml`, validated: everything encounters and the resolver go by."""

    challenge: NDArray[np.float64]
    """Challenge ratings, ascending (0.125 is 1/8)."""
    challenge_xp: NDArray[np.int64]
    """XP of each challenge rating."""
    thresholds: NDArray[np.int64]
    """[level - 1, band]: one character's XP threshold of each band."""
    multipliers: tuple[tuple[int, float], ...]
    """(fewest monsters, factor), ascending."""
    challenge_hp: NDArray[np.float64]
    challenge_dpr: NDArray[np.float64]
    challenge_ac: NDArray[np.float64]
    challenge_attack: NDArray[np.float64]
    bands: tuple[str, ...]
    deadly_cap: float
    win: Mapping[str, tuple[float, float]]
    """Band -> the range the reference party's win rate falls in."""
    danger_band: tuple[int, ...]
    """Per danger level 1..10 (index 0..9): the band index it aims at."""
    danger_position: tuple[float, ...]
    party_level: int
    party: tuple[Sheet, ...]
    training: Mapping[str, Training]
    default_training: Training
    per_skill: float
    max_level: int
    max_rounds: int
    fights_per_encounter: int
    max_count: int

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any], *, professions: Sequence[str]) -> CombatRules:
        """Validate a parsed `combat.toml`.

        Args:
            professions: the professions NPCs may hold (training may only name these).

        Raises:
            ValueError: a missing or malformed field, tables of the wrong shape, budgets that do
                not rise with danger, an unknown band or profession; the message names it.
        """
        xp = _section(table, "xp")
        challenge = _floats(xp, "challenge")
        challenge_xp = _floats(xp, "xp").astype(np.int64)
        if challenge.size != challenge_xp.size or np.any(np.diff(challenge) <= 0):
            raise ValueError("combat.toml: xp.challenge must ascend and match xp.xp")
        if np.any(np.diff(challenge_xp) <= 0):
            raise ValueError("combat.toml: xp.xp must rise with challenge")
        thresholds = np.asarray(xp.get("thresholds"), dtype=np.int64)
        if thresholds.shape != (LEVELS, 4) or np.any(np.diff(thresholds, axis=1) <= 0):
            raise ValueError("combat.toml: xp.thresholds needs 20 rising rows of 4")
        multipliers = tuple((int(n), float(f)) for n, f in xp.get("multipliers", []))
        if not multipliers or multipliers[0][0] != 1 or _descends([n for n, _ in multipliers]):
            raise ValueError("combat.toml: xp.multipliers must start at 1 monster and ascend")
        scale = _section(table, "challenge")
        per_challenge = {key: _floats(scale, key) for key in ("hp", "dpr", "ac", "attack")}
        if any(values.size != challenge.size for values in per_challenge.values()):
            raise ValueError("combat.toml: every [challenge] list needs one value per challenge")
        bands_raw = _section(table, "bands")
        bands = tuple(str(b) for b in bands_raw.get("names", []))
        if len(bands) != 4:
            raise ValueError("combat.toml: bands.names lists easy, medium, hard, deadly")
        win = {
            band: _pair(bands_raw.get("win", {}).get(band), f"bands.win.{band}") for band in bands
        }
        danger = _section(table, "danger")
        danger_band = tuple(_band_index(bands, str(b)) for b in danger.get("band", []))
        position = tuple(float(p) for p in danger.get("position", []))
        if len(danger_band) != DANGER_LEVELS or len(position) != DANGER_LEVELS:
            raise ValueError("combat.toml: danger.band and danger.position need 10 values")
        if not all(0.0 <= p < 1.0 for p in position):
            raise ValueError("combat.toml: danger.position values lie in [0, 1)")
        budgets = list(zip(danger_band, position, strict=True))
        if any(later <= earlier for earlier, later in itertools.pairwise(budgets)):
            raise ValueError("combat.toml: danger budgets must rise with danger")
        party_raw = _section(table, "reference_party")
        party_level = int(party_raw.get("level", 0))
        if not 1 <= party_level <= LEVELS:
            raise ValueError("combat.toml: reference_party.level must be 1-20")
        party = tuple(_sheet(raw) for raw in party_raw.get("member", []))
        if not party:
            raise ValueError("combat.toml: the reference party needs at least one member")
        training_raw = dict(_section(table, "training"))
        per_skill = float(training_raw.pop("per_skill", 0.5))
        max_level = int(training_raw.pop("max_level", LEVELS))
        default = _training(training_raw.pop("default", None), "default")
        known = set(professions)
        unknown = sorted(set(training_raw) - known)
        if unknown:
            raise ValueError(f"combat.toml: training for unknown professions {unknown}")
        return cls(
            challenge=challenge,
            challenge_xp=challenge_xp,
            thresholds=thresholds,
            multipliers=multipliers,
            challenge_hp=per_challenge["hp"],
            challenge_dpr=per_challenge["dpr"],
            challenge_ac=per_challenge["ac"],
            challenge_attack=per_challenge["attack"],
            bands=bands,
            deadly_cap=float(bands_raw.get("deadly_cap", 2.0)),
            win=win,
            danger_band=danger_band,
            danger_position=position,
            party_level=party_level,
            party=party,
            training={k: _training(v, k) for k, v in training_raw.items()},
            default_training=default,
            per_skill=per_skill,
            max_level=max_level,
            max_rounds=_positive_int(table, "max_rounds"),
            fights_per_encounter=_positive_int(table, "fights_per_encounter"),
            max_count=_positive_int(table, "max_count"),
        )

    def xp_of(self, challenge: float) -> int:
        """The XP a monster of `challenge` is worth (ValueError for a rating not in the table)."""
        matches = np.flatnonzero(np.isclose(self.challenge, challenge))
        if matches.size == 0:
            raise ValueError(f"no XP for challenge {challenge}")
        return int(self.challenge_xp[matches[0]])

    def training_of(self, profession: str) -> Training:
        return self.training.get(profession, self.default_training)


def _section(table: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    section = table.get(name)
    if not isinstance(section, Mapping):
        raise ValueError(f"combat.toml: needs a [{name}] table")
    return section


def _floats(section: Mapping[str, Any], key: str) -> NDArray[np.float64]:
    values = section.get(key)
    if not isinstance(values, list) or not values:
        raise ValueError(f"combat.toml: needs a list {key!r}")
    array = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueError(f"combat.toml: {key!r} holds non-negative numbers")
    return array


def _descends(values: Sequence[int]) -> bool:
    return any(b <= a for a, b in itertools.pairwise(values))


def _pair(raw: Any, owner: str) -> tuple[float, float]:
    if not isinstance(raw, list) or len(raw) != 2:
        raise ValueError(f"combat.toml: {owner} needs [low, high]")
    low, high = float(raw[0]), float(raw[1])
    if not 0.0 <= low <= high <= 1.0:
        raise ValueError(f"combat.toml: {owner} needs 0 <= low <= high <= 1")
    return low, high


def _band_index(bands: Sequence[str], band: str) -> int:
    if band not in bands:
        raise ValueError(f"combat.toml: unknown band {band!r}")
    return bands.index(band)


def _positive_int(table: Mapping[str, Any], key: str) -> int:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"combat.toml: {key!r} must be a positive integer")
    return value


def _training(raw: Any, owner: str) -> Training:
    if not isinstance(raw, Mapping):
        raise ValueError(f"combat.toml: training.{owner} needs level, hit_die and martial")
    training = Training(
        int(raw.get("level", -1)), float(raw.get("hit_die", 0)), bool(raw.get("martial"))
    )
    if not 0 <= training.level <= LEVELS or training.hit_die <= 0:
        raise ValueError(f"combat.toml: training.{owner} needs level 0-20 and hit_die > 0")
    return training


def _sheet(raw: Mapping[str, Any]) -> Sheet:
    role = str(raw.get("role", ""))
    attributes = raw.get("attributes", {})
    if set(attributes) != set(ATTRIBUTES) or not all(
        isinstance(v, int) and 1 <= v <= 30 for v in attributes.values()
    ):
        raise ValueError(f"combat.toml: party member {role!r} needs all six attributes (1-30)")
    sheet = Sheet(
        role=role,
        attributes={key: int(attributes[key]) for key in ATTRIBUTES},
        hit_die=float(raw.get("hit_die", 0)),
        martial=bool(raw.get("martial", False)),
        armour_ac=int(raw.get("armour_ac", 10)),
        max_dex=int(raw.get("max_dex", 10)),
        shield=int(raw.get("shield", 0)),
        ward=int(raw.get("ward", 0)),
        weapon_damage=float(raw.get("weapon_damage", 1.0)),
        finesse=bool(raw.get("finesse", False)),
        spell_damage=float(raw.get("spell_damage", 0.0)),
        spell_targets=int(raw.get("spell_targets", 0)),
        heal=float(raw.get("heal", 0.0)),
        spell_uses=int(raw.get("spell_uses", 0)),
    )
    numbers = (sheet.hit_die, sheet.weapon_damage, sheet.spell_damage, sheet.heal)
    if sheet.hit_die <= 0 or not all(math.isfinite(n) and n >= 0 for n in numbers):
        raise ValueError(f"combat.toml: party member {role!r} has a bad number")
    return sheet
