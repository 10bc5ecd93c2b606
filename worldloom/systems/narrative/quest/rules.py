"""Quest rules (data/quests.toml): motivations, strategies as steps, triggers, boards, rewards."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MOTIVATIONS = (
    "knowledge", "comfort", "reputation", "serenity", "protection", "conquest", "wealth",
    "ability", "equipment",
)  # fmt: skip
"""Doran and Parberry's nine NPC motivations."""
ACTIONS = (
    "goto", "kill", "gather", "escort", "deliver", "spy", "talk", "explore", "defend", "use",
    "report",
)  # fmt: skip
"""The quest_steps.action vocabulary."""
SLOTS = ("giver", "npc", "settlement", "poi", "item", "monster")
"""What a step may target: the giver (at home), or a slot the strategy fills once per quest."""
PICKERS: Mapping[str, tuple[str, ...]] = {
    "npc": ("notable_here", "notable_near"),
    "settlement": ("cause", "near", "enemy_seat"),
    "poi": ("cause", "lair"),
    "item": ("trade", "cause"),
    "monster": ("at_poi",),
}
"""How each slot may be chosen; poi also takes `kind:a,b` and item `category:a,b`."""
WHERE = ("settlement", "region", "actor", "kin")
"""Who an event moves: people of its settlement, of its region, its actor, or the actor's kin."""


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a strategy: an action and the slots it targets (e.g. `kill poi monster`)."""

    action: str
    targets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Strategy:
    """A way to satisfy a motivation: how its slots are chosen and the steps they fill."""

    key: str
    motivation: str
    pickers: Mapping[str, str]
    """Slot -> picker (`PICKERS`); slots the steps do not use are absent."""
    steps: tuple[Step, ...]
    difficulty: int
    """The least difficulty (1..10) of the errand whatever its targets."""
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class Trigger:
    """An event type that gives a motivation to the people it touches."""

    event: str
    motivation: str
    strategies: tuple[str, ...]
    givers: tuple[str, ...]
    """notable_role or profession values of those it moves."""
    where: str
    payload: Mapping[str, str]
    """Payload fields that must equal these values (as text) for the trigger to fire."""
    per_event: int


@dataclass(frozen=True, slots=True)
class Board:
    """When boards are posted and how much they hold."""

    days: int
    """Boards are posted on ticks with tick % days == days - 1, wherever a window starts."""
    per_settlement: int
    per_giver: int
    max_age_days: int
    standing_chance: float


@dataclass(frozen=True, slots=True)
class Reward:
    """Pricing: a wage in a staple good, plus goods involved, times a growth per level."""

    wage_good: str
    wage_units: float
    per_level: float
    item_chance: float
    trade: Mapping[str, tuple[str, ...]]
    """Profession or role -> the item categories of its trade."""
    gather_value: float
    """What a gather or deliver step asks for, in the item's value (qty = this / value)."""
    max_qty: int


@dataclass(frozen=True, slots=True)
class QuestRules:
    """`data/quests.toml`, validated."""

    strategies: Mapping[str, Strategy]
    triggers: tuple[Trigger, ...]
    arc_strategies: Mapping[str, tuple[str, ...]]
    """Arc pattern -> strategies for its next step; `default` for patterns not named."""
    arc_givers: tuple[str, ...]
    standing: Mapping[str, tuple[str, ...]]
    """notable_role -> strategies when nothing happened."""
    board: Board
    reward: Reward
    encounter_levels: Mapping[str, int]
    """Encounter difficulty band -> difficulty level."""
    region_weight: float
    """A region's danger level counts this much towards a quest that travels there."""
    actions: Mapping[str, str]
    """Action -> its journal line template."""

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> QuestRules:
        """Validate a parsed `quests.toml`.

        Raises:
            ValueError: an unknown motivation, action, slot, picker or strategy; a step using a
                slot its strategy does not pick; a trigger or standing state naming a strategy
                of another motivation; a board or reward out of range.
        """
        strategies = {k: _strategy(k, v) for k, v in table["strategies"].items()}
        covered = {s.motivation for s in strategies.values()}
        if covered != set(MOTIVATIONS):
            raise ValueError(
                f"quests.toml: motivations without strategies: {sorted(set(MOTIVATIONS) - covered)}"
            )
        triggers = tuple(_trigger(row, strategies) for row in table["triggers"])
        arcs = table["arcs"]
        arc_strategies = {
            str(k): _known(v, strategies, f"arcs.{k}") for k, v in arcs["patterns"].items()
        }
        if "default" not in arc_strategies:
            raise ValueError("quests.toml: [arcs.patterns] needs a default")
        standing = {
            str(k): _known(v, strategies, f"standing.{k}") for k, v in table["standing"].items()
        }
        board = Board(**{k: table["board"][k] for k in Board.__slots__})
        if (
            board.days < 1
            or board.per_settlement < 1
            or board.per_giver < 1
            or board.max_age_days < 1
        ):
            raise ValueError("quests.toml: [board] days, caps and max age must be at least 1")
        if not 0 <= board.standing_chance <= 1:
            raise ValueError("quests.toml: [board] standing_chance must be in 0..1")
        raw = table["reward"]
        reward = Reward(
            wage_good=str(raw["wage_good"]),
            wage_units=float(raw["wage_units"]),
            per_level=float(raw["per_level"]),
            item_chance=float(raw["item_chance"]),
            trade={str(k): tuple(str(c) for c in v) for k, v in raw["trade"].items()},
            gather_value=float(raw["gather_value"]),
            max_qty=int(raw["max_qty"]),
        )
        if reward.wage_units <= 0 or reward.per_level < 1 or not 0 <= reward.item_chance <= 1:
            raise ValueError(
                "quests.toml: [reward] wage_units > 0, per_level >= 1, item_chance in 0..1"
            )
        if "default" not in reward.trade:
            raise ValueError("quests.toml: [reward.trade] needs a default")
        if reward.gather_value <= 0 or reward.max_qty < 1:
            raise ValueError("quests.toml: [reward] gather_value > 0 and max_qty >= 1")
        actions = {str(k): str(v) for k, v in table["actions"].items()}
        if set(actions) != set(ACTIONS):
            raise ValueError(f"quests.toml: [actions] must template exactly {ACTIONS}")
        levels = {str(k): int(v) for k, v in table["danger"]["encounter_levels"].items()}
        if any(not 1 <= v <= 10 for v in levels.values()):
            raise ValueError("quests.toml: encounter levels must be 1..10")
        return cls(
            strategies=strategies,
            triggers=triggers,
            arc_strategies=arc_strategies,
            arc_givers=tuple(str(g) for g in arcs["givers"]),
            standing=standing,
            board=board,
            reward=reward,
            encounter_levels=levels,
            region_weight=float(table["danger"]["region_weight"]),
            actions=actions,
        )

    def is_board(self, tick: int) -> bool:
        """Whether quest boards are posted on `tick`."""
        return tick % self.board.days == self.board.days - 1


