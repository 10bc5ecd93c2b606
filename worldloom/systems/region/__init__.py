"""Regions: contiguous land areas over the terrain, their climate and danger, and the
names of their rivers and lakes."""

from __future__ import annotations

from worldloom.systems.region.hydronym import WaterNames, name_waters
from worldloom.systems.region.region import (
    REGION_NAME_MAX,
    Region,
    RegionMap,
    classify_climate,
    describe_relief,
    generate_regions,
    rivers_by_region,
)

__all__ = [
    "REGION_NAME_MAX",
    "Region",
    "RegionMap",
    "WaterNames",
    "classify_climate",
    "describe_relief",
    "generate_regions",
    "name_waters",
    "rivers_by_region",
]
