"""Warta demo articles and comments (`simpul demo`), appended to simpul.core.demo.STEPS."""

STEPS = []
