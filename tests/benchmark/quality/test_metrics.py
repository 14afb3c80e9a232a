"""Each benchmark's metric, computed by its library on fixed predictions, against values worked out by
hand (and the Open LLM Leaderboard's normalisation on fixed per-task results)."""

from __future__ import annotations

import pytest

from benchmark.runner.quality import metrics
from benchmark.runner.quality.harness import ResultsShapeError, group_figure, leaderboard_average, normalized
from benchmark.runner.quality.pipelines import best_span
from tests.support.env import tool_skip_reason


def test_a_wer_of_one_substitution_in_four_words_is_25_percent():
    assert metrics.wer_pct(["the cat sat down"], ["the cat sat up"]) == 25.0


def test_the_whisper_normaliser_runs_before_the_wer():
    # case, punctuation and spelled-out numbers are the normaliser's, not errors
    assert metrics.wer_pct(["Mr. Smith has two dogs!"], ["mister smith has 2 dogs"]) == 0.0


def test_accuracy_is_the_share_of_right_answers():
    assert metrics.accuracy_pct([1, 0, 1, 1], [1, 1, 1, 1]) == 75.0


def test_squad_v2_f1_scores_spans_and_abstentions_as_the_official_script():
    # 'Paris' = 1; abstaining on an unanswerable question = 1; "the big dog" vs "a big dog barks":
    # tokens "big dog" vs "big dog barks", precision 1, recall 2/3, F1 0.8; abstaining on an answerable = 0
    value = metrics.squad_v2_f1_pct(["Paris", "", "the big dog", ""], [["Paris"], [], ["a big dog barks"], ["London"]])
    assert value == pytest.approx((1 + 1 + 0.8 + 0) / 4 * 100)


def test_rouge_lsum_of_one_sentence_with_two_of_three_words():
    # prediction "the cat" against "the cat sat": LCS 2, precision 2/2, recall 2/3, F 0.8
    assert metrics.rouge_lsum(["the cat"], ["the cat sat"]) == pytest.approx(80.0)
    assert metrics.sentences_per_line("One. Two! Three?") == "One.\nTwo!\nThree?"


TRUTH = {
    "images": [{"id": 1, "width": 100, "height": 100}, {"id": 2, "width": 100, "height": 100}],
    "annotations": [
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 20, 20], "area": 400, "iscrowd": 0},
        {"id": 2, "image_id": 2, "category_id": 1, "bbox": [50, 50, 20, 20], "area": 400, "iscrowd": 0},
    ],
    "categories": [{"id": 1, "name": "cat"}],
}


def test_box_ap_of_exact_boxes_is_100_and_of_one_found_in_two_is_about_half():
    exact = [{"image_id": i, "category_id": 1, "bbox": box, "score": 0.9}
             for i, box in ((1, [10, 10, 20, 20]), (2, [50, 50, 20, 20]))]
    assert metrics.box_ap_pct(TRUTH, exact) == pytest.approx(100.0)
    # one box right, the other far off: recall stops at 1/2, so AP is about half (COCO's 101-point curve)
    half = [exact[0], {**exact[1], "bbox": [0, 80, 10, 10], "score": 0.8}]
    assert metrics.box_ap_pct(TRUTH, half) == pytest.approx(50.495, abs=0.01)
    assert metrics.box_ap_pct(TRUTH, []) == 0.0


@pytest.mark.skipif(tool_skip_reason("java", "CIDEr's PTB tokenizer needs Java") is not None,
                    reason=str(tool_skip_reason("java", "CIDEr's PTB tokenizer needs Java")))
def test_cider_rewards_the_caption_its_references_agree_on():
    references = {1: ["a cat sits on a mat", "a cat on a mat"], 2: ["a red bus on a road", "a bus drives on the road"]}
    right = metrics.cider({1: "a cat on a mat", 2: "a red bus on the road"}, references)
    swapped = metrics.cider({1: "a red bus on the road", 2: "a cat on a mat"}, references)
    assert right > 100.0 and swapped == 0.0


