"""Routes per system: worlds, regions, settlements, NPCs, factions, markets, POIs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from worldloom.runtime.access import (
    JSON,
    ViewDep,
    reader,
    respond,
    runtime_of,
)
from worldloom.runtime.entities.market import market_prices
from worldloom.runtime.entities.people import faction_detail, npc_detail
from worldloom.runtime.entities.places import poi_detail, region_detail, settlement_detail
from worldloom.runtime.entities.world import table_infos, world_detail, world_summary
from worldloom.runtime.errors import BadQueryError
from worldloom.runtime.models import (
    Faction,
    FactionDetail,
    Item,
    MarketPrices,
    NpcDetail,
    NpcRef,
    Page,
    PoiDetail,
    PoiRef,
    Region,
    RegionDetail,
    SettlementDetail,
    SettlementRef,
    Tables,
    WorldDetail,
    Worlds,
)
from worldloom.runtime.query import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, parse_table_query

router = APIRouter(prefix="/worlds", tags=["worlds"])

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Rows per page.")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip.")]
Id = Annotated[int, Query(ge=0)]


@router.get("", response_model=Worlds, dependencies=[Depends(reader)])
async def list_worlds(request: Request) -> Response:
    """Every served world and the snapshot it is served from."""
    current = runtime_of(request).catalog.current
    worlds = Worlds(worlds=[world_summary(engine) for _, engine in sorted(current.items())])
    return Response(content=worlds.model_dump_json(), media_type=JSON)


@router.get("/{world_id}", response_model=Item[WorldDetail])
async def get_world(view: ViewDep) -> Response:
    """A world: identity, size, lore, main counts and its snapshots on disk."""
    catalog = runtime_of(view.request).catalog
    engine = view.engine
    return await respond(
        view,
        ("world",),
        lambda: _item(view, world_detail(engine, catalog.snapshot_ids(engine.world_id))),
    )


@router.get("/{world_id}/tables", response_model=Item[Tables])
async def list_tables(view: ViewDep) -> Response:
    """Every table of the snapshot: rows, key, references and columns (the manifest)."""
    return await respond(
        view, ("tables",), lambda: _item(view, Tables(tables=table_infos(view.engine)))
    )


@router.get("/{world_id}/regions", response_model=Page[Region])
async def list_regions(view: ViewDep, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> Response:
    """The world's regions, by id."""
    return await _page(view, "regions", Region, {}, limit=limit, offset=offset)


@router.get("/{world_id}/regions/{region_id}", response_model=Item[RegionDetail])
async def get_region(view: ViewDep, region_id: int) -> Response:
    """A region with its culture, state, settlements and POIs."""
    return await respond(
        view, ("region", region_id), lambda: _item(view, region_detail(view.engine, region_id))
    )


