"""Language models measured as served, on the board: the finder with ML.ENERGY's limits (a median ITL deadline
and a GPU energy budget per output token) picks each model's cheapest configuration meeting them and never an
unstable steady state; What helps shows each engine configuration against the model's transformers reference;
the model page lists the engine configurations with their J per token and median ITL."""

from __future__ import annotations

import pytest

from benchmark.configuration import RunConfiguration, configuration_key
from benchmark.engine.record import EngineSettings, ServingLatency, SteadyState
from benchmark.store import LocalStore
from leaderboard.results.data import LeaderboardData
from leaderboard.results.loader import load_store
from leaderboard.views.choose import ChooseInputError, choose
from leaderboard.views.what_helps import served_markdown, served_summary, what_helps
from tests.support.leaderboard_fixtures import make_record, write_record

TASK = "text_generation"
PARAMS = 1_000_000_000


def served(model: str, wh: float, itl_ms: float, per_token_j: float, batch: int | None = None,
           stable: bool = True):
    overrides = {"engine": "vllm", **({"max_num_seqs": batch} if batch else {})}
    record = make_record(model, TASK, wh, params=PARAMS, run_id=f"{model[4:]}-{batch or 'one'}")
    engine = EngineSettings(protocol="steady-state" if batch else "one-at-a-time", max_num_seqs=batch)
    update = {
        "settings": record.settings.model_copy(update={"engine": engine}),
        "configuration": RunConfiguration(**overrides, key=configuration_key(overrides)),
        "gpu_wh_per_1k_output_tokens": per_token_j / 3.6,
        "serving": ServingLatency(ttft_median_ms=20.0, ttft_p90_ms=30.0, itl_median_ms=itl_ms),
    }
    if batch:
        update["steady_state"] = SteadyState(
            max_num_seqs=batch, requests=1000, start_s=5.0, duration_s=60.0 if stable else 5.0, output_tokens=9000,
            gpu_energy_j=per_token_j * 9000, energy_per_output_token_j=per_token_j, occupancy=0.95,
            itl_median_ms=itl_ms, stable=stable, unstable_because=None if stable else "steady-state window of 5 s")
    return record.model_copy(update=update)


def reference(model: str, wh: float):
    record = make_record(model, TASK, wh, params=PARAMS, run_id=f"{model[4:]}-ref")
    return record.model_copy(update={"gpu_wh_per_1k_output_tokens": wh / 10})


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("served")
    for record in (
        reference("org/llama", 10.0),
        served("org/llama", 9.0, itl_ms=12.0, per_token_j=3.2),           # one at a time
        served("org/llama", 2.0, itl_ms=40.0, per_token_j=0.7, batch=64),  # cheapest, but slow per token
        served("org/llama", 4.0, itl_ms=20.0, per_token_j=1.4, batch=8),
        served("org/llama", 1.0, itl_ms=15.0, per_token_j=0.3, batch=256, stable=False),  # unstable: never chosen
        reference("org/qwen", 6.0),
        served("org/qwen", 3.0, itl_ms=80.0, per_token_j=1.0, batch=64),  # misses a 30 ms deadline
    ):
        write_record(root, record)
    return LeaderboardData.from_load(load_store(LocalStore(root)))


def test_an_itl_deadline_picks_each_models_cheapest_configuration_meeting_it(data):
    result = choose(data, TASK, max_itl_ms=30.0)
    assert [(r["model_id"], r["configuration_key"], r["itl_median_ms"]) for r in result["chosen"]] == [
        ("org/llama", "engine=vllm+max_num_seqs=8", 20.0),
    ]
    [qwen] = result["excluded"]
    assert (qwen["model_id"], qwen["limit"], qwen["figure"]) == ("org/qwen", "itl", 80.0)
    assert qwen["reason"] == "median inter-token latency over the deadline" and qwen["unit"] == "ms (median ITL)"


def test_without_a_deadline_the_cheapest_stable_configuration_wins_never_an_unstable_one(data):
    result = choose(data, TASK)
    by_model = {r["model_id"]: r["configuration_key"] for r in result["chosen"]}
    assert by_model == {"org/llama": "engine=vllm+max_num_seqs=64", "org/qwen": "engine=vllm+max_num_seqs=64"}


