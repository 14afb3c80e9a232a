"""The stars the app shows: AI Energy Score's rule (``benchmark.board.rating``, shared with the release
cut, so a release and the live board rate alike), and the warnings the app shows beside them.

The rule's names are importable from here, as the views and the app know them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmark.board.rating import (  # noqa: F401  (the app's names for the rule)
    CLASSED_TASKS,
    ENERGY_COLUMN,
    FLAG_CPU,
    FLAG_IMPLAUSIBLE,
    FLAG_NO_ENERGY,
    FLAG_NO_SIZE_CLASS,
    FLAG_NON_POSITIVE,
    FLAG_NOT_COMPARABLE,
    FLAG_NOT_REFERENCE,
    IMPLAUSIBLE_COLUMN,
    N_STAR_LEVELS,
    rating_flags,
    size_classes,
    star_ratings,
    stars_between,
)

# issue 12: a warning shown beside the stars, not a reason to withhold them: the energy was really
# spent, but a run whose every query stopped at the new-token cap may come from a model that never
# stops, so its figure depends on the cap.
FLAG_ALL_AT_CAP = "every query hit the cap: the model may not stop"
ALL_AT_CAP_COLUMN = "output_all_at_cap"


def run_warnings(df: pd.DataFrame) -> pd.Series:
    """A warning per row shown with its stars (rated or not), or ``None``: ``FLAG_ALL_AT_CAP``."""
    if ALL_AT_CAP_COLUMN not in df:
        return pd.Series(None, index=df.index, dtype=object, name="warning")
    at_cap = df[ALL_AT_CAP_COLUMN].to_numpy(dtype=bool, na_value=False)
    return pd.Series(np.where(at_cap, FLAG_ALL_AT_CAP, None), index=df.index, dtype=object, name="warning")
