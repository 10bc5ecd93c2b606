"""The API's response models: what each route answers, as its OpenAPI schema shows it.

Entity models name the columns a client can count on and let the rest of the row through
(``extra="allow"``), so a column added to a snapshot table appears without new code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from worldloom.prompts.dialogue import Topic

T = TypeVar("T")


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Row(BaseModel):
    """A snapshot row: the declared fields, and every other column of the table as it is
    (but `world_id`, which the envelope names once)."""

    model_config = ConfigDict(frozen=True, extra="allow")

    @model_validator(mode="before")
    @classmethod
    def _drop_world_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and "world_id" in data:
            return {k: v for k, v in data.items() if k != "world_id"}
        return data


class Item(Frozen, Generic[T]):
    """One entity, and the snapshot it came from (also the ETag)."""

    snapshot_id: str
    world_id: str
    data: T


class Page(Frozen, Generic[T]):
    """A page of rows in a stable order, and the snapshot they came from (also the ETag)."""

    snapshot_id: str
    world_id: str
    total: int = Field(description="Rows matching the filters, over every page.")
    limit: int
    offset: int
    items: list[T]


class WorldSummary(Frozen):
    world_id: str
    name: str
    seed: int
    preset: str
    tick: int = Field(description="The world's day when the snapshot was exported.")
    snapshot_id: str
    created_at: datetime
    code_version: str
    tables: int


class Worlds(Frozen):
    worlds: list[WorldSummary]


class TableInfo(Frozen):
    name: str
    rows: int
    description: str
    primary_key: list[str]
    references: list[dict[str, str]]
    columns: list[dict[str, Any]]


class WorldDetail(Frozen):
    world_id: str
    name: str
    seed: int
    preset: str
    tick: int
    created_at: datetime
    code_version: str
    width_km: float | None = None
    height_km: float | None = None
    lore: str = ""
    counts: dict[str, int] = Field(description="Rows of the main tables, by table name.")
    snapshots: list[str] = Field(description="Snapshot ids of this world on disk, newest first.")


class Tables(Frozen):
    tables: list[TableInfo]


class Region(Row):
    region_id: int
    name: str
    description: str = ""
    danger_level: int | None = None


class SettlementRef(Row):
    settlement_id: int
    name: str
    tier: str
    population: int


class PoiRef(Row):
    poi_id: int
    name: str
    kind: str
    danger_level: int | None = None


class FactionRef(Row):
    faction_id: int
    name: str
    kind: str


class RegionDetail(Frozen):
    region: Region
    culture: str | None = None
    state: FactionRef | None = Field(None, description="The state holding the region, if any.")
    settlements: list[SettlementRef]
    pois: list[PoiRef]


class NpcRef(Row):
    npc_id: int
    name: str
    family_name: str
    age: int
    sex: str
    profession: str
    notable_role: str | None = None


class Price(Row):
    good: str
    name: str | None = None
    category: str | None = None
    price: float
    stock: int | None = None


class MarketRef(Frozen):
    market_id: int
    name: str
    settlement_id: int
    here: bool = Field(description="False when the place trades at a market elsewhere.")


class RouteRef(Row):
    route_id: int
    kind: str
    to_place_id: int | None
    to_name: str | None
    length_km: float
    travel_days: float


class Sublocation(Row):
    sublocation_id: int
    parent_id: int | None
    category: str
    kind: str
    name: str
    depth: int


class People(Frozen):
    count: int = Field(description="Individual NPCs living here (population counts everyone).")
    notables: list[NpcRef]
    residents: list[NpcRef] = Field(description="The first residents by id (see /npcs).")


class Settlement(Row):
    settlement_id: int
    name: str
    tier: str
    population: int
    region_id: int
    description: str = ""


class SettlementDetail(Frozen):
    settlement: Settlement
    region: str | None
    people: People
    market: MarketRef | None
    prices: list[Price]
    routes: list[RouteRef]
    factions: list[FactionRef] = Field(description="Factions seated here, then its state.")
    sublocations: list[Sublocation]


class Npc(Row):
    npc_id: int
    name: str
    family_name: str
    settlement_id: int
    age: int
    sex: str
    profession: str


class NpcDetail(Frozen):
    npc: Npc
    settlement: str | None
    culture: str | None
    religion: str | None
    biography: str | None
    family: dict[str, NpcRef | None]
    leads: list[FactionRef]
    equipment: list[dict[str, Any]]


class Faction(Row):
    faction_id: int
    kind: str
    name: str
    description: str = ""


class Relation(Frozen):
    faction_id: int
    name: str
    status: str
    tension: int | None = None


class FactionDetail(Frozen):
    faction: Faction
    seat: str | None
    leader: NpcRef | None
    relations: list[Relation]


class MarketPrices(Frozen):
    market_id: int
    name: str
    settlement_id: int
    tick: int | None
    prices: list[Price]
    history: list[dict[str, Any]] = Field(
        description="Per tick, for the good asked with ?good= (market_prices)."
    )


class Poi(Row):
    poi_id: int
    kind: str
    name: str
    region_id: int
    danger_level: int | None = None


class PoiDetail(Frozen):
    poi: Poi
    region: str | None
    sublocations: list[Sublocation]
    encounters: list[dict[str, Any]]
    faith: str | None = Field(None, description="The faith keeping it, for a holy site.")
    desecrated_tick: int | None = Field(
        None,
        description="For a holy site desecrated during the world's history: the day it was "
        "(its faith keeps it again once it is consecrated); null while it is kept.",
    )


class TalkRequest(Frozen):
    """What the player says to an NPC."""

    topic: Topic = "greeting"
    place_id: int | None = Field(
        None,
        ge=0,
        description="For topic place: a settlement or POI id (the NPC picks one if omitted).",
    )


class TalkAnswer(Frozen):
    npc_id: int
    speaker: str
    topic: Topic
    subject: str
    line: str
    source: Literal["llm", "cache", "fallback"]
    fallback_reason: str | None
    cache_hit: bool = Field(
        description="From the gateway's cache (a valid answer, or a failure it remembers)."
    )
    attempts: int = Field(description="Requests sent to the provider for this answer.")
    shared: bool = Field(description="Answered by an identical request already in flight.")
    latency_ms: float


class Health(Frozen):
    status: Literal["ok"]
    worlds: dict[str, str] = Field(description="Served snapshot id by world id.")


class ApiMessage(Frozen):
    detail: str | list[Any]
