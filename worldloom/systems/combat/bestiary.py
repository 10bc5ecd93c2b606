"""The bestiary: monster kinds with their stat blocks, and who is met at each kind of place
(`data/bestiary.toml`)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from worldloom.systems.combat.table import CombatRules

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class MonsterKind:
    """A kind of monster: its challenge and the numbers the resolver fights with."""

    key: str
    name: str
    family: str
    challenge: float
    xp: int
    ac: int
    hp: int
    attack: int
    """Attack bonus."""
    damage: float
    """Average damage per hit."""
    attacks: int
    spell_damage: float
    """Average damage per target of its area attack (a breath); 0 when it has none."""
    spell_targets: int
    spell_uses: int
    heal: float
    """Hit points regained per round."""


@dataclass(frozen=True, slots=True)
class EncounterEntry:
    """One line of an encounter table: a group of `monster`, or one `monster` leading
    `minions`."""

    monster: int
    """Position of the kind in `Bestiary.monsters`."""
    weight: float
    minions: int | None


@dataclass(frozen=True, slots=True)
class Bestiary:
    """Monster kinds, encounter tables by POI kind, and rooms' chances of an encounter."""

    monsters: tuple[MonsterKind, ...]
    tables: Mapping[str, tuple[EncounterEntry, ...]]
    room_chance: Mapping[str, float]
    default_room_chance: float

    @classmethod
    def from_mapping(
        cls, table: Mapping[str, Any], *, rules: CombatRules, poi_kinds: Sequence[str]
    ) -> Bestiary:
        """Validate a parsed `bestiary.toml` against the combat rules.

        Raises:
            ValueError: a duplicate or malformed monster, a challenge with no XP, an encounter
                table for an unknown POI kind or naming an unknown monster, a bad chance.
        """
        raw_monsters = table.get("monster")
        if not isinstance(raw_monsters, list) or not raw_monsters:
            raise ValueError("bestiary.toml: needs at least one [[monster]]")
        monsters = tuple(_monster(raw, rules) for raw in raw_monsters)
        index = {m.key: i for i, m in enumerate(monsters)}
        if len(index) != len(monsters):
            raise ValueError("bestiary.toml: a monster key is defined twice")
        raw_tables = table.get("encounters", {})
        unknown = sorted(set(raw_tables) - set(poi_kinds))
        if unknown:
            raise ValueError(f"bestiary.toml: encounter tables for unknown POI kinds {unknown}")
        tables = {
            kind: tuple(_entry(raw, index, kind) for raw in entries)
            for kind, entries in sorted(raw_tables.items())
        }
        if any(not entries for entries in tables.values()):
            raise ValueError("bestiary.toml: an encounter table needs at least one entry")
        chances = {str(k): float(v) for k, v in table.get("room_chance", {}).items()}
        if not all(0.0 <= c <= 1.0 for c in chances.values()):
            raise ValueError("bestiary.toml: room chances lie in [0, 1]")
        default = chances.pop("default", 0.0)
        return cls(monsters, tables, chances, default)

    def index(self) -> dict[str, int]:
        """Monster key -> position."""
        return {monster.key: i for i, monster in enumerate(self.monsters)}


def _monster(raw: Mapping[str, Any], rules: CombatRules) -> MonsterKind:
    key = str(raw.get("key", ""))
    if not _KEY.match(key):
        raise ValueError(f"bestiary.toml: monster key {key!r} must be snake_case")
    challenge = float(raw.get("challenge", -1))
    try:
        xp = rules.xp_of(challenge)
    except ValueError:
        raise ValueError(
            f"bestiary.toml: monster {key!r} has challenge {challenge} with no XP"
        ) from None
    monster = MonsterKind(
        key=key,
        name=str(raw.get("name", "")),
        family=str(raw.get("family", "")),
        challenge=challenge,
        xp=xp,
        ac=int(raw.get("ac", 0)),
        hp=int(raw.get("hp", 0)),
        attack=int(raw.get("attack", 0)),
        damage=float(raw.get("damage", 0.0)),
        attacks=int(raw.get("attacks", 1)),
        spell_damage=float(raw.get("spell_damage", 0.0)),
        spell_targets=int(raw.get("spell_targets", 0)),
        spell_uses=int(raw.get("spell_uses", 0)),
        heal=float(raw.get("heal", 0.0)),
    )
    numbers = (monster.damage, monster.spell_damage, monster.heal)
    if not monster.name or not monster.family:
        raise ValueError(f"bestiary.toml: monster {key!r} needs a name and a family")
    if monster.ac < 1 or monster.hp < 1 or monster.attacks < 1:
        raise ValueError(f"bestiary.toml: monster {key!r} needs ac, hp and attacks >= 1")
    if not all(math.isfinite(n) and n >= 0 for n in numbers) or monster.damage <= 0:
        raise ValueError(f"bestiary.toml: monster {key!r} needs damage > 0 and no negatives")
    if (monster.spell_damage > 0) != (monster.spell_targets > 0 and monster.spell_uses > 0):
        raise ValueError(f"bestiary.toml: monster {key!r}: spell damage needs targets and uses")
    return monster


def _entry(raw: Mapping[str, Any], index: Mapping[str, int], kind: str) -> EncounterEntry:
    monster, minions = str(raw.get("monster", "")), raw.get("minions")
    for name in (monster, minions):
        if name is not None and name not in index:
            raise ValueError(f"bestiary.toml: encounters.{kind} names unknown monster {name!r}")
    weight = float(raw.get("weight", 1.0))
    if not weight > 0:
        raise ValueError(f"bestiary.toml: encounters.{kind}: weights must be > 0")
    return EncounterEntry(index[monster], weight, None if minions is None else index[minions])


def bestiary_frame(bestiary: Bestiary) -> pl.DataFrame:
    """The monster kinds as rows (the `monsters` table), with where each may be met."""
    habitats = {
        m: sorted(
            kind
            for kind, entries in bestiary.tables.items()
            for e in entries
            if m in (e.monster, e.minions)
        )
        for m in range(len(bestiary.monsters))
    }
    return pl.DataFrame(
        {
            "monster": [m.key for m in bestiary.monsters],
            "name": [m.name for m in bestiary.monsters],
            "family": [m.family for m in bestiary.monsters],
            "challenge": [m.challenge for m in bestiary.monsters],
            "xp": [m.xp for m in bestiary.monsters],
            "hp": [m.hp for m in bestiary.monsters],
            "ac": [m.ac for m in bestiary.monsters],
            "attack_bonus": [m.attack for m in bestiary.monsters],
            "damage": [m.damage for m in bestiary.monsters],
            "attacks": [m.attacks for m in bestiary.monsters],
            "spell_damage": [m.spell_damage for m in bestiary.monsters],
            "spell_targets": [m.spell_targets for m in bestiary.monsters],
            "heal": [m.heal for m in bestiary.monsters],
            "spell_uses": [m.spell_uses for m in bestiary.monsters],
            "habitats": [habitats[m] for m in range(len(bestiary.monsters))],
        }
    )
