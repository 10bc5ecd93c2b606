"""On-demand dialogue with an NPC."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from worldloom.runtime.access import JSON, SNAPSHOT_HEADER, ViewDep, runtime_of
from worldloom.runtime.models import Item, TalkAnswer, TalkRequest

router = APIRouter(prefix="/worlds/{world_id}", tags=["dialogue"])


@router.post("/npcs/{npc_id}/talk", response_model=Item[TalkAnswer])
async def talk(view: ViewDep, npc_id: int, request: TalkRequest) -> Response:
    """What the NPC says on a topic (greeting, rumor, quest or place), in character and from
    the snapshot's facts: the LLM's answer from the cache or the provider, else the procedural
    line. Identical requests in flight share one provider call."""
    engine = view.engine
    answer = await runtime_of(view.request).talk.talk(
        engine, npc_id, request, user=view.principal.name
    )
    item = Item[TalkAnswer](snapshot_id=engine.snapshot_id, world_id=engine.world_id, data=answer)
    return Response(
        content=item.model_dump_json(),
        media_type=JSON,
        headers={"ETag": f'"{engine.snapshot_id}"', SNAPSHOT_HEADER: engine.snapshot_id},
    )
