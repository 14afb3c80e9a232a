"""Star ratings follow AI Energy Score's rule: five equal-width energy bins per task, size class and hardware."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmark.board.rating import (
    FLAG_NO_ENERGY,
    FLAG_NO_SIZE_CLASS,
    FLAG_NON_POSITIVE,
    rating_flags,
    size_classes,
    star_ratings,
)
from benchmark.tasks import size_class


def table(task: str, energies: list[float], **columns: list) -> pd.DataFrame:
    return pd.DataFrame({"task": [task] * len(energies), "gpu_wh_per_1k_queries": energies, **columns})


def stars(df: pd.DataFrame) -> list:
    return [None if pd.isna(s) else int(s) for s in star_ratings(df)]


def test_lowest_bin_gets_five_stars_and_highest_one_star():
    df = table("summarization", [1.0, 2.0, 3.0, 4.0, 5.0])
    # min 1, max 5, bin width 0.8: 2.0 is in bin 1, 3.0 in bin 2, 4.0 in bin 3, the max in bin 4.
    assert stars(df) == [5, 4, 3, 2, 1]


def test_bins_are_equal_width_not_quantiles():
    # One outlier pushes every other model into the lowest bin.
    df = table("text_classification", [0.2, 0.3, 0.35, 0.5, 10.0])
    assert stars(df) == [5, 5, 5, 5, 1]


def test_values_on_inner_bin_edges_fall_in_the_higher_energy_bin():
    df = table("summarization", [1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    # width 1: 2.0 sits on the edge between the 5-star and the 4-star bin, and so on.
    assert stars(df) == [5, 4, 3, 2, 1, 1]


def test_edges_are_stable_under_float_rounding():
    # (0.3 - 0.1) / 0.1 is 1.9999999999999998 in floating point; it is still the edge of bin 2.
    df = table("summarization", [0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    assert stars(df) == [5, 4, 3, 2, 1, 1]


def test_tied_models_get_the_same_stars():
    df = table("object_detection", [2.0, 2.0, 4.0, 6.0, 6.0])
    assert stars(df) == [5, 5, 3, 1, 1]


def test_a_model_alone_gets_five_stars():
    assert stars(table("question_answering", [0.2086])) == [5]


def test_all_equal_energies_get_five_stars():
    assert stars(table("image_to_text", [7.5, 7.5, 7.5])) == [5, 5, 5]


def test_nan_zero_negative_and_missing_energies_get_no_stars_and_do_not_move_the_bins():
    df = table("summarization", [1.0, np.nan, 0.0, -3.0, None, 5.0, 3.0])
    assert stars(df) == [5, None, None, None, None, 1, 3]
    assert star_ratings(df).dtype == "Int64"
    assert rating_flags(df).tolist() == [
        None,
        FLAG_NO_ENERGY,
        FLAG_NON_POSITIVE,
        FLAG_NON_POSITIVE,
        FLAG_NO_ENERGY,
        None,
        None,
    ]


def test_tasks_are_rated_separately():
    df = pd.DataFrame(
        {
            "task": ["summarization", "summarization", "text_to_image", "text_to_image"],
            "gpu_wh_per_1k_queries": [1.0, 2.0, 100.0, 1000.0],
        }
    )
    assert stars(df) == [5, 1, 5, 1]


def test_text_generation_is_rated_within_size_classes_from_params():
    params = [1e9, 20e9, 21e9, 66e9, 70e9, 400e9]
    df = table("text_generation", [1.0, 10.0, 50.0, 100.0, 500.0, 900.0], params=params)
    # A: 1 and 10 Wh; B: 50 and 100 Wh; C: 500 and 900 Wh — each class has its own 5 and 1.
    assert stars(df) == [5, 1, 5, 1, 5, 1]


def test_an_explicit_size_class_column_wins_over_params():
    df = table("text_generation", [1.0, 10.0, 50.0], params=[1e9, 1e9, 1e9], size_class=["A", "A", "B"])
    assert stars(df) == [5, 1, 5]


def test_text_generation_without_params_is_unrated_and_flagged():
    df = table("text_generation", [1.0, 2.0, 3.0], params=[1e9, None, 2e9])
    assert stars(df) == [5, None, 1]
    assert rating_flags(df).tolist() == [None, FLAG_NO_SIZE_CLASS, None]


def test_size_classes_do_not_split_other_tasks():
    df = table("summarization", [1.0, 10.0], params=[1e9, 30e9])
    assert stars(df) == [5, 1]


def test_each_hardware_is_rated_separately():
    df = table(
        "summarization",
        [1.0, 5.0, 100.0, 200.0, 150.0],
        hardware=["NVIDIA H100 80GB HBM3", "NVIDIA H100 80GB HBM3", "NVIDIA A10G", "NVIDIA A10G", "NVIDIA A10G"],
    )
    assert stars(df) == [5, 1, 5, 1, 3]


def test_ratings_are_aligned_with_the_input_index():
    df = table("summarization", [5.0, 1.0, 3.0])
    df.index = [30, 10, 20]
    result = star_ratings(df)
    assert result.index.tolist() == [30, 10, 20]
    assert result.loc[10] == 5 and result.loc[30] == 1 and result.loc[20] == 3


@pytest.mark.parametrize("params", [1, 20e9, 20e9 + 1, 66e9, 66e9 + 1, 0, -5, None, float("nan")])
def test_vectorised_size_classes_agree_with_the_registry(params):
    assert size_classes(pd.Series([params], dtype=float)).iloc[0] == size_class(params)


def test_rating_needs_no_more_than_the_two_required_columns():
    result = star_ratings(pd.DataFrame({"task": ["summarization"], "gpu_wh_per_1k_queries": [3.2]}))
    assert result.tolist() == [5]
