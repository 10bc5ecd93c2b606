"""Every snapshot table through one filterable, paginated route (new tables need no code),
and the snapshot's GeoJSON and map."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from worldloom.reader.manifest import TABLE_NAME_PATTERN
from worldloom.runtime.access import SNAPSHOT_HEADER, ViewDep, respond
from worldloom.runtime.entities.lookup import plain
from worldloom.runtime.errors import NotFoundError
from worldloom.runtime.models import Page
from worldloom.runtime.query import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, parse_table_query

router = APIRouter(prefix="/worlds/{world_id}", tags=["tables"])

TABLE_HELP = """Rows of any table of the snapshot, in primary-key order.

Filters are query parameters named after columns (see `/worlds/{world_id}/tables`):
`column=value` (repeat for any of several values), `column.gt|gte|lt|lte|ne=value`,
`column.null=true|false`. `sort=col,-col2` orders rows, `fields=a,b` picks columns. An unknown
column, operator or a value of the wrong type answers 422."""


@router.get("/tables/{table}", response_model=Page[dict[str, Any]], description=TABLE_HELP)
async def table_rows(
    *,
    view: ViewDep,
    table: Annotated[str, Path(pattern=TABLE_NAME_PATTERN)],
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    sort: Annotated[str | None, Query(max_length=500)] = None,
    fields: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    """A page of a table's rows, filtered and sorted on its declared columns."""
    engine = view.engine
    entry = engine.table(table)
    if entry is None:
        known = ", ".join(engine.manifest.tables)
        raise NotFoundError(
            f"snapshot {engine.snapshot_id} has no table {table!r}; tables: {known}"
        )
    params = list(view.request.query_params.multi_items())
    query = parse_table_query(table, entry, params)

    def build() -> Page[dict[str, Any]]:
        sql, values = query.select_sql()
        count_sql, count_values = query.count_sql()
        return Page[dict[str, Any]](
            snapshot_id=engine.snapshot_id,
            world_id=engine.world_id,
            total=int(engine.scalar(count_sql, count_values)),
            limit=query.limit,
            offset=query.offset,
            items=[plain(row) for row in engine.rows(sql, values)],
        )

    key = ("table", table, tuple(sorted(params)))
    return await respond(view, key, build)


@router.get(
    "/map.geojson",
    responses={200: {"content": {"application/geo+json": {}}}},
    response_class=Response,
)
async def world_geojson(view: ViewDep) -> Response:
    """The snapshot's `world.geojson`: regions, rivers, routes, settlements and POIs (WGS84)."""
    return _file(view, view.engine.geojson_bytes, "application/geo+json")


@router.get("/map.png", responses={200: {"content": {"image/png": {}}}}, response_class=Response)
async def world_map(view: ViewDep) -> Response:
    """The snapshot's rendered map."""
    return _file(view, view.engine.map_png, "image/png")


def _file(view: ViewDep, data: bytes, media_type: str) -> Response:
    etag = f'"{view.engine.snapshot_id}"'
    headers = {"ETag": etag, SNAPSHOT_HEADER: view.engine.snapshot_id}
    if view.request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(content=data, media_type=media_type, headers=headers)
