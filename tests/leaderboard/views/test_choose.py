"""The finder on hand-made boards with known answers: each model at its cheapest configuration meeting
every limit, least energy first; the others counted by the limit that stopped each; refusals in one line;
and the same through ``/choose``."""

from __future__ import annotations

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from benchmark.configuration import ConfigurationError, RunConfiguration
from benchmark.quality.record import QualityRecord, quality_path
from benchmark.store import LocalStore
from leaderboard.app import build_demo
from leaderboard.results.data import LeaderboardData
from leaderboard.results.live import LiveData
from leaderboard.results.loader import load_store
from leaderboard.results.releases import UnknownReleaseError
from leaderboard.views.choose import ChooseInputError, choose
from tests.support.leaderboard_fixtures import CPU, make_record, write_raw, write_record

TASK = "text_classification"


def run(model: str, wh: float, latency: float | None, batch: int | None = None, **extra):
    record = make_record(model, TASK, wh, run_id=f"{model[4:]}-{batch or 1}", **extra)
    record = record.model_copy(update={"latency_s_per_query": latency})
    if batch:
        settings = record.settings.model_copy(update={"batch_size": batch})
        configuration = RunConfiguration(batch_size=batch, key=f"batch_size={batch}")
        record = record.model_copy(update={"settings": settings, "configuration": configuration})
    return record


def accuracy(model: str, value: float) -> QualityRecord:
    return QualityRecord(quality_id="card", model_id=model, task=TASK, benchmark="sst2", metric="accuracy_pct",
                         value=value, higher_is_better=True, source="https://example.org", provenance="published")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("choose")
    for record in (
        run("org/slow", 1.0, 0.30),             # reference too slow for 0.1 s ...
        run("org/slow", 0.8, 0.05, batch=8),    # ... but its batch-8 run meets it, and uses less energy
        run("org/fast", 2.0, 0.02),
        run("org/fast", 3.0, 0.01, batch=8),    # faster still, but the reference is the cheaper that meets
        run("org/hungry", 9.0, 0.01),           # over the energy limit
        run("org/unmeasured", 0.5, None),       # no latency measured
        run("org/dull", 0.4, 0.01),             # quality below the limit
        run("org/unknown", 0.3, 0.01),          # no quality figure
        run("org/cpu", 0.0, 0.01, hardware=CPU),  # a CPU run: no GPU energy to choose by
    ):
        write_record(root, record)
    for model, value in (("org/slow", 90.0), ("org/fast", 92.0), ("org/hungry", 95.0), ("org/unmeasured", 91.0),
                         ("org/dull", 70.0), ("org/cpu", 93.0)):
        figure = accuracy(model, value)
        write_raw(root, quality_path(figure), figure.to_json())
    return root


@pytest.fixture(scope="module")
def data(folder):
    return LeaderboardData.from_load(load_store(LocalStore(folder)))


def test_each_model_is_listed_at_its_cheapest_configuration_that_meets_every_limit(data):
    result = choose(data, TASK, max_wh_per_1k=5.0, max_latency_s=0.1, min_quality=80.0)
    assert [(r["model_id"], r["configuration_key"], r["gpu_wh_per_1k_queries"]) for r in result["chosen"]] == [
        ("org/slow", "batch_size=8", 0.8),
        ("org/fast", "reference", 2.0),
    ]
    assert result["chosen"][0]["quality"] == 90.0 and result["chosen"][0]["latency_s_per_query"] == 0.05


def test_the_others_are_counted_by_the_limit_that_stopped_each(data):
    result = choose(data, TASK, max_wh_per_1k=5.0, max_latency_s=0.1, min_quality=80.0)
    excluded = {r["model_id"]: (r["limit"], r["reason"], r["figure"]) for r in result["excluded"]}
    assert excluded == {
        "org/dull": ("quality", "quality worse than the limit", 70.0),
        "org/unknown": ("quality", "no quality figure", None),
        "org/unmeasured": ("latency", "no latency measured", None),
        "org/hungry": ("energy", "energy over the limit", 9.0),
        "org/cpu": ("energy", "no usable GPU energy", None),  # a CPU run's zero is no figure to compare
    }
    assert result["excluded_by"] == {"quality": 2, "latency": 1, "energy": 2}
    assert result["summary"] == "5 excluded: 2 by quality, 1 by latency, 2 by energy"


def test_without_limits_every_model_is_at_its_cheapest_run_and_reference_only_ignores_the_others(data):
    anything = choose(data, TASK)
    assert [(r["model_id"], r["configuration_key"]) for r in anything["chosen"]][:3] == [
        ("org/unknown", "reference"), ("org/dull", "reference"), ("org/unmeasured", "reference"),
    ]
    assert anything["excluded_by"] == {"energy": 1} and anything["summary"] == "1 excluded: 1 by energy"
    strict = choose(data, TASK, max_latency_s=0.1, configuration="reference")
    assert "org/slow" in {r["model_id"] for r in strict["excluded"]}  # its batch-8 run is not considered
    assert next(r for r in strict["excluded"] if r["model_id"] == "org/slow")["figure"] == 0.3


@pytest.mark.parametrize(
    ("kwargs", "refusal", "message"),
    [({"max_wh_per_1k": -1}, ChooseInputError, "max_wh_per_1k must be a positive number"),
     ({"max_latency_s": "soon"}, ChooseInputError, "max_latency_s must be a number"),
     ({"configuration": "warp=9"}, ConfigurationError,
      "unknown configuration 'warp=9': use reference, all or a key such as batch_size=8"),
     ({"release": "1999"}, UnknownReleaseError, "unknown release '1999': choose one of latest, live, since")],
)
def test_bad_limits_are_refused_in_one_line(data, kwargs, refusal, message):
    with pytest.raises(refusal) as refused:
        choose(data, TASK, **kwargs)
    assert str(refused.value).startswith(message) and "\n" not in str(refused.value)


