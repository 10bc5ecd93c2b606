"""Places: settlements, points of interest, routes, sub-locations and the location tree,
composed in the order each needs the last (`generate_places`)."""

from __future__ import annotations

from worldloom.systems.places.composer import Places, generate_places
from worldloom.systems.places.location import (
    LocationKind,
    LocationTree,
    build_location_tree,
    extend_location_tree,
    kind_of,
    location_id,
)
from worldloom.systems.places.poi import PointOfInterest
from worldloom.systems.places.rules import TIERS, PlaceRules
from worldloom.systems.places.settlement import Settlement
from worldloom.systems.places.site import describe_sites
from worldloom.systems.places.sublocation import NO_PARENT

__all__ = [
    "NO_PARENT",
    "TIERS",
    "LocationKind",
    "LocationTree",
    "PlaceRules",
    "Places",
    "PointOfInterest",
    "Settlement",
    "build_location_tree",
    "describe_sites",
    "extend_location_tree",
    "generate_places",
    "kind_of",
    "location_id",
]
