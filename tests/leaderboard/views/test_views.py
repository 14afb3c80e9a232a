"""Tables, summaries, plots and text: what the tabs show, rendered safely, from the rated data."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from benchmark.board.rating import FLAG_IMPLAUSIBLE
from benchmark.tasks import TASK_KEYS
from leaderboard.display.formats import escape_markdown, model_markdown, round_significant, source_markdown, stars_text
from leaderboard.display.plots import energy_vs_size
from leaderboard.results.data import LeaderboardData
from leaderboard.results.loader import read_folder
from leaderboard.tabs.about import about_markdown, size_class_rule
from leaderboard.tabs.board_text import status_markdown, task_csv, task_empty_state
from leaderboard.views.columns import task_headers
from leaderboard.views.summary import summarize, summary_markdown
from leaderboard.views.tables import api_rows, csv_frame, overview_frame, task_view
from tests.support.leaderboard_fixtures import SCRIPT_ID, write_bad_folder


@pytest.fixture
def data(tmp_path) -> LeaderboardData:
    write_bad_folder(tmp_path)
    return LeaderboardData.from_load(read_folder(tmp_path))


def test_a_task_table_lists_models_most_efficient_first_with_stars(data):
    view = task_view(data, "summarization")
    assert list(view.rows["model_id"]) == ["org/small-sum", "org/mid-sum", SCRIPT_ID, "org/big-sum"]
    assert list(view.table["Stars in task"]) == ["★★★★★", "★★★★★", "★★★★", "★"]
    assert list(view.table["GPU Wh / 1,000 queries"]) == [1.0, 3.0, 5.0, 12.0]
    assert view.table["GPU Wh / 1,000 queries"].dtype == float  # numeric, so it sorts as numbers
    # a generation task without effort levels; a column no row has a value in (quality, frontier, output
    # tokens) is not shown (one row has a spread over two repeats); hardware and release are the same on every
    # row ...
    assert view.headers == ["Model", "Stars in task", "GPU Wh / 1,000 queries", "± Wh", "Params (B)", "Size class",
                            "Date", "Source"]
    assert view.common == (("Hardware", "NVIDIA H100 80GB HBM3"), ("Release", "live"),
                           ("Stars rated among", "every run now (task, hardware, size class)"))  # ... said once
    assert list(view.csv_headers) == task_headers("summarization")  # the CSV keeps every column


def test_spread_is_shown_only_where_there_were_repeats(data):
    table = task_view(data, "summarization").table
    assert table["± Wh"].iloc[0] == pytest.approx(0.1414, abs=1e-4)
    assert table["± Wh"].iloc[1:].isna().all()


def test_search_hardware_size_and_column_filters(data):
    assert list(task_view(data, "summarization", query="MID").rows["model_id"]) == ["org/mid-sum"]
    assert len(task_view(data, "summarization", query="small; big").rows) == 2
    assert task_view(data, "summarization", hardware=["NVIDIA A10G"]).rows.empty
    assert list(task_view(data, "text_generation", sizes=["A"]).rows["model_id"]) == ["org/tiny-lm", "org/large-lm"]
    assert list(task_view(data, "summarization", sizes=["unknown"]).rows["model_id"]) == []
    view = task_view(data, "summarization", columns=["Stars in task"])
    assert view.headers == ["Model", "Stars in task"] and list(view.table.columns) == ["Model", "Stars in task"]
    assert view.datatypes == ["markdown", "str"]


def test_model_ids_render_as_text_never_html(data):
    cell = task_view(data, "summarization").table["Model"].iloc[2]
    assert "<" not in cell and ">" not in cell and "&lt;script&gt;" in cell
    assert "](" not in cell  # not a Hub id, so not a link
    assert model_markdown("org/model-v1.5") == "[org/model\\-v1\\.5](https://huggingface.co/org/model-v1.5)"
    assert escape_markdown("a*b_[c](d)$$x$$") == "a\\*b\\_\\[c\\]\\(d\\)\\$\\$x\\$\\$"


def test_sources_are_links_only_for_http_urls():
    url = "https://huggingface.co/spaces/AIEnergyScore/Label/commit/abc text_gen.csv"
    assert source_markdown(url) == (
        "[huggingface\\.co/spaces/AIEnergyScore/Label](https://huggingface.co/spaces/AIEnergyScore/Label/commit/abc)"
        " text\\_gen\\.csv"
    )
    assert source_markdown("javascript:alert(1)") == "javascript&#58;alert\\(1\\)"


def test_stars_text_sorts_like_the_rating_and_explains_unrated():
    texts = [stars_text(n) for n in (1, 2, 3, 4, 5)]
    assert texts == sorted(texts)
    assert stars_text(pd.NA, "GPU energy ≤ 0") == "unrated (GPU energy ≤ 0)"


def test_round_significant_keeps_four_figures():
    values = pd.Series([0.20857, 2.1445893, 179.930965, 12345.6, float("nan"), 0.0])
    assert round_significant(values).tolist()[:4] == [0.2086, 2.145, 179.9, 12350.0]


def test_csv_is_the_shown_table_in_plain_values(data, tmp_path):
    view = task_view(data, "summarization", query="sum", columns=["Stars in task", "GPU Wh / 1,000 queries"])
    frame = csv_frame(view)
    assert list(frame.columns) == ["Model", "Stars in task", "Unrated because", "GPU Wh / 1,000 queries", "Provenance",
                                   "Verification"]
    assert list(frame["Model"]) == ["org/small-sum", "org/mid-sum", "org/big-sum"]
    assert list(frame["Provenance"]) == ["measured"] * 3 and list(frame["Verification"]) == [""] * 3
    written = pd.read_csv(task_csv(view))
    assert written["Stars in task"].tolist() == [5, 5, 1] and written["Model"].iloc[0] == "org/small-sum"


def test_summary_counts_mean_median_std_and_spread(data):
    summary = summarize(task_view(data, "summarization").rows)
    assert (summary.n_models, summary.n_measured) == (4, 4)
    assert summary.mean_wh == pytest.approx(5.25) and summary.median_wh == pytest.approx(4.0)
    assert summary.std_wh == pytest.approx(pd.Series([1.0, 3.0, 5.0, 12.0]).std())
    assert summary.spread_ratio == pytest.approx(12.0)
    assert (summary.most_efficient, summary.least_efficient) == ("org/small-sum", "org/big-sum")
    text = summary_markdown(summary)
    assert "**4** models" in text and "12×" in text


def test_a_physically_implausible_row_is_counted_but_moves_no_summary_figure():
    rows = pd.DataFrame({
        "model_id": ["org/a", "org/b", "org/impossible"],
        "gpu_wh_per_1k_queries": [1.0, 3.0, 1e308],
        "hardware": ["NVIDIA H100 80GB HBM3"] * 3,
        "rating_flag": [None, None, FLAG_IMPLAUSIBLE],
    })
    summary = summarize(rows)
    assert (summary.n_models, summary.n_measured) == (3, 2)
    assert (summary.mean_wh, summary.max_wh, summary.spread_ratio) == (2.0, 3.0, 3.0)
    assert summary.least_efficient == "org/b"


def test_api_rows_are_plain_json_in_leaderboard_order(data):
    rows = api_rows(task_view(data, "summarization").rows)
    json.dumps(rows)  # serialisable as is
    assert [r["stars"] for r in rows] == [5, 5, 4, 1]
    assert rows[1]["gpu_wh_per_1k_queries_std"] is None and rows[0]["params"] == 60_000_000
    assert rows[0]["created_at"] == "2025-01-01T00:00:00Z"


def test_a_task_without_results_shows_how_to_submit(data):
    message = task_empty_state(data, task_view(data, "image_classification"))
    assert "No results for Image Classification yet" in message
    assert "--task image_classification" in message


def test_the_overview_has_a_row_per_task_with_the_spread(data):
    frame = overview_frame(data)
    assert len(frame) == len(TASK_KEYS)
    summarization = frame[frame["Task"] == "Summarization"].iloc[0]
    assert summarization["Models"] == 4 and summarization["Spread (max / min)"] == "12×"
    assert frame[frame["Task"] == "Image Classification"].iloc[0]["Hardware"] == "no results yet"


def test_the_status_line_counts_what_was_dropped(data):
    text = status_markdown(data)
    assert "**8 dropped**" in text and "1 malformed JSON" in text and "2 older duplicate run" in text


def test_the_plot_is_log_log_coloured_by_stars_with_escaped_hover(data):
    figure = energy_vs_size(task_view(data, "summarization").rows, "Summarization")
    assert figure.layout.xaxis.type == "log" and figure.layout.yaxis.type == "log"
    names = [trace.name for trace in figure.data]
    assert names == ["★★★★★ (5)", "★★★★ (4)", "★ (1)"]
    hover_ids = [row[0] for trace in figure.data for row in trace.customdata]
    assert any(i.startswith("&lt;script&gt;window.__pwned = 1&lt;/script&gt;") for i in hover_ids)
    assert not any("<script" in i for i in hover_ids)
    assert "%{customdata[0]}" in figure.data[0].hovertemplate
    assert "1 without a parameter count" not in figure.layout.title.text


def test_the_about_page_lists_every_task_from_the_registry():
    text = about_markdown()
    # AI Energy Score's ten test sets (reasoning's prompts are scottcha's), written down here
    named = set(re.findall(r"EnergyStarAI/\w+", text.replace("\\_", "_")))
    assert named == {f"EnergyStarAI/{name}" for name in (
        "text_generation", "summarization", "extractive_qa", "text_classification", "sentence_similarity",
        "image_classification", "object_detection", "ASR", "image_captioning", "image_generation")}
    assert "scottcha/reasoning_text_generation" in text.replace("\\_", "_")
    assert "`text_to_image`" in text and "`denoising_steps` 30" in text
    assert size_class_rule() == "A ≤ 20B, B ≤ 66B, C > 66B"
    assert "nvmlDeviceGetTotalEnergyConsumption" in text and "@inproceedings" in text
    assert "$" not in text.replace("$$", "")  # every template field was filled
