"""Motifs: the themes of the world's history (war, plague, betrayal, rebirth...) scored from its
events per world, region and arc (data/motifs.toml), and the steering they give: which arcs a
reader sees first, and the tone of a place's prompts and greetings.

    table = MotifTable.from_mapping(read_toml("motifs.toml"), catalog=event_catalog())
    scores = score_motifs(table=table, events=events, arcs=arcs, arc_events=arc_events)
    scores.world, scores.regions  # the motifs and region_motifs tables
    scores.arcs                   # the arcs frame with its motifs column filled
    surface_arcs(scores.arcs, scores, region_id=3, k=5)
    tone(scores, region_id=3)     # Tone(motifs=("war", "hunger"), phrase="war-weary, hungry")

Scores are recomputed from the whole event log each run (about 0.1 s for 100k events): they
depend only on the set of events, never on the windows they were read in.
"""

from __future__ import annotations

from worldloom.systems.narrative.motif.score import (
    MOTIFS_SCHEMA,
    REGION_MOTIFS_SCHEMA,
    MotifScores,
    carry_motifs,
    score_motifs,
)
from worldloom.systems.narrative.motif.steer import (
    RECENCY_DAYS,
    STATUS_FACTOR,
    Tone,
    scope_scores,
    surface_arcs,
    tone,
)
from worldloom.systems.narrative.motif.table import Carrier, Motif, MotifTable

__all__ = [
    "MOTIFS_SCHEMA",
    "RECENCY_DAYS",
    "REGION_MOTIFS_SCHEMA",
    "STATUS_FACTOR",
    "Carrier",
    "Motif",
    "MotifScores",
    "MotifTable",
    "Tone",
    "carry_motifs",
    "scope_scores",
    "score_motifs",
    "surface_arcs",
    "tone",
]
