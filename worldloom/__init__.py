"""Worldloom: RPG world generation and simulation as Prefect flows."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("worldloom")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
