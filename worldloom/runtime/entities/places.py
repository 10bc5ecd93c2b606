"""Regions, settlements and points of interest, each with what lies in or around it."""

from __future__ import annotations

from typing import Any

from worldloom.runtime.engine import SnapshotEngine
from worldloom.runtime.entities.lookup import (
    FACTION_REF,
    NPC_REF,
    grouped,
    name_of,
    names,
    one,
    state_of_region,
)
from worldloom.runtime.entities.market import market_of, prices_at
from worldloom.runtime.models import (
    FactionRef,
    NpcRef,
    People,
    Poi,
    PoiDetail,
    PoiRef,
    Region,
    RegionDetail,
    RouteRef,
    Settlement,
    SettlementDetail,
    SettlementRef,
    Sublocation,
)

RESIDENTS_SHOWN = 50
"""Residents a settlement's page lists (all of them through /npcs?settlement=)."""


def region_detail(engine: SnapshotEngine, region_id: int) -> RegionDetail:
    """A region with its culture, the state holding it, its settlements and POIs.

    Raises:
        NotFoundError: No region of that id.
    """
    row = one(engine, "regions", "region_id", region_id, what="region")
    culture = None
    if engine.has("region_cultures") and engine.has("cultures"):
        culture = engine.scalar(
            'SELECT c.name FROM "region_cultures" rc JOIN "cultures" c USING (culture_id) '
            "WHERE rc.region_id = ?",
            [region_id],
        )
    found = state_of_region(engine, region_id)
    state = FactionRef(**found) if found else None
    settlements = (
        engine.rows(
            'SELECT * FROM "settlements" WHERE region_id = ? ORDER BY settlement_id', [region_id]
        )
        if engine.has("settlements")
        else []
    )
    pois = (
        engine.rows('SELECT * FROM "pois" WHERE region_id = ? ORDER BY poi_id', [region_id])
        if engine.has("pois")
        else []
    )
    return RegionDetail(
        region=Region(**row),
        culture=culture,
        state=state,
        settlements=[SettlementRef(**s) for s in settlements],
        pois=[PoiRef(**p) for p in pois],
    )


def settlement_detail(engine: SnapshotEngine, settlement_id: int) -> SettlementDetail:
    """A settlement with its people, market and prices, routes, factions and sub-locations.

    Raises:
        NotFoundError: No settlement of that id.
    """
    row = one(engine, "settlements", "settlement_id", settlement_id, what="settlement")
    region = name_of(engine, "regions", "region_id", row.get("region_id"))
    market = market_of(engine, settlement_id)
    return SettlementDetail(
        settlement=Settlement(**row),
        region=region,
        people=_people(engine, settlement_id),
        market=market,
        prices=prices_at(engine, market.market_id) if market is not None else [],
        routes=routes_from(engine, settlement_id),
        factions=_factions_at(engine, settlement_id, row.get("region_id")),
        sublocations=sublocations_of(engine, settlement_id),
    )


def poi_detail(engine: SnapshotEngine, poi_id: int) -> PoiDetail:
    """A point of interest with its sub-locations, encounters and keeping faith.

    Raises:
        NotFoundError: No POI of that id.
    """
    row = one(engine, "pois", "poi_id", poi_id, what="point of interest")
    encounters = grouped(engine, "encounters", "poi_id").get(poi_id, [])
    sites = grouped(engine, "holy_sites", "poi_id").get(poi_id, [])
    faith = name_of(engine, "religions", "religion_id", sites[0]["religion_id"]) if sites else None
    return PoiDetail(
        poi=Poi(**row),
        region=name_of(engine, "regions", "region_id", row.get("region_id")),
        sublocations=sublocations_of(engine, poi_id),
        encounters=encounters,
        faith=faith,
        desecrated_tick=sites[0].get("desecrated_tick") if sites else None,
    )


