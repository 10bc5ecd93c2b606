"""The one catalog of event types: what raises each, how much it matters, its payload schema."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_KINDS: Mapping[str, type | tuple[type, ...]] = {
    "int": int,
    "float": (int, float),
    "str": str,
    "bool": bool,
}
SYSTEMS = ("population", "economy", "tension_war", "chaos", "religion")
"""The systems that raise events (an event type names one)."""
_TYPES: Mapping[str, set[type]] = {
    kind: set(types) if isinstance(types, tuple) else {types} for kind, types in _KINDS.items()
}
"""`_KINDS` as the exact types a batch's values may have (`encode_many`: a bool is no int)."""
_SAMPLE: Mapping[str, object] = {"int": 0, "float": 0.0, "str": "", "bool": False}
"""A value of each kind: the fields of a batch of no events are checked with these."""
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"))
"""`json.dumps(payload, sort_keys=True, separators=(",", ":"))`, its encoder made once: a
year's tens of thousands of payloads each built one (a third of an encode)."""


@dataclass(frozen=True, slots=True)
class PayloadField:
    """One payload field: its name, kind (int, float, str, bool) and whether it may be absent."""

    name: str
    kind: str
    optional: bool


@dataclass(frozen=True, slots=True)
class EventType:
    """An event type: its key, the system raising it, default importance, meaning, payload."""

    key: str
    system: str
    importance: int
    description: str
    payload: tuple[PayloadField, ...]

    def check(self, payload: Mapping[str, Any]) -> None:
        """Raise `ValueError` unless `payload` has exactly this type's fields, of their kinds."""
        names = {f.name for f in self.payload}
        extra = sorted(set(payload) - names)
        if extra:
            raise ValueError(f"event {self.key}: unexpected payload fields {extra}")
        for field in self.payload:
            if field.name not in payload:
                if field.optional:
                    continue
                raise ValueError(f"event {self.key}: payload field {field.name!r} is missing")
            value = payload[field.name]
            # bool is an int in Python; an int field must not take one.
            wrong_bool = isinstance(value, bool) and field.kind != "bool"
            if wrong_bool or not isinstance(value, _KINDS[field.kind]):
                raise ValueError(
                    f"event {self.key}: payload field {field.name!r} must be {field.kind}, "
                    f"got {value!r}"
                )


@dataclass(frozen=True, slots=True)
class EventCatalog:
    """Every event type by key (data/events.toml)."""

    types: Mapping[str, EventType]

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> EventCatalog:
        """Validate a parsed `events.toml`.

        Raises:
            ValueError: an unknown system or payload kind, or an importance outside 1..10.
        """
        types: dict[str, EventType] = {}
        for key, entry in table["types"].items():
            system = str(entry["system"])
            if system not in SYSTEMS:
                raise ValueError(f"event type {key!r}: unknown system {system!r}")
            importance = int(entry["importance"])
            if not 1 <= importance <= 10:
                raise ValueError(f"event type {key!r}: importance must be 1..10")
            fields = []
            for name, spec in entry.get("payload", {}).items():
                kind = str(spec).removesuffix("?")
                if kind not in _KINDS:
                    raise ValueError(f"event type {key!r}: field {name!r} has unknown kind {spec}")
                fields.append(PayloadField(str(name), kind, str(spec).endswith("?")))
            types[key] = EventType(
                key, system, importance, str(entry["description"]), tuple(fields)
            )
        return cls(types)

    def __getitem__(self, key: str) -> EventType:
        try:
            return self.types[key]
        except KeyError:
            raise KeyError(f"unknown event type {key!r}") from None

    def encode(self, key: str, payload: Mapping[str, Any]) -> str:
        """The payload as the events table stores it (canonical JSON), after checking it."""
        self[key].check(payload)
        return _CANONICAL.encode(dict(payload))

    def encode_many(self, key: str, columns: Mapping[str, Sequence[Any]]) -> list[str]:
        """The payloads of `key` events from a column of values per field (at least one), each
        as `encode` gives it and checked as it checks one: a year's tens of thousands of
        people's events at once.

        Raises:
            ValueError: the fields are not the type's (an optional one may be absent), a value
                is not of its field's kind, or the columns differ in length.
            KeyError: an unknown event type.
        """
        event = self[key]
        values = {name: list(column) for name, column in columns.items()}
        lengths = sorted({len(column) for column in values.values()})
        if len(lengths) != 1:
            raise ValueError(f"event {key}: payload columns of lengths {lengths}")
        kinds = {field.name: field.kind for field in event.payload}
        # The fields as `check` sees them: the first event's (a kind's sample for none).
        event.check(
            {
                name: column[0] if column else _SAMPLE.get(kinds.get(name, ""))
                for name, column in values.items()
            }
        )
        texts = []
        for name in sorted(values):  # canonical JSON: keys sorted
            kind, column = kinds[name], values[name]
            strays = set(map(type, column)) - _TYPES[kind]
            if strays:
                raise ValueError(
                    f"event {key}: payload field {name!r} must be {kind}, got "
                    f"{sorted(t.__name__ for t in strays)}"
                )
            head = _CANONICAL.encode(name) + ":"
            if kind == "int":
                texts.append([head + str(value) for value in column])
            elif kind == "float":  # 0 and 0.0 (and -0.0) are equal, but not alike in JSON
                texts.append([head + _CANONICAL.encode(value) for value in column])
            else:  # names, causes and flags repeat: each distinct one encoded once
                encoded = {value: _CANONICAL.encode(value) for value in set(column)}
                texts.append([head + encoded[value] for value in column])
        return ["{" + ",".join(row) + "}" for row in zip(*texts, strict=True)]
