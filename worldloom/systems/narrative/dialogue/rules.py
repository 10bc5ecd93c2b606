"""Dialogue rules (data/dialogue.toml): greeting, rumor, quest, memory and farewell templates."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from worldloom.systems.narrative.dialogue.grounding import ungrounded_names

HOWS = ("took_part", "witnessed", "heard")
"""How a notable came by a memory (memories.how)."""
ANY = "any"
"""The role whose templates every role falls back on."""
DEFAULT = "default"
"""The greeting list used when there is none for the dominant motif."""

_GREETING_FIELDS = frozenset({"speaker", "settlement", "region", "tone"})
_RUMOR_FIELDS = frozenset({"rumor", "speaker", "settlement"})
_OFFER_FIELDS = frozenset({"title", "text", "reward", "speaker", "settlement"})
_STEPS_FIELDS = frozenset({"steps", "speaker"})
_MEMORY_FIELDS = frozenset({"memory"})
_FAREWELL_FIELDS = frozenset({"speaker", "settlement"})
_PROBE = "Zed"
"""Stands in for every field when a template's own words are checked for names."""

Templates = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RumorBand:
    """Templates for rumors believed with at least `min_confidence`."""

    min_confidence: float
    templates: Templates


@dataclass(frozen=True, slots=True)
class DialogueRules:
    """What notables say, as templates (data/dialogue.toml).

    Attributes:
        greetings: role -> motif (or `default`) -> templates; role `any` is the fallback.
        rumor_bands: Rumor introductions by confidence band, highest band first.
        quest_offers: How a quest is offered.
        quest_steps: How its steps are told.
        memories: how (took_part, witnessed, heard) -> templates.
        farewells: role -> templates; role `any` is the fallback.
        max_rumors, max_quests, max_memories: Lines of each kind a notable says at most.
        memory_half_life_days: A memory this many days old weighs half as much.
    """

    greetings: Mapping[str, Mapping[str, Templates]]
    rumor_bands: tuple[RumorBand, ...]
    quest_offers: Templates
    quest_steps: Templates
    memories: Mapping[str, Templates]
    farewells: Mapping[str, Templates]
    max_rumors: int
    max_quests: int
    max_memories: int
    memory_half_life_days: float

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> DialogueRules:
        """Validate a parsed `dialogue.toml`.

        Raises:
            ValueError: a missing section or fallback list, an empty list, a template with a
                field its kind does not allow or a capitalised word of its own inside a
                sentence, rumor bands not covering confidence 0, or a bad limit; the message
                names the place.
        """
        limits = _table(raw, "limits")
        greetings_raw = _table(raw, "greetings")
        greetings = {
            str(role): {
                str(motif): _templates(f"greetings.{role}.{motif}", lists, _GREETING_FIELDS)
                for motif, lists in _table(greetings_raw, str(role), "greetings").items()
            }
            for role in greetings_raw
        }
        if DEFAULT not in greetings.get(ANY, {}):
            raise ValueError("dialogue.toml needs greetings.any.default, the fallback greeting")
        bands_raw = raw.get("rumor_intros")
        if not isinstance(bands_raw, list) or not bands_raw:
            raise ValueError("dialogue.toml needs [[rumor_intros]] bands")
        bands = sorted(
            (_band(i, band) for i, band in enumerate(bands_raw)),
            key=lambda b: -b.min_confidence,
        )
        if bands[-1].min_confidence != 0.0:
            raise ValueError("rumor_intros: one band must have min_confidence = 0")
        quests = _table(raw, "quests")
        memories = _table(raw, "memories")
        if set(memories) != set(HOWS):
            raise ValueError(f"memories needs exactly a list for each of {', '.join(HOWS)}")
        farewells_raw = _table(raw, "farewells")
        farewells = {
            str(role): _templates(f"farewells.{role}", lists, _FAREWELL_FIELDS)
            for role, lists in farewells_raw.items()
        }
        if ANY not in farewells:
            raise ValueError("dialogue.toml needs farewells.any, the fallback farewell")
        half_life = limits.get("memory_half_life_days")
        if isinstance(half_life, bool) or not isinstance(half_life, int | float) or half_life <= 0:
            raise ValueError("limits.memory_half_life_days must be a positive number")
        return cls(
            greetings=greetings,
            rumor_bands=tuple(bands),
            quest_offers=_templates("quests.offer", quests.get("offer"), _OFFER_FIELDS),
            quest_steps=_templates("quests.steps", quests.get("steps"), _STEPS_FIELDS),
            memories={
                how: _templates(f"memories.{how}", memories[how], _MEMORY_FIELDS) for how in HOWS
            },
            farewells=farewells,
            max_rumors=_limit(limits, "rumors"),
            max_quests=_limit(limits, "quests"),
            max_memories=_limit(limits, "memories"),
            memory_half_life_days=float(half_life),
        )

    def greeting_templates(self, role: str | None, motif: str | None) -> Templates:
        """Greetings for `role` in a place whose dominant motif is `motif`: the role's list for
        the motif, else the role's default, else any role's for the motif, else the default."""
        for who, what in ((role, motif), (role, DEFAULT), (ANY, motif), (ANY, DEFAULT)):
            found = self.greetings.get(who or ANY, {}).get(what or DEFAULT)
            if found:
                return found
        raise AssertionError("from_mapping guarantees greetings.any.default")  # pragma: no cover

    def farewell_templates(self, role: str | None) -> Templates:
        """Farewells for `role`, else any role's."""
        return self.farewells.get(role or ANY) or self.farewells[ANY]

    def rumor_templates(self, confidence: float) -> Templates:
        """The introductions of the highest band `confidence` reaches."""
        for band in self.rumor_bands:
            if confidence >= band.min_confidence:
                return band.templates
        return self.rumor_bands[-1].templates


def _table(raw: Mapping[str, Any], key: str, where: str = "dialogue.toml") -> Mapping[str, Any]:
    value = raw.get(key)
    if not isinstance(value, Mapping) or not value:
        raise ValueError(f"{where} needs a [{key}] table")
    return value


def _templates(where: str, value: Any, fields: frozenset[str]) -> Templates:
    if not isinstance(value, list) or not value or not all(isinstance(t, str) for t in value):
        raise ValueError(f"{where} must be a non-empty list of templates")
    for template in value:
        try:
            used = {
                name for _, name, _, _ in string.Formatter().parse(template) if name is not None
            }
        except ValueError as error:
            raise ValueError(f"{where}: {template!r} is not a template ({error})") from None
        if not used <= fields:
            raise ValueError(
                f"{where}: {template!r} uses {sorted(used - fields)}; allowed: {sorted(fields)}"
            )
        probe = template.format(**dict.fromkeys(fields, _PROBE))
        stray = ungrounded_names(probe, allowed=frozenset({_PROBE}))
        if stray:
            raise ValueError(f"{where}: {template!r} names {sorted(stray)}: use a field")
    return tuple(value)


def _band(index: int, band: Any) -> RumorBand:
    where = f"rumor_intros[{index}]"
    if not isinstance(band, Mapping):
        raise ValueError(f"{where} must be a table")
    low = band.get("min_confidence")
    if isinstance(low, bool) or not isinstance(low, int | float) or not 0.0 <= low <= 1.0:
        raise ValueError(f"{where}: min_confidence must be in 0..1")
    return RumorBand(float(low), _templates(where, band.get("templates"), _RUMOR_FIELDS))


def _limit(limits: Mapping[str, Any], key: str) -> int:
    value = limits.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10:
        raise ValueError(f"limits.{key} must be a whole number in 1..10")
    return value
