"""World configuration and identity: what a world is generated from, and how it is named."""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from worldloom.systems.naming import MarkovNamer, NameBases
from worldloom.systems.rng import Seeds

HeightmapTemplate = Literal["continents", "archipelago", "pangea", "inland_sea"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TerrainConfig(_Frozen):
    """The shape of the map: its mesh, size, land share and climate band."""

    cells: Annotated[int, Field(ge=1_000, le=200_000)]
    """Voronoi cells in the mesh (Azgaar's generator offers 1k-100k)."""
    width_km: Annotated[float, Field(gt=50, le=20_000)]
    aspect_ratio: Annotated[float, Field(ge=1.0, le=3.0)] = 1.6
    """Map width over height."""
    template: HeightmapTemplate = "continents"
    land_fraction: Annotated[float, Field(ge=0.15, le=0.8)] = 0.38
    """Share of cells above sea level (the sea level is chosen to hit it)."""
    latitude_north: Annotated[float, Field(ge=-80, le=85)] = 62.0
    latitude_south: Annotated[float, Field(ge=-85, le=80)] = 18.0
    max_elevation_m: Annotated[float, Field(ge=500, le=9_000)] = 4_800.0
    min_island_cells: Annotated[int, Field(ge=1, le=200)] = 6
    """Land masses smaller than this sink below sea level (they would be specks, not places)."""

    @model_validator(mode="after")
    def _north_above_south(self) -> TerrainConfig:
        if self.latitude_north <= self.latitude_south:
            raise ValueError(
                f"latitude_north ({self.latitude_north}) must be above "
                f"latitude_south ({self.latitude_south})"
            )
        return self

    @property
    def height_km(self) -> float:
        return self.width_km / self.aspect_ratio


class RegionConfig(_Frozen):
    """How land is divided into named regions."""

    count: Annotated[int, Field(ge=1, le=2_000)]
    """Target number of regions on the largest land masses; small islands add their own."""


class PopulationConfig(_Frozen):
    """How many settlements and people the population stages create."""

    settlements: Annotated[int, Field(ge=1, le=50_000)]
    npcs: Annotated[int, Field(ge=0, le=5_000_000)]


CELLS_PER_REGION = 10
"""Land cells a region needs at least: fewer and regions are specks, not lands."""
CELLS_PER_SETTLEMENT = 2
"""Land cells per settlement at most: settlements keep a cell apart."""


class WorldConfig(_Frozen):
    """Everything a world is generated from; the same config and seed give the same tables."""

    seed: Annotated[int, Field(ge=0, lt=2**63)]
    preset: str
    terrain: TerrainConfig
    regions: RegionConfig
    population: PopulationConfig

    @model_validator(mode="after")
    def _fits_the_map(self) -> WorldConfig:
        """Refuse counts the map cannot hold, naming the limit (never clamp them silently)."""
        land = int(self.terrain.cells * self.terrain.land_fraction)
        limits = {
            "regions.count": (self.regions.count, land // CELLS_PER_REGION),
            "population.settlements": (self.population.settlements, land // CELLS_PER_SETTLEMENT),
        }
        for key, (asked, most) in limits.items():
            if asked > most:
                raise ValueError(
                    f"{key} {asked:,} is more than a map of {self.terrain.cells:,} cells "
                    f"({land:,} of them land) can hold: at most {most:,} "
                    "(or raise terrain.cells or terrain.land_fraction)"
                )
        return self

    def config_hash(self) -> str:
        """A sha256 over the canonical JSON of this config (key order does not matter)."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


class ConfigError(ValueError):
    """A preset, override or config value that cannot make a world; the message names it."""


def resolve_config(
    presets: Mapping[str, Mapping[str, Any]],
    *,
    preset: str,
    seed: int,
    overrides: Mapping[str, Any] | None = None,
) -> WorldConfig:
    """Build a validated `WorldConfig` from a named preset plus dotted-key overrides.

    Args:
        presets: preset name -> its table (as loaded from `data/presets/*.toml`).
        preset: the preset to start from.
        seed: the world seed.
        overrides: dotted keys to replace, e.g. `{"terrain.cells": 5000}`.

    Raises:
        ConfigError: unknown preset, unknown key, or a value out of range.
    """
    if preset not in presets:
        known = ", ".join(sorted(presets))
        raise ConfigError(f"unknown preset {preset!r} (known: {known})")
    table: dict[str, Any] = json.loads(json.dumps(presets[preset]))
    keys = config_keys()
    for dotted, value in (overrides or {}).items():
        if dotted not in keys:
            close = difflib.get_close_matches(dotted, keys, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigError(f"unknown config key {dotted!r}{hint} (keys: {', '.join(keys)})")
        _set_dotted(table, dotted, value)
    try:
        return WorldConfig.model_validate({**table, "seed": seed, "preset": preset})
    except ValidationError as error:
        raise ConfigError(_describe(error)) from None


def config_keys() -> tuple[str, ...]:
    """Every key `--set` can override, dotted (`terrain.cells`), in declaration order."""
    keys: list[str] = []
    for section, field in WorldConfig.model_fields.items():
        model = field.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            keys.extend(f"{section}.{name}" for name in model.model_fields)
    return tuple(keys)


def _set_dotted(table: dict[str, Any], dotted: str, value: Any) -> None:
    """Set a known `section.key` (see `config_keys`) in the preset's tables."""
    section, key = dotted.split(".")
    table.setdefault(section, {})[key] = value


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "config"
        message = str(item["msg"]).removeprefix("Value error, ")
        problems.append(message if where == "config" else f"{where}: {message}")
    return "invalid world config: " + "; ".join(problems)


def name_world(*, seeds: Seeds, name_bases: NameBases) -> str:
    """A name for a world that was not given one, drawn from its seed."""
    rng = seeds.stream("world.name")
    base = name_bases.bases[int(rng.integers(len(name_bases.bases)))]
    return MarkovNamer.learn(base).generate(rng=rng, taken=frozenset())


_SLUG = re.compile(r"[^a-z0-9]+")
SLUG_MAX = 40
"""World ids are folder and file names: the slug of a long name is cut to this."""
NAME_MAX = 120
"""A world name is shown in tables and maps: longer is not a name."""


def check_world_name(name: str) -> str:
    """The name as given, if it can name a world.

    Raises:
        ConfigError: blank, longer than `NAME_MAX`, or holding control characters (a newline
            or an escape code would break the plain output scripts read).
    """
    if not name.strip():
        raise ConfigError("a world name cannot be blank")
    if len(name) > NAME_MAX:
        raise ConfigError(f"a world name is at most {NAME_MAX} characters; got {len(name):,}")
    controls = sorted({f"U+{ord(c):04X}" for c in name if unicodedata.category(c) in ("Cc", "Cf")})
    if controls:
        raise ConfigError(f"a world name cannot hold control characters ({', '.join(controls)})")
    return name


def world_id_for(name: str, config: WorldConfig) -> str:
    """A readable, stable id: the slugged name plus a short hash of the config.

    The same name, seed and config always map to the same world, so re-running a generation
    replaces that world rather than piling up copies.
    """
    slug = _SLUG.sub("-", name.lower()).strip("-")[:SLUG_MAX].rstrip("-") or "world"
    return f"{slug}-{config.config_hash()[:8]}"
