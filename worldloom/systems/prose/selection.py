"""Which entities an LLM may describe, how each is introduced to it (the procedural names it
may choose among), and how its sentence of colour joins the procedural text.

Only what a reader meets first asks the model — the largest settlements, the notables of
capitals and cities, the strongest states and the most followed faiths — within fixed caps, so
a world's LLM cost does not grow with its population; everything else keeps its procedural text.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence

import polars as pl

DESCRIBED_TIERS = ("capital", "city", "town")
"""Settlements the LLM describes; villages and hamlets keep their procedural text."""
NOTABLE_TIERS = ("capital", "city")
"""Where the notables the LLM describes live."""
MAX_SETTLEMENTS = 8
MAX_NOTABLES = 4
MAX_FACTIONS = 4
MAX_RELIGIONS = 3
"""Calls per world for each kind: on the embedded model each costs ~2-4 s of 2 cores."""
MAX_DEITIES = 3
"""Gods named in a religion's facts, chief first (a pantheon may have a dozen)."""

FACTION_KINDS = {
    "state": "a {form}",
    "guild": "a guild of {form}",
    "order": "a {form} order",
    "criminals": "a gang of {form}",
    "bandits": "a band of {form}",
}
"""What a faction is, in the few words its prompt states (`form` fills in: "a republic")."""
RELIGION_KINDS = {
    "folk": "a folk faith",
    "organized": "a faith with temples and priests",
    "heresy": "a heresy",
    "cult": "a secret cult",
}
"""What a religion is, for its prompt. Not "church": SmolLM2 reads it as "Christian church"."""


def choose_settlements(facts: pl.DataFrame) -> pl.DataFrame:
    """The largest towns, cities and capitals (`settlement_facts` rows, in id = rank order)."""
    return facts.filter(pl.col("tier").is_in(DESCRIBED_TIERS)).head(MAX_SETTLEMENTS)


def choose_notables(facts: pl.DataFrame) -> pl.DataFrame:
    """The first notables of capitals and cities (`notable_facts` rows)."""
    return facts.filter(pl.col("tier").is_in(NOTABLE_TIERS)).head(MAX_NOTABLES)


def choose_factions(facts: pl.DataFrame) -> pl.DataFrame:
    """States first, then the rest, each by power: the powers a reader hears of first
    (`faction_facts` rows), with `what` saying in a few words what each is."""
    chosen = facts.sort(
        [pl.col("kind") != "state", "power", "faction_id"], descending=[False, True, False]
    ).head(MAX_FACTIONS)
    what = [
        FACTION_KINDS[kind].format(form=form)
        for kind, form in zip(chosen["kind"], chosen["form"], strict=True)
    ]
    return chosen.with_columns(pl.Series("what", what, dtype=pl.String))


def choose_religions(tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """The faiths with most followers (settlement populations weighted by share), each with
    its chief gods (`gods`: name, epithet, domains), its parent faith's name and `what` it is.

    Args:
        tables: the world's `religions`, `religion_shares`, `settlements` and `deities`.
    """
    followers = (
        tables["religion_shares"]
        .join(tables["settlements"].select("settlement_id", "population"), on="settlement_id")
        .group_by("religion_id")
        .agg((pl.col("share") * pl.col("population")).sum().alias("followers"))
    )
    gods = (
        tables["deities"]
        .sort("religion_id", "rank")
        .group_by("religion_id", maintain_order=True)
        .head(MAX_DEITIES)
        .group_by("religion_id", maintain_order=True)
        .agg(pl.struct("name", "epithet", "domains").alias("gods"))
    )
    religions = tables["religions"]
    parents = religions.select(
        pl.col("religion_id").alias("parent_id"), pl.col("name").alias("parent")
    )
    return (
        religions.select("religion_id", "name", "kind", "parent_id")
        .join(parents, on="parent_id", how="left")
        .join(followers, on="religion_id", how="left")
        .join(gods, on="religion_id", how="inner")  # a faith without gods has nothing to say
        .sort(["followers", "religion_id"], descending=[True, False], nulls_last=True)
        .head(MAX_RELIGIONS)
        .with_columns(pl.col("kind").replace_strict(RELIGION_KINDS).alias("what"))
    )


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def name_candidates(
    name: str,
    patterns: Mapping[str, Sequence[str]],
    *,
    prefer: str,
    taken: Collection[str],
    limit: int,
    max_length: int,
) -> tuple[str, ...]:
    """A region's procedural name first, then its root in the other patterns of its landform
    ("Bromdor Crags", "Bromdor Peaks", "Bromdor Heights"), none of them taken.

    Args:
        name: The region's procedural name.
        patterns: Place patterns by landform (`data/place_patterns.toml`).
        prefer: The landform tried first (the region's biome key), as patterns overlap.
        taken: Names already in the world (any case).
        limit: Most candidates, the name included.
        max_length: Longest name allowed.
    """
    folded = {t.casefold() for t in taken} - {name.casefold()}
    families = sorted(patterns, key=lambda kind: (kind != prefer, kind == "default", kind))
    for kind in families:
        for pattern in patterns[kind]:
            head, _, tail = pattern.partition("{name}")
            if not (name.startswith(head) and name.endswith(tail)) or len(name) <= len(head + tail):
                continue
            root = name[len(head) : len(name) - len(tail)]
            others = [p.format(name=root) for p in patterns[kind] if p != pattern]
            fresh = [o for o in others if o.casefold() not in folded and len(o) <= max_length]
            return (name, *fresh[: limit - 1])
    return (name,)


def add_colour(text: str, colour: str, *, limit: int) -> str:
    """`text` with `colour` after its first sentence, dropping its last sentences until the
    whole fits `limit` characters (the text as it was if even its first sentence cannot)."""
    sentences = _SENTENCE_BREAK.split(text.strip())
    kept = [sentences[0], colour, *sentences[1:]]
    while len(" ".join(kept)) > limit and len(kept) > 2:
        kept.pop()
    joined = " ".join(kept)
    return joined if len(joined) <= limit else text