@router.get("/{world_id}/settlements", response_model=Page[SettlementRef])
async def list_settlements(
    *,
    view: ViewDep,
    region: Annotated[int | None, Query(ge=0, description="Only this region's.")] = None,
    tier: Annotated[str | None, Query(max_length=20, description="capital, city...")] = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Response:
    """Settlements, largest first (settlement ids are population ranks)."""
    filters = {"region_id": region, "tier": tier}
    return await _page(view, "settlements", SettlementRef, filters, limit=limit, offset=offset)


@router.get("/{world_id}/settlements/{settlement_id}", response_model=Item[SettlementDetail])
async def get_settlement(view: ViewDep, settlement_id: int) -> Response:
    """A settlement with its NPCs, market and prices, routes, factions and sub-locations."""
    return await respond(
        view,
        ("settlement", settlement_id),
        lambda: _item(view, settlement_detail(view.engine, settlement_id)),
    )


@router.get("/{world_id}/npcs", response_model=Page[NpcRef])
async def list_npcs(
    *,
    view: ViewDep,
    settlement: Annotated[int | None, Query(ge=0, description="Only this settlement's.")] = None,
    profession: Annotated[str | None, Query(max_length=40, description="e.g. smith")] = None,
    notable: Annotated[bool | None, Query(description="Only notables (or only others).")] = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Response:
    """NPCs by id, filtered by home, profession or notability."""
    filters = {"settlement_id": settlement, "profession": profession, "notable": notable}
    return await _page(view, "npcs", NpcRef, filters, limit=limit, offset=offset)


@router.get("/{world_id}/npcs/{npc_id}", response_model=Item[NpcDetail])
async def get_npc(view: ViewDep, npc_id: int) -> Response:
    """An NPC with their home, culture, faith, family, biography, equipment and factions."""
    return await respond(
        view, ("npc", npc_id), lambda: _item(view, npc_detail(view.engine, npc_id))
    )


@router.get("/{world_id}/factions", response_model=Page[Faction])
async def list_factions(
    view: ViewDep,
    kind: Annotated[str | None, Query(max_length=20, description="state, order...")] = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Response:
    """Factions: states, orders, guilds, criminals and bandits."""
    return await _page(view, "factions", Faction, {"kind": kind}, limit=limit, offset=offset)


@router.get("/{world_id}/factions/{faction_id}", response_model=Item[FactionDetail])
async def get_faction(view: ViewDep, faction_id: int) -> Response:
    """A faction with its seat, leader and relations with every other faction."""
    return await respond(
        view,
        ("faction", faction_id),
        lambda: _item(view, faction_detail(view.engine, faction_id)),
    )


@router.get("/{world_id}/markets/{market_id}/prices", response_model=Item[MarketPrices])
async def get_market_prices(
    view: ViewDep,
    market_id: int,
    good: Annotated[str | None, Query(max_length=64, description="History of this good.")] = None,
) -> Response:
    """A market's current prices and stock, dearest first; one good's history with ?good=."""
    return await respond(
        view,
        ("prices", market_id, good),
        lambda: _item(view, market_prices(view.engine, market_id, good)),
    )


@router.get("/{world_id}/pois", response_model=Page[PoiRef])
async def list_pois(
    view: ViewDep,
    region: Annotated[int | None, Query(ge=0, description="Only this region's.")] = None,
    kind: Annotated[str | None, Query(max_length=30, description="dungeon, shrine...")] = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Response:
    """Points of interest other than settlements."""
    return await _page(
        view, "pois", PoiRef, {"region_id": region, "kind": kind}, limit=limit, offset=offset
    )


@router.get("/{world_id}/pois/{poi_id}", response_model=Item[PoiDetail])
async def get_poi(view: ViewDep, poi_id: int) -> Response:
    """A point of interest with its sub-locations, encounters and keeping faith."""
    return await respond(
        view, ("poi", poi_id), lambda: _item(view, poi_detail(view.engine, poi_id))
    )


def _item(view: ViewDep, data: Any) -> Item[Any]:
    return Item[Any](snapshot_id=view.engine.snapshot_id, world_id=view.engine.world_id, data=data)


async def _page(
    view: ViewDep,
    table: str,
    model: type[Any],
    filters: Mapping[str, object],
    *,
    limit: int,
    offset: int,
) -> Response:
    engine = view.engine
    entry = engine.table(table)
    if entry is None:
        raise BadQueryError(f"snapshot {engine.snapshot_id} has no {table} table")
    params = [(k, _text(v)) for k, v in filters.items() if v is not None]
    params += [("limit", str(limit)), ("offset", str(offset))]
    query = parse_table_query(table, entry, params)

    def build() -> Page[Any]:
        sql, values = query.select_sql()
        count_sql, count_values = query.count_sql()
        return Page[Any](
            snapshot_id=engine.snapshot_id,
            world_id=engine.world_id,
            total=int(engine.scalar(count_sql, count_values)),
            limit=limit,
            offset=offset,
            items=[model(**row) for row in engine.rows(sql, values)],
        )

    return await respond(view, (table, tuple(params)), build)


def _text(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)
