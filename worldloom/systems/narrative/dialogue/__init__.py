"""The dialogue room of the narrative systems."""
