"""The Models tab's endpoints through gradio_client, on runner-shaped results (phases, latency, repeats)."""

from __future__ import annotations

from pathlib import Path

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from PIL import Image

from benchmark.record import record_path
from benchmark.store import LocalStore
from leaderboard.display.palette import STAR_COLOURS
from leaderboard.label.draw import EMPTY_STAR_FILL, OUTPUT_SIZE, star_centres_px
from tests.leaderboard.label.test_energy_label import rgb
from tests.support.leaderboard_fixtures import SCRIPT_ID
from tests.support.models_fixtures import LEADERBOARD_URL, runner_record, served_models_app

URL = LEADERBOARD_URL
H100 = "NVIDIA H100 80GB HBM3"
A100 = "NVIDIA A100-SXM4-80GB"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("results")
    with served_models_app(folder, min_check_interval_s=0, min_force_interval_s=0) as (url, live):
        client = Client(url, verbose=False)
        yield client, live
        client.close()


def test_the_models_endpoints_are_published(served):
    client, _ = served
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/model_page", "/compare", "/tradeoff", "/energy_label", "/energy_label_markdown"} <= set(endpoints)


def test_the_model_page_shows_every_result_with_rank_spread_phases_and_latency(served):
    client, _ = served
    page = client.predict("org/fast-sum", "world", api_name="/model_page")
    assert page["model_id"] == "org/fast-sum" and page["provider"] == "org"
    h100, a100 = page["entries"]
    assert (h100["hardware"], h100["stars"], h100["rank"], h100["rank_of"]) == (H100, 2, 4, 5)
    assert h100["rank_among"] == f"rated Summarization models measured on {H100}"
    assert (a100["hardware"], a100["stars"], a100["rank"], a100["rank_of"]) == (A100, 5, 1, 1)
    assert h100["gpu_wh_per_1k_queries"] == pytest.approx(2.0)
    assert h100["gpu_wh_per_1k_queries_std"] == pytest.approx(0.2) and h100["n_repeats"] == 3
    assert [p["phase"] for p in h100["phases"]] == ["preprocess", "prefill", "decode"]
    assert [p["gpu_wh_per_1k_queries"] for p in h100["phases"]] == pytest.approx([0.1, 0.5, 1.4])
    assert [p["share_of_gpu"] for p in h100["phases"]] == pytest.approx([0.05, 0.25, 0.70])
    assert h100["phases"][2]["latency_s_per_query"] == pytest.approx(0.014)
    assert h100["phases"][2]["throughput_unit"] == "samples/s"
    assert h100["latency_s_per_query"] == pytest.approx(0.02) and h100["queries_per_s"] == pytest.approx(50)
    assert h100["total_wh_per_1k_queries"] == pytest.approx(2.5)
    assert h100["software"]["transformers"] == "4.57.1" and h100["hardware_details"]["cuda_version"] == "12.4"
    assert h100["everyday"]["smartphone_charges"] == pytest.approx(2.0 / 11.6)
    assert h100["everyday"]["grams_co2e"] == pytest.approx(0.96)


def test_the_model_page_of_a_published_figure_has_no_phases_or_latency(served):
    client, _ = served
    (entry,) = client.predict("org/published-sum", "france", api_name="/model_page")["entries"]
    assert (entry["stars"], entry["rank"], entry["phases"], entry["latency_s_per_query"]) == (5, 1, [], None)
    assert entry["gpu_wh_per_1k_queries_std"] is None
    assert entry["everyday"]["grams_co2e"] == pytest.approx(0.5 / 1000 * 56)


def test_text_generation_ranks_are_within_the_size_class_and_unrated_rows_have_none(served):
    client, _ = served
    (tiny,) = client.predict("org/tiny-lm", "world", api_name="/model_page")["entries"]
    assert (tiny["rank"], tiny["rank_of"]) == (1, 1)
    assert tiny["rank_among"] == f"rated Text Generation models of size class A measured on {H100}"
    (unsized,) = client.predict("org/no-size-lm", "world", api_name="/model_page")["entries"]
    assert (unsized["stars"], unsized["rank"], unsized["rating_flag"]) == (
        None,
        None,
        "no parameter count, so no size class",
    )


def test_compare_gives_the_energy_ratio_to_the_most_frugal_model(served):
    client, _ = served
    result = client.predict(["org/fast-sum", "org/frugal-sum", "org/slow-sum"], "", "", "world", api_name="/compare")
    assert (result["task"], result["hardware"], result["message"]) == ("summarization", H100, None)
    assert [r["model_id"] for r in result["rows"]] == ["org/fast-sum", "org/frugal-sum", "org/slow-sum"]
    assert [r["stars"] for r in result["rows"]] == [2, 4, 1]
    ratios = {r["model_id"]: r for r in result["ratios"]}
    assert ratios["org/fast-sum"]["energy_ratio"] == pytest.approx(2.0)
    assert ratios["org/fast-sum"]["latency_ratio"] == pytest.approx(0.4)
    assert ratios["org/slow-sum"]["energy_ratio"] == pytest.approx(3.0)
    assert [r["sentence"] for r in result["ratios"]] == [
        "org/fast-sum uses 2× the energy of org/frugal-sum per 1,000 queries and is 2.5× faster per query.",
        "org/slow-sum uses 3× the energy of org/frugal-sum per 1,000 queries and takes 1.2× as long per query.",
    ]


