"""The arc room of the narrative systems."""
