"""Labeling: queues of tasks for people, their annotations (append-only) and adjudicated labels."""
