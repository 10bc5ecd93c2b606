"""The rumor room of the narrative systems."""
