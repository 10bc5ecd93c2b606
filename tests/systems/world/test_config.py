"""World config: presets, overrides and the errors a user sees."""

from __future__ import annotations

from itertools import pairwise

import pytest

from worldloom.systems.world import ConfigError, WorldConfig, resolve_config, world_id_for
from worldloom.tasks import catalog


def test_every_preset_resolves_and_grows() -> None:
    configs = [
        catalog.world_config(preset=name, seed=1) for name in ("tiny", "small", "medium", "large")
    ]
    for smaller, larger in pairwise(configs):
        assert smaller.terrain.cells < larger.terrain.cells
        assert smaller.regions.count < larger.regions.count
        assert smaller.population.settlements < larger.population.settlements
        assert smaller.population.npcs < larger.population.npcs
    assert configs[-1].population.npcs >= 1_000_000


def test_overrides_replace_values_and_change_the_hash() -> None:
    base = catalog.world_config(preset="tiny", seed=3)
    changed = catalog.world_config(preset="tiny", seed=3, overrides={"terrain.cells": 3_000})
    assert changed.terrain.cells == 3_000
    assert changed.config_hash() != base.config_hash()
    assert catalog.world_config(preset="tiny", seed=3).config_hash() == base.config_hash()


@pytest.mark.parametrize(
    ("preset", "overrides", "message"),
    [
        ("huge", {}, "unknown preset 'huge'"),
        ("tiny", {"terrain.cells": 10}, "terrain.cells"),
        ("tiny", {"terrain.colour": "red"}, "unknown config key 'terrain.colour'"),
        ("tiny", {"terrain.cels": 9}, "did you mean 'terrain.cells'?"),
        ("tiny", {"terrain.cells.x": 1}, "unknown config key 'terrain.cells.x'"),
        ("tiny", {"seed": 1}, "(keys: terrain.cells, terrain.width_km"),
        ("tiny", {"terrain.latitude_north": 5, "terrain.latitude_south": 10}, "latitude_north"),
        ("tiny", {"regions.count": 0}, "regions.count"),
    ],
)
def test_bad_config_is_one_clear_error(
    preset: str, overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message.replace(".", r"\.").replace("(", r"\(")):
        catalog.world_config(preset=preset, seed=1, overrides=overrides)


def test_config_is_frozen_and_forbids_extras() -> None:
    config = catalog.world_config(preset="tiny", seed=1)
    with pytest.raises(ValueError, match="frozen"):
        config.seed = 2  # type: ignore[misc]  # the point: assignment must fail at run time
    with pytest.raises(ValueError, match="Extra inputs"):
        WorldConfig.model_validate({**config.model_dump(), "colour": "red"})


def test_world_id_is_stable_and_readable() -> None:
    config = resolve_config(
        {
            "p": {
                "terrain": {"cells": 2_000, "width_km": 500.0},
                "regions": {"count": 4},
                "population": {"settlements": 5, "npcs": 10},
            }
        },
        preset="p",
        seed=9,
    )
    assert world_id_for("The Grey Vale!", config) == world_id_for("The Grey Vale!", config)
    assert world_id_for("The Grey Vale!", config).startswith("the-grey-vale-")
