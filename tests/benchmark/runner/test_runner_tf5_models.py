"""Models that exist only in transformers 5, measured for real through ``python -m benchmark run``.

Each is a tiny random-weight model of an architecture transformers 4.57 cannot load (two text
generation ones, one a mixture of experts; a text classifier; an embedding model), run by
optimum-benchmark 0.6.0's ``energy_star`` scenario on the CPU through the compat module.
"""

from __future__ import annotations

import json

import pytest

from benchmark.record import ResultRecord
from benchmark.runner.params import count_params
from benchmark.tasks import get_task
from tests.benchmark.runner.test_runner_tasks import run_cli
from tests.support.env import subprocess_env
from tests.support.tiny_tf5_models import ARCHITECTURES

pytestmark = pytest.mark.runner

NUM_SAMPLES = 2


# transformers 4.57.6 registers 421 model types and none of these (checked against its
# CONFIG_MAPPING_NAMES); 5.24 registers 822.


def test_the_set_covers_two_generation_architectures_one_moe_and_two_other_tasks():
    generation = [a for a in ARCHITECTURES.values() if a.task == "text_generation"]
    assert len(generation) >= 2 and any(a.moe for a in generation)
    assert len({a.task for a in ARCHITECTURES.values()} - {"text_generation"}) >= 2


@pytest.mark.parametrize("model_type", sorted(ARCHITECTURES))
def test_a_transformers5_only_model_is_measured_with_its_energy_and_parameter_count(model_type, tiny, tmp_path):
    arch = ARCHITECTURES[model_type]
    model_dir = arch.build(tmp_path / "models")
    proc = run_cli(
        "run", "--model", str(model_dir), "--task", arch.task, "--dataset", str(tiny.dataset(arch.task)),
        "--num-samples", str(NUM_SAMPLES), "--repeats", "1", "--device", "cpu", "--warmup-runs", "1",
        "--output", str(tmp_path / "runs"),
        env=subprocess_env(),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    (record_file,) = (tmp_path / "runs").glob("*/record.json")
    record = ResultRecord.model_validate(json.loads(record_file.read_text()))
    spec = get_task(arch.task)

    assert record.task == arch.task and record.hardware.device == "cpu"
    assert record.software.transformers.startswith("5.")
    assert set(record.phases) == {"preprocess", *spec.inference_phases}
    assert record.total_wh_per_1k_queries > 0
    assert all(p.cpu_kwh > 0 and p.total_kwh > 0 for p in record.phases.values())
    # the parameter count is the safetensors count of the folder, and the model's own
    assert record.params == count_params(str(model_dir), "transformers") == _torch_params(model_dir, arch.task)


def _torch_params(model_dir, task: str) -> int:
    import transformers

    auto = {"text_generation": "AutoModelForCausalLM", "text_classification": "AutoModelForSequenceClassification",
            "sentence_similarity": "AutoModel"}[task]
    model = getattr(transformers, auto).from_pretrained(model_dir)
    return sum(p.numel() for p in model.parameters())
