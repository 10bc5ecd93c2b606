"""The planning task: turn what the user asked for into a validated config, a name and an id."""

from __future__ import annotations

from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict

from worldloom.systems.rng import Seeds
from worldloom.systems.world import check_world_name, name_world, world_id_for
from worldloom.tasks import catalog


class WorldPlan(BaseModel):
    """What `generate_world` will build."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    world_id: str
    name: str
    config_json: str


def plan_world(*, seed: int, preset: str, name: str | None, overrides: dict[str, Any]) -> WorldPlan:
    """Validate the request and derive the world's name and id (raises `ConfigError`)."""
    config = catalog.world_config(preset=preset, seed=seed, overrides=overrides)
    world_name = (
        check_world_name(name)
        if name is not None
        else name_world(seeds=Seeds(seed), name_bases=catalog.name_bases())
    )
    return WorldPlan(
        world_id=world_id_for(world_name, config),
        name=world_name,
        config_json=config.model_dump_json(),
    )


plan_world_task = task(name="plan-world", cache_policy=NO_CACHE)(plan_world)
