"""The warnings the app shows beside the stars. The stars themselves are AI Energy Score's rule in
``benchmark.board.rating``, shared with the release cut, so a release and the live board rate alike.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

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
