"""Engine-friendly copies of a verified snapshot: one SQLite file, or one JSON file per table;
each verified after it is written (and by `verify_*` at any later time)."""

from __future__ import annotations

from worldloom.runtime.export.json_tables import export_json, verify_json
from worldloom.runtime.export.sqlite import export_sqlite, verify_sqlite

__all__ = ["export_json", "export_sqlite", "verify_json", "verify_sqlite"]