def _strategy(key: str, raw: Mapping[str, Any]) -> Strategy:
    motivation = str(raw["motivation"])
    if motivation not in MOTIVATIONS:
        raise ValueError(f"quests.toml: strategy {key}: unknown motivation {motivation!r}")
    pickers = {slot: str(raw[slot]) for slot in PICKERS if slot in raw}
    for slot, picker in pickers.items():
        name = picker.split(":", 1)[0]
        extra = {"poi": ("kind",), "item": ("category",)}.get(slot, ())
        if name not in PICKERS[slot] + extra:
            raise ValueError(f"quests.toml: strategy {key}: unknown {slot} picker {picker!r}")
    if "monster" in pickers and "poi" not in pickers:
        raise ValueError(f"quests.toml: strategy {key}: a monster needs a poi")
    steps = []
    for line in raw["steps"]:
        action, *targets = str(line).split()
        if action not in ACTIONS:
            raise ValueError(f"quests.toml: strategy {key}: unknown action {action!r}")
        for slot in targets:
            if slot not in SLOTS or (slot != "giver" and slot not in pickers):
                raise ValueError(f"quests.toml: strategy {key}: step {line!r} targets {slot!r}")
        steps.append(Step(action, tuple(targets)))
    difficulty = int(raw["difficulty"])
    if not steps or not 1 <= difficulty <= 10:
        raise ValueError(f"quests.toml: strategy {key}: needs steps and a difficulty in 1..10")
    return Strategy(
        key, motivation, pickers, tuple(steps), difficulty, str(raw["title"]), str(raw["text"])
    )


def _trigger(raw: Mapping[str, Any], strategies: Mapping[str, Strategy]) -> Trigger:
    event = str(raw["event"])
    motivation = str(raw["motivation"])
    keys = _known(raw["strategies"], strategies, f"trigger {event}")
    if any(strategies[k].motivation != motivation for k in keys):
        raise ValueError(f"quests.toml: trigger {event}: a strategy not of {motivation}")
    where = str(raw["where"])
    if where not in WHERE:
        raise ValueError(f"quests.toml: trigger {event}: unknown where {where!r}")
    givers = tuple(str(g) for g in raw.get("givers", ()))
    if where in {"settlement", "region"} and not givers:
        raise ValueError(f"quests.toml: trigger {event}: people of a place need givers (roles)")
    per_event = int(raw.get("per_event", 1))
    if per_event < 1:
        raise ValueError(f"quests.toml: trigger {event}: per_event must be at least 1")
    return Trigger(
        event=event,
        motivation=motivation,
        strategies=keys,
        givers=givers,
        where=where,
        payload={str(k): str(v) for k, v in raw.get("payload", {}).items()},
        per_event=per_event,
    )


def _known(keys: Any, strategies: Mapping[str, Strategy], where: str) -> tuple[str, ...]:
    found = tuple(str(k) for k in keys)
    unknown = [k for k in found if k not in strategies]
    if unknown or not found:
        raise ValueError(f"quests.toml: {where}: unknown or no strategies {unknown}")
    return found
