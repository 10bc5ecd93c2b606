"""Renames carried through a world's text: when regions get new names, every description, the
lore and the location tree name them by their new names."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import polars as pl

from worldloom.systems.places import location_id


def renamer(renames: Mapping[str, str]) -> Callable[[str], str]:
    """A function replacing whole-name occurrences of old names (longest names first).

    The pattern is built once: it is applied to every description in the world.
    """
    if not renames:
        return lambda text: text
    names = "|".join(re.escape(old) for old in sorted(renames, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w-])(?:{names})(?![\w-])")
    return lambda text: pattern.sub(lambda m: renames[m.group(0)], text)


def rename_descriptions(
    tables: Mapping[str, pl.DataFrame], rename: Callable[[str], str]
) -> dict[str, pl.DataFrame]:
    """Each table with its `description` column (where it has one) renamed."""
    return {
        name: frame.with_columns(
            pl.Series("description", [rename(t) for t in frame["description"]], dtype=pl.String)
        )
        if "description" in frame.columns
        else frame
        for name, frame in tables.items()
    }


def rename_regions_in_tree(
    locations: pl.DataFrame, region_ids: pl.Series, names: list[str]
) -> pl.DataFrame:
    """The location tree with its region nodes carrying the regions' new names."""
    new_names = pl.DataFrame(
        {
            "location_id": [location_id("region", int(r)) for r in region_ids],
            "new_name": names,
        },
        schema_overrides={"location_id": locations.schema["location_id"]},
    )
    return (
        locations.join(new_names, on="location_id", how="left")
        .with_columns(pl.coalesce("new_name", "name").alias("name"))
        .drop("new_name")
    )
