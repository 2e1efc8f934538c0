"""Background work of the newsroom (scheduled publishing)."""
