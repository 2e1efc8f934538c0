"""Siaran demo (`simpul demo`), appended to simpul.core.demo.STEPS."""

STEPS = []
