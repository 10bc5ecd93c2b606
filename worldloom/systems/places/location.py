"""The location tree: world -> region -> cell, and world -> region -> POI -> sub-location, with
ids stable as new kinds of place are added."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from worldloom.systems.places.sublocation import NO_PARENT, SubLocation
from worldloom.systems.world_generation.model import IntArray

Place = tuple[int, int, str]
"""A settlement or POI as the tree sees it: (place id, region id, name)."""

LocationKind = Literal["world", "region", "cell", "poi", "sublocation"]

_KIND_CODES: dict[LocationKind, int] = {
    "world": 0,
    "region": 1,
    "cell": 2,
    "poi": 3,
    "sublocation": 4,
}
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


def extend_location_tree(
    tree: LocationTree, *, places: Sequence[Place], sublocations: Sequence[SubLocation]
) -> LocationTree:
    """The tree with every place under its region and every sub-location under its place or
    its parent sub-location; places and sub-locations already in `tree` are replaced.

    Raises:
        KeyError: a place's region or a sub-location's place is not in the tree.
    """
    keep = np.array([kind not in ("poi", "sublocation") for kind in tree.kind], dtype=bool)
    region_rows = [tree._row(location_id("region", region)) for _, region, _ in places]
    place_ids = location_id("poi", 0) + np.array([p for p, _, _ in places], dtype=np.int64)
    depth_of_place = dict(
        zip(place_ids.tolist(), (tree.depth[region_rows] + 1).tolist(), strict=True)
    )
    sub_ids = location_id("sublocation", 0) + np.array(
        [s.sublocation_id for s in sublocations], dtype=np.int64
    )
    sub_parents = [
        location_id("poi", s.place_id)
        if s.parent_id == NO_PARENT
        else location_id("sublocation", s.parent_id)
        for s in sublocations
    ]
    for s in sublocations:
        if location_id("poi", s.place_id) not in depth_of_place:
            raise KeyError(f"sub-location {s.sublocation_id} is in unknown place {s.place_id}")
    sub_depths = [depth_of_place[location_id("poi", s.place_id)] + s.depth for s in sublocations]
    place_kind: LocationKind = "poi"
    sub_kind: LocationKind = "sublocation"
    ids = np.concatenate([tree.location_id[keep], place_ids, sub_ids]).astype(np.int64)
    order = np.argsort(ids, kind="stable")
    kinds = [k for k, kept in zip(tree.kind, keep, strict=True) if kept]
    kinds += [place_kind] * len(places) + [sub_kind] * len(sublocations)
    names = [n for n, kept in zip(tree.name, keep, strict=True) if kept]
    names += [name for _, _, name in places] + [s.name for s in sublocations]
    parents = np.concatenate(
        [
            tree.parent_id[keep],
            tree.location_id[region_rows] if places else np.zeros(0, dtype=np.int64),
            np.asarray(sub_parents, dtype=np.int64),
        ]
    ).astype(np.int64)
    refs = np.concatenate(
        [
            tree.ref_id[keep],
            np.array([p for p, _, _ in places], dtype=np.int64),
            np.array([s.sublocation_id for s in sublocations], dtype=np.int64),
        ]
    )
    depths = np.concatenate(
        [tree.depth[keep], [depth_of_place[int(i)] for i in place_ids], sub_depths]
    ).astype(np.int32)
    return LocationTree(
        location_id=ids[order],
        parent_id=parents[order],
        kind=tuple(kinds[i] for i in order.tolist()),
        ref_id=refs[order].astype(np.int64),
        name=tuple(names[i] for i in order.tolist()),
        depth=depths[order],
    )
