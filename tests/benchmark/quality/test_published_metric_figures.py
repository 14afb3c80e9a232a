"""The metrics give the figures their libraries publish on fixed predictions, and ROUGE-Lsum splits sentences
as the reference does (NLTK's Punkt, so "U.S. Army" is one sentence) with a seeded bootstrap."""

from __future__ import annotations

import json

import pytest

from benchmark.runner.quality import metrics
from tests.support.env import REPO_ROOT

DATA = REPO_ROOT / "tests" / "data" / "quality"


def test_rouge_lsum_equals_rouge_1_5_5_on_rouge_scores_own_test_files():
    case = json.loads((DATA / "rouge_lsum_rouge155.json").read_text())
    assert metrics.rouge_lsum([case["prediction"]], [case["target"]]) == pytest.approx(100 * case["rouge_lsum_f"],
                                                                                         abs=1e-3)


def test_squad_v2_f1_equals_the_metric_cards_partial_match_example():
    # huggingface/evaluate metrics/squad_v2/README.md, "Partial match (2 out of 3 answers correct)": f1 66.666…
    # ("Beyonce" shares no token with "Beyoncé and Bruno Mars": the official normalisation keeps accents)
    predictions = ["1976", "Beyonce", "climate change"]
    answers = [["1976"], ["Beyoncé and Bruno Mars"], ["climate change"]]
    assert metrics.squad_v2_f1_pct(predictions, answers) == pytest.approx(66.66666666666667)


def test_sentences_are_split_by_nltk_punkt_so_abbreviations_stay_inside_a_sentence():
    text = "The U.S. Army arrived at 5 p.m. on Jan. 3. Mr. Smith left. It was Dr. Who."
    assert metrics.sentences_per_line(text).splitlines() == [
        "The U.S. Army arrived at 5 p.m. on Jan. 3.", "Mr. Smith left.", "It was Dr. Who."]
    # a summary already one sentence per line (CNN/DailyMail's highlights) keeps its lines
    assert metrics.sentences_per_line("First line\nSecond one. Third.") == "First line\nSecond one.\nThird."


def test_the_bootstrap_is_seeded_so_the_same_predictions_give_the_same_figure():
    import numpy as np

    words = "the cat sat on a mat while dogs ran fast past old red barns in the rain".split()
    references = [" ".join(words[i % 7:i % 7 + 8]) for i in range(40)]
    predictions = [" ".join(words[(3 * i) % 11:(3 * i) % 11 + 2 + i % 6]) for i in range(40)]
    figures = set()
    for state in (1, 2, 3):  # whatever the global random state before the call
        np.random.seed(state)
        figures.add(metrics.rouge_lsum(predictions, references))
    assert len(figures) == 1
