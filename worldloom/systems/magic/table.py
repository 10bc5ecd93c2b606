"""The magic seed table: schools tied to deity domains and region resources, spells in combat
terms, and who casts (`data/magic.toml`)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

Tradition = Literal["arcane", "divine", "primal"]
TRADITIONS: tuple[Tradition, ...] = ("arcane", "divine", "primal")
"""Where magic comes from: books, gods, or the land."""
MAX_SPELL_LEVEL = 5

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class School:
    """A school of magic, the deity domains it answers to and the resources it draws on."""

    key: str
    name: str
    tradition: Tradition
    domains: frozenset[str]
    resources: frozenset[str]


@dataclass(frozen=True, slots=True)
class Spell:
    """A spell and what one cast does in a fight (all zero for spells outside combat)."""

    key: str
    name: str
    school: str
    level: int
    damage: float
    """Average damage per target."""
    targets: int
    heal: float
    ward: int
    """Armour class it grants for the fight."""

    @property
    def effect(self) -> str:
        """damage, heal, ward or utility."""
        if self.damage > 0:
            return "damage"
        if self.heal > 0:
            return "heal"
        return "ward" if self.ward > 0 else "utility"


@dataclass(frozen=True, slots=True)
class CasterRule:
    """A profession's chance of casting, and its traditions' weights."""

    chance: float
    traditions: Mapping[Tradition, float]


@dataclass(frozen=True, slots=True)
class MagicTable:
    """`data/magic.toml`, validated."""

    schools: tuple[School, ...]
    spells: tuple[Spell, ...]
    casters: Mapping[str, CasterRule]
    culture: Mapping[str, Mapping[Tradition, float]]
    holy_site: float
    resource: float
    skill: Mapping[Tradition, str]
    attribute: Mapping[Tradition, str]
    per_skill: float
    per_modifier: float
    max_uses: int
    value_per_bonus: float
    max_bonus: int

    @classmethod
    def from_mapping(
        cls,
        table: Mapping[str, Any],
        *,
        domains: Sequence[str],
        resources: Sequence[str],
        professions: Sequence[str],
        culture_types: Sequence[str],
        skills: Sequence[str],
        attributes: Sequence[str],
    ) -> MagicTable:
        """Validate a parsed `magic.toml` against the other seed tables' keys.

        Raises:
            ValueError: a duplicate or malformed key; an unknown tradition, domain, resource,
                school, profession, culture type, skill or attribute; a deity domain no divine
                school answers; a spell whose numbers do not add up.
        """
        schools = tuple(_school(raw, domains, resources) for raw in _records(table, "school"))
        _unique("school", [s.key for s in schools])
        answered = {d for s in schools if s.tradition == "divine" for d in s.domains}
        if set(domains) - answered:
            raise ValueError(
                f"magic.toml: no divine school answers domains {sorted(set(domains) - answered)}"
            )
        school_keys = {s.key for s in schools}
        spells = tuple(_spell(raw, school_keys) for raw in _records(table, "spell"))
        _unique("spell", [s.key for s in spells])
        casters = {
            str(key): _caster(key, raw, professions)
            for key, raw in _section(table, "casters").items()
        }
        culture = {
            str(key): _weights(raw, f"culture.{key}")
            for key, raw in _section(table, "culture").items()
        }
        if set(culture) != set(culture_types):
            raise ValueError(f"magic.toml: [culture] must list every culture type {culture_types}")
        place, level = _section(table, "place"), _section(table, "level")
        skill = _by_tradition(level.get("skill"), "level.skill")
        attribute = _by_tradition(level.get("attribute"), "level.attribute")
        if not set(skill.values()) <= set(skills) or not set(attribute.values()) <= set(attributes):
            raise ValueError("magic.toml: [level] names an unknown skill or attribute")
        enchantment = _section(table, "enchantment")
        return cls(
            schools=schools,
            spells=spells,
            casters=casters,
            culture=culture,
            holy_site=_positive(place, "holy_site"),
            resource=_positive(place, "resource"),
            skill=skill,
            attribute=attribute,
            per_skill=_positive(level, "per_skill"),
            per_modifier=_positive(level, "per_modifier"),
            max_uses=int(_positive(level, "max_uses")),
            value_per_bonus=_positive(enchantment, "value_per_bonus"),
            max_bonus=int(_positive(enchantment, "max_bonus")),
        )

    def school_index(self) -> dict[str, int]:
        return {school.key: i for i, school in enumerate(self.schools)}


def _records(table: Mapping[str, Any], name: str) -> Sequence[Mapping[str, Any]]:
    records = table.get(name)
    if not isinstance(records, list) or not records:
        raise ValueError(f"magic.toml: needs at least one [[{name}]]")
    return records


def _section(table: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    section = table.get(name)
    if not isinstance(section, Mapping):
        raise ValueError(f"magic.toml: needs a [{name}] table")
    return section


def _unique(what: str, keys: Sequence[str]) -> None:
    for key in keys:
        if not _KEY.match(key):
            raise ValueError(f"magic.toml: {what} key {key!r} must be snake_case")
    if len(set(keys)) != len(keys):
        raise ValueError(f"magic.toml: a {what} key is defined twice")


def _tradition(value: Any, owner: str) -> Tradition:
    for tradition in TRADITIONS:
        if value == tradition:
            return tradition
    raise ValueError(f"magic.toml: {owner} has unknown tradition {value!r}")


def _school(raw: Mapping[str, Any], domains: Sequence[str], resources: Sequence[str]) -> School:
    key = str(raw.get("key", ""))
    school = School(
        key=key,
        name=str(raw.get("name", "")),
        tradition=_tradition(raw.get("tradition"), f"school {key!r}"),
        domains=frozenset(raw.get("domains", [])),
        resources=frozenset(raw.get("resources", [])),
    )
    if not school.name:
        raise ValueError(f"magic.toml: school {key!r} needs a name")
    if not school.domains <= set(domains) or not school.resources <= set(resources):
        raise ValueError(f"magic.toml: school {key!r} names an unknown domain or resource")
    return school


def _spell(raw: Mapping[str, Any], schools: set[str]) -> Spell:
    key = str(raw.get("key", ""))
    spell = Spell(
        key=key,
        name=str(raw.get("name", "")),
        school=str(raw.get("school", "")),
        level=int(raw.get("level", 0)),
        damage=float(raw.get("damage", 0.0)),
        targets=int(raw.get("targets", 0)),
        heal=float(raw.get("heal", 0.0)),
        ward=int(raw.get("ward", 0)),
    )
    if spell.school not in schools or not spell.name:
        raise ValueError(f"magic.toml: spell {key!r} needs a name and a known school")
    if not 1 <= spell.level <= MAX_SPELL_LEVEL:
        raise ValueError(f"magic.toml: spell {key!r} level must be 1-{MAX_SPELL_LEVEL}")
    numbers = (spell.damage, spell.heal, spell.ward, spell.targets)
    if not all(math.isfinite(n) and n >= 0 for n in numbers):
        raise ValueError(f"magic.toml: spell {key!r} has a negative or infinite number")
    if (spell.damage > 0) != (spell.targets > 0):
        raise ValueError(f"magic.toml: spell {key!r}: damage and targets go together")
    return spell


def _weights(raw: Any, owner: str) -> dict[Tradition, float]:
    if not isinstance(raw, Mapping):
        raise ValueError(f"magic.toml: {owner} must be a table of tradition weights")
    weights = {_tradition(k, owner): float(v) for k, v in raw.items()}
    if not all(math.isfinite(w) and w >= 0 for w in weights.values()):
        raise ValueError(f"magic.toml: {owner} weights must be >= 0")
    return weights


def _caster(key: str, raw: Mapping[str, Any], professions: Sequence[str]) -> CasterRule:
    if key not in professions:
        raise ValueError(f"magic.toml: casters.{key} is not a profession")
    fields = dict(raw)
    chance = float(fields.pop("chance", -1.0))
    if not 0.0 <= chance <= 1.0:
        raise ValueError(f"magic.toml: casters.{key}.chance must lie in [0, 1]")
    traditions = _weights(fields, f"casters.{key}")
    if not any(w > 0 for w in traditions.values()):
        raise ValueError(f"magic.toml: casters.{key} needs a tradition")
    return CasterRule(chance, traditions)


def _by_tradition(raw: Any, owner: str) -> dict[Tradition, str]:
    if not isinstance(raw, Mapping) or {_tradition(k, owner) for k in raw} != set(TRADITIONS):
        raise ValueError(f"magic.toml: {owner} needs an entry per tradition")
    return {_tradition(k, owner): str(v) for k, v in raw.items()}


def _positive(section: Mapping[str, Any], key: str) -> float:
    value = section.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"magic.toml: {key!r} must be a positive number")
    return float(value)


def spell_frame(table: MagicTable) -> pl.DataFrame:
    """The spells as rows (the `spells` table)."""
    traditions = {school.key: school.tradition for school in table.schools}
    return pl.DataFrame(
        {
            "spell": [s.key for s in table.spells],
            "name": [s.name for s in table.spells],
            "school": [s.school for s in table.spells],
            "tradition": [traditions[s.school] for s in table.spells],
            "level": [s.level for s in table.spells],
            "effect": [s.effect for s in table.spells],
            "damage": [s.damage for s in table.spells],
            "targets": [s.targets for s in table.spells],
            "heal": [s.heal for s in table.spells],
            "ward": [s.ward for s in table.spells],
        }
    )


def school_frame(table: MagicTable) -> pl.DataFrame:
    """The schools as rows (the `magic_schools` table)."""
    return pl.DataFrame(
        {
            "school": [s.key for s in table.schools],
            "name": [s.name for s in table.schools],
            "tradition": [s.tradition for s in table.schools],
            "domains": [sorted(s.domains) for s in table.schools],
            "resources": [sorted(s.resources) for s in table.schools],
        },
        schema={
            "school": pl.String,
            "name": pl.String,
            "tradition": pl.String,
            "domains": pl.List(pl.String),
            "resources": pl.List(pl.String),
        },
    )
