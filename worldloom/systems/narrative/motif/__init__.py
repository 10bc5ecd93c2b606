"""The motif room of the narrative systems."""
