"""Religions: folk and organized faiths, their gods, holy sites and how they regard
each other."""

from __future__ import annotations

from worldloom.systems.religion.religion import (
    Religions,
    generate_religions,
    region_hops,
)
from worldloom.systems.religion.table import ReligionTable

__all__ = ["ReligionTable", "Religions", "generate_religions", "region_hops"]
