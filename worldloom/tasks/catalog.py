"""The shipped seed tables, loaded once, validated and handed out read-only."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from worldloom.infrastructure.seed_data import list_tables, read_toml
from worldloom.systems.chaos import ChaosTable
from worldloom.systems.combat import Rulebook
from worldloom.systems.economy import EconomyRules, GoodsTable, RecipeBook, compile_rules
from worldloom.systems.faction import FactionTable
from worldloom.systems.gear import GearTable, LootTable
from worldloom.systems.history import EventCatalog, HistoryRules
from worldloom.systems.magic import MagicTable
from worldloom.systems.naming import NameBases, PlacePatterns
from worldloom.systems.narrative.arc import ArcPatterns
from worldloom.systems.narrative.dialogue import DialogueRules
from worldloom.systems.narrative.memory import MemoryRules
from worldloom.systems.narrative.motif import MotifTable
from worldloom.systems.narrative.quest import QuestRules
from worldloom.systems.narrative.rumor import RumorRules
from worldloom.systems.people import CULTURE_TYPES, CharacterTable, CultureRules, NotableRole
from worldloom.systems.places import PlaceRules
from worldloom.systems.prose import ProseTemplates
from worldloom.systems.religion import ReligionTable
from worldloom.systems.tension_war import WarTable
from worldloom.systems.world import Calendar, WorldConfig, resolve_config
from worldloom.systems.world_generation import BiomeTable


@cache
def preset_names() -> tuple[str, ...]:
    return tuple(list_tables("presets"))


def world_config(
    *, preset: str, seed: int, overrides: Mapping[str, Any] | None = None
) -> WorldConfig:
    """A validated world config from a shipped preset (raises `ConfigError` on bad input)."""
    presets = {name: read_toml(f"presets/{name}.toml") for name in preset_names()}
    return resolve_config(presets, preset=preset, seed=seed, overrides=overrides)


@cache
def biome_table() -> BiomeTable:
    return BiomeTable.from_mapping(read_toml("biomes.toml"))


@cache
def name_bases() -> NameBases:
    return NameBases.from_mapping(read_toml("name_bases.toml"))


@cache
def place_patterns() -> PlacePatterns:
    return PlacePatterns.from_mapping(read_toml("place_patterns.toml"))


@cache
def prose_templates() -> ProseTemplates:
    return ProseTemplates.from_mapping(read_toml("prose.toml"))


@cache
def calendar() -> Calendar:
    return Calendar.from_mapping(read_toml("calendar.toml"))


@cache
def religion_table() -> ReligionTable:
    return ReligionTable.from_mapping(read_toml("religions.toml"))


@cache
def place_rules() -> PlaceRules:
    keys = [biome.key for biome in biome_table().biomes]
    return PlaceRules.from_mapping(read_toml("pois.toml"), biome_keys=keys)


@cache
def faction_table() -> FactionTable:
    roles = [notable.role for notable in character_table().notables]
    return FactionTable.from_mapping(read_toml("factions.toml"), notable_roles=roles)


@cache
def culture_rules() -> CultureRules:
    return CultureRules.from_mapping(read_toml("cultures.toml"))


@cache
def character_table() -> CharacterTable:
    return CharacterTable.from_mapping(read_toml("characters.toml"))


@cache
def notable_roles() -> Mapping[str, NotableRole]:
    """The notable roles of `characters.toml` by name."""
    return {notable.role: notable for notable in character_table().notables}


@cache
def goods_table() -> GoodsTable:
    return GoodsTable.from_mapping(read_toml("goods.toml"))


@cache
def recipe_book() -> RecipeBook:
    biomes = biome_table().biomes
    return RecipeBook.from_mapping(
        read_toml("recipes.toml"),
        goods=goods_table(),
        professions=[profession.key for profession in character_table().professions],
        resources={resource for biome in biomes for resource in biome.resources},
        biomes=[biome.key for biome in biomes],
    )


@cache
def economy_rules() -> EconomyRules:
    return compile_rules(goods_table(), recipe_book())


@cache
def profession_weights() -> dict[str, float]:
    """How common each profession is among working people (guards and merchants included)."""
    return {profession.key: profession.weight for profession in character_table().professions}


def _professions() -> list[str]:
    table = character_table()
    return [profession.key for profession in table.professions] + [table.child_profession]


def _poi_kinds() -> list[str]:
    return [poi.kind for poi in place_rules().pois]


@cache
def combat_rulebook() -> Rulebook:
    return Rulebook.from_mappings(
        read_toml("combat.toml"),
        read_toml("bestiary.toml"),
        professions=_professions(),
        poi_kinds=_poi_kinds(),
    )


@cache
def magic_table() -> MagicTable:
    characters = character_table()
    return MagicTable.from_mapping(
        read_toml("magic.toml"),
        domains=[domain.key for domain in religion_table().domains],
        resources=sorted({r for biome in biome_table().biomes for r in biome.resources}),
        professions=_professions(),
        culture_types=list(CULTURE_TYPES),
        skills=list(characters.skills),
        attributes=list(characters.attributes),
    )


@cache
def gear_table() -> GearTable:
    return GearTable.from_mapping(
        read_toml("gear.toml"),
        goods=goods_table(),
        professions=_professions(),
        culture_types=list(CULTURE_TYPES),
    )


@cache
def loot_table() -> LootTable:
    return LootTable.from_mapping(
        read_toml("loot.toml"), goods=goods_table().keys(), poi_kinds=_poi_kinds()
    )


@cache
def event_catalog() -> EventCatalog:
    return EventCatalog.from_mapping(read_toml("events.toml"))


@cache
def history_rules() -> HistoryRules:
    return HistoryRules.from_mapping(read_toml("history.toml"), events=event_catalog())


@cache
def chaos_table() -> ChaosTable:
    return ChaosTable.from_mapping(read_toml("chaos.toml"))


@cache
def war_table() -> WarTable:
    return WarTable.from_mapping(read_toml("war.toml"))


@cache
def rumor_rules() -> RumorRules:
    return RumorRules.from_mapping(read_toml("rumors.toml"))


@cache
def quest_rules() -> QuestRules:
    return QuestRules.from_mapping(read_toml("quests.toml"))


@cache
def motif_table() -> MotifTable:
    return MotifTable.from_mapping(read_toml("motifs.toml"), catalog=event_catalog())


@cache
def arc_patterns() -> ArcPatterns:
    return ArcPatterns.from_mapping(read_toml("arcs.toml"), events=event_catalog())


@cache
def memory_rules() -> MemoryRules:
    return MemoryRules.from_mapping(read_toml("memory.toml"), event_texts=rumor_rules().texts)


@cache
def dialogue_rules() -> DialogueRules:
    return DialogueRules.from_mapping(read_toml("dialogue.toml"))
