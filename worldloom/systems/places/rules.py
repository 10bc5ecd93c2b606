"""The places seed table: settlement tiers and scoring, POI kinds and their placement rules,
and what lies inside each kind of place (validated from `data/pois.toml`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

TierKey = Literal["capital", "city", "town", "village", "hamlet"]
TIERS: tuple[TierKey, ...] = ("capital", "city", "town", "village", "hamlet")
"""Settlement tiers, largest first; a tier's index is its rank (0 = capital)."""

Feature = Literal[
    "river", "coast", "lake_shore", "road", "border", "peak", "waterfall", "bridge",
    "settlement_near",
]  # fmt: skip
Preference = Literal["remote", "near", "danger", "high", "habitable", "any"]
InteriorKind = Literal["dungeon", "lair", "ruin", "building", "none"]

_Share = Annotated[float, Field(ge=0.0, le=1.0)]
_Positive = Annotated[float, Field(gt=0.0)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SettlementScore(_Frozen):
    """Weights of the settlement suitability score (see `data/pois.toml`)."""

    river: float
    river_reference_m3s: _Positive
    confluence: float
    lake_shore: float
    coast: float
    harbour: float
    elevation_per_km: float
    ideal_temperature_c: float
    temperature_per_10c: float
    noise: Annotated[float, Field(ge=0.0)]


class SettlementRules(_Frozen):
    """How many people the largest places hold and how far apart settlements stand."""

    rank_size_exponent: _Positive
    top_population_per_settlement: _Positive
    min_top_population: Annotated[int, Field(ge=1)]
    min_population: Annotated[int, Field(ge=1)]
    regions_per_capital: Annotated[int, Field(ge=1)]
    capital_spacing: _Positive
    major_spacing: _Positive
    minor_spacing: _Positive
    score: SettlementScore


class Tier(_Frozen):
    key: TierKey
    share: _Share
    """Fraction of all settlements in this tier (capitals: 0, they come one per core)."""
    port_eligible: bool
    """Whether a coastal settlement of this tier keeps a harbour and joins the sea routes."""


class PoiKind(_Frozen):
    """One kind of point of interest and the rules that place it."""

    kind: Annotated[str, Field(pattern=r"^[a-z][a-z_]*$")]
    per_1000_land: Annotated[float, Field(ge=0.0)]
    min_count: Annotated[int, Field(ge=0)]
    biomes: tuple[str, ...] = ()
    elevation_m: tuple[float, float] = (-1e9, 1e9)
    requires: tuple[Feature, ...] = ()
    prefer: tuple[Preference, ...]
    danger: tuple[Annotated[int, Field(ge=1, le=10)], Annotated[int, Field(ge=1, le=10)]]
    interior: InteriorKind
    names: tuple[str, ...]

    @model_validator(mode="after")
    def _bounds(self) -> PoiKind:
        if self.danger[0] > self.danger[1] or self.elevation_m[0] > self.elevation_m[1]:
            raise ValueError(f"poi {self.kind!r}: a [low, high] range is reversed")
        if not self.names or any("{name}" not in pattern for pattern in self.names):
            raise ValueError(f"poi {self.kind!r}: name patterns must be non-empty and use {{name}}")
        return self


class TierInterior(_Frozen):
    districts: tuple[str, ...]
    buildings: tuple[str, ...]


class Levels(_Frozen):
    """Levels and rooms of a dungeon-like place; deeper places for more dangerous ones."""

    levels_per_danger: Annotated[int, Field(ge=1)]
    max_levels: Annotated[int, Field(ge=1)]
    rooms: tuple[Annotated[int, Field(ge=1)], Annotated[int, Field(ge=1)]]
    room_kinds: tuple[str, ...] = Field(min_length=1)


class Interiors(_Frozen):
    port_district: str
    tiers: Mapping[TierKey, TierInterior]
    districts: Mapping[str, tuple[str, ...]]
    levels: Mapping[Literal["dungeon", "lair", "ruin", "building"], Levels]

    @model_validator(mode="after")
    def _known_districts(self) -> Interiors:
        named = {self.port_district} | {d for t in self.tiers.values() for d in t.districts}
        if unknown := sorted(named - set(self.districts)):
            raise ValueError(f"districts without buildings: {', '.join(unknown)}")
        if missing := [tier for tier in TIERS if tier not in self.tiers]:
            raise ValueError(f"settlement tiers without an interior: {', '.join(missing)}")
        return self


class PlaceRules(_Frozen):
    """Everything `data/pois.toml` says about places."""

    settlements: SettlementRules
    tiers: tuple[Tier, ...]
    names: Mapping[str, tuple[str, ...]]
    """Settlement name patterns by site: default, coast, river."""
    pois: tuple[PoiKind, ...]
    interiors: Interiors

    @model_validator(mode="after")
    def _consistent(self) -> PlaceRules:
        if tuple(tier.key for tier in self.tiers) != TIERS:
            raise ValueError(f"tiers must be listed as {', '.join(TIERS)}")
        if sum(tier.share for tier in self.tiers) > 1.0 + 1e-9:
            raise ValueError("tier shares add up to more than 1")
        kinds = [poi.kind for poi in self.pois]
        if len(set(kinds)) != len(kinds):
            raise ValueError("a poi kind is listed twice")
        if "default" not in self.names:
            raise ValueError("settlement names need a 'default' entry")
        return self

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any], *, biome_keys: Collection[str]) -> PlaceRules:
        """Validate a parsed `pois.toml` against the biome table's keys.

        Raises:
            ValueError: a missing, malformed or inconsistent entry; the message names it.
        """
        interior = dict(table.get("interior", {}))
        settlement = dict(interior.pop("settlement", {}))
        try:
            rules = cls.model_validate(
                {
                    "settlements": table.get("settlements"),
                    "tiers": table.get("tier"),
                    "names": table.get("names"),
                    "pois": table.get("poi"),
                    "interiors": {
                        "port_district": settlement.pop("port_district", None),
                        "tiers": settlement,
                        "districts": interior.pop("district", None),
                        "levels": interior,
                    },
                }
            )
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in item['loc']) or 'table'}: {item['msg']}"
                for item in error.errors()
            )
            raise ValueError(f"invalid pois table: {problems}") from None
        for poi in rules.pois:
            if unknown := sorted(set(poi.biomes) - set(biome_keys)):
                raise ValueError(f"poi {poi.kind!r} names unknown biomes: {', '.join(unknown)}")
        return rules

    def tier_rank(self, key: TierKey) -> int:
        return TIERS.index(key)
