"""Exact and MinHash-LSH near-duplicate detection over Arrow batches (no Dagster import)."""
