"""Stories from the world's history: arcs sifted from the event log, quests from NPCs'
motivations, rumors that travel and change, notables' memories, motifs, and dialogue.

Each narrative system is a room below this one (`arc`, `quest`, `rumor`, `memory`, `motif`,
`dialogue`); they share `Names`, the world's names by id, which every text they write is built
from.
"""

from __future__ import annotations

from worldloom.systems.narrative.names import Names

__all__ = ["Names"]
