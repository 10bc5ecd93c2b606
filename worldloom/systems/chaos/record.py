"""What the storyteller rolled: one record per event, its actors, causes and typed payload, with
the effects other systems apply written out as fields."""

from __future__ import annotations

from dataclasses import dataclass

NONE = -1
"""An actor or place a record does not have."""


@dataclass(frozen=True, slots=True)
class Disaster:
    """A drought, flood or fire.

    Effects to apply: `deaths` people die in the record's settlement (none when it has no
    settlement); crops (drought, flood) in the record's region yield `yield_multiplier` times
    as much until `until_tick` (exclusive); `goods_lost_share` of the settlement's market stock
    burns; its market is closed until `market_closed_until`; food prices in the region's
    markets are multiplied by `price_factor` until `until_tick`."""

    severity: float
    deaths: int
    yield_multiplier: float
    until_tick: int
    goods_lost_share: float
    market_closed_until: int
    price_factor: float


@dataclass(frozen=True, slots=True)
class Attack:
    """A bandit raid or a monster attack on a settlement.

    Effects to apply: `deaths` people die in the settlement, `goods_lost_share` of its market
    stock is taken, its market is closed until `market_closed_until`. `attacker_faction_id` is
    the bandits' faction (-1 for monsters or unknown raiders); `source_poi_id` the monsters'
    lair (-1 for raids)."""

    severity: float
    deaths: int
    goods_lost_share: float
    market_closed_until: int
    attacker_faction_id: int
    source_poi_id: int


@dataclass(frozen=True, slots=True)
class Outbreak:
    """A plague in a settlement.

    Effects to apply: `deaths` people die in the settlement over the outbreak (which lasts
    until `until_tick`); its market is closed until `market_closed_until`."""

    severity: float
    deaths: int
    until_tick: int
    market_closed_until: int


@dataclass(frozen=True, slots=True)
class Discovery:
    """A ruin or an ore vein comes to light.

    Effects to apply: a ruin's POI `poi_id` becomes known (-1 for ore); for ore, mining in the
    region yields `yield_multiplier` times as much until `until_tick` (1.0 and -1 for ruins)."""

    severity: float
    poi_id: int
    resource: str
    yield_multiplier: float
    until_tick: int


@dataclass(frozen=True, slots=True)
class Omen:
    """A sign in the sky or the fields. Changes nothing by itself; rumors and arcs read it."""

    severity: float
    portent: str


@dataclass(frozen=True, slots=True)
class PriceShock:
    """Prices in one settlement's market jump.

    Effects to apply: every price in the settlement's market is multiplied by `price_factor`
    until `until_tick`."""

    severity: float
    price_factor: float
    until_tick: int


@dataclass(frozen=True, slots=True)
class CaravanLost:
    """A caravan on a route vanishes.

    Effects to apply: `goods_lost_share` of the goods a caravan on `route_id` carries are lost;
    the route is cut until `route_cut_until` (no cut when it is not after the record's tick)."""

    severity: float
    route_id: int
    goods_lost_share: float
    route_cut_until: int


ChaosPayload = Disaster | Attack | Outbreak | Discovery | Omen | PriceShock | CaravanLost


@dataclass(frozen=True, slots=True)
class ChaosRecord:
    """One event the storyteller rolled.

    `kind` is one of `chaos.KINDS` (its event type's name). Ids are -1 where the record has no
    such actor. `place_id` is the settlement or POI where it happened (-1 for a whole region).
    `causes` are the `record_id`s of earlier chaos records that led to it (a flood before a
    plague); every cause has a smaller id and a tick no later than this record's."""

    record_id: int
    tick: int
    kind: str
    region_id: int
    settlement_id: int
    faction_id: int
    """The faction holding the region (as passed in), or -1."""
    place_id: int
    importance: int
    causes: tuple[int, ...]
    payload: ChaosPayload
