"""Run configurations on screen: the What helps tab renders the ratio computed from a reference and a
batch-size-8 record (and explains how to get some where there are none), the task tab marks zero-shot
and other configurations on its board of every run and shows the zero-shot summary, and the model
page says how each run was made."""

from __future__ import annotations

import gradio as gr
import pytest

from leaderboard.display import strings
from leaderboard.results.data import LeaderboardData
from leaderboard.results.live import LiveData
from leaderboard.results.loader import read_folder
from leaderboard.tabs.board import build_task_tab
from leaderboard.tabs.context import AppContext
from leaderboard.tabs.models_text import model_page_markdown
from leaderboard.tabs.what_helps import draw_what_helps
from leaderboard.views.model_page import model_page
from leaderboard.views.tables import csv_frame, task_view
from leaderboard.views.what_helps import (
    BASIS_GPU,
    BASIS_TOTAL,
    configurations_table,
    models_table,
    tasks_with_configurations,
    what_helps,
    zero_shot_markdown,
    zero_shot_summary,
)
from tests.leaderboard.test_configurations_api import TASK, write_folder
from tests.support.leaderboard_fixtures import make_record, write_record

H100 = "NVIDIA H100 80GB HBM3"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("what-helps")
    write_folder(root)
    return root


@pytest.fixture(scope="module")
def data(folder):
    return LeaderboardData.from_load(read_folder(folder))


@pytest.fixture(scope="module")
def reference_only(tmp_path_factory):
    root = tmp_path_factory.mktemp("reference-only")
    for model_id, wh in (("org/a", 1.0), ("org/b", 2.0)):
        write_record(root, make_record(model_id, TASK, wh))
    return LeaderboardData.from_load(read_folder(root))


def test_the_configurations_table_shows_models_median_ratio_range_and_saving_per_basis(data):
    table = configurations_table(what_helps(data, TASK))
    rows = {row["Energy compared"]: row for row in table.to_dict(orient="records")}
    # org/a 0.25 / 1.0 and org/c 3.0 / 6.0 on the H100: median 0.375, range 0.25–0.5
    assert rows[BASIS_GPU] == {
        "Configuration": "batch_size=8", "Energy compared": BASIS_GPU, "Models": 2,
        "Median ratio to reference": "0.375×", "Range (min – max)": "0.25× – 0.5×", "Median saving": "62% less",
    }
    # the CPU-only machine measures no GPU energy: total energy 1.0 / 4.0, labelled so
    assert (rows[BASIS_TOTAL]["Models"], rows[BASIS_TOTAL]["Median ratio to reference"]) == (1, "0.25×")


def test_the_models_table_gives_each_models_best_configuration_and_saving(data):
    table = models_table(what_helps(data, TASK))
    on_h100 = table[table["Hardware"] == H100]
    assert on_h100[["Model", "Best configuration", "Ratio to reference", "Saving"]].values.tolist() == [
        ["[org/a](https://huggingface.co/org/a)", "batch_size=8", "0.25×", "75% less"],
        ["[org/c](https://huggingface.co/org/c)", "batch_size=8", "0.5×", "50% less"],
    ]


def test_the_what_helps_tab_draws_the_tables_and_the_zero_shot_line_and_hides_the_empty_state(data):
    empty, configurations, models_title, models, zero_shot, served = draw_what_helps(data, TASK)
    assert not served.visible  # no model of this board was measured as served
    assert not empty.visible and configurations.visible and models_title.visible and models.visible
    assert ["batch_size=8", BASIS_GPU, 2, "0.375×", "0.25× – 0.5×", "62% less"] in configurations.value["data"]
    assert len(models.value["data"]) == 3  # org/a on two machines, org/c
    assert zero_shot.visible and "**30×** as much energy" in zero_shot.value
    assert tasks_with_configurations(data) == [TASK]


def test_a_task_without_other_configurations_explains_how_to_measure_one(reference_only):
    empty, configurations, _, models, zero_shot, _ = draw_what_helps(reference_only, TASK)
    assert empty.visible and not configurations.visible and not models.visible and not zero_shot.visible
    assert f"python -m benchmark run --model <owner/name> --task {TASK} --batch-size 8 --push" in empty.value
    assert "`--zero-shot`" in empty.value  # text classification admits zero-shot prompting
    assert tasks_with_configurations(reference_only) == []
    assert "`--zero-shot`" not in draw_what_helps(reference_only, "text_to_image")[0].value


