"""A model measured at several effort levels (gpt-oss on the bundled 2025-12 reasoning board) has one
label per level: the label functions and both label endpoints take an ``effort`` and name the level."""

from __future__ import annotations

import inspect
import io

import gradio as gr
import pytest
from PIL import Image

from benchmark.store import LocalStore
from leaderboard.api import register_api
from leaderboard.display.palette import STAR_COLOURS
from leaderboard.label.draw import DESIGN_SIZE, MARGIN, OUTPUT_SIZE, SCALE, label_png, star_centres_px
from leaderboard.label.facts import LabelError, label_facts, label_file_name, label_markdown
from leaderboard.results.data import SNAPSHOT_DIR
from leaderboard.results.live import LiveData
from tests.leaderboard.label.test_energy_label import rgb

GPT_OSS = "openai/gpt-oss-20b"
URL = "https://example.org/green-ai-leaderboard"


@pytest.fixture(scope="module")
def live() -> LiveData:
    return LiveData(LocalStore(SNAPSHOT_DIR))


@pytest.fixture(scope="module")
def endpoints(live):
    with gr.Blocks() as demo:
        register_api(live)
    return {f.api_name: f.fn for f in demo.fns.values() if f.api_name in ("energy_label", "energy_label_markdown")}


def test_each_effort_level_gets_its_own_label_naming_the_level(live):
    board = live.current.board("latest")
    published = board[(board["model_id"] == GPT_OSS) & (board["task"] == "reasoning")]
    by_level = dict(zip(published["reasoning_effort"], published["gpu_wh_per_1k_queries"], strict=True))

    for level in ("low", "medium", "high"):
        facts = label_facts(live.current, GPT_OSS, "reasoning", effort=level, url=URL)
        assert (facts.reasoning_effort, facts.task_name) == (level, f"Reasoning ({level} effort)")
        assert facts.gpu_wh_per_1k_queries == pytest.approx(by_level[level])
        assert label_file_name(facts, "reasoning") == f"energy-label-openai--gpt-oss-20b-reasoning-{level}-2025-12.png"
    high = label_facts(live.current, GPT_OSS, "reasoning", effort="HIGH", url=URL)
    assert (high.gpu_wh_per_1k_queries, high.stars) == (pytest.approx(5512.01), 4)  # the board's, as published
    assert "4 of 5 stars for Reasoning (high effort), 5,512 Wh of GPU energy" in label_markdown(high, "x.png")


def test_an_unknown_level_or_one_the_model_was_not_measured_at_is_a_one_line_error(live):
    with pytest.raises(LabelError, match=r"^unknown effort level 'extreme': choose one of low, medium, high, or none$"):
        label_facts(live.current, GPT_OSS, "reasoning", effort="extreme")
    with pytest.raises(LabelError, match=r"^'Qwen/Qwen3-0.6B' has no Reasoning result at low effort; it was "
                                         r"measured at no effort level$"):
        label_facts(live.current, "Qwen/Qwen3-0.6B", "reasoning", effort="low")
    # without an effort, a model without levels keeps its one label
    assert label_facts(live.current, "Qwen/Qwen3-0.6B", "reasoning").reasoning_effort is None


def test_both_label_endpoints_take_an_effort_and_refuse_a_bad_one_in_one_line(endpoints, live, monkeypatch):
    monkeypatch.setenv("LEADERBOARD_URL", URL)
    png_endpoint, markdown_endpoint = endpoints["energy_label"], endpoints["energy_label_markdown"]
    assert list(inspect.signature(png_endpoint).parameters)[-1] == "effort"
    assert list(inspect.signature(markdown_endpoint).parameters)[-1] == "effort"

    low = png_endpoint(GPT_OSS, "reasoning", "", "latest", "low")
    high = png_endpoint(GPT_OSS, "reasoning", "", "latest", "high")
    assert low.path != high.path
    # the two levels' own stars on the current board, read from the pixels. By hand: size class B spans
    # 1,135.59 (gpt-oss-20b low) to 18,992.36 Wh (EXAONE 4.0 32B), bins 3,571.35 wide; high (5,512.01) is
    # 1.23 bins up: 4 stars; low is the group's lowest: 5
    stars = {level: [Image.open(path).convert("RGB").getpixel(c) for c in star_centres_px()].count(
        rgb(STAR_COLOURS[expected])) for level, path, expected in (("low", low.path, 5), ("high", high.path, 4))}
    assert stars == {"low": 5, "high": 4}
    assert Image.open(high.path).format == "PNG" and Image.open(high.path).size == OUTPUT_SIZE
    snippet = markdown_endpoint(GPT_OSS, "reasoning", "", "latest", "medium")
    assert "Reasoning (medium effort)" in snippet
    image = "./energy-label-openai--gpt-oss-20b-reasoning-medium-2025-12.png"
    assert snippet.endswith(f"({image})]({URL}?model=openai/gpt-oss-20b)")
    with pytest.raises(gr.Error, match="unknown effort level 'extreme'"):
        markdown_endpoint(GPT_OSS, "reasoning", "", "latest", "extreme")


def test_the_footnote_of_a_size_classed_label_stays_inside_its_margins(live):
    """Its rating group ("this task and size class on this hardware") is long: it is drawn at the size
    that fits, so the right margin of the footnote's row stays empty."""
    facts = label_facts(live.current, GPT_OSS, "reasoning", effort="high", url=URL)
    image = Image.open(io.BytesIO(label_png(facts))).convert("RGB")
    right_margin = (SCALE * (DESIGN_SIZE[0] - MARGIN) + 2, SCALE * 575, SCALE * DESIGN_SIZE[0] - 12, SCALE * 592)
    colours = image.crop(right_margin).getcolors()
    assert colours is not None and len(colours) == 1  # the card's background only, no cut-off text
