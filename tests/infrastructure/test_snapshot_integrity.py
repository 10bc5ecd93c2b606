"""What the writer refuses in the data itself: dangling references, nulls where none may be,
columns it cannot name a type for; and which references the manifest keeps."""

from __future__ import annotations

import time
from pathlib import Path

import polars as pl
import pytest

from tests.reader.samples import export, npcs_frame, regions_frame, sample_tables
from worldloom.infrastructure.snapshot import (
    ColumnDoc,
    ReferenceEntry,
    SnapshotInputError,
    TableData,
    open_snapshot,
)
from worldloom.infrastructure.snapshot.table import prepare_tables

FAMILY = (
    ReferenceEntry("father_id", "npcs", "npc_id"),
    ReferenceEntry("mother_id", "npcs", "npc_id"),
    ReferenceEntry("spouse_id", "npcs", "npc_id"),
)


def family(n: int, *, dangling: tuple[int, ...] = ()) -> pl.DataFrame:
    """People 0..n-1: person i's parents are i-1 and i-2 (none for the first), spouse i^1;
    the spouse of each person in `dangling` is n + i, who does not exist."""
    ids = pl.int_range(n, eager=True, dtype=pl.Int64)
    npc = pl.col("npc_id")
    return pl.DataFrame({"world_id": ["w"] * n, "npc_id": ids}).with_columns(
        father_id=pl.when(npc >= 1).then(npc - 1),
        mother_id=pl.when(npc >= 2).then(npc - 2),
        spouse_id=pl.when(npc.is_in(list(dangling)))
        .then(npc + n)
        .when(npc < n - n % 2)
        .then(npc.xor(1)),
    )


def npcs(frame: pl.DataFrame) -> dict[str, TableData]:
    return {"npcs": TableData(frame=frame, primary_key=("world_id", "npc_id"), references=FAMILY)}


def test_a_consistent_family_exports_with_its_references(tmp_path: Path) -> None:
    manifest = open_snapshot(export(tmp_path, tables=npcs(family(100)))).manifest

    assert manifest.tables["npcs"].references == FAMILY


def test_a_dangling_reference_is_refused_naming_table_column_values_and_target(
    tmp_path: Path,
) -> None:
    frame = family(100, dangling=(1, 2, 3, 4, 5, 6, 7))

    with pytest.raises(
        SnapshotInputError,
        match=(
            r"table 'npcs': column 'spouse_id' has 7 value\(s\) that name no row of "
            r"npcs\.npc_id, e\.g\. \[101, 102, 103, 104, 105\]"
        ),
    ):
        export(tmp_path, tables=npcs(frame))
    assert not (tmp_path / "w7-small").exists()


def test_a_dangling_reference_into_another_table_is_refused(tmp_path: Path) -> None:
    tables = sample_tables()
    tables["regions"] = TableData(
        frame=regions_frame().filter(pl.col("region_id") != 4), primary_key=("region_id",)
    )

    with pytest.raises(
        SnapshotInputError,
        match=r"'region_id' has 1 value\(s\) .* of regions\.region_id, e\.g\. \[4\]",
    ):
        export(tmp_path, tables=tables)


def test_a_reference_into_a_table_not_exported_is_left_out(tmp_path: Path) -> None:
    tables = sample_tables()
    del tables["regions"]

    manifest = open_snapshot(export(tmp_path, tables=tables)).manifest

    assert manifest.tables["npcs"].references == ()


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        (
            ReferenceEntry("home_id", "regions", "region_id"),
            r"reference from column 'home_id', which it does not have",
        ),
        (
            ReferenceEntry("region_id", "regions", "id"),
            r"refers to regions\.id, which is not a column of regions",
        ),
        (
            ReferenceEntry("region_id", "regions", "name"),
            r"'region_id' \(Int64\) refers to regions\.name of another type \(String\)",
        ),
    ],
    ids=["unknown-column", "unknown-target", "other-type"],
)
def test_a_malformed_reference_is_refused(
    tmp_path: Path, reference: ReferenceEntry, message: str
) -> None:
    tables = sample_tables()
    tables["npcs"] = TableData(
        frame=npcs_frame(), primary_key=("region_id", "npc_id"), references=(reference,)
    )

    with pytest.raises(SnapshotInputError, match=message):
        export(tmp_path, tables=tables)


def test_a_million_people_with_three_family_references_are_checked_quickly() -> None:
    n = 1_000_000
    tables = npcs(family(n))
    started = time.perf_counter()
    prepare_tables(tables)
    took = time.perf_counter() - started

    # Anti-joins: well under a second on a laptop; the bound leaves room for a slow CI runner.
    assert took < 10, f"{took:.1f} s"
    with pytest.raises(SnapshotInputError, match=r"'spouse_id' has 1 value"):
        prepare_tables(npcs(family(n, dangling=(5,))))


def test_a_null_in_a_column_that_may_not_hold_one_is_refused(tmp_path: Path) -> None:
    tables = sample_tables()
    regions = tables["regions"]
    frame = regions.frame.with_columns(
        area_km2=pl.when(pl.col("region_id") == 2).then(None).otherwise("area_km2")
    )
    tables["regions"] = TableData(frame=frame, primary_key=("region_id",), columns=regions.columns)

    with pytest.raises(
        SnapshotInputError,
        match=r"table 'regions': column 'area_km2' is not nullable but holds 1 null",
    ):
        export(tmp_path, tables=tables)


def test_documentation_of_a_column_the_table_lacks_is_refused(tmp_path: Path) -> None:
    tables = {
        "regions": TableData(
            frame=regions_frame(),
            primary_key=("region_id",),
            columns=(ColumnDoc("climate", "Köppen class."),),
        )
    }

    with pytest.raises(SnapshotInputError, match=r"documented columns \['climate'\] are not in"):
        export(tmp_path, tables=tables)


def test_undocumented_columns_are_nullable_and_blank(tmp_path: Path) -> None:
    tables = {"regions": TableData(frame=regions_frame(), primary_key=("region_id",))}

    columns = open_snapshot(export(tmp_path, tables=tables)).manifest.tables["regions"].columns

    assert [(c.name, c.nullable, c.description, c.unit) for c in columns] == [
        ("region_id", False, "", None),
        ("name", True, "", None),
        ("area_km2", True, "", None),
        ("tags", True, "", None),
    ]


@pytest.mark.parametrize(
    ("series", "message"),
    [
        (pl.Series("kind", ["a", "b", "a", "c", "b"], dtype=pl.Categorical), r"dictionary"),
        (pl.Series("blob", [b"x"] * 5, dtype=pl.Binary), r"binary"),
        (pl.Series("ratio", [0.5] * 5, dtype=pl.Float16), r"halffloat"),
    ],
    ids=["categorical", "binary", "float16"],
)
def test_a_column_type_the_format_cannot_name_is_refused(
    tmp_path: Path, series: pl.Series, message: str
) -> None:
    frame = regions_frame().with_columns(series)
    tables = {"regions": TableData(frame=frame, primary_key=("region_id",))}

    with pytest.raises(
        SnapshotInputError,
        match=rf"table 'regions': column '{series.name}': type .*{message}.* has no name",
    ):
        export(tmp_path, tables=tables)
    assert not (tmp_path / "w7-small").exists()
