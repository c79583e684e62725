"""Pure labeling logic: sampling, task export, annotation import, agreement and adjudication."""