def test_the_board_of_every_run_marks_zero_shot_and_other_configurations_the_reference_board_has_neither(data):
    every = task_view(data, TASK, configuration="all")
    cells = dict(zip(every.rows["run_id"], every.table["Model"], strict=True))
    assert cells["t5"] == f'[org/t5](https://huggingface.co/org/t5 "org/t5") · {strings.ZERO_SHOT_BADGE}'
    assert cells["b8-c"] == '[org/c](https://huggingface.co/org/c "org/c") · ' + strings.CONFIGURATION_BADGE.format(
        key="batch\\_size=8"
    )
    assert set(every.rows["run_id"]) >= {"t5", "b8-a", "b8-c"}
    assert every.rows.loc[every.rows["run_id"] == "t5", "stars"].isna().all()  # shown, never rated
    csv = csv_frame(every)
    assert list(csv.columns[:2]) == ["Model", "Configuration"]
    assert dict(zip(every.rows["run_id"], csv["Configuration"], strict=True))["b8-c"] == "batch_size=8"
    reference = task_view(data, TASK)
    assert "t5" not in set(reference.rows["run_id"]) and "Configuration" not in csv_frame(reference)
    assert not any("·" in cell for cell in reference.table["Model"])


def _task_tab_draw(data: LeaderboardData, task: str):
    """The task tab's draw handler, found by the zero-shot output it fills."""

    class Fixed(LiveData):
        def __init__(self) -> None:
            pass

        current = data

    with gr.Blocks() as demo, gr.Tabs():
        build_task_tab(AppContext(live=Fixed(), demo=demo), task)
    fn = next(f for f in demo.fns.values() if any(getattr(o, "elem_id", "") == f"zero-shot-{task}" for o in f.outputs)
              and f.fn.__name__ == "draw")
    ids = [getattr(o, "elem_id", None) for o in fn.outputs]
    return fn.fn, ids.index(f"zero-shot-{task}")


def test_the_task_tab_shows_the_zero_shot_summary_only_when_the_task_has_both(data, reference_only):
    (h100,) = [row for row in zero_shot_summary(data, TASK) if row["hardware"] == H100]
    assert (h100["median_zero_shot_wh"], h100["median_task_specific_wh"], h100["ratio"]) == (60.0, 2.0, 30.0)
    assert (h100["zero_shot_models"], h100["task_specific_models"]) == (["org/t5"], ["org/a", "org/b", "org/c"])
    assert zero_shot_markdown([h100]) == (
        f"**{strings.ZERO_SHOT_TITLE}** on NVIDIA H100 80GB HBM3: the median of 1 zero-shot run(s) of text-to-text "
        f"models uses **60 Wh**, the median of 3 task-specific model(s) **2 Wh** (GPU Wh per 1,000 queries): "
        "**30×** as much energy.  \n"
        "Zero-shot: [org/t5](https://huggingface.co/org/t5). Task-specific: [org/a](https://huggingface.co/org/a), "
        "[org/b](https://huggingface.co/org/b), [org/c](https://huggingface.co/org/c).  \n"
        f"*{strings.ZERO_SHOT_DIFFERENT_MODELS}*"
    )
    draw, position = _task_tab_draw(data, TASK)
    shown = draw("", [], [], None, "latest", "reference")[position]
    assert shown.visible and "**30×** as much energy" in shown.value
    draw, position = _task_tab_draw(reference_only, TASK)
    assert not draw("", [], [], None, "latest", "reference")[position].visible
    assert zero_shot_markdown(zero_shot_summary(reference_only, TASK)) == ""


def test_the_model_page_says_how_each_run_was_made_and_marks_zero_shot(data):
    text = model_page_markdown(model_page(data, "org/c"))
    assert "### Text Classification · NVIDIA H100 80GB HBM3 · *batch\\_size=8*" in text
    assert "**batch\\_size=8** (not the reference: never rated) · its energy would earn ★★★ on the reference" in text
    assert strings.REFERENCE_RUN_TEXT in text
    t5 = model_page_markdown(model_page(data, "org/t5"))
    assert f"### Text Classification · NVIDIA H100 80GB HBM3 · {strings.ZERO_SHOT_BADGE}\n" in t5
    few = model_page_markdown(model_page(data, "org/b"))
    assert "not comparable: 2 samples, fewer than the task&#x27;s 1,000; shown here only" in few
