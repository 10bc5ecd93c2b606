"""Diplomacy: a tension score and a status for every pair of factions, from shared borders,
culture and faith, power and seeded rivalries; vassals with their suzerains; wars on borders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from worldloom.systems.draw import keyed_uniform
from worldloom.systems.region import Region
from worldloom.systems.rng import Seeds

STATUSES = (
    "ally", "friendly", "neutral", "suspicious", "rival", "enemy", "vassal", "suzerain", "at_war",
)  # fmt: skip
"""Every status. All are mutual except vassal (towards its suzerain) and suzerain."""

_BANDS = ((15, "ally"), (30, "friendly"), (50, "neutral"), (62, "suspicious"), (75, "rival"))
"""Tension below each bound gives that status; at 75 and above, enemy."""
WAR_TENSION = 80
"""Pairs this tense that share a border are at war."""
VASSAL_POWER_RATIO = 3.0
"""A state this many times stronger than a neighbour of its own culture may make it a vassal."""
VASSAL_CHANCE = 0.6
RIVALRY_CHANCE = 0.08
"""Share of pairs carrying an old grudge (+25 tension) whatever else they share."""
_OUTLAWS = ("bandits", "criminals")


@dataclass(frozen=True, slots=True, eq=False)
class Diplomacy:
    """Relations between all factions.

    Attributes:
        pairs: a_id Int32, b_id Int32 (a < b, every pair of factions once), status String
            (a's standing towards b: vassal means a is b's vassal), tension Int16 (0-100),
            shared_border Boolean (their lands or seats touch or overlap).
    """

    pairs: pl.DataFrame

    def directed(self) -> pl.DataFrame:
        """Both directions of every pair: from_id, to_id, status, tension, shared_border;
        vassal and suzerain swap when the pair is read the other way round."""
        forward = self.pairs.rename({"a_id": "from_id", "b_id": "to_id"})
        backward = self.pairs.rename({"b_id": "from_id", "a_id": "to_id"}).with_columns(
            status=pl.col("status").replace({"vassal": "suzerain", "suzerain": "vassal"})
        )
        columns = ["from_id", "to_id", "status", "tension", "shared_border"]
        return pl.concat([forward.select(columns), backward.select(columns)]).sort(
            "from_id", "to_id"
        )


def generate_diplomacy(
    factions: pl.DataFrame,
    provinces: pl.DataFrame,
    regions: Sequence[Region],
    *,
    religion_relations: pl.DataFrame,
    seeds: Seeds,
) -> Diplomacy:
    """Score and classify every pair of factions.

    Tension (0-100) rises with a shared border, different cultures, hostile faiths, a power
    gap between neighbouring states, outlaws living off the others, rivals in one town, and a
    seeded grudge; it falls for factions of one state or faith. Distant pairs feel only half.

    Args:
        factions: faction_id, kind, form, seat_region_id, state_id, culture_id, religion_id,
            power (as in `Factions.factions`).
        provinces: region_id, faction_id (the states' territory).
        regions: the world's regions, for adjacency.
        religion_relations: a_id, b_id, hostility (as in `Religions.relations`).
        seeds: the world's seed tree.
    """
    frame = factions.sort("faction_id")
    ids = frame["faction_id"].to_numpy().astype(np.int64)
    a, b = np.triu_indices(ids.size, 1)
    border = _shared_borders(frame, provinces, regions)[a, b]
    kind = frame["kind"].to_numpy().astype(np.str_)
    culture = frame["culture_id"].to_numpy()
    faith = frame["religion_id"].to_numpy()
    state = frame["state_id"].to_numpy()
    power = np.maximum(frame["power"].to_numpy().astype(np.float64), 1e-9)
    form = frame["form"].to_numpy().astype(np.str_)
    seat = frame["seat_region_id"].to_numpy()

    both_states = (kind[a] == "state") & (kind[b] == "state")
    outlaw_a, outlaw_b = np.isin(kind[a], _OUTLAWS), np.isin(kind[b], _OUTLAWS)
    same_state = (state[a] == state[b]) & (state[a] >= 0) & ~both_states
    gap = np.minimum(np.abs(np.log(power[a] / power[b])), 2.0) / 2.0
    hostility = _faith_hostility(faith, religion_relations)
    known_faiths = (faith[a] >= 0) & (faith[b] >= 0)
    pressure = (
        12.0 * ((culture[a] != culture[b]) & (culture[a] >= 0) & (culture[b] >= 0))
        + np.where(known_faiths & (faith[a] == faith[b]), -8.0, 0.0)
        + np.where(known_faiths & (faith[a] != faith[b]), 0.35, 0.0)
        * hostility[np.maximum(faith[a], 0), np.maximum(faith[b], 0)]
        + 12.0 * gap * both_states
        + 30.0 * (outlaw_a ^ outlaw_b)  # everyone else loses by outlaws
        + 10.0 * (outlaw_a & outlaw_b)  # and outlaws fight over the same prey
        + 8.0 * ((kind[a] == "guild") & (kind[b] == "guild") & (seat[a] == seat[b]))
        + 10.0 * ((kind[a] == "guild") & (form[a] == form[b]) & (seat[a] == seat[b]))
        - 10.0 * (same_state & ~outlaw_a & ~outlaw_b)
    )
    grudge = keyed_uniform(ids[a], ids[b], seeds=seeds, system="diplomacy.rivalry")
    noise = keyed_uniform(ids[a], ids[b], seeds=seeds, system="diplomacy.noise")
    pressure = pressure + 25.0 * (grudge < RIVALRY_CHANCE) + 8.0 * (2.0 * noise - 1.0)
    # Neighbours feel all of it; factions far apart only half, around a neutral 30.
    tension = np.where(border | same_state, 25.0 + pressure, 30.0 + 0.5 * pressure)
    tension = np.clip(np.round(tension), 0, 100).astype(np.int16)

    status = np.full(a.size, "enemy", dtype=object)
    for bound, name in reversed(_BANDS):
        status[tension < bound] = name
    status[(tension >= WAR_TENSION) & border] = "at_war"
    for weak, strong in _vassals(frame, a, b, border & both_states, seeds=seeds):
        pair = (a == min(weak, strong)) & (b == max(weak, strong))
        status[pair] = "vassal" if weak < strong else "suzerain"
    return Diplomacy(
        pl.DataFrame(
            {
                "a_id": pl.Series(ids[a], dtype=pl.Int32),
                "b_id": pl.Series(ids[b], dtype=pl.Int32),
                "status": pl.Series(status.tolist(), dtype=pl.String),
                "tension": pl.Series(tension, dtype=pl.Int16),
                "shared_border": border,
            }
        )
    )


def _shared_borders(
    frame: pl.DataFrame, provinces: pl.DataFrame, regions: Sequence[Region]
) -> NDArray[np.bool_]:
    """(factions x factions): lands (a state's territory, anyone else's seat region) that
    overlap or touch over region adjacency."""
    n, r = frame.height, len(regions)
    row_of = {int(f): i for i, f in enumerate(frame["faction_id"].to_list())}
    land = np.zeros((n, r))
    for faction_id, region_id in provinces.select("faction_id", "region_id").iter_rows():
        land[row_of[int(faction_id)], region_id] = 1.0
    is_state = frame["kind"].to_numpy() == "state"
    seats = frame["seat_region_id"].to_numpy()
    land[np.flatnonzero(~is_state), seats[~is_state]] = 1.0
    near = np.eye(r)
    for region in regions:
        near[region.region_id, list(region.neighbors)] = 1.0
    touching: NDArray[np.bool_] = (land @ near @ land.T) > 0
    return touching


def _faith_hostility(faith: NDArray[np.int64], relations: pl.DataFrame) -> NDArray[np.float64]:
    """A symmetric religion x religion hostility lookup (0 on the diagonal)."""
    a, b = relations["a_id"].to_numpy(), relations["b_id"].to_numpy()
    size = max(int(faith.max(initial=-1)), int(b.max(initial=-1))) + 1
    table = np.zeros((max(size, 1), max(size, 1)))
    table[a, b] = table[b, a] = relations["hostility"].to_numpy()
    return table


def _vassals(
    frame: pl.DataFrame,
    a: NDArray[np.int64],
    b: NDArray[np.int64],
    neighbours: NDArray[np.bool_],
    *,
    seeds: Seeds,
) -> list[tuple[int, int]]:
    """(vassal, suzerain) row pairs: a weak state bows to a far stronger neighbour of its
    culture. The strongest choose first; no vassal has vassals and none has two masters."""
    power = frame["power"].to_numpy().astype(np.float64)
    culture = frame["culture_id"].to_numpy()
    ids = frame["faction_id"].to_numpy()
    near: dict[int, set[int]] = {}
    for x, y in zip(a[neighbours].tolist(), b[neighbours].tolist(), strict=True):
        near.setdefault(x, set()).add(y)
        near.setdefault(y, set()).add(x)
    bound: dict[int, int] = {}
    lords: set[int] = set()
    for strong in sorted(near, key=lambda s: (-power[s], s)):
        if strong in bound:
            continue
        for weak in sorted(near[strong]):
            if weak in bound or weak in lords or culture[weak] != culture[strong]:
                continue
            if power[strong] < VASSAL_POWER_RATIO * power[weak]:
                continue
            luck = keyed_uniform(
                np.array([ids[weak]]),
                np.array([ids[strong]]),
                seeds=seeds,
                system="diplomacy.vassal",
            )
            if luck[0] < VASSAL_CHANCE:
                bound[weak] = strong
                lords.add(strong)
    return sorted(bound.items())
