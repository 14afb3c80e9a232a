"""ML.ENERGY's steady state, inter-token latency and J per output token, on hand-made traces with known answers."""

from __future__ import annotations

import pytest

from benchmark.engine import steady
from benchmark.engine.evidence import Evidence, Reading, WindowEnergy, repeat_from_evidence, steady_from_evidence
from benchmark.engine.traces import Chunk, RequestTrace, TokenMismatch, check_output_tokens, summarize


def trace(index: int, sent: float, chunks: list[tuple[float, int]], finished: float | None = None) -> RequestTrace:
    tokens = sum(n for _, n in chunks)
    return RequestTrace(index, sent, tuple(Chunk(at, n) for at, n in chunks),
                        finished if finished is not None else (chunks[-1][0] if chunks else sent), tokens, 5)


def test_a_chunks_gap_is_spread_evenly_over_the_tokens_it_carries():
    t = trace(0, 0.0, [(0.100, 1), (0.130, 3), (0.150, 1)])
    assert t.itls_s() == pytest.approx([0.010, 0.010, 0.010, 0.020])
    assert t.ttft_s == pytest.approx(0.100)
    assert t.tpot_s == pytest.approx((0.150 - 0.100) / (5 - 1))


def test_latency_percentiles_are_numpys_linear_ones_in_milliseconds():
    traces = [trace(i, 0.0, [(0.1 * (i + 1), 1), (0.1 * (i + 1) + 0.01 * (i + 1), 1)]) for i in range(4)]
    figures = summarize(traces).figures_ms()
    assert figures["ttft_median_ms"] == pytest.approx(250.0)  # 100, 200, 300, 400 ms
    assert figures["ttft_p90_ms"] == pytest.approx(370.0)
    assert figures["itl_median_ms"] == pytest.approx(25.0)  # 10, 20, 30, 40 ms


# Six requests, B = 2: first tokens at 1..6 s, finishes at 10..15 s. The window starts at the 2nd first
# token (2 s) and ends when N - B - 1 = 3 requests have finished (12 s).
SIX = [trace(i, 0.0, [(1.0 + i, 1), (9.0 + i, 2), (10.0 + i, 1)]) for i in range(6)]


def test_the_window_runs_from_b_first_tokens_to_n_minus_b_minus_1_finishes():
    window = steady.steady_window(SIX, 2)
    assert (window.start_s, window.end_s) == (2.0, 12.0)


def test_tokens_in_the_window_exclude_its_start_and_include_its_end():
    window = steady.steady_window(SIX, 2)
    # first-token chunks at 3, 4, 5, 6 (1 each; the one at 2 s is the start, excluded); chunks at 9, 10, 11, 12
    # s of 2 tokens (9+0..9+3); last chunks at 10, 11, 12 (1 each)
    assert steady.tokens_in(SIX, window) == 4 + 4 * 2 + 3


def test_client_occupancy_is_the_time_weighted_running_requests_over_b():
    window = steady.steady_window(SIX, 2)
    # request i runs from 1+i to 10+i; inside [2, 12]: 8, 9, 9, 8, 7, 6 s → 47 s over 10 s and B = 2
    assert steady.client_occupancy(SIX, window, 2) == pytest.approx(47 / 10 / 2)


def test_prometheus_occupancy_averages_the_samples_inside_the_window_only():
    window = steady.Window(2.0, 12.0)
    samples = [(1.0, 0.0), (2.0, 2.0), (7.0, 1.0), (12.0, 2.0), (13.0, 0.0)]
    assert steady.prometheus_occupancy(samples, window, 2) == pytest.approx(5 / 3 / 2)
    assert steady.prometheus_occupancy([(20.0, 2.0)], window, 2) is None


def window_energy(start_s: float, end_s: float, gpu_j: dict[int, float], cpu_j: float = 3.0) -> WindowEnergy:
    return WindowEnergy(Reading(start_s, {i: 1_000_000.0 for i in gpu_j}),
                        Reading(end_s, {i: 1_000_000.0 + j * 1000 for i, j in gpu_j.items()}), cpu_j, 1.0)


def test_j_per_output_token_sums_every_gpu_of_the_server_over_the_window_tokens():
    evidence = Evidence("steady-state", SIX, window_energy(2.0, 12.0, {0: 300.0, 1: 150.0}), sent_s=0.0,
                        max_num_seqs=2, running_samples=[(5.0, 2.0), (10.0, 2.0)], min_window_s=5.0)
    state = steady_from_evidence(evidence)
    assert state.gpu_energy_j == pytest.approx(450.0)
    assert state.output_tokens == 15
    assert state.energy_per_output_token_j == pytest.approx(30.0)
    assert (state.occupancy, state.occupancy_source, state.stable) == (1.0, "prometheus", True)
    assert state.duration_s == pytest.approx(10.0)


