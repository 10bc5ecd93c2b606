"""The loot seed table: nested weighted treasure classes by site and room kind, and how danger
raises a room's worth (`data/loot.toml`)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

DANGER_LEVELS = 10
MAX_DEPTH = 8
"""Classes nest at most this deep (a pick's path must fit one 64-bit key)."""
PATH_BASE = 64
"""A pick's path is written base 64: at most 63 picks per class."""

EntryKind = Literal["nodrop", "coin", "good", "class"]


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a treasure class."""

    kind: EntryKind
    target: str
    """The good's key or the class's key; "" for coin and nodrop."""
    low: int
    high: int
    weight: float
    per_danger: float
    """Change of the weight per danger level above 1 (nodrop only, never positive)."""

    def weight_at(self, danger: int) -> float:
        return max(0.0, self.weight + self.per_danger * (danger - 1))


@dataclass(frozen=True, slots=True)
class TreasureClass:
    key: str
    picks: int
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class RoomRule:
    """A room kind's own class, and classes it always rolls once more (a vault's purse)."""

    treasure: str
    guaranteed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LootTable:
    """`data/loot.toml`, validated."""

    classes: Mapping[str, TreasureClass]
    kinds: Mapping[str, str]
    """POI kind -> the class its rooms roll."""
    rooms: Mapping[str, RoomRule]
    coin_copper: tuple[float, ...]
    extra_picks: tuple[int, ...]
    quality_shift: float
    magic_chance: tuple[float, ...]
    magic_bonus_per: int

    @classmethod
    def from_mapping(
        cls, table: Mapping[str, Any], *, goods: Sequence[str], poi_kinds: Sequence[str]
    ) -> LootTable:
        """Validate a parsed `loot.toml`.

        Raises:
            ValueError: an unknown good, class or POI kind; a cycle or too deep nesting; a
                weight that rises with danger; danger lists that fall or are not 10 long.
        """
        raw_classes = table.get("class")
        if not isinstance(raw_classes, Mapping) or not raw_classes:
            raise ValueError("loot.toml: needs [class.*] tables")
        classes = {str(k): _class(str(k), v, set(goods)) for k, v in raw_classes.items()}
        kinds = {str(k): str(v) for k, v in table.get("kinds", {}).items()}
        rooms = {
            str(k): RoomRule(str(v.get("class", "")), tuple(v.get("guaranteed", [])))
            for k, v in table.get("rooms", {}).items()
        }
        named = {*kinds.values(), *(r.treasure for r in rooms.values())}
        named |= {g for r in rooms.values() for g in r.guaranteed}
        named |= {e.target for c in classes.values() for e in c.entries if e.kind == "class"}
        if named - set(classes):
            raise ValueError(f"loot.toml: unknown classes {sorted(named - set(classes))}")
        if set(kinds) - set(poi_kinds):
            raise ValueError(f"loot.toml: unknown POI kinds {sorted(set(kinds) - set(poi_kinds))}")
        for key in classes:
            _check_depth(key, classes, ())
        coin = tuple(float(c) for c in table.get("coin_copper", []))
        extra = tuple(int(p) for p in table.get("extra_picks", []))
        magic = tuple(float(m) for m in table.get("magic_chance", []))
        for name, values in (
            ("coin_copper", coin),
            ("extra_picks", extra),
            ("magic_chance", magic),
        ):
            if len(values) != DANGER_LEVELS or any(b < a for a, b in itertools.pairwise(values)):
                raise ValueError(f"loot.toml: {name} needs 10 non-decreasing values")
        if min(coin) <= 0 or min(extra) < 0 or not 0 <= min(magic) <= max(magic) <= 1:
            raise ValueError("loot.toml: coin_copper > 0, extra_picks >= 0, magic_chance in [0, 1]")
        return cls(
            classes=classes,
            kinds=kinds,
            rooms=rooms,
            coin_copper=coin,
            extra_picks=extra,
            quality_shift=float(table.get("quality_shift", 0.0)),
            magic_chance=magic,
            magic_bonus_per=max(1, int(table.get("magic_bonus_per", 4))),
        )

    def room_class(self, poi_kind: str, room_kind: str) -> str | None:
        """The class a room rolls: its room kind's own, else its site kind's; None for none."""
        rule = self.rooms.get(room_kind)
        return rule.treasure if rule else self.kinds.get(poi_kind)

    def order(self) -> tuple[str, ...]:
        """Class keys in a fixed order (their codes in arrays)."""
        return tuple(sorted(self.classes))

    def weights(self) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """[class code, danger - 1, entry] weights (0-padded) and [class code] entry counts."""
        order = self.order()
        width = max(len(self.classes[k].entries) for k in order)
        weights = np.zeros((len(order), DANGER_LEVELS, width))
        for c, key in enumerate(order):
            for e, entry in enumerate(self.classes[key].entries):
                for d in range(DANGER_LEVELS):
                    weights[c, d, e] = entry.weight_at(d + 1)
        counts = np.array([len(self.classes[k].entries) for k in order], dtype=np.int64)
        return weights, counts


def _class(key: str, raw: Mapping[str, Any], goods: set[str]) -> TreasureClass:
    picks = int(raw.get("picks", 1))
    entries = tuple(_entry(key, e, goods) for e in raw.get("entries", []))
    if not entries or not 1 <= picks < PATH_BASE:
        raise ValueError(f"loot.toml: class {key!r} needs entries and 1-63 picks")
    if not any(e.kind != "nodrop" for e in entries):
        raise ValueError(f"loot.toml: class {key!r} drops nothing")
    return TreasureClass(key, picks, entries)


def _entry(owner: str, raw: Mapping[str, Any], goods: set[str]) -> Entry:
    weight, per_danger = float(raw.get("weight", 0.0)), float(raw.get("per_danger", 0.0))
    kind: EntryKind
    if raw.get("nodrop"):
        kind, target, low, high = "nodrop", "", 0, 0
    elif "coin" in raw:
        kind, target, (low, high) = "coin", "", raw["coin"]
    elif "good" in raw:
        kind, target, (low, high) = "good", str(raw["good"]), raw.get("qty", [1, 1])
        if target not in goods:
            raise ValueError(f"loot.toml: class {owner!r} names unknown good {target!r}")
    elif "class" in raw:
        kind, target, low, high = "class", str(raw["class"]), 1, 1
    else:
        raise ValueError(f"loot.toml: class {owner!r} has an entry that is none of the four")
    if not weight > 0 or (kind != "nodrop" and per_danger != 0) or per_danger > 0:
        raise ValueError(
            f"loot.toml: class {owner!r}: weights are > 0, and only nodrop may change with "
            "danger, downwards (so danger never lowers a room's worth)"
        )
    if kind in ("coin", "good") and not 1 <= int(low) <= int(high):
        raise ValueError(f"loot.toml: class {owner!r}: a quantity range needs 1 <= low <= high")
    return Entry(kind, target, int(low), int(high), weight, per_danger)


def _check_depth(key: str, classes: Mapping[str, TreasureClass], path: tuple[str, ...]) -> None:
    if key in path:
        raise ValueError(f"loot.toml: classes nest in a cycle: {' -> '.join((*path, key))}")
    if len(path) >= MAX_DEPTH:
        raise ValueError(f"loot.toml: classes nest deeper than {MAX_DEPTH}: {path}")
    for entry in classes[key].entries:
        if entry.kind == "class":
            _check_depth(entry.target, classes, (*path, key))
