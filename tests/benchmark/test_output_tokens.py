"""How much a model talked, in the record: counted output tokens, energy per 1,000 output tokens on
every generation task, the all-at-cap flag, the older layout, and the thinking on/off ratio."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from benchmark.configuration import not_comparable_reason
from benchmark.record import Hardware, OutputTokens, ResultRecord, Settings, utc_now
from benchmark.runs.files import OUTPUT_TOKENS_KEY
from benchmark.runs.scoring import ReportError, repeat_from_report, summary
from benchmark.tasks import get_task

WH_PER_KWH = 1000.0
CAP = 16


def fake_report(gpu_kwh: dict[str, float], counts: list[int] | None = None) -> dict:
    """An optimum-benchmark report with these GPU energies per target (CPU and RAM a tenth of them)."""
    report = {
        target: {"energy": {"unit": "kWh", "cpu": kwh / 10, "gpu": kwh, "ram": kwh / 10}, "latency": {"total": 1.0}}
        for target, kwh in gpu_kwh.items()
    }
    if counts is not None:
        report[OUTPUT_TOKENS_KEY] = counts
    return report


GENERATION_KWH = {"preprocess_dataset": 0.001, "prefill": 0.002, "decode": 0.007}


def reasoning_spec(cap: int = CAP):
    spec = get_task("reasoning")
    return replace(spec, generate_kwargs={"max_new_tokens": cap})


def record_of(task: str, repeats: list, spec, num_samples: int, **settings) -> ResultRecord:
    return ResultRecord(
        run_id=f"run-{task}", model_id="org/model", task=task, created_at=utc_now(), hardware=Hardware(device="cuda"),
        settings=Settings(dataset=spec.dataset_id, num_samples=num_samples, dtype=spec.dtype, **settings),
        repeats=repeats, **summary(repeats, spec, num_samples),
    )


def test_per_query_statistics_of_counted_tokens():
    tokens = OutputTokens.from_counts([4, 1, 16, 2, 3], cap=CAP)
    assert (tokens.queries, tokens.total, tokens.queries_at_cap) == (5, 26, 1)
    assert tokens.per_query_mean == 5.2 and tokens.per_query_median == 3
    assert tokens.per_query_p95 == pytest.approx(4 + (16 - 4) * 0.8)  # linear between the two highest ranks
    assert not tokens.all_at_cap and OutputTokens.from_counts([16, 16], cap=CAP).all_at_cap


def test_repeats_combine_exactly_for_counts_and_mean():
    combined = OutputTokens.combine([OutputTokens.from_counts([2, 4], CAP), OutputTokens.from_counts([16, 6], CAP)])
    assert (combined.queries, combined.total, combined.queries_at_cap) == (4, 28, 1)
    assert combined.per_query_mean == 7.0 and combined.per_query_median == (3 + 11) / 2


@pytest.mark.parametrize(("task", "tokens_per_query"), [("text_generation", 10), ("summarization", 10),
                                                          ("image_to_text", 10), ("automatic_speech_recognition", 100)])
def test_fixed_length_tasks_count_their_forced_length_times_the_samples(task, tokens_per_query):
    repeat = repeat_from_report(1, fake_report(GENERATION_KWH), get_task(task), num_samples=4)
    scored_gpu_kwh = sum(GENERATION_KWH.values())
    assert repeat.output_tokens is None  # forced, not counted
    assert repeat.gpu_wh_per_1k_output_tokens == pytest.approx(
        scored_gpu_kwh * WH_PER_KWH * 1000 / (tokens_per_query * 4)
    )
    assert repeat.total_wh_per_1k_output_tokens == pytest.approx(1.2 * repeat.gpu_wh_per_1k_output_tokens)


def test_tasks_that_generate_nothing_have_no_figure_per_output_token():
    report = fake_report({"preprocess_dataset": 0.001, "forward": 0.002})
    repeat = repeat_from_report(1, report, get_task("text_classification"), num_samples=4)
    assert repeat.gpu_wh_per_1k_output_tokens is None and repeat.output_tokens is None


def test_reasoning_scales_the_scored_energy_by_the_counted_tokens():
    repeat = repeat_from_report(1, fake_report(GENERATION_KWH, [3, 16, 5, 8]), reasoning_spec(), num_samples=4)
    assert repeat.output_tokens.total == 32
    assert repeat.gpu_wh_per_1k_output_tokens == pytest.approx(0.010 * WH_PER_KWH * 1000 / 32)
    assert repeat.gpu_wh_per_1k_queries == pytest.approx(0.010 * WH_PER_KWH * 1000 / 4)


@pytest.mark.parametrize(
    ("counts", "message"),
    [(None, f"has no {OUTPUT_TOKENS_KEY}"), ([3, 17, 5, 8], "outside 1..16"), ([3, 5], "counted 2 answers for 4")],
    ids=["not-counted", "over-the-cap", "missing-answers"],
)
def test_a_reasoning_report_that_miscounts_is_refused(counts, message):
    with pytest.raises(ReportError, match=message):
        repeat_from_report(1, fake_report(GENERATION_KWH, counts), reasoning_spec(), num_samples=4)


def test_a_run_where_every_query_hits_the_cap_is_published_with_the_flag():
    spec = reasoning_spec()
    repeats = [repeat_from_report(i, fake_report(GENERATION_KWH, [CAP] * 4), spec, 4) for i in (1, 2)]
    record = record_of("reasoning", repeats, spec, 4, reasoning=True, max_new_tokens=CAP)
    assert record.output_tokens.all_at_cap and record.output_tokens.queries == 8
    assert "every query hit the cap of 16 new tokens" in record.notes
    again = ResultRecord.from_json(record.to_json())
    assert again.output_tokens.all_at_cap and again.notes == record.notes


def test_a_record_without_the_new_fields_keeps_the_older_layout():
    spec = get_task("text_classification")
    repeat = repeat_from_report(1, fake_report({"preprocess_dataset": 0.001, "forward": 0.002}), spec, 4)
    written = json.loads(record_of("text_classification", [repeat], spec, 4).to_json())
    later = {"output_tokens", "gpu_wh_per_1k_output_tokens", "total_wh_per_1k_output_tokens", "configuration"}
    assert later.isdisjoint(written) and later.isdisjoint(written["repeats"][0])
    assert {"reasoning", "reasoning_effort", "max_new_tokens"}.isdisjoint(written["settings"])
    assert ResultRecord.from_json(json.dumps(written)).output_tokens is None


def test_a_cap_other_than_the_tasks_makes_a_reasoning_record_not_comparable():
    spec = get_task("reasoning")
    counts = [CAP] * 1000
    repeat = repeat_from_report(1, fake_report(GENERATION_KWH, counts), reasoning_spec(), 1000)
    record = record_of("reasoning", [repeat], reasoning_spec(), 1000, reasoning=True, max_new_tokens=CAP)
    assert not_comparable_reason(record, spec) == "a cap of 16 new tokens, not the task's 8,192"
    full = record.model_copy(update={"settings": record.settings.model_copy(update={"max_new_tokens": 8192})})
    assert not_comparable_reason(full, spec) is None


def test_thinking_on_against_off_is_the_ratio_of_two_records():
    off_spec = get_task("text_generation")
    off = record_of("text_generation", [repeat_from_report(1, fake_report(GENERATION_KWH), off_spec, 4)],
                    off_spec, 4, new_tokens=10)
    on_kwh = {name: 46 * kwh for name, kwh in GENERATION_KWH.items()}
    on = record_of("reasoning", [repeat_from_report(1, fake_report(on_kwh, [380, 380, 380, 380]),
                                                    reasoning_spec(8192), 4)],
                   reasoning_spec(8192), 4, reasoning=True, max_new_tokens=8192)
    off_tokens_per_query = off.settings.new_tokens  # fixed length: every query generated exactly this
    assert on.gpu_wh_per_1k_queries / off.gpu_wh_per_1k_queries == pytest.approx(46)
    assert on.output_tokens.per_query_mean / off_tokens_per_query == pytest.approx(38)
    # per output token, thinking on costs 46 / 38 as much
    assert on.gpu_wh_per_1k_output_tokens / off.gpu_wh_per_1k_output_tokens == pytest.approx(46 / 38)