def test_compare_says_clearly_when_models_share_no_task_or_no_hardware(served):
    client, _ = served
    none = client.predict(["org/classifier", "org/frugal-sum"], "", "", "world", api_name="/compare")
    assert none["rows"] == [] and none["shared"] == []
    assert none["message"] == (
        "These models share no task: org/classifier on Text Classification; org/frugal-sum on Summarization."
    )
    other = client.predict(["org/fast-sum", "org/frugal-sum"], "summarization", A100, "world", api_name="/compare")
    assert other["rows"] == [] and other["message"].startswith(
        f"Not all of these models have a Summarization result on {A100}"
    )


def test_compare_needs_two_to_four_known_models(served):
    client, _ = served
    with pytest.raises(AppError, match="compare needs 2 to 4 different models, got 1"):
        client.predict(["org/fast-sum", "org/fast-sum"], "", "", "world", api_name="/compare")
    with pytest.raises(AppError, match="unknown model 'org/nope'"):
        client.predict(["org/fast-sum", "org/nope"], "", "", "world", api_name="/compare")


def test_the_tradeoff_frontier_names_the_models_no_other_beats_on_both(served):
    client, _ = served
    view = client.predict("summarization", "", api_name="/tradeoff")
    assert view["hardware"] == H100 and view["hardware_choices"] == [H100, A100]
    assert view["frontier"] == ["org/fast-sum", "org/balanced-sum", "org/frugal-sum"]
    assert {p["model_id"]: p["on_frontier"] for p in view["points"]} == {
        "org/frugal-sum": True,
        "org/balanced-sum": True,
        "org/fast-sum": True,
        "org/slow-sum": False,
    }
    assert (view["n_left_out"], view["n_left_out_no_latency"], view["n_other_hardware"]) == (1, 1, 1)
    assert view["note"] == "1 result not shown: 1 without a measured latency (published figures carry none)."
    on_a100 = client.predict("summarization", A100, api_name="/tradeoff")
    assert on_a100["frontier"] == ["org/fast-sum"] and on_a100["n_left_out"] == 0


def test_the_energy_label_endpoint_returns_the_png(served):
    client, live = served
    path = client.predict("org/frugal-sum", "summarization", "", api_name="/energy_label")
    assert Path(path).suffix == ".png"
    with Image.open(path) as image:
        assert image.size == OUTPUT_SIZE
    # checked on the pixels, not against the drawing code: org/frugal-sum has 4 stars on the H100
    with Image.open(path) as image:
        drawn = image.convert("RGB")
        assert [drawn.getpixel(c) for c in star_centres_px()] == [rgb(STAR_COLOURS[4])] * 4 + [rgb(EMPTY_STAR_FILL)]


def test_the_label_markdown_endpoint_and_its_errors(served):
    client, _ = served
    snippet = client.predict("org/frugal-sum", "summarization", "", api_name="/energy_label_markdown")
    assert snippet.endswith(f"(./energy-label-org--frugal-sum-summarization.png)]({URL}?model=org/frugal-sum)")
    with pytest.raises(AppError, match="unknown task 'telepathy'"):
        client.predict("org/frugal-sum", "telepathy", "", api_name="/energy_label")
    with pytest.raises(AppError, match="has no Summarization result"):
        client.predict("org/classifier", "summarization", "", api_name="/energy_label")


def test_a_script_model_id_comes_back_as_plain_text(served):
    client, _ = served
    page = client.predict(SCRIPT_ID, "world", api_name="/model_page")
    assert page["model_id"] == SCRIPT_ID and page["provider"] is None  # not a Hub id: no org part


def test_a_new_result_shows_on_the_model_page_and_frontier_after_a_refresh(served):
    client, live = served
    folder = Path(live.store.root)
    record = runner_record("org/new-sum", "summarization", 0.8, 0.010, params=50_000_000)
    LocalStore(folder).add({record_path(record): record.to_json().encode()}, "a new result")
    live.refresh()  # what the timer and the refresh button do
    (entry,) = client.predict("org/new-sum", "world", api_name="/model_page")["entries"]
    assert (entry["rank"], entry["rank_of"]) == (2, 6)  # behind the published 0.5 Wh
    assert client.predict("summarization", "", api_name="/tradeoff")["frontier"] == ["org/new-sum"]
