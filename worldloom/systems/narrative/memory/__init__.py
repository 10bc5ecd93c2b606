"""The memory room of the narrative systems."""
