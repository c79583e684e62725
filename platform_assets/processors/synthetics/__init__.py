"""Synthetic preference data: one registered generator or judge per module (see `registry.py`)."""