def routes_from(engine: SnapshotEngine, place_id: int) -> list[RouteRef]:
    """Routes starting or ending at a place, with the place at the other end."""
    if not engine.has("routes"):
        return []
    starting = grouped(engine, "routes", "start_place").get(place_id, [])
    ending = grouped(engine, "routes", "end_place").get(place_id, [])
    rows = sorted({r["route_id"]: r for r in [*starting, *ending]}.values(), key=_route_id)
    others = [r["end_place"] if r["start_place"] == place_id else r["start_place"] for r in rows]
    names = place_names(engine, set(others))
    refs = []
    for r, other in zip(rows, others, strict=True):
        refs.append(
            RouteRef(
                route_id=r["route_id"],
                kind=r["kind"],
                to_place_id=other,
                to_name=names.get(other) if other is not None else None,
                length_km=r["length_km"],
                travel_days=r["travel_days"],
            )
        )
    return refs


def place_names(engine: SnapshotEngine, ids: set[int | None]) -> dict[int, str]:
    """Names of places (settlements and POIs share one id space)."""
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    found: dict[int, str] = {}
    for table, key in (("settlements", "settlement_id"), ("pois", "poi_id")):
        if engine.has(table):
            known = names(engine, table, key)
            found.update({i: known[i] for i in wanted if i in known})
    return found


def sublocations_of(engine: SnapshotEngine, place_id: int) -> list[Sublocation]:
    """What lies inside a place, parents before their children."""
    if not engine.has("sublocations"):
        return []
    return [Sublocation(**r) for r in grouped(engine, "sublocations", "place_id").get(place_id, [])]


def _people(engine: SnapshotEngine, settlement_id: int) -> People:
    if not engine.has("npcs"):
        return People(count=0, notables=[], residents=[])
    counts, notables, residents = _residents(engine)
    return People(
        count=counts.get(settlement_id, 0),
        notables=[NpcRef(**n) for n in notables.get(settlement_id, [])],
        residents=[NpcRef(**n) for n in residents.get(settlement_id, [])],
    )


Grouped = dict[int, list[dict[str, Any]]]


def _residents(engine: SnapshotEngine) -> tuple[dict[int, int], Grouped, Grouped]:
    """Every settlement's NPC count, notables and first residents (read once per snapshot)."""

    def build() -> tuple[dict[int, int], Grouped, Grouped]:
        counts = {
            r["settlement_id"]: int(r["n"])
            for r in engine.rows(
                'SELECT settlement_id, count(*) AS n FROM "npcs" GROUP BY settlement_id'
            )
        }
        notables: Grouped = {}
        for row in engine.rows(
            f'SELECT settlement_id, {NPC_REF} FROM "npcs" WHERE notable ORDER BY npc_id'
        ):
            notables.setdefault(row.pop("settlement_id"), []).append(row)
        first: Grouped = {}
        for row in engine.rows(
            f"SELECT settlement_id, {NPC_REF} FROM (SELECT *, row_number() OVER "
            '(PARTITION BY settlement_id ORDER BY npc_id) AS rank FROM "npcs") '
            "WHERE rank <= ? ORDER BY npc_id",
            [RESIDENTS_SHOWN],
        ):
            first.setdefault(row.pop("settlement_id"), []).append(row)
        return counts, notables, first

    return engine.memo(("residents",), build)


def _factions_at(
    engine: SnapshotEngine, settlement_id: int, region_id: int | None
) -> list[FactionRef]:
    if not engine.has("factions"):
        return []
    seated = _seated(engine).get(settlement_id, [])
    state = state_of_region(engine, region_id)
    found = [FactionRef(**f) for f in seated]
    if state is not None and all(f.faction_id != state["faction_id"] for f in found):
        found.append(FactionRef(**state))
    return found


def _seated(engine: SnapshotEngine) -> dict[int, list[dict[str, Any]]]:
    """The factions seated in every settlement (read once per snapshot)."""

    def build() -> dict[int, list[dict[str, Any]]]:
        seated: dict[int, list[dict[str, Any]]] = {}
        for row in engine.rows(
            f'SELECT seat_settlement_id, {FACTION_REF} FROM "factions" '
            "WHERE seat_settlement_id IS NOT NULL ORDER BY faction_id"
        ):
            seated.setdefault(row.pop("seat_settlement_id"), []).append(row)
        return seated

    return engine.memo(("seated",), build)


def _route_id(route: dict[str, Any]) -> int:
    return int(route["route_id"])
