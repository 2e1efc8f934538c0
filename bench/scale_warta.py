"""Scale steps for Warta: articles and comments nationally (appended to scale.STEPS)."""

STEPS = []
