"""SQL over frames: a query a system compiled (a sifting pattern) run in an in-memory DuckDB."""

from __future__ import annotations

import re
from collections.abc import Mapping

import duckdb
import polars as pl

_RELATION = re.compile(r"^[a-z_][a-z0-9_]*$")


def run_sql(sql: str, relations: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """The rows of `sql`, run with each frame of `relations` visible under its name.

    A fresh in-memory database per call: nothing is read from or written to a world file, and
    the frames are scanned in place (Arrow), not copied.

    Raises:
        ValueError: a relation name that is not a lower-case SQL identifier.
        duckdb.Error: the query does not run (its message names the problem).
    """
    for name in relations:
        if not _RELATION.match(name):
            raise ValueError(f"relation name {name!r} is not a lower-case SQL identifier")
    with duckdb.connect() as connection:
        for name, frame in relations.items():
            connection.register(name, frame)
        result: pl.DataFrame = connection.sql(sql).pl()
    return result
