"""The snapshot commands: verify a snapshot's checksums, describe it from its manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from worldloom.flows.commands.app import Consoles, command, snapshot_app
from worldloom.infrastructure.snapshot import inspect_snapshot, verify_snapshot


@snapshot_app.command("verify")
@command
def snapshot_verify(path: Annotated[Path, typer.Argument(help="Snapshot folder.")]) -> None:
    """Verify a snapshot's format version and every checksum; exit 2 if anything is off."""
    manifest = verify_snapshot(path)
    rows = sum(entry.rows for entry in manifest.tables.values())
    Consoles.out.print(
        f"[green]ok[/green] {path}: {len(manifest.tables)} tables, {rows:,} rows, "
        f"format {manifest.format} v{manifest.format_version}",
        highlight=False,
    )


@snapshot_app.command("inspect")
@command
def snapshot_inspect(path: Annotated[Path, typer.Argument(help="Snapshot folder.")]) -> None:
    """Describe a snapshot from its manifest (use `verify` to check its contents)."""
    manifest = inspect_snapshot(path)
    head = Table("field", "value", title=f"snapshot {manifest.snapshot_id}")
    for field in (
        "world_id",
        "world_name",
        "seed",
        "preset",
        "tick",
        "config_hash",
        "code_version",
        "format_version",
        "created_at",
    ):
        head.add_row(field, str(getattr(manifest, field)))
    Consoles.out.print(head)
    tables = Table("table", "rows", "columns", "sha256", title="tables")
    for table_name, entry in sorted(manifest.tables.items()):
        tables.add_row(table_name, f"{entry.rows:,}", str(len(entry.columns)), entry.sha256[:16])
    Consoles.out.print(tables)
