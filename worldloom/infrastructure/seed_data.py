"""Reads the seed tables shipped in `worldloom/data/`; validating them is the caller's business."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

_PACKAGE = "worldloom.data"


class SeedDataError(RuntimeError):
    """A shipped seed table is missing or malformed; the message names the file."""


def read_toml(relative_path: str) -> dict[str, Any]:
    """Parse a TOML seed table, e.g. `read_toml("presets/small.toml")`.

    Raises:
        SeedDataError: the file is missing or is not valid TOML.
    """
    try:
        text = resources.files(_PACKAGE).joinpath(relative_path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SeedDataError(f"seed table data/{relative_path} is missing") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SeedDataError(f"seed table data/{relative_path} is not valid TOML: {error}") from None


def list_tables(folder: str) -> list[str]:
    """Names (without `.toml`) of the TOML tables in a data folder, sorted."""
    root = resources.files(_PACKAGE).joinpath(folder)
    return sorted(
        entry.name.removesuffix(".toml") for entry in root.iterdir() if entry.name.endswith(".toml")
    )