def test_an_energy_budget_per_output_token_applies_to_served_and_reference_runs(data):
    result = choose(data, TASK, max_itl_ms=50.0, max_j_per_output_token=1.0)
    assert [(r["model_id"], r["configuration_key"], r["j_per_output_token"]) for r in result["chosen"]] == [
        ("org/llama", "engine=vllm+max_num_seqs=64", pytest.approx(0.7)),
    ]


def test_a_deadline_on_a_board_with_no_served_run_is_refused_in_one_line(tmp_path):
    write_record(tmp_path, reference("org/plain", 5.0))
    plain = LeaderboardData.from_load(load_store(LocalStore(tmp_path)))
    with pytest.raises(ChooseInputError, match="no run of Text Generation on this board was measured as served"):
        choose(plain, TASK, max_itl_ms=30.0)


def test_what_helps_puts_each_engine_configuration_beside_the_models_reference(data):
    rows = {row["configuration_key"]: row for row in what_helps(data, TASK)["configurations"]}
    assert rows["engine=vllm"]["median_ratio"] == pytest.approx(0.9)
    assert rows["engine=vllm+max_num_seqs=8"]["median_ratio"] == pytest.approx(0.4)
    # both models' steady state at 64 against their references: 2/10 and 3/6
    assert rows["engine=vllm+max_num_seqs=64"]["median_ratio"] == pytest.approx((0.2 + 0.5) / 2)
    assert rows["engine=vllm+max_num_seqs=64"]["n_models"] == 2


def test_an_unstable_steady_state_is_never_put_forward_as_a_saving(data):
    keys = {row["configuration_key"] for row in what_helps(data, TASK)["configurations"]}
    assert "engine=vllm+max_num_seqs=256" not in keys


def test_steady_state_at_each_batch_is_compared_with_one_query_at_a_time(data):
    rows = served_summary(data, TASK)
    assert [(r["model_id"], r["max_num_seqs"], r["stable"]) for r in rows] == [
        ("org/llama", 8, True), ("org/llama", 64, True), ("org/llama", 256, False)]
    assert rows[0]["ratio"] == pytest.approx(1.4 / 3.2)
    assert (rows[1]["itl_median_ms"], rows[1]["one_at_a_time_itl_ms"]) == (40.0, 12.0)
    text = served_markdown(rows)
    assert "| 256 (unstable: not a steady state, never chosen) |" in text


def test_the_model_page_lists_each_engine_configuration_with_j_per_token_and_median_itl(data):
    from leaderboard.tabs.models_text import serving_markdown
    from leaderboard.views.model_page import model_page

    entries = {e["configuration_key"]: e for e in model_page(data, "org/llama")["entries"]}
    assert entries["reference"]["serving"] is None
    steady = entries["engine=vllm+max_num_seqs=8"]["serving"]
    assert (steady["protocol"], steady["max_num_seqs"], steady["itl_median_ms"]) == ("steady-state", 8, 20.0)
    assert steady["j_per_output_token"] == pytest.approx(1.4)
    assert serving_markdown(steady) == ("vLLM (steady-state, max_num_seqs 8; launched server) · 1.4 GPU J per output "
                                        "token · median ITL 20 ms · steady state over 60 s at 95% occupancy")
    unstable = serving_markdown(entries["engine=vllm+max_num_seqs=256"]["serving"])
    assert "⚠ **unstable: not a steady state, never chosen**: steady\\-state window of 5 s" in unstable
    one = entries["engine=vllm"]["serving"]
    assert (one["protocol"], one["stable"], one["itl_median_ms"]) == ("one-at-a-time", None, 12.0)


def test_the_served_plot_draws_each_model_across_its_batch_sizes(data):
    from leaderboard.display.plots import served_figure
    from leaderboard.views.tradeoff import served_tradeoff

    view = served_tradeoff(data, TASK, "NVIDIA H100 80GB HBM3")
    llama = next(m for m in view["models"] if m["model_id"] == "org/llama")
    assert [(p["max_num_seqs"], p["itl_median_ms"], p["stable"]) for p in llama["points"]] == [
        (None, 12.0, True), (8, 20.0, True), (64, 40.0, True), (256, 15.0, False)]
    figure = served_figure(view)
    trace = next(t for t in figure.data if t.name == "org/llama")
    assert list(trace.text) == ["one at a time", "B=8", "B=64", "B=256"]
    assert list(trace.marker.symbol) == ["circle", "circle", "circle", "x"]
