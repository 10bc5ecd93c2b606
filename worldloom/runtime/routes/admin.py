"""Routes for admins: look for new snapshots now, read the usage summary."""

from __future__ import annotations

from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Depends, Query, Request

from worldloom.runtime.access import admin, runtime_of
from worldloom.runtime.errors import NotFoundError
from worldloom.runtime.usage_report import usage_report

router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(admin)])


@router.post("/reload")
async def reload_snapshots(request: Request) -> dict[str, list[str]]:
    """Look for newer snapshots now (the API also looks every few seconds)."""
    changes = await to_thread.run_sync(runtime_of(request).catalog.refresh)
    return {"changes": changes}


@router.get("/usage")
async def usage(
    request: Request,
    hours: Annotated[float, Query(gt=0, le=24 * 366, description="The window, in hours.")] = 24,
) -> dict[str, Any]:
    """Requests, p50/p95 latency and errors by route and by user; the dialogue's cache hits."""
    runtime = runtime_of(request)
    if runtime.usage is None:
        raise NotFoundError("this API records no usage (started with --no-usage)")
    report = await to_thread.run_sync(
        lambda: usage_report(runtime.usage.path, hours=hours)  # type: ignore[union-attr]  # checked above
    )
    return {
        "hours": report.hours,
        "by_route": report.by_route.to_dicts(),
        "by_user": report.by_user.to_dicts(),
        "talk": report.talk.to_dicts()[0],
    }
