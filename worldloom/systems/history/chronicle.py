"""What a year's chronicle (`chronicle_year`) takes and returns: the world as the year begins
(`WorldYear`, its settlements as `Places`), the other rooms' events of the year before they
have ids (`Happening`), the economy's hooks for the next year (`Hooks`), and the world as the
year ends with its events (`YearRecord`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from worldloom.systems.history.cohort import Cohorts, Conditions, Move, Tally
from worldloom.systems.history.faith import Faiths, HolySites
from worldloom.systems.history.populace import Everyone
from worldloom.systems.history.schism import Schism, Strife
from worldloom.systems.history.succession import Leaders, Succession

Int = np.ndarray[Any, np.dtype[np.int64]]
Float = np.ndarray[Any, np.dtype[np.float64]]


@dataclass(frozen=True, slots=True)
class Happening:
    """An event another room reports for the year, before it has an id.

    `causes` are positions of earlier happenings in the same list, or event ids of earlier
    years given as negative numbers minus one (-1 - id).
    """

    kind: str
    tick: int
    payload: Mapping[str, Any]
    actors: Mapping[str, int] = field(default_factory=dict)
    causes: tuple[int, ...] = ()
    importance: int | None = None


@dataclass(frozen=True, slots=True)
class Places:
    """Settlements by id: region, realm (faction id or -1) and neighbours by route."""

    region: Int
    realm: Int
    neighbours: tuple[tuple[int, ...], ...]
    tier: tuple[str, ...] = ()
    """Each one's tier, which says how many of each notable it keeps (`empty_places`); none:
    no empty place is filled."""


@dataclass(frozen=True, slots=True)
class WorldYear:
    """The world as a year begins, and what its economy did during the year."""

    year: int
    first_tick: int
    days: int
    places: Places
    cohorts: Cohorts
    npcs: pl.DataFrame
    vitals: pl.DataFrame
    leaders: Leaders
    hardship: Float
    """Per settlement id: its market's hunger over the year, 0..1."""
    market_settlement: Int
    """Per market: its settlement id."""
    market_of: Int
    """Per settlement id: the market it trades at (a position in market_settlement), or -1."""
    food_index: Float
    """Per market: food prices over their base value as the year ends."""
    ruined: Int
    """Per market: its agents gone bankrupt there over the year."""
    market_agents: Int
    """Per market: its agents as the year ends."""
    harvest_failures: Mapping[int, int]
    """Region id -> the harvest_failed event (of last year's end) the year's hunger follows."""
    faiths: Faiths
    """Who holds each settlement at the year's end and their faith, the faiths' hostility, and
    the holy sites as the year began."""
    everyone: Everyone | None = None
    """Everyone the npcs table holds, when `npcs` and `vitals` hold the living only (None:
    `npcs` is the whole table; `advance_people`)."""
    strife: tuple[Strife, ...] = ()
    """The wars between states under way as the year ends (what may split a faith)."""


@dataclass(frozen=True, slots=True)
class Hooks:
    """What the economy's next year runs under: links cut, markets closed, harvests lost."""

    cut_realms: tuple[tuple[int, int], ...]
    """Realm pairs at war: their markets trade no caravans with each other."""
    closed_settlements: tuple[tuple[int, str], ...]
    """Settlements besieged or struck (and why: siege, fire, plague...): their markets send and
    receive no caravans."""
    failed_regions: tuple[int, ...]
    """Regions whose grain is lost to drought or flood."""


@dataclass(frozen=True, slots=True)
class YearRecord:
    cohorts: Cohorts
    tally: Tally
    npcs: pl.DataFrame
    vitals: pl.DataFrame
    leaders: Leaders
    successions: tuple[Succession, ...]
    moves: tuple[Move, ...]
    events: Mapping[str, list[Any]]
    conditions: Conditions
    hooks: Hooks
    sites: HolySites
    schisms: tuple[Schism, ...] = ()
