"""Plain values for JSON: what every view hands to the API and the screen instead of pandas/numpy scalars."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd


def json_value(value: Any) -> Any:
    """A JSON-ready scalar: NaN/NA/NaT and ±inf → None, numpy → Python."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
