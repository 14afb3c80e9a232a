"""The energy label: a 2× PNG with the star colour of its level and real text; the CLI draws the same."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from leaderboard.display.palette import STAR_COLOURS
from leaderboard.label.draw import (
    DESIGN_SIZE,
    EMPTY_STAR_FILL,
    OUTPUT_SIZE,
    drawable,
    label_png,
    model_text_box_px,
    star_centres_px,
)
from leaderboard.label.facts import DEFAULT_LEADERBOARD_URL, LabelError, label_facts, label_markdown, leaderboard_url
from leaderboard.results.data import LeaderboardData
from leaderboard.results.loader import read_folder
from leaderboard.views.model_page import UnknownModelError
from tests.support.env import PYTHON, REPO_ROOT, subprocess_env
from tests.support.models_fixtures import write_models_folder

URL = "https://example.org/green-ai-leaderboard"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("results")
    write_models_folder(root)
    return root


@pytest.fixture(scope="module")
def data(folder) -> LeaderboardData:
    return LeaderboardData.from_load(read_folder(folder))


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


def png(data: LeaderboardData, model: str, task: str) -> Image.Image:
    return Image.open(io.BytesIO(label_png(label_facts(data, model, task, url=URL))))


def dark_pixels(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    grey = image.crop(box).convert("L")
    return sum(1 for value in grey.tobytes() if value < 100)


def test_the_label_is_a_png_at_twice_the_design_size(data):
    image = png(data, "org/frugal-sum", "summarization")
    assert image.format == "PNG" and image.mode == "RGB"
    assert image.size == OUTPUT_SIZE == (DESIGN_SIZE[0] * 2, DESIGN_SIZE[1] * 2) == (800, 1224)


def test_the_stars_are_filled_in_the_colour_of_the_level_and_the_rest_are_empty(data):
    four = png(data, "org/frugal-sum", "summarization")  # 4 stars on the H100
    centres = star_centres_px()
    assert [four.getpixel(c) for c in centres] == [rgb(STAR_COLOURS[4])] * 4 + [rgb(EMPTY_STAR_FILL)]
    one = png(data, "org/slow-sum", "summarization")  # 1 star: red
    assert [one.getpixel(c) for c in centres] == [rgb(STAR_COLOURS[1])] + [rgb(EMPTY_STAR_FILL)] * 4
    five = png(data, "org/published-sum", "summarization")
    assert {five.getpixel(c) for c in centres} == {rgb(STAR_COLOURS[5])}


def test_text_is_drawn_and_differs_between_models(data):
    frugal = png(data, "org/frugal-sum", "summarization")
    slow = png(data, "org/slow-sum", "summarization")
    box = model_text_box_px()
    assert dark_pixels(frugal, box) > 500  # the model id, not a blank template
    assert ImageChops.difference(frugal.crop(box), slow.crop(box)).getbbox() is not None


def test_an_unrated_model_gets_an_honest_not_rated_label(data):
    facts = label_facts(data, "org/no-size-lm", "text_generation", url=URL)
    assert facts.stars is None and facts.rating_flag == "no parameter count, so no size class"
    image = Image.open(io.BytesIO(label_png(facts)))
    assert {image.getpixel(c) for c in star_centres_px()} == {rgb(EMPTY_STAR_FILL)}
    star_row = image.crop((0, 400, OUTPUT_SIZE[0], 520))
    assert not {rgb(colour) for colour in STAR_COLOURS.values()} & {colour for _, colour in star_row.getcolors(1 << 16)}
    assert dark_pixels(image, (10, 520, OUTPUT_SIZE[0] - 10, 600)) == 0  # "NOT RATED" is grey, not a dark "4 of 5"
    assert sum(1 for v in image.crop((200, 520, 600, 570)).convert("L").tobytes() if v < 200) > 300


def test_the_cli_writes_the_same_png_as_the_function(data, folder, tmp_path):
    out = tmp_path / "label.png"
    env = subprocess_env(RESULTS_DIR=str(folder), LEADERBOARD_URL=URL)
    done = subprocess.run(
        [PYTHON, "-m", "leaderboard.label", "--model", "org/frugal-sum", "--task", "summarization", "--out", str(out)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == label_png(label_facts(data, "org/frugal-sum", "summarization", url=URL))
    assert "[![AI Energy Score label: 4 of 5 stars for Summarization" in done.stdout
    assert f"(./label.png)]({URL}?model=org/frugal-sum)" in done.stdout


def test_the_cli_names_an_unknown_model_in_a_one_line_error(folder, tmp_path):
    done = subprocess.run(
        [
            PYTHON,
            "-m",
            "leaderboard.label",
            "--model",
            "org/frugal-summ",
            "--task",
            "summarization",
            "--out",
            str(tmp_path / "x.png"),
        ],
        cwd=REPO_ROOT,
        env=subprocess_env(RESULTS_DIR=str(folder)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stderr.startswith(
        "error: unknown model 'org/frugal-summ': it has no result on the leaderboard; did you mean 'org/frugal-sum'"
    )
    assert not (tmp_path / "x.png").exists()


def test_a_task_the_model_was_not_measured_on_is_an_error_listing_its_tasks(data):
    with pytest.raises(LabelError, match="'org/classifier' has no Summarization result; it was measured on Text"):
        label_facts(data, "org/classifier", "summarization")
    with pytest.raises(UnknownModelError):
        label_facts(data, "org/nope", "summarization")


def test_a_model_on_two_gpus_gets_the_label_of_the_one_asked_for(data):
    assert label_facts(data, "org/fast-sum", "summarization").hardware == "NVIDIA H100 80GB HBM3"
    a100 = label_facts(data, "org/fast-sum", "summarization", hardware="NVIDIA A100-SXM4-80GB")
    assert (a100.stars, a100.gpu_wh_per_1k_queries) == (5, pytest.approx(2.6))


@pytest.mark.parametrize(
    ("env", "link"),
    [({}, "?model=org/fast-sum"), ({"SPACE_HOST": "green-ai-leaderboard.hf.space"},
                                   "https://green-ai-leaderboard.hf.space/?model=org/fast-sum"),
     ({"SPACE_HOST": "x.hf.space", "LEADERBOARD_URL": URL}, f"{URL}?model=org/fast-sum")],
)
def test_the_markdown_snippet_links_the_image_to_the_model_s_page_on_the_leaderboard(data, monkeypatch, env, link):
    for name in ("SPACE_HOST", "LEADERBOARD_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    facts = label_facts(data, "org/fast-sum", "summarization", url=URL)
    snippet = label_markdown(facts, "energy-label.png")
    assert snippet.splitlines()[-1] == (
        "[![AI Energy Score label: 2 of 5 stars for Summarization, 2 Wh of GPU energy per 1,000 queries on "
        f"NVIDIA H100 80GB HBM3, measured 2025-03-01](./energy-label.png)]({link})"
    )


def test_the_leaderboard_url_comes_from_the_environment_then_the_space(monkeypatch):
    monkeypatch.delenv("LEADERBOARD_URL", raising=False)
    monkeypatch.delenv("SPACE_ID", raising=False)
    assert leaderboard_url() == DEFAULT_LEADERBOARD_URL
    monkeypatch.setenv("SPACE_ID", "someone/energy")
    assert leaderboard_url() == "https://huggingface.co/spaces/someone/energy"
    monkeypatch.setenv("LEADERBOARD_URL", URL)
    assert leaderboard_url() == URL


def test_text_outside_the_bundled_font_is_reduced_to_what_it_can_draw():
    assert drawable("2× NVIDIA H100 — café ★") == "2x NVIDIA H100 - cafe *"
    assert drawable("模型\x07") == "?? "


def test_record_text_in_the_model_card_snippet_is_escaped(data, monkeypatch):
    monkeypatch.delenv("LEADERBOARD_URL", raising=False)
    monkeypatch.delenv("SPACE_HOST", raising=False)
    from dataclasses import replace

    facts = label_facts(data, "org/frugal-sum", "summarization", url=URL)
    hostile = replace(facts, hardware='<svg onload="alert(1)">](javascript:x) `x`', task_name="Summ\n<b>ary</b>")
    snippet = label_markdown(hostile, "energy-label.png")
    alt = snippet.splitlines()[1]
    assert "<svg" not in snippet and "<b>" not in snippet and "](javascript" not in snippet
    assert "&lt;svg onload=&quot;alert(1)&quot;&gt;)(javascript:x) &#x27;x&#x27;" in alt
    assert alt.endswith("](./energy-label.png)](?model=org/frugal-sum)") and alt.count("](") == 2


def test_a_label_file_name_is_bounded_whatever_the_model_id(data, tmp_path, monkeypatch):
    from dataclasses import replace

    from leaderboard.display import downloads
    from leaderboard.label.facts import label_file_name, label_path

    facts = replace(label_facts(data, "org/frugal-sum", "summarization", url=URL), model_id="org/" + "m" * 5000)
    name = label_file_name(facts, "summarization")
    assert len(name) <= downloads.MAX_NAME_CHARS and name.startswith("energy-label-org--mmm") and name.endswith(".png")
    assert name != label_file_name(replace(facts, model_id="org/" + "m" * 4999), "summarization")
    monkeypatch.setattr(downloads, "DOWNLOADS_ROOT", tmp_path)
    assert Path(label_path(facts, "summarization", b"png")).read_bytes() == b"png"
    with pytest.raises(OSError):
        downloads.download_file("labels", "x" * 300 + ".png", b"png")  # a name the file system refuses
    assert [p.name for p in tmp_path.rglob(".tmp-*")] == []  # and no temp file left behind


def test_the_label_prints_the_address_its_markdown_link_leads_to(monkeypatch):
    from leaderboard.label.facts import leaderboard_url, model_page_url

    for name in ("LEADERBOARD_URL", "SPACE_HOST", "SPACE_ID"):
        monkeypatch.delenv(name, raising=False)
    # served locally: the link is relative to this app, and the PNG prints where the app was reached
    assert model_page_url("org/m") == "?model=org/m"
    assert leaderboard_url("http://127.0.0.1:7860/") == "http://127.0.0.1:7860/"
    monkeypatch.setenv("SPACE_ID", "org/space")
    monkeypatch.setenv("SPACE_HOST", "org-space.hf.space")
    assert model_page_url("org/m") == "https://org-space.hf.space/?model=org/m"
    assert leaderboard_url("http://10.0.0.1:7860/") == "https://org-space.hf.space/"
    monkeypatch.setenv("LEADERBOARD_URL", "https://example.org/board")
    assert model_page_url("org/m") == "https://example.org/board?model=org/m"
    assert leaderboard_url("http://10.0.0.1:7860/") == "https://example.org/board"


def test_a_trade_off_with_no_latency_says_so_in_one_line_instead_of_an_empty_plot():
    from leaderboard.tabs.models_text import frontier_markdown

    view = {"points": [], "frontier": [], "note": "62 without a measured latency", "n_other_hardware": 0}
    assert frontier_markdown(view) == (
        "**No latency measured on this board yet** for this task: published figures carry none; a run of this "
        "project's runner (`python -m benchmark run`) measures it, and its models then appear here.")
