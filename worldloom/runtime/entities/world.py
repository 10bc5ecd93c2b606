"""A world as its snapshot describes it: manifest, the `worlds` row, the tables."""

from __future__ import annotations

from worldloom.runtime.engine import SnapshotEngine
from worldloom.runtime.models import TableInfo, WorldDetail, WorldSummary

COUNTED = ("regions", "settlements", "pois", "npcs", "factions", "markets", "routes")
"""Tables whose row counts a world's page shows first."""


def world_summary(engine: SnapshotEngine) -> WorldSummary:
    """The manifest's identity of the world and its snapshot."""
    manifest = engine.manifest
    return WorldSummary(
        world_id=manifest.world_id,
        name=manifest.world_name,
        seed=manifest.seed,
        preset=manifest.preset,
        tick=manifest.tick,
        snapshot_id=manifest.snapshot_id,
        created_at=manifest.created_at,
        code_version=manifest.code_version,
        tables=len(manifest.tables),
    )


def world_detail(engine: SnapshotEngine, snapshots: list[str]) -> WorldDetail:
    """The world's identity, size, lore and main counts."""
    manifest = engine.manifest
    row = engine.row('SELECT * FROM "worlds" LIMIT 1') if engine.has("worlds") else None
    row = row or {}
    return WorldDetail(
        world_id=manifest.world_id,
        name=manifest.world_name,
        seed=manifest.seed,
        preset=manifest.preset,
        tick=manifest.tick,
        created_at=manifest.created_at,
        code_version=manifest.code_version,
        width_km=row.get("width_km"),
        height_km=row.get("height_km"),
        lore=row.get("lore") or "",
        counts={name: manifest.tables[name].rows for name in COUNTED if name in manifest.tables},
        snapshots=snapshots,
    )


def table_infos(engine: SnapshotEngine) -> list[TableInfo]:
    """Every table of the snapshot with its key, references and columns."""
    return [
        TableInfo(
            name=name,
            rows=entry.rows,
            description=entry.description,
            primary_key=list(entry.primary_key),
            references=[
                {"column": r.column, "table": r.table, "target": r.target} for r in entry.references
            ],
            columns=[
                {
                    "name": c.name,
                    "type": c.type,
                    "nullable": c.nullable,
                    "description": c.description,
                    "unit": c.unit,
                }
                for c in entry.columns
            ],
        )
        for name, entry in engine.manifest.tables.items()
    ]
