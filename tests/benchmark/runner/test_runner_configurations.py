"""Run configurations reach optimum-benchmark's own options, and what the device or the task cannot
do is refused before anything runs. Real runs on tiny models, on the CPU; what is asserted is what
optimum-benchmark's child really loaded (``loaded.json``, read from the model object in the child)."""

from __future__ import annotations

import pytest

from benchmark.runner.run import BenchmarkError, RunSpec, run_benchmark
from tests.benchmark.runner.test_runner_errors import assert_refused, run_cli
from tests.support.tiny_t5 import build_t5

NUM_SAMPLES = 4


def measure(model, dataset, tmp_path, num_samples: int = NUM_SAMPLES, **options):
    spec = RunSpec(model=str(model), task="text_classification", dataset=str(dataset), num_samples=num_samples,
                   repeats=1, device="cpu", warmup_runs=1, output_dir=tmp_path / "runs", **options)
    return run_benchmark(spec).record


@pytest.mark.runner
def test_bfloat16_batch_size_4_and_sdpa_are_what_the_child_loaded_and_make_the_key(tiny, tmp_path):
    record = measure(tiny.model("text_classification"), tiny.dataset("text_classification"), tmp_path,
                     dtype="bfloat16", batch_size=4, attn_implementation="sdpa")
    loaded = record.repeats[0].loaded
    assert loaded["dtype"] == "bfloat16" and loaded["attn_implementation"] == "sdpa"
    assert loaded["batch_size"] == 4  # the input batches the child fed the model
    assert record.configuration.key == "dtype=bfloat16+batch_size=4+attn=sdpa"
    assert (record.settings.dtype, record.settings.batch_size) == ("bfloat16", 4)


@pytest.mark.runner
def test_eager_attention_torch_compile_and_torchao_int8_are_what_the_child_ran(tiny, tmp_path):
    record = measure(tiny.model("text_classification"), tiny.dataset("text_classification"), tmp_path,
                     attn_implementation="eager", torch_compile=True, quantization="torchao-int8wo")
    loaded = dict(record.repeats[0].loaded)
    assert loaded.pop("params") == record.params  # the loaded module's parameters, as the weights count them
    assert loaded == {"dtype": "float32", "attn_implementation": "eager", "quantization_method": "torchao",
                      "compiled": True, "batch_size": 1}
    assert record.configuration.key == "attn=eager+torch_compile+quant=torchao-int8wo"


# optimum-benchmark's decode latency is each generate() call's latency minus the *mean* prefill latency
# (``Latency.__sub__``) and it refuses the run if one comes out negative. With 4 samples, one prefill
# stalled by the scheduler on a busy 2-core machine lifts that mean past a whole 10-token generate() of
# the tiny T5: the intermittent failure (1 in 50 looped runs with another loop beside it, traceback:
# "Found some negative latencies while performing substraction"). 32 samples dilute such a stall 8x more.
ZERO_SHOT_SAMPLES = 32


@pytest.mark.runner
def test_zero_shot_prompting_runs_a_tiny_t5_as_text_to_text_generation(tiny, tmp_path):
    from tests.support.tiny_datasets import build_dataset

    data = build_dataset("text_classification", tmp_path / "zero-shot", num_rows=ZERO_SHOT_SAMPLES)
    record = measure(build_t5(tmp_path), data, tmp_path, num_samples=ZERO_SHOT_SAMPLES, zero_shot=True)
    assert record.configuration.key == "zero_shot" and record.configuration.zero_shot is True
    assert set(record.phases) == {"preprocess", "prefill", "decode"}  # generated, not one forward pass
    assert record.repeats[0].loaded["dtype"] == "float32"


@pytest.mark.parametrize(
    ("task", "options", "needle"),
    [
        ("text_generation", {"zero_shot": True}, "--zero-shot: task text_generation does not admit this option"),
        ("text_to_image", {"attn_implementation": "sdpa"}, "--attn-implementation: task text_to_image does not admit"),
        ("text_classification", {"dtype": "float8"}, "--dtype: unknown value 'float8'"),
        ("text_classification", {"attn_implementation": "flash"}, "--attn-implementation: unknown value 'flash'"),
        ("text_classification", {"quantization": "gptq"}, "--quantization: unknown value 'gptq'"),
        ("text_classification", {"batch_size": 0}, "--batch-size: must be a positive integer, got 0"),
        ("text_classification", {"quantization": "bnb-4bit"}, "--quantization: bnb-4bit (bitsandbytes) needs a CUDA"),
        ("text_classification", {"quantization": "bnb-8bit"}, "--quantization: bnb-8bit (bitsandbytes) needs a CUDA"),
        ("text_classification", {"attn_implementation": "flash_attention_2"},
         "--attn-implementation: flash_attention_2 needs a CUDA GPU"),
        ("text_classification", {"dtype": "float16"}, "--dtype: float16 does not run on a CPU"),
    ],
    ids=["task-no-zero-shot", "pipeline-no-attn", "unknown-dtype", "unknown-attn", "unknown-quant", "zero-batch",
         "bnb4-on-cpu", "bnb8-on-cpu", "flash-on-cpu", "float16-on-cpu"],
)
def test_an_option_the_task_value_or_device_cannot_take_is_refused_before_anything_runs(task, options, needle,
                                                                                          tmp_path):
    with pytest.raises(BenchmarkError, match="^" + needle.replace("(", r"\(").replace(")", r"\)")) as caught:
        run_benchmark(RunSpec(model="org/model", task=task, device="cpu", output_dir=tmp_path / "runs", **options))
    assert "\n" not in str(caught.value) and caught.value.run_dir is None
    assert not (tmp_path / "runs").exists()


def test_flash_attention_without_the_package_is_refused_on_cuda(monkeypatch, tmp_path):
    import benchmark.run_spec as run_spec

    monkeypatch.setattr(run_spec, "has_flash_attn", lambda: False)
    with pytest.raises(BenchmarkError, match="^--attn-implementation: flash_attention_2 needs the flash-attn package"):
        run_benchmark(RunSpec(model="org/model", task="text_generation", device="cuda",
                              attn_implementation="flash_attention_2", output_dir=tmp_path / "runs"))
    assert not (tmp_path / "runs").exists()


def test_the_cli_refuses_bitsandbytes_on_a_cpu_in_one_line_without_a_record(tmp_path):
    proc = run_cli(tmp_path, "--model", "org/model", "--task", "text_classification", "--quantization", "bnb-4bit")
    assert_refused(proc, tmp_path, "--quantization", "needs a CUDA GPU")
    assert not (tmp_path / "runs").exists()
