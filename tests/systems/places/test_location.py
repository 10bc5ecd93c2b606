"""The location tree: ids stable by kind, every path leads from the world down."""

from __future__ import annotations

import numpy as np
import pytest

from worldloom.systems.places import build_location_tree, kind_of, location_id

CELL_REGION = np.array([0, 0, 1, -1, 1], dtype=np.int32)
TREE = build_location_tree(
    world_name="Ardmor", region_names=["North", "South"], cell_region=CELL_REGION
)


def test_tree_shape() -> None:
    assert len(TREE) == 1 + 2 + 5
    world = location_id("world", 0)
    assert TREE.parent(world) is None
    assert TREE.children(world) == [
        location_id("region", 0),
        location_id("region", 1),
        location_id("cell", 3),
    ]
    assert TREE.children(location_id("region", 1)) == [
        location_id("cell", 2),
        location_id("cell", 4),
    ]


@pytest.mark.parametrize(
    ("cell", "path"),
    [
        (0, [("world", 0), ("region", 0), ("cell", 0)]),
        (4, [("world", 0), ("region", 1), ("cell", 4)]),
        (3, [("world", 0), ("cell", 3)]),
    ],
)
def test_paths_lead_from_the_world(cell: int, path: list[tuple[str, int]]) -> None:
    expected = [location_id(kind, ref) for kind, ref in path]  # type: ignore[arg-type]  # literal kinds
    assert TREE.path(location_id("cell", cell)) == expected
    assert [int(d) for d in TREE.depth[np.isin(TREE.location_id, expected)]] == list(
        range(len(path))
    )


def test_ids_encode_their_kind_and_stay_sorted() -> None:
    assert [kind_of(int(i)) for i in TREE.location_id] == list(TREE.kind)
    assert np.all(np.diff(TREE.location_id) > 0)
    with pytest.raises(KeyError):
        TREE.parent(location_id("region", 7))
