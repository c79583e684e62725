"""Threshold types for filter fields, so a bad value in filters.yaml fails validation naming its key."""

from __future__ import annotations

from typing import Annotated

import pydantic

Fraction = Annotated[float, pydantic.Field(ge=0, le=1)]  # a share of a whole (lines, words, characters)
Rate = Annotated[float, pydantic.Field(ge=0)]  # per word or per line (may exceed 1), or a mean length
Count = Annotated[int, pydantic.Field(ge=0)]  # words, lines, sentences, characters
NGram = Annotated[int, pydantic.Field(ge=1)]  # an n-gram size
