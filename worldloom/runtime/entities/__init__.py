"""The per-system reads: a world, its regions, settlements, people, factions, markets and POIs,
each with what a client shows beside it, from one snapshot."""
