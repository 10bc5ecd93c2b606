"""People analytics with Polars: population pyramid, culture and religion shares, faction power."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from worldloom.infrastructure.analytics.markdown import markdown_table


@dataclass(frozen=True, slots=True)
class PeopleSummary:
    """Four tables, each ready for a Prefect table artifact or a CLI table."""

    pyramid: pl.DataFrame
    """age_band, female, male (people), in age order."""
    cultures: pl.DataFrame
    """culture, people, share; largest first."""
    religions: pl.DataFrame
    """religion, kind, people, share; largest first."""
    factions: pl.DataFrame
    """The twelve strongest factions: name, kind, people, regions, power."""

    def markdown(self) -> str:
        parts = []
        for title, frame in (
            ("Population pyramid", self.pyramid),
            ("Cultures", self.cultures),
            ("Religions", self.religions),
            ("Strongest factions", self.factions),
        ):
            parts.append(f"## {title}\n\n{markdown_table(frame)}")
        return "\n\n".join(parts) + "\n"


def summarize_people(
    *,
    population_groups: pl.DataFrame,
    cultures: pl.DataFrame,
    religions: pl.DataFrame,
    factions: pl.DataFrame,
    age_bands: list[str],
) -> PeopleSummary:
    """Summarise the Tier-1 population (everyone) and the factions.

    Args:
        population_groups: counts per settlement, age band, sex, culture, religion, profession.
        cultures: culture_id, name.
        religions: religion_id, name, kind.
        factions: faction_id, name, kind, people, territory_regions, power.
        age_bands: the age bands, youngest first (the pyramid's row order).
    """
    total = int(population_groups["count"].sum())
    pyramid = (
        population_groups.group_by("age_band", "sex")
        .agg(pl.col("count").sum())
        .pivot(on="sex", index="age_band", values="count")
        .fill_null(0)
    )
    for sex in ("female", "male"):
        if sex not in pyramid.columns:
            pyramid = pyramid.with_columns(pl.lit(0, dtype=pl.Int64).alias(sex))
    order = pl.DataFrame({"age_band": age_bands, "order": range(len(age_bands))})
    pyramid = pyramid.join(order, on="age_band", how="left").sort("order")
    return PeopleSummary(
        pyramid=pyramid.select("age_band", "female", "male"),
        cultures=_shares(population_groups, "culture_id", cultures, ["name"], total),
        religions=_shares(population_groups, "religion_id", religions, ["name", "kind"], total),
        factions=factions.sort(["power", "faction_id"], descending=[True, False])
        .head(12)
        .select(
            "name",
            "kind",
            "people",
            pl.col("territory_regions").alias("regions"),
            pl.col("power").round(1),
        ),
    )


def _shares(
    groups: pl.DataFrame, key: str, names: pl.DataFrame, labels: list[str], total: int
) -> pl.DataFrame:
    return (
        groups.group_by(key)
        .agg(pl.col("count").sum().alias("people"))
        .join(names.select(key, *labels), on=key, how="left")
        .with_columns((pl.col("people") / max(total, 1)).round(4).alias("share"))
        .sort(["people", key], descending=[True, False])
        .select(*labels, "people", "share")
    )
