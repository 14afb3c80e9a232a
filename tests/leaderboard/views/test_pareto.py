"""The Pareto frontier: no model on it is beaten on both latency and energy by another."""

from __future__ import annotations

import math
import random

from leaderboard.views.tradeoff import pareto_frontier


def brute_force(points: list[tuple[float, float]]) -> set[int]:
    def dominates(a: tuple[float, float], b: tuple[float, float]) -> bool:
        return a[0] <= b[0] and a[1] <= b[1] and a != b

    return {i for i, p in enumerate(points) if not any(dominates(q, p) for q in points)}


def test_a_point_beaten_on_both_axes_is_off_the_frontier_and_the_rest_come_fastest_first():
    points = [(0.05, 1.0), (0.02, 2.0), (0.06, 3.0), (0.03, 1.5)]
    assert pareto_frontier(points) == [1, 3, 0]


def test_a_slower_point_with_equal_energy_is_dominated():
    assert pareto_frontier([(1.0, 5.0), (2.0, 5.0)]) == [0]


def test_a_point_with_equal_latency_but_more_energy_is_dominated():
    assert pareto_frontier([(1.0, 6.0), (1.0, 5.0)]) == [1]


def test_identical_points_do_not_dominate_each_other():
    assert pareto_frontier([(1.0, 5.0), (3.0, 1.0), (1.0, 5.0)]) == [0, 2, 1]


def test_empty_and_single_inputs():
    assert pareto_frontier([]) == []
    assert pareto_frontier([(0.1, 0.2)]) == [0]


def test_non_finite_points_are_ignored():
    assert pareto_frontier([(math.nan, 0.1), (1.0, math.inf), (2.0, 3.0)]) == [2]


def test_the_sweep_agrees_with_a_brute_force_check_on_random_points():
    rng = random.Random(7)
    for _ in range(200):
        points = [(rng.choice([0.1, 0.2, 0.3, 0.4]), rng.choice([1.0, 2.0, 3.0])) for _ in range(rng.randint(1, 12))]
        frontier = pareto_frontier(points)
        assert set(frontier) == brute_force(points)
        assert [points[i][0] for i in frontier] == sorted(points[i][0] for i in frontier)
