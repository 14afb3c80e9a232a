"""The **verified** badge (and, for maintainers, the disputed entries) on a board's rows.

Which entries are verified is ``benchmark.board.verification``'s rule (shared with the rating, where a
verified upload joins its group's bands). The provenance stays (a verified upload is still self-reported);
only the badge changes. Verification is read live, never frozen in a release: a reproduction may come after
the release.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmark.board.verification import KEY, Verification

VERIFICATION_COLUMN = "verification"


def with_verification(rows: pd.DataFrame, found: dict[tuple, Verification]) -> pd.DataFrame:
    """``rows`` with the ``verification`` column ("verified", "disputed" or "")."""
    out = rows.copy()
    keys = list(out[KEY].itertuples(index=False, name=None)) if len(out) else []
    out[VERIFICATION_COLUMN] = np.array([found[k].status if k in found else "" for k in keys], dtype=object)
    return out
