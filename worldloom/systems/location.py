"""The location tree: world -> region -> cell, with ids stable as new kinds of place are added."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from worldloom.systems.world_generation.model import IntArray

LocationKind = Literal["world", "region", "cell"]

_KIND_CODES: dict[LocationKind, int] = {"world": 0, "region": 1, "cell": 2}
"""The kind lives in the id's high bits, so a region's id never changes when cells, POIs or
sub-locations (later kinds, later codes) are added."""
_KIND_SHIFT = 40


def location_id(kind: LocationKind, ref_id: int) -> int:
    """The location id of entity `ref_id` of `kind` (e.g. region 3)."""
    return (_KIND_CODES[kind] << _KIND_SHIFT) | ref_id


def kind_of(location: int) -> LocationKind:
    code = location >> _KIND_SHIFT
    for kind, kind_code in _KIND_CODES.items():
        if kind_code == code:
            return kind
    raise ValueError(f"location {location} has unknown kind code {code}")


@dataclass(frozen=True, slots=True, eq=False)
class LocationTree:
    """Parallel arrays, one row per location, sorted by id; the world is the root."""

    location_id: np.ndarray
    parent_id: np.ndarray
    """Parent location id; -1 for the world."""
    kind: tuple[LocationKind, ...]
    ref_id: np.ndarray
    name: tuple[str, ...]
    depth: np.ndarray

    def __len__(self) -> int:
        return int(self.location_id.size)

    def parent(self, location: int) -> int | None:
        parent = int(self.parent_id[self._row(location)])
        return None if parent < 0 else parent

    def children(self, location: int) -> list[int]:
        return [int(child) for child in self.location_id[self.parent_id == location]]

    def path(self, location: int) -> list[int]:
        """Ids from the world down to `location`, inclusive."""
        path = [location]
        while (parent := self.parent(path[-1])) is not None:
            path.append(parent)
        return path[::-1]

    def _row(self, location: int) -> int:
        row = int(np.searchsorted(self.location_id, location))
        if row >= self.location_id.size or self.location_id[row] != location:
            raise KeyError(f"no location {location}")
        return row


def build_location_tree(
    *, world_name: str, region_names: Sequence[str], cell_region: IntArray
) -> LocationTree:
    """The tree of a world: the world, its regions, and every cell under its region.

    Cells outside any region (sea, lakes) hang directly under the world.
    """
    n_regions, n_cells = len(region_names), cell_region.size
    world = location_id("world", 0)
    region_ids = location_id("region", 0) + np.arange(n_regions, dtype=np.int64)
    cell_ids = location_id("cell", 0) + np.arange(n_cells, dtype=np.int64)
    regions_of_cells = cell_region.astype(np.int64)
    cell_parent = np.where(cell_region >= 0, location_id("region", 0) + regions_of_cells, world)
    region_kind: LocationKind = "region"
    cell_kind: LocationKind = "cell"
    kinds = ("world", *(region_kind,) * n_regions, *(cell_kind,) * n_cells)
    return LocationTree(
        location_id=np.concatenate([[world], region_ids, cell_ids]),
        parent_id=np.concatenate([[-1], np.full(n_regions, world), cell_parent]).astype(np.int64),
        kind=kinds,
        ref_id=np.concatenate([[0], np.arange(n_regions), np.arange(n_cells)]).astype(np.int64),
        name=(world_name, *region_names, *(f"cell {i}" for i in range(n_cells))),
        depth=np.concatenate([[0], np.ones(n_regions), np.where(cell_region >= 0, 2, 1)]).astype(
            np.int32
        ),
    )
