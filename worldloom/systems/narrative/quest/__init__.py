"""The quest room of the narrative systems."""
