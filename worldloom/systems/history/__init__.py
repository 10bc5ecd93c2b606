"""History: the world clock's years, the one catalog of event types, the event log, tier-1
population dynamics (cohorts), tier-2 lives (births, marriages, deaths, successions), and the
year's composer (`chronicle_year`) that writes what every system did as one chain of events,
the factions measured again as the year's provinces and people stand (`measure_factions`), and
war's bills paid from the economy's purses (`war_transfers`, `move_money`: money only moves).

Records it returns: `Cohorts` (population_groups as arrays), `Tally` (a year's accounts per
settlement: end = start + births - deaths + immigrants - emigrants), `Move` (migrations),
`Succession` (a seat changing hands, with its event), `Hooks` (what the economy's next year
runs under), and the event log's columns (`EventLog.rows`: event_id, tick, type, importance,
actor ids with -1 for none, cause_ids, payload JSON checked against `EventCatalog`).
"""

from __future__ import annotations

from worldloom.systems.history.catalog import EventCatalog, EventType, PayloadField
from worldloom.systems.history.chronicle import Happening, Hooks, Places, WorldYear, YearRecord
from worldloom.systems.history.cohort import (
    CHILD,
    SEXES,
    Cohorts,
    CohortYear,
    Conditions,
    Move,
    Tally,
    advance_cohorts,
)
from worldloom.systems.history.composer import chronicle_year
from worldloom.systems.history.log import ACTORS, EventLog
from worldloom.systems.history.person import VITALS_SCHEMA, PeopleYear, advance_people
from worldloom.systems.history.populace import Everyone
from worldloom.systems.history.purse import Purses, Transfer, move_money, war_transfers
from worldloom.systems.history.rules import HistoryRules
from worldloom.systems.history.succession import Leaders, Succession
from worldloom.systems.history.territory import measure_factions

__all__ = [
    "ACTORS",
    "CHILD",
    "SEXES",
    "VITALS_SCHEMA",
    "CohortYear",
    "Cohorts",
    "Conditions",
    "EventCatalog",
    "EventLog",
    "EventType",
    "Everyone",
    "Happening",
    "HistoryRules",
    "Hooks",
    "Leaders",
    "Move",
    "PayloadField",
    "PeopleYear",
    "Places",
    "Purses",
    "Succession",
    "Tally",
    "Transfer",
    "WorldYear",
    "YearRecord",
    "advance_cohorts",
    "advance_people",
    "chronicle_year",
    "measure_factions",
    "move_money",
    "war_transfers",
]
