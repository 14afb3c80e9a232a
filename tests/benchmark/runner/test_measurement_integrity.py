"""What a record may count: no GPU energy on a CPU run, never stars for one, parameters counted once."""

from __future__ import annotations

import json
import struct

import pytest

from benchmark.board.frame import frame_from_records
from benchmark.board.rating import FLAG_CPU
from benchmark.runner import model_source
from benchmark.runner.params import count_params, weight_files
from benchmark.runs.scoring import PREPROCESS_TARGET, repeat_from_report
from benchmark.tasks import TASKS
from tests.support.leaderboard_fixtures import CPU, H100, make_record


def _phase(cpu: float, gpu: float, ram: float) -> dict:
    return {"energy": {"unit": "kWh", "cpu": cpu, "gpu": gpu, "ram": ram}, "latency": {"total": 1.0}}


def test_a_cpu_run_counts_none_of_the_gpu_energy_codecarbon_saw_on_the_machine():
    # codecarbon, given no GPU ids, tracked the machine's idle GPUs: 3e-6 + 5e-6 kWh that is not the model's
    report = {PREPROCESS_TARGET: _phase(1e-6, 3e-6, 1e-7), "forward": _phase(2e-6, 5e-6, 2e-7)}
    spec = TASKS["text_classification"]
    on_cpu = repeat_from_report(1, report, spec, 10, device="cpu")
    assert on_cpu.gpu_wh_per_1k_queries == 0.0
    assert on_cpu.total_wh_per_1k_queries == pytest.approx((1e-6 + 1e-7 + 2e-6 + 2e-7) * 1e6 / 10)
    assert on_cpu.excluded_gpu_kwh == pytest.approx(8e-6)
    assert all(p.gpu_kwh == 0.0 for p in on_cpu.phases.values())
    on_gpu = repeat_from_report(1, report, spec, 10, device="cuda")
    assert on_gpu.gpu_wh_per_1k_queries == pytest.approx(8e-6 * 1e6 / 10)
    assert on_gpu.excluded_gpu_kwh is None


def test_a_cpu_row_is_never_rated_whatever_its_gpu_figure():
    records = [
        make_record("org/gpu-a", "text_classification", 1.0, hardware=H100),
        make_record("org/gpu-b", "text_classification", 3.0, hardware=H100),
        # an old CPU record that carries a GPU figure (idle GPUs counted before the fix)
        make_record("org/cpu-run", "text_classification", 2.0, hardware=CPU),
    ]
    frame = frame_from_records(records).set_index("model_id")
    assert frame.loc["org/cpu-run", "device"] == "cpu"
    assert frame.loc["org/cpu-run", "stars"] is not None and str(frame.loc["org/cpu-run", "stars"]) == "<NA>"
    assert frame.loc["org/cpu-run", "rating_flag"] == FLAG_CPU
    assert (int(frame.loc["org/gpu-a", "stars"]), int(frame.loc["org/gpu-b", "stars"])) == (5, 1)


def _safetensors(path, tensors: dict[str, list[int]]) -> None:
    header = {name: {"dtype": "F32", "shape": shape, "data_offsets": [0, 0]} for name, shape in tensors.items()}
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw)


def _mistral_like(folder, with_index: bool = True):
    # Two shards of 100 + 50 parameters, and the same 150 again as consolidated.safetensors
    _safetensors(folder / "model-00001-of-00002.safetensors", {"a": [10, 10]})
    _safetensors(folder / "model-00002-of-00002.safetensors", {"b": [50]})
    _safetensors(folder / "consolidated.safetensors", {"a": [10, 10], "b": [50]})
    if with_index:
        index = {"metadata": {"total_size": 600},
                 "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}
        (folder / "model.safetensors.index.json").write_text(json.dumps(index))


def test_a_repo_with_shards_an_index_and_a_consolidated_file_is_counted_once(tmp_path):
    _mistral_like(tmp_path)
    assert [f.name for f in weight_files(tmp_path)] == [
        "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"
    ]
    assert count_params(str(tmp_path), "transformers") == 150


def test_without_an_index_consolidated_files_and_variants_are_still_left_out(tmp_path):
    _mistral_like(tmp_path, with_index=False)
    _safetensors(tmp_path / "model.fp16.safetensors", {"a": [10, 10], "b": [50]})
    assert count_params(str(tmp_path), "transformers") == 150


def test_consolidated_files_are_not_downloaded_when_the_repo_has_the_usual_shards(monkeypatch):
    files = ["config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors",
             "model-00002-of-00002.safetensors", "consolidated.safetensors", "pytorch_model.bin"]

    class Api:
        def list_repo_files(self, model, revision=None):
            return files

    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "HfApi", Api)
    patterns = model_source._ignore_patterns("mistralai/Mistral-7B-v0.3", None)
    assert "consolidated*" in patterns and "*.bin" in patterns
    # a repository that only has consolidated weights keeps them
    files[:] = ["config.json", "consolidated.safetensors"]
    assert "consolidated*" not in model_source._ignore_patterns("org/only-consolidated", None)


def test_the_spread_is_the_sample_standard_deviation_and_the_page_says_so():
    """Repeats 1, 2, 3 Wh: the sample (n − 1) deviation is 1.0, the population one would be 0.816."""
    from benchmark.record import PhaseMeasurement, Repeat
    from benchmark.runs.scoring import summary
    from leaderboard.display import strings
    from leaderboard.tabs.about import about_markdown

    phase = PhaseMeasurement(cpu_kwh=0.0, gpu_kwh=1e-6, ram_kwh=0.0, latency_s=1.0)
    repeats = [Repeat(index=i, gpu_wh_per_1k_queries=float(i), total_wh_per_1k_queries=float(i),
                      phases={"forward": phase}) for i in (1, 2, 3)]
    figures = summary(repeats, TASKS["text_classification"], 1000)
    assert figures["gpu_wh_per_1k_queries"] == pytest.approx(2.0)
    assert figures["gpu_wh_per_1k_queries_std"] == pytest.approx(1.0)
    assert figures["total_wh_per_1k_queries_std"] == pytest.approx(1.0)
    said = "sample standard deviation (n − 1)"
    assert said in strings.SORT_HELP  # shown above every task table
    assert said in about_markdown()
