"""A short run survives optimum-benchmark's latency subtraction: each query's decode latency is its own
generate() less its own prefill (never less the mean of every prefill), nothing is asserted on it, and a
query whose own prefill still outlasted its generate() makes the phase's latency "not measurable" — said in
one line — while the energy is scored as ever. Checked on numbers written down here, and on a real 8-sample
run of a tiny text-generation model while both cores are kept busy."""

from __future__ import annotations

import pytest

from benchmark.runner import latency
from benchmark.runner.run import RunSpec, run_benchmark
from benchmark.runs.scoring import phase_from_report
from tests.support.env import cpu_hog


def test_each_query_loses_its_own_prefill_not_the_mean():
    generate = [0.50, 0.20, 0.30]
    prefill = [0.10, 0.15, 0.05]  # the mean (0.1) would leave the second query 0.10, its own leaves 0.05
    assert latency.per_query_difference(generate, prefill) == pytest.approx([0.40, 0.05, 0.25])
    assert latency.per_query_difference([0.5, 0.5], [0.2]) == pytest.approx([0.3, 0.3])  # unpaired: the mean


def test_a_stalled_prefill_no_longer_ends_the_run_and_leaves_the_latency_unmeasured():
    from optimum_benchmark.trackers.latency import Latency

    import benchmark.runner.compat  # noqa: F401 - installs the per-query subtraction, as in the child

    generate = Latency.from_values([0.20, 0.21, 0.19, 0.20], unit="s")
    prefill = Latency.from_values([0.01, 0.90, 0.01, 0.01], unit="s")  # the second prefill stalled
    decode = generate - prefill  # optimum-benchmark asserted here ("Found some negative latencies")
    assert decode.values == pytest.approx([0.19, -0.69, 0.18, 0.19])
    energy = {"unit": "kWh", "cpu": 1e-6, "gpu": 0.0, "ram": 1e-7}
    phase = phase_from_report({"energy": energy, "latency": {"total": decode.total, "values": decode.values}},
                              "decode")
    assert phase.latency_s is None and phase.cpu_kwh == 1e-6  # latency not measurable; energy as measured
    fine = phase_from_report({"energy": energy, "latency": {"total": 0.4, "values": [0.2, 0.2]}}, "decode")
    assert fine.latency_s == 0.4


@pytest.mark.runner
def test_an_8_sample_text_generation_run_finishes_beside_a_cpu_hog(tiny, tmp_path):
    from tests.support.tiny_datasets import build_dataset

    data = build_dataset("text_generation", tmp_path, num_rows=8)
    spec = RunSpec(model=str(tiny.model("text_generation")), task="text_generation", dataset=str(data),
                   num_samples=8, repeats=2, device="cpu",
                   warmup_runs=1, output_dir=tmp_path / "runs")
    with cpu_hog(workers=2):
        record = run_benchmark(spec).record
    assert [r.index for r in record.repeats] == [1, 2]
    assert record.total_wh_per_1k_queries > 0 and set(record.phases) >= {"prefill", "decode"}
    # the latency per query is the phases' own, or not measured at all (never a negative or made-up one)
    phases = [record.phases["prefill"].latency_s, record.phases["decode"].latency_s]
    if None in phases:
        assert record.latency_s_per_query is None
    else:
        assert record.latency_s_per_query == pytest.approx(sum(phases) / 8)
