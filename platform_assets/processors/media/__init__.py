"""Media (image-text, audio) processors: landing readers, decoding, filters and dedup; no dagster import."""
