"""NPCs and factions, each with their ties: home, faith, family, leaders, relations."""

from __future__ import annotations

from typing import Any

from worldloom.runtime.engine import SnapshotEngine
from worldloom.runtime.entities.lookup import FACTION_REF, NPC_REF, name_of, one, plain, short
from worldloom.runtime.models import (
    Faction,
    FactionDetail,
    FactionRef,
    Npc,
    NpcDetail,
    NpcRef,
    Relation,
)

FAMILY = ("father_id", "mother_id", "spouse_id")


def npc_detail(engine: SnapshotEngine, npc_id: int) -> NpcDetail:
    """An NPC with their home, culture, faith, family, biography, equipment and factions led.

    Raises:
        NotFoundError: No NPC of that id.
    """
    row = one(engine, "npcs", "npc_id", npc_id, what="npc")
    biography = None
    if engine.has("notable_bios") and row.get("notable"):
        bios = engine.keyed("notable_bios", "npc_id", npc_id)
        biography = bios[0].get("text") if bios else None
    relatives = [row.get(key) for key in FAMILY]
    known = [r for r in relatives if r is not None]
    refs: dict[int, NpcRef] = {}
    for relative in known:
        for found in engine.keyed("npcs", "npc_id", relative):
            refs[found["npc_id"]] = NpcRef(**short(found, NPC_REF))
    equipment: list[dict[str, Any]] = []
    if engine.has("equipment"):
        equipment = [plain(e) for e in engine.keyed("equipment", "npc_id", npc_id)]
    leads = _leaders(engine).get(npc_id, [])
    return NpcDetail(
        npc=Npc(**row),
        settlement=name_of(engine, "settlements", "settlement_id", row.get("settlement_id")),
        culture=name_of(engine, "cultures", "culture_id", row.get("culture_id")),
        religion=name_of(engine, "religions", "religion_id", row.get("religion_id")),
        biography=biography,
        family={
            key.removesuffix("_id"): refs.get(value) if value is not None else None
            for key, value in zip(FAMILY, relatives, strict=True)
        },
        leads=[FactionRef(**f) for f in leads],
        equipment=equipment,
    )


def faction_detail(engine: SnapshotEngine, faction_id: int) -> FactionDetail:
    """A faction with its seat, its leader and how it stands with every other faction.

    Raises:
        NotFoundError: No faction of that id.
    """
    row = one(engine, "factions", "faction_id", faction_id, what="faction")
    leader = None
    if row.get("leader_npc_id") is not None and engine.has("npcs"):
        found = engine.row(f'SELECT {NPC_REF} FROM "npcs" WHERE npc_id = ?', [row["leader_npc_id"]])
        leader = NpcRef(**found) if found else None
    relations = []
    if engine.has("diplomacy"):
        relations = engine.rows(
            "SELECT f.faction_id, f.name, d.status, d.tension, d.a_id = ? AS first "
            'FROM "diplomacy" d JOIN "factions" f '
            "ON f.faction_id = CASE WHEN d.a_id = ? THEN d.b_id ELSE d.a_id END "
            "WHERE d.a_id = ? OR d.b_id = ? ORDER BY d.tension DESC, f.faction_id",
            [faction_id] * 4,
        )
    return FactionDetail(
        faction=Faction(**row),
        seat=name_of(engine, "settlements", "settlement_id", row.get("seat_settlement_id")),
        leader=leader,
        relations=[
            Relation(
                faction_id=r["faction_id"],
                name=r["name"],
                status=_as_seen_by(r["status"], first=r["first"]),
                tension=r["tension"],
            )
            for r in relations
        ],
    )


def _as_seen_by(status: str, *, first: bool) -> str:
    """diplomacy.status is a's standing towards b; read the other way, vassal and suzerain
    swap."""
    if first:
        return status
    return {"vassal": "suzerain", "suzerain": "vassal"}.get(status, status)


def _leaders(engine: SnapshotEngine) -> dict[int, list[dict[str, Any]]]:
    """The factions each NPC leads (read once per snapshot)."""

    def build() -> dict[int, list[dict[str, Any]]]:
        led: dict[int, list[dict[str, Any]]] = {}
        if engine.has("factions"):
            for row in engine.rows(
                f'SELECT leader_npc_id, {FACTION_REF} FROM "factions" '
                "WHERE leader_npc_id IS NOT NULL ORDER BY faction_id"
            ):
                led.setdefault(row.pop("leader_npc_id"), []).append(row)
        return led

    return engine.memo(("leaders",), build)