def test_the_leaderboard_normalises_each_benchmark_between_its_random_baseline_and_100():
    assert normalized(0.25, 4) == 0.0 and normalized(0.20, 4) == 0.0  # at or under chance: 0
    assert normalized(0.625, 4) == pytest.approx(50.0)
    results = {
        "leaderboard_ifeval": {"prompt_level_strict_acc,none": 0.4, "inst_level_strict_acc,none": 0.6},
        "leaderboard_bbh_navigate": {"acc_norm,none": 0.75},  # 2 choices: (0.75 - 0.5) / 0.5 = 50
        "leaderboard_bbh_date_understanding": {"acc_norm,none": 0.5},  # 6 choices: (0.5 - 1/6) / (5/6) = 40
        "leaderboard_math_hard": {"exact_match,none": 0.2},  # the group's size-weighted figure: 20
        "leaderboard_math_algebra_hard": {"exact_match,none": 0.1},
        "leaderboard_math_geometry_hard": {"exact_match,none": 0.3},
        "leaderboard_gpqa": {"acc_norm,none": 0.325},  # the group's: (0.325 - 0.25) / 0.75 = 10
        "leaderboard_gpqa_diamond": {"acc_norm,none": 0.4},
        "leaderboard_gpqa_main": {"acc_norm,none": 0.25},
        "leaderboard_musr_murder_mysteries": {"acc_norm,none": 0.6},  # (0.6 - 0.5) / 0.5 = 20
        "leaderboard_musr_object_placements": {"acc_norm,none": 0.2},  # 0
        "leaderboard_musr_team_allocation": {"acc_norm,none": 0.5},  # (0.5 - 1/3) / (2/3) = 25
        "leaderboard_mmlu_pro": {"acc,none": 0.28},  # (0.28 - 0.1) / 0.9 = 20
    }
    figures = leaderboard_average(results, {"leaderboard_bbh_navigate": 2, "leaderboard_bbh_date_understanding": 6})
    expected = {"ifeval": 50.0, "bbh": 45.0, "math_lvl5": 20.0, "gpqa": 10.0, "musr": 15.0, "mmlu_pro": 20.0}
    assert {k: round(v, 6) for k, v in figures.items() if k != "average_normalized"} == expected
    assert figures["average_normalized"] == pytest.approx(sum(expected.values()) / 6)


def test_gpqa_and_math_are_their_groups_size_weighted_figures_not_the_mean_of_their_subtasks():
    """lm-evaluation-harness's leaderboard groups weight by size (``weight_by_size: true``): GPQA diamond has 198
    questions, main 448. Diamond at 0.55 and main at 0.25: the plain mean 0.40 normalises to 20, the weighted
    (0.55 × 198 + 0.25 × 448) / 646 = 0.341950... to 12.260; MATH's group key must not count as a subtask."""
    results = {"leaderboard_gpqa_diamond": {"acc_norm,none": 0.55}, "leaderboard_gpqa_main": {"acc_norm,none": 0.25},
               "leaderboard_math_algebra_hard": {"exact_match,none": 0.5},
               "leaderboard_math_geometry_hard": {"exact_match,none": 0.1}}
    sizes = {"leaderboard_gpqa_diamond": {"original": 198, "effective": 198},
             "leaderboard_gpqa_main": {"original": 448, "effective": 448},
             "leaderboard_math_algebra_hard": {"effective": 307}, "leaderboard_math_geometry_hard": {"effective": 132}}
    gpqa = group_figure(results, "leaderboard_gpqa", "leaderboard_gpqa_", "acc_norm", sizes)
    assert gpqa == pytest.approx((0.55 * 198 + 0.25 * 448) / 646)
    assert normalized(gpqa, 4) == pytest.approx(12.2601, abs=1e-4)
    math_hard = group_figure(results, "leaderboard_math_hard", "leaderboard_math_", "exact_match", sizes)
    assert math_hard == pytest.approx((0.5 * 307 + 0.1 * 132) / 439)  # 0.3797..., not the mean 0.3
    # the group's own figure, when the file holds it, is the one taken (the subtasks are not averaged in)
    with_group = {**results, "leaderboard_math_hard": {"exact_match,none": 0.25}}
    assert group_figure(with_group, "leaderboard_math_hard", "leaderboard_math_", "exact_match", sizes) == 0.25
    with pytest.raises(ResultsShapeError, match="leaderboard_gpqa's acc_norm"):
        group_figure(results, "leaderboard_gpqa", "leaderboard_gpqa_", "acc_norm", None)


def test_an_extractive_answer_is_the_best_span_within_the_context_and_the_length_limit():
    start = [9.0, 0.1, 5.0, 0.2, 1.0]
    end = [9.0, 0.3, 0.1, 4.0, 6.0]
    assert best_span(start, end, [1, 2, 3, 4]) == (11.0, 2, 4)  # token 0 (the question) is not context
    assert best_span(start, end, [1, 2, 3, 4], max_tokens=2) == (9.0, 2, 3)
