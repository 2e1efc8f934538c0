"""Scale steps for Siaran: subscribers nationally (appended to scale.STEPS)."""

STEPS = []
