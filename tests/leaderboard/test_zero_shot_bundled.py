"""The published zero-shot finding from the bundled data alone: the T5 rows of the February 2025
text-classification and question-answering boards are marked zero-shot, their medians against the
task-specific models' equal those computed from the published file, and every star of those boards is
still the published rule's (written here, not recomputed with the code under test)."""

from __future__ import annotations

import csv
import statistics
from pathlib import Path

import pytest

from benchmark.store import LocalStore
from leaderboard.results.data import SNAPSHOT_DIR
from leaderboard.results.live import LiveData
from leaderboard.tabs.what_helps import draw_what_helps
from leaderboard.views.what_helps import tasks_with_configurations, zero_shot_markdown, zero_shot_summary

BOARDS = Path(__file__).resolve().parents[2] / "data" / "published" / "aies_boards.csv"
T5 = ("google-t5/t5-small", "google-t5/t5-base", "google-t5/t5-large", "google-t5/t5-3b", "google-t5/t5-11b")
# The February 2025 stars of these two boards: five equal-width bins between each board's lowest and highest
# GPU Wh per 1,000 queries (worked out from the published figures; the T5 rows were rated with the others).
FEBRUARY_STARS = {
    "text_classification": {
        "google-t5/t5-large": 4, "google-t5/t5-11b": 1, "google-t5/t5-3b": 3, "google-t5/t5-base": 5,
        "google-t5/t5-small": 5, "nlptown/bert-base-multilingual-uncased-sentiment": 5,
        "bhadresh-savani/electra-base-emotion": 5, "distilbert/distilbert-base-uncased-finetuned-sst-2-english": 5,
        "michelecafagna26/gpt2-medium-finetuned-sst2-sentiment": 5,
        "lxyuan/distilbert-base-multilingual-cased-sentiments-student": 5, "mnoukhov/gpt2-imdb-sentiment-classifier": 5,
        "lvwerra/distilbert-imdb": 5, "Cheng98/bert-large-sst2": 5,
    },
    "question_answering": {
        "google-t5/t5-large": 3, "google-t5/t5-11b": 1, "google-t5/t5-3b": 3, "google-t5/t5-base": 5,
        "google-t5/t5-small": 5, "distilbert/distilbert-base-cased-distilled-squad": 5,
        "csarron/mobilebert-uncased-squad-v2": 5, "Intel/dynamic_tinybert": 5, "Falconsai/question_answering_v2": 5,
        "allenai/longformer-large-4096-finetuned-triviaqa": 5, "mrm8488/longformer-base-4096-finetuned-squadv2": 5,
        "mrm8488/bert-tiny-finetuned-squadv2": 5, "deepset/deberta-v3-large-squad2": 5,
        "deepset/minilm-uncased-squad2": 5, "deepset/bert-large-uncased-whole-word-masking-squad2": 5,
        "deepset/deberta-v3-base-squad2": 5, "deepset/electra-base-squad2": 5, "timpal0l/mdeberta-v3-base-squad2": 5,
    },
}


@pytest.fixture(scope="module")
def data():
    return LiveData(LocalStore(SNAPSHOT_DIR)).current


def published(task: str) -> dict[str, float]:
    with BOARDS.open(newline="", encoding="utf-8") as handle:
        return {row["model"]: float(row["gpu_wh_per_1k_queries"]) for row in csv.DictReader(handle)
                if row["release"] == "2025-02" and row["task"] == task}


@pytest.mark.parametrize("task", ["text_classification", "question_answering"])
def test_the_zero_shot_medians_are_those_of_the_published_figures(data, task):
    figures = published(task)
    zero_shot = [wh for model, wh in figures.items() if model in T5]
    specific = [wh for model, wh in figures.items() if model not in T5]
    (summary,) = zero_shot_summary(data, task)
    assert summary["n_zero_shot"] == len(zero_shot) == 5 and summary["n_task_specific"] == len(specific)
    assert summary["median_zero_shot_wh"] == statistics.median(zero_shot)
    assert summary["median_task_specific_wh"] == statistics.median(specific)
    assert summary["ratio"] == pytest.approx(statistics.median(zero_shot) / statistics.median(specific))
    assert summary["zero_shot_models"] == sorted(T5)
    assert summary["task_specific_models"] == sorted(model for model in figures if model not in T5)


def test_zero_shot_uses_one_to_two_orders_of_magnitude_more_energy(data):
    ratios = {task: zero_shot_summary(data, task)[0]["ratio"] for task in ("text_classification", "question_answering")}
    assert ratios == {"text_classification": pytest.approx(27.7446, abs=1e-4),
                      "question_answering": pytest.approx(88.9601, abs=1e-4)}
    text = zero_shot_markdown(zero_shot_summary(data, "question_answering"))
    assert "**89×** as much energy" in text and "This compares different models" in text


@pytest.mark.parametrize("task", ["text_classification", "question_answering"])
def test_the_february_stars_stay_as_published_with_the_t5_rows_marked_zero_shot(data, task):
    board = data.task_frame(task, "2025-02")
    assert dict(zip(board["model_id"], board["stars"], strict=True)) == FEBRUARY_STARS[task]
    assert set(board.loc[board["zero_shot"], "model_id"]) == set(T5)
    assert set(board["configuration_key"]) == {"reference"}


def test_what_helps_opens_on_a_task_with_the_zero_shot_finding(data):
    assert tasks_with_configurations(data) == ["question_answering", "text_classification"]
    empty, _, _, _, zero_shot, _ = draw_what_helps(data, "text_classification")
    assert zero_shot.visible and "27.7×" in zero_shot.value