def test_a_steady_state_under_the_minimum_window_or_occupancy_is_unstable_and_says_why():
    short = Evidence("steady-state", SIX, window_energy(2.0, 12.0, {0: 300.0}), 0.0, 2, [(5.0, 2.0)],
                     min_window_s=20.0)
    state = steady_from_evidence(short)
    assert not state.stable and "window of 10.0 s, under the minimum of 20 s" in state.unstable_because
    half_full = Evidence("steady-state", SIX, window_energy(2.0, 12.0, {0: 300.0}), 0.0, 2, [(5.0, 1.6)],
                         min_window_s=5.0)
    state = steady_from_evidence(half_full)
    assert state.occupancy == pytest.approx(0.8)
    assert not state.stable and "occupancy 80%" in state.unstable_because


def test_an_end_before_the_start_gives_an_empty_window_and_an_unstable_run():
    # N = 3, B = 3: the window ends at the first finish (0.6 s), before the third first token (1.5 s)
    traces = [trace(0, 0.0, [(0.5, 1)], finished=0.6), trace(1, 0.0, [(1.0, 1), (2.0, 1)]),
              trace(2, 0.0, [(1.5, 1), (2.5, 1)])]
    window = steady.steady_window(traces, 3)
    assert window.duration_s == 0.0
    evidence = Evidence("steady-state", traces, window_energy(0.6, 0.6, {0: 0.0}), 0.0, 3, [], 0.0)
    state = steady_from_evidence(evidence)
    assert not state.stable and state.unstable_because.startswith("no output token")


def test_wh_per_1k_queries_at_steady_state_is_j_per_token_times_tokens_per_query():
    evidence = Evidence("steady-state", SIX, window_energy(2.0, 12.0, {0: 450.0}), 0.0, 2, [(5.0, 2.0)], 5.0)
    repeat = repeat_from_evidence(1, evidence, cap=4)
    # 30 J/token × 4 tokens per query × 1,000 queries / 3,600 J/Wh
    assert repeat.gpu_wh_per_1k_queries == pytest.approx(30 * 4 * 1000 / 3600)
    assert repeat.gpu_wh_per_1k_output_tokens == pytest.approx(30 * 1000 / 3600)
    assert list(repeat.phases) == ["steady_state"]


def test_one_at_a_time_scales_the_windows_energy_to_1000_queries():
    traces = [trace(i, float(i), [(i + 0.1, 1), (i + 0.2, 9)]) for i in range(4)]
    evidence = Evidence("one-at-a-time", traces, window_energy(0.0, 4.0, {0: 36.0, 1: 36.0}, cpu_j=0.0), 0.0)
    repeat = repeat_from_evidence(1, evidence, cap=10, fixed_length=True)
    assert repeat.gpu_wh_per_1k_queries == pytest.approx(72 / 3600 * 1000 / 4)
    assert repeat.total_wh_per_1k_queries == pytest.approx(73 / 3600 * 1000 / 4)  # + 1 J of RAM
    assert repeat.output_tokens is None  # a fixed length, checked before (as the transformers run keeps it)


def test_evidence_survives_its_file_unchanged():
    evidence = Evidence("steady-state", SIX, window_energy(2.0, 12.0, {0: 300.0, 1: 150.0}), 0.0, 2,
                        [(5.0, 2.0)], 5.0)
    assert Evidence.from_json(evidence.to_json()) == evidence


def test_output_tokens_other_than_asked_fail_the_run():
    good = [trace(0, 0.0, [(0.1, 1), (0.2, 9)])]
    check_output_tokens(good, asked=10, cap=10)
    with pytest.raises(TokenMismatch, match="exactly 11"):
        check_output_tokens(good, asked=11, cap=11)
    lying = [RequestTrace(0, 0.0, (Chunk(0.1, 1), Chunk(0.2, 9)), 0.2, output_tokens=12)]
    with pytest.raises(TokenMismatch, match="usage says 12 output tokens, the stream carried 10"):
        check_output_tokens(lying, asked=None, cap=100)


def test_an_occupancy_over_the_batch_means_the_client_fell_behind_and_is_unstable():
    reason = steady.unstable_because(60.0, 1.3, 1000)
    assert reason.startswith("mean occupancy 130% of the batch: more requests than the server runs")
    assert steady.unstable_because(60.0, 1.0, 1000) is None
