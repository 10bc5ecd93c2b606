"""How an event is told (a template and the values it names) and how a retelling changes it."""

from __future__ import annotations

import bisect
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from worldloom.systems.narrative.names import Kind, Names
from worldloom.systems.narrative.rumor.places import RumorPlaces
from worldloom.systems.narrative.rumor.rules import (
    ENTITY_FIELDS,
    PLACE_KINDS,
    EventTexts,
    RumorRules,
    placeholders,
)


@dataclass(frozen=True, slots=True)
class Telling:
    """An event as a rumor tells it: a template, the ids and numbers it names, and other words."""

    template: str
    values: Mapping[str, int]
    words: Mapping[str, str]

    def render(self, names: Names) -> str:
        """The text, every name looked up in `names`."""
        filled: dict[str, str] = dict(self.words)
        for key, value in self.values.items():
            if key in ENTITY_FIELDS:
                filled[key] = names.of(_kind(key), value) or ""
            else:
                filled[key] = f"{value:,}"
        return self.template.format(**filled)


@dataclass(frozen=True, slots=True)
class Change:
    """A retelling's distortion: which placeholder changed, from what true value to what."""

    kind: str
    placeholder: str
    field: str
    true_value: int
    told_value: int


def _kind(placeholder: str) -> Kind:
    kind: Kind = ENTITY_FIELDS[placeholder][1]  # type: ignore[assignment]
    return kind


def event_payload(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """The event's payload JSON as a mapping (empty when absent)."""
    raw = event.get("payload")
    parsed = json.loads(raw) if raw else {}
    return parsed if isinstance(parsed, dict) else {}


def tell_event(
    event: Mapping[str, Any], *, texts: EventTexts, names: Names, numbers: frozenset[str]
) -> Telling:
    """The first template for the event's type whose names and values are all known."""
    payload = event_payload(event)
    what = str(event["type"]).replace("_", " ")
    for template in texts.candidates(str(event["type"]))[:-1]:
        telling = _fit(template, event, payload, names=names, numbers=numbers, what=what)
        if telling is not None:
            return telling
    return Telling(template=texts.fallback[-1], values={}, words={"what": what})


def _fit(
    template: str,
    event: Mapping[str, Any],
    payload: Mapping[str, Any],
    *,
    names: Names,
    numbers: frozenset[str],
    what: str,
) -> Telling | None:
    values: dict[str, int] = {}
    words: dict[str, str] = {"what": what}
    for name in placeholders(template):
        if name in ENTITY_FIELDS:
            column = ENTITY_FIELDS[name][0]
            raw = event.get(column, payload.get(column))
            if raw is None or names.of(_kind(name), int(raw)) is None:
                return None
            values[name] = int(raw)
        elif name != "what":
            raw = payload.get(name)
            if raw is None:
                return None
            if name in numbers and isinstance(raw, int) and not isinstance(raw, bool):
                if raw == 0:
                    return None  # "0 dead" is no news: a template without the number fits better
                values[name] = raw
            else:
                words[name] = str(raw)
    return Telling(template=template, values=values, words=words)


def draw_change(
    rng: np.random.Generator,
    *,
    told: Telling,
    truth: Telling,
    rules: RumorRules,
    places: RumorPlaces,
    names: Names,
    pools: Mapping[str, Sequence[int]],
) -> Change | None:
    """Whether this retelling changes a detail, and how; None when it is passed on as heard.

    The draw picks a kind by the rules' chances, then a detail of that kind the template
    names, then a new value: an actor becomes another real entity of its kind (one that
    existed by then), a settlement a neighbouring settlement, a region a neighbouring region,
    a number is exaggerated. The new value is never the true one, nor an entity the telling
    already names.
    """
    roll = float(rng.random())
    kind = None
    for name in ("actor", "place", "number"):
        if roll < rules.chances[name]:
            kind = name
            break
        roll -= rules.chances[name]
    if kind is None:
        return None
    fields = sorted(key for key in told.values if _distortion_kind(key, rules) == kind)
    if not fields:
        return None
    chosen = fields[int(rng.integers(len(fields)))]
    true_value = truth.values[chosen]
    if kind == "number":
        low, high = rules.number_factor
        grown = round(true_value * float(rng.uniform(low, high)))
        told_value = max(grown, true_value + 1)
    else:
        entity: Kind = _kind(chosen)
        taken = {v for k, v in told.values.items() if k in ENTITY_FIELDS and _kind(k) == entity}
        bound = max(v for k, v in truth.values.items() if k in ENTITY_FIELDS and _kind(k) == entity)
        pool, count = _candidates(
            entity, told.values[chosen], bound=bound, places=places, names=names, pools=pools
        )
        picked = _pick(rng, pool, count, taken | {true_value})
        if picked is None:
            return None
        told_value = picked
    return Change(
        kind=kind,
        placeholder=chosen,
        field=ENTITY_FIELDS[chosen][0] if chosen in ENTITY_FIELDS else chosen,
        true_value=true_value,
        told_value=told_value,
    )


def apply_change(told: Telling, change: Change) -> Telling:
    """The telling with the change made."""
    return replace(told, values={**told.values, change.placeholder: change.told_value})


def _distortion_kind(placeholder: str, rules: RumorRules) -> str | None:
    if placeholder in ENTITY_FIELDS:
        return "place" if _kind(placeholder) in PLACE_KINDS else "actor"
    return "number" if placeholder in rules.number_fields else None


def _candidates(
    entity: Kind,
    current: int,
    *,
    bound: int,
    places: RumorPlaces,
    names: Names,
    pools: Mapping[str, Sequence[int]],
) -> tuple[Sequence[int], int]:
    """Entities a detail may become, as a pool and how many of its first entries: neighbours
    for places; for actors, any named entity whose id is at most the highest the true event
    names of that kind.

    Ids are given in order of appearance, so every such entity already existed when the event
    happened: a later run, whose `Names` holds people born since, draws from the same pool.
    An actor's pool is its kind's whole pool, not a copy of its first entries: a century's
    pool of people holds a million ids.
    """
    if entity == "settlement":
        near = tuple(s for s, _ in places.neighbours.get(current, ()))
    elif entity == "region":
        near = places.region_neighbours(current)
    else:
        pool = pools[entity]
        return pool, bisect.bisect_right(pool, bound)
    named = tuple(c for c in near if names.of(entity, c) is not None)
    return named, len(named)


def _pick(rng: np.random.Generator, pool: Sequence[int], count: int, taken: set[int]) -> int | None:
    """One of the first `count` entries of `pool` not taken, drawn uniformly (a few tries: the
    pools are large)."""
    free = [c for c in pool[:count] if c not in taken] if count <= 64 else None
    if free is not None:
        return free[int(rng.integers(len(free)))] if free else None
    for _ in range(8):
        pick = pool[int(rng.integers(count))]
        if pick not in taken:
            return pick
    return None
