"""On-demand dialogue: an NPC's line on a topic, from the snapshot's facts through the LLM
gateway (cache, provider, procedural line), identical requests sharing one call."""