def test_the_choose_endpoint_answers_the_same(folder):
    demo = build_demo(live=LiveData(LocalStore(folder)), refresh_s=3600)
    _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, server_name="127.0.0.1")
    client = Client(url, verbose=False)
    try:
        result = client.predict(TASK, 5.0, 0.1, 80.0, "any", "latest", api_name="/choose")
        assert [r["model_id"] for r in result["chosen"]] == ["org/slow", "org/fast"]
        assert result["summary"] == "5 excluded: 2 by quality, 1 by latency, 2 by energy"
        with pytest.raises(AppError, match="declares no quality benchmark"):
            client.predict("text_to_image", None, None, 50.0, api_name="/choose")
    finally:
        client.close()
        demo.close()


def test_left_out_models_come_nearest_first_with_their_figure_and_the_limit_in_units_and_no_figure_apart(data):
    from leaderboard.tabs.choose import excluded_markdown

    result = choose(data, TASK, max_wh_per_1k=5.0, max_latency_s=0.1, min_quality=80.0)
    # hungry misses 5 Wh by 80 % (9 / 5 - 1), dull misses 80 % accuracy by 12.5 % (70 vs 80): dull first; the
    # models with no figure for a limit come after every miss
    assert [(r["model_id"], r["miss"]) for r in result["excluded"]] == [
        ("org/dull", pytest.approx(0.125)), ("org/hungry", pytest.approx(0.8)),
        ("org/cpu", None), ("org/unknown", None), ("org/unmeasured", None)]
    assert (result["excluded"][1]["limit_value"], result["excluded"][1]["unit"]) == (5.0, "Wh / 1,000 queries")
    text = excluded_markdown(result)
    assert "| 9 Wh / 1,000 queries | 5 Wh / 1,000 queries | 80 % |" in text
    assert text.index("Worse than a limit") < text.index("No figure for a limit") < text.index("org/unmeasured")


def test_a_result_another_beats_on_both_energy_and_quality_is_marked(data):
    result = choose(data, TASK, min_quality=50.0)
    beaten = {r["model_id"]: r["beaten_by"] for r in result["chosen"]}
    # dull (0.4 Wh, 70 %) and slow's batch 8 (0.8 Wh, 90 %) are beaten by nobody; fast (2 Wh, 92 %) neither;
    # hungry (9 Wh, 95 %) neither (best quality); unmeasured (0.5 Wh, 91 %) beats slow (0.8 Wh, 90 %)
    assert beaten == {"org/dull": None, "org/unmeasured": None, "org/slow": "org/unmeasured", "org/fast": None,
                      "org/hungry": None}


def test_a_limit_on_a_figure_no_row_has_is_refused_in_one_line(tmp_path):
    write_record(tmp_path, run("org/published", 1.0, None))  # no latency, no quality figure
    data = LeaderboardData.from_load(load_store(LocalStore(tmp_path)))
    with pytest.raises(ChooseInputError) as refused:
        choose(data, TASK, max_latency_s=1.0)
    assert str(refused.value) == ("no run of Text Classification on this board has a latency per query: a latency "
                                  "limit cannot apply")
    with pytest.raises(ChooseInputError, match="no model of Text Classification on this board has a quality"):
        choose(data, TASK, min_quality=50.0)


def test_a_run_exactly_at_the_energy_limit_is_chosen_and_an_implausible_energy_never_is(tmp_path):
    write_record(tmp_path, run("org/at-limit", 2.0, 0.01))
    write_record(tmp_path, run("org/impossible", 1e7, 0.01))  # over 1,000,000 Wh per 1,000 queries: implausible
    data = LeaderboardData.from_load(load_store(LocalStore(tmp_path)))
    assert [r["model_id"] for r in choose(data, TASK, max_wh_per_1k=2.0)["chosen"]] == ["org/at-limit"]
    unlimited = choose(data, TASK)
    assert [r["model_id"] for r in unlimited["chosen"]] == ["org/at-limit"]
    assert [(r["model_id"], r["reason"]) for r in unlimited["excluded"]] == [("org/impossible", "no usable GPU energy")]


def test_a_quality_limit_on_word_error_rate_keeps_the_models_at_or_under_it(tmp_path):
    """WER: lower is better, so "quality at least" means "WER at most" (only a browser test saw this before)."""
    asr = "automatic_speech_recognition"
    for model, wh, wer in (("org/precise", 2.0, 3.0), ("org/sloppy", 1.0, 12.0), ("org/edge", 1.5, 5.0)):
        write_record(tmp_path, make_record(model, asr, wh, run_id=f"run-{model[4:]}").model_copy(
            update={"latency_s_per_query": 0.1}))
        figure = QualityRecord(quality_id=f"card-{model[4:]}", model_id=model, task=asr,
                               benchmark="librispeech_test_clean", metric="wer_pct", value=wer,
                               higher_is_better=False, source="https://example.org", provenance="published")
        write_raw(tmp_path, quality_path(figure), figure.to_json())
    data = LeaderboardData.from_load(load_store(LocalStore(tmp_path)))
    result = choose(data, asr, min_quality=5.0)
    assert [r["model_id"] for r in result["chosen"]] == ["org/edge", "org/precise"]  # 5 % at the limit is in
    assert [(r["model_id"], r["figure"], r["reason"]) for r in result["excluded"]] == [
        ("org/sloppy", 12.0, "quality worse than the limit")]
