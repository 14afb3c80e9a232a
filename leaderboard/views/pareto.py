"""The Pareto frontier of a trade-off where less is better on both axes (latency and energy).

A point is on the frontier when no other point is at least as good on both axes and strictly
better on one: no other model is both faster and more frugal. Two identical points do not
dominate each other, so both stay.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def pareto_frontier(points: Sequence[tuple[float, float]]) -> list[int]:
    """Indices of the non-dominated ``(x, y)`` points (lower is better on both), by ascending ``x``.

    Points with a non-finite coordinate are never on the frontier and do not dominate others.
    O(n log n): sort by ``(x, y)`` and sweep, keeping the lowest ``y`` seen so far.
    """
    finite = [i for i, (x, y) in enumerate(points) if math.isfinite(x) and math.isfinite(y)]
    order = sorted(finite, key=lambda i: (points[i][0], points[i][1], i))
    frontier: list[int] = []
    best: tuple[float, float] | None = None
    for index in order:
        x, y = points[index]
        if best is None or y < best[1]:
            frontier.append(index)
            best = (x, y)
        elif (x, y) == best:  # an exact tie with the point that set the best: neither dominates
            frontier.append(index)
    return frontier
