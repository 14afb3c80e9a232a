"""Field rules every file read from a store obeys: results, requests and quality records alike.

Anyone who can write to a results or requests store can write anything, so each field a reader
uses is checked on its own: a date the readers' tools can hold (pandas' timestamps end in 2262;
``9999-12-31T23:59:59-12:00`` overflows Python's own in UTC), counts and sizes that are whole,
non-negative and bounded (a 401-digit integer is no parameter count), finite numbers, bounded text.
A value outside a rule is a ``ValueError`` inside pydantic validation, so the record fails as a
``ValidationError`` and its reader drops that one file, never the store.

Types, not validators, where pydantic can say it: ``Annotated`` aliases shared by the schemas.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

# Dates: this project measures from 2024 on; the upper bound is far below pandas' limit (2262).
EARLIEST_DATE = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_DATE = datetime(2200, 1, 1, tzinfo=UTC)
# The largest model measured anywhere is ~2e12 parameters: 1e15 leaves room and stays a float exactly.
MAX_PARAMS = 10**15
MAX_COUNT = 10**12  # samples, tokens, repeats, attempts...
MAX_MODEL_ID_CHARS = 200  # Hub ids are at most 96 characters per part
MAX_SHORT_TEXT_CHARS = 500
MAX_TEXT_CHARS = 20_000
MAX_LIST_ITEMS = 10_000

DATE_OUT_OF_RANGE = f"date out of range ({EARLIEST_DATE:%Y} to {LATEST_DATE:%Y}, UTC)"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def as_utc(value: datetime) -> datetime:
    """``value`` in UTC (naive means UTC), refused (``ValueError``) outside the supported range."""
    try:
        utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError(DATE_OUT_OF_RANGE) from None
    if not EARLIEST_DATE <= utc < LATEST_DATE:
        raise ValueError(DATE_OUT_OF_RANGE)
    return utc


def _one_line(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters (newlines, tabs, NUL)")
    return value


UtcDatetime = Annotated[datetime, AfterValidator(as_utc)]
# A figure that must be a real number: NaN and ±inf are refused.
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
NonNegativeFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]
PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
PositiveCount = Annotated[int, Field(gt=0, le=MAX_COUNT)]
ParamCount = Annotated[int, Field(gt=0, le=MAX_PARAMS)]
ModelId = Annotated[str, StringConstraints(min_length=1, max_length=MAX_MODEL_ID_CHARS), AfterValidator(_one_line)]
ShortText = Annotated[str, StringConstraints(max_length=MAX_SHORT_TEXT_CHARS)]
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS)]
# One path segment: a run id or request id becomes a file name in a store.
Segment = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
