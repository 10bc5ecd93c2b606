"""What happened between factions: one record per event, its actors, causes and typed payload,
with the effects other systems apply written out as fields."""

from __future__ import annotations

from dataclasses import dataclass

NONE = -1
"""An actor or place a record does not have."""

KINDS = (
    "tension_rose", "border_incident", "war_declared", "ally_called", "army_raised", "battle",
    "siege_begun", "siege_ended", "settlement_occupied", "peace", "tribute_paid",
    "alliance_formed", "treaty_signed",
)  # fmt: skip
"""Every record kind (each its event type's name)."""

People = tuple[tuple[int, int], ...]
"""(settlement_id, people) pairs, settlement ids ascending."""


@dataclass(frozen=True, slots=True)
class TensionRose:
    """The pair's tension reached `band` (0-100; it stands at `tension`)."""

    band: float
    tension: float


@dataclass(frozen=True, slots=True)
class BorderIncident:
    """A clash on the border; `tension` is what it added to the pair. `incident_id` is the
    caller's incident behind it (see `Incident`), -1 for a clash of the war room's own."""

    tension: float
    incident_id: int


@dataclass(frozen=True, slots=True)
class WarDeclared:
    """`faction_id` declared war on `other_faction_id` (the record's actors).

    casus_belli: border_dispute, holy_war, trade_rivalry, revenge, border_incident or conquest
    (what divided them most)."""

    war_id: int
    casus_belli: str
    tension: float


@dataclass(frozen=True, slots=True)
class AllyCalled:
    """`faction_id` joined war `war_id` on the side of `other_faction_id`."""

    war_id: int
    side: str
    """attacker or defender."""


@dataclass(frozen=True, slots=True)
class ArmyRaised:
    """`faction_id` raised its army for war `war_id`.

    Effects to apply: `levies` and `professionals` (per settlement) leave their work for the
    war (they are not dead: `Peace.returned` sends the survivors home); the faction's treasury
    pays `upkeep_per_day` copper a day until the war's peace."""

    war_id: int
    levies: People
    professionals: People
    upkeep_per_day: float


@dataclass(frozen=True, slots=True)
class Battle:
    """A field battle (or an assault on walls) of war `war_id` at the record's settlement.

    `faction_id` led the attack, `other_faction_id` the defence. Effects to apply: `deaths`
    (soldiers, by the settlement they came from) die."""

    war_id: int
    attackers: int
    defenders: int
    attackers_lost: int
    defenders_lost: int
    attacker_strength: float
    defender_strength: float
    """Lanchester strengths with the day's modifiers (`tension_war.effective_strength`)."""
    winner_faction_id: int
    terrain_bonus: int
    fortification: int
    assault: bool
    deaths: People


@dataclass(frozen=True, slots=True)
class SiegeBegun:
    """`faction_id` besieges the record's settlement, held by `other_faction_id`.

    Effects to apply: its market is closed and the routes that touch it are cut until the
    `SiegeEnded` record of the same `siege_id`."""

    war_id: int
    siege_id: int
    besiegers: int


@dataclass(frozen=True, slots=True)
class SiegeEnded:
    """The siege `siege_id` ended: the settlement was `taken`, or the siege was lifted (by a
    failed assault's losses, a lost battle or the peace).

    Effects to apply: the market reopens and routes are restored; `deaths` (the garrison and,
    when taken, the sacked townsfolk) die in the settlement."""

    war_id: int
    siege_id: int
    taken: bool
    deaths: int


@dataclass(frozen=True, slots=True)
class SettlementOccupied:
    """The record's settlement passed from `from_faction_id` to `to_faction_id` (taken by
    arms, or handed back by a peace: `by_treaty`).

    Effects to apply: the settlement's holder changes; when `region_changed`, the record's
    region (the province) changes holder too."""

    war_id: int
    from_faction_id: int
    to_faction_id: int
    region_changed: bool
    by_treaty: bool


@dataclass(frozen=True, slots=True)
class Peace:
    """War `war_id` ended: `faction_id` (the winning side's leader) and `other_faction_id`.

    Effects to apply: `returned` soldiers go home to their settlements; armies' upkeep stops;
    `ceded` settlements stay with the side that holds them (settlement_occupied records with
    by_treaty hand back the others); the loser pays `tribute_per_month` copper to the winner
    until `tribute_until`, a year's worth on each anniversary of the peace (tribute_paid
    records, each with its amount)."""

    war_id: int
    winner_side: str
    """attacker or defender."""
    days: int
    ceded: tuple[int, ...]
    tribute_per_month: float
    tribute_until: int
    returned: People
    dead: int


@dataclass(frozen=True, slots=True)
class TributePaid:
    """`faction_id` paid `other_faction_id` `copper`, a year's tribute (effect: move that
    much), on an anniversary of the peace."""

    war_id: int
    copper: float


@dataclass(frozen=True, slots=True)
class Treaty:
    """An alliance formed (alliance_formed), or a treaty signed (treaty_signed): a
    non_aggression pact (no war until `until_tick`), an alliance renounced
    (alliance_renounced), vassalage (`faction_id` becomes the vassal of `other_faction_id`,
    by a peace) or independence (`faction_id` breaks free of its suzerain)."""

    terms: str
    until_tick: int


WarPayload = (
    TensionRose | BorderIncident | WarDeclared | AllyCalled | ArmyRaised | Battle | SiegeBegun
    | SiegeEnded | SettlementOccupied | Peace | TributePaid | Treaty
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class WarRecord:
    """One event between factions.

    `kind` is one of `KINDS`. Actors are ids, -1 where the record has none: `faction_id` acts
    (declares, attacks, pays), `other_faction_id` is acted upon; `settlement_id` and
    `region_id` are where it happened; `npc_id` the acting faction's leader. `causes` are
    `record_id`s of earlier war records (smaller ids, ticks no later than this one's);
    `incident_causes` the ids of the caller's incidents behind it (see `Incident`)."""

    record_id: int
    tick: int
    kind: str
    faction_id: int
    other_faction_id: int
    settlement_id: int
    region_id: int
    npc_id: int
    importance: int
    causes: tuple[int, ...]
    incident_causes: tuple[int, ...]
    payload: WarPayload


@dataclass(frozen=True, slots=True)
class Incident:
    """Something the caller saw that strains relations in a region: a chaos raid or monster
    attack, a caravan lost, a holy site desecrated.

    `incident_id` is the caller's id for it (e.g. its event id; records it causes list it in
    `incident_causes`); `tick` when it happened (within the period stepped); `region_id` where;
    `severity` 1-10; `blamed_faction_id` the faction held responsible (-1: the region holder's
    neighbours are)."""

    incident_id: int
    tick: int
    region_id: int
    severity: float
    blamed_faction_id: int = NONE
