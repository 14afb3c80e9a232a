"""A mutation pass: small, realistic bugs put into the code one at a time, the tests that should notice run
against each, the file restored. A mutation the tests do not notice is a survivor: a bug users would meet.

    python scripts/mutations.py            # every mutation; prints each verdict, then the score
    python scripts/mutations.py --list     # what each mutation does and which tests it runs
    python scripts/mutations.py --only NAME [--only NAME ...]

Each mutation is data: the file, the exact text replaced (it must occur exactly once, so a change to the code
shows up as a broken mutation rather than a silent pass), its replacement, and the tests to run. The file is
restored byte for byte after each, whatever happens (Ctrl-C included). Exit code: the number of survivors.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = os.environ.get("PYTHON") or (str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists()
                                      else sys.executable)
UPLOADS = "tests/benchmark/uploads/test_upload_attacks.py"
BOARD = "tests/benchmark/uploads/test_uploads_on_the_board.py"
ZIPS = "tests/benchmark/uploads/test_hostile_zips.py"
CHOOSE = "tests/leaderboard/views/test_choose.py"
STEADY = "tests/benchmark/engine/test_steady_state_figures.py"
SERVED = "tests/leaderboard/views/test_served_runs_on_the_board.py"
PUBLISHED = "tests/benchmark/quality/test_published_metric_figures.py"


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str
    old: str
    new: str
    tests: tuple[str, ...]
    why: str  # what a user would suffer


def attack(case: str) -> str:
    return f"{UPLOADS}::test_an_attack_on_a_run_folder_is_refused_in_one_line_and_the_store_is_unchanged[{case}]"


MUTATIONS: tuple[Mutation, ...] = (
    # issue 30: uploads never overwrite, shadow or re-rate what was measured
    Mutation("local commit not create-only", "benchmark/store.py",
             "                if os.path.lexists(self._abs(path)):", "                if False:",
             (f"{UPLOADS}::test_a_create_only_commit_refuses_an_existing_path_and_writes_nothing",),
             "an approval replaces a measured record in a local store"),
    Mutation("hub commit not create-only", "benchmark/store.py",
             "                if check_path(path) in existing:", "                if False:",
             (f"{UPLOADS}::test_a_create_only_commit_refuses_an_existing_path_and_writes_nothing",),
             "an approval replaces a measured record on the Hub"),
    Mutation("exact file path listed as nothing", "benchmark/store.py",
             "            return [] if base.name.startswith(\".\") else [base.relative_to(self.root).as_posix()]",
             "            return []", (f"{UPLOADS}::test_an_upload_whose_run_id_is_already_published_is_refused_at_upload",),
             "\"already published?\" answered no for a file that is there"),
    Mutation("approval without create-only paths", "benchmark/uploads/review.py",
             'f"Approve upload {upload_id} ({maintainer})", create=published)',
             'f"Approve upload {upload_id} ({maintainer})")',
             (f"{UPLOADS}::test_approving_over_a_measured_run_id_is_refused_and_changes_no_byte",),
             "approving an upload that reuses a run id overwrites the measured record"),
    Mutation("upload of a published run id received", "benchmark/uploads/review.py",
             "    if store.exists(record_path(record)):", "    if False:",
             (f"{UPLOADS}::test_an_upload_whose_run_id_is_already_published_is_refused_at_upload",),
             "an upload that can never be approved waits in review for ever"),
    Mutation("self-reported runs win by date", "benchmark/board/records.py",
             "    return 0 if record_provenance(record) == SELF_REPORTED else 1", "    return 1",
             (f"{BOARD}::test_a_far_future_self_reported_record_never_hides_the_measured_row",),
             "an upload dated 2199 hides the measured row for ever"),
    Mutation("uploads set the bins", "benchmark/board/rating.py",
             "    if BANDS_COLUMN not in df:  # a board written before the column: the provenance says it",
             "    return np.ones(len(df), dtype=bool)\n    if BANDS_COLUMN not in df:",
             (f"{BOARD}::test_a_self_reported_row_leaves_every_measured_star_unchanged_until_a_reproduction_verifies_it",),
             "a 3 Wh upload moves three measured rows' stars"),
    Mutation("verified uploads never join the bins", "benchmark/board/frame.py",
             '        frame["in_bands"] |= frame["run_id"].isin(verified)', "        pass",
             (f"{BOARD}::test_a_self_reported_row_leaves_every_measured_star_unchanged_until_a_reproduction_verifies_it",),
             "a reproduction that agrees changes nothing"),
    Mutation("verified when any reproduction agrees", "benchmark/board/verification.py",
             "VERIFIED if all(a.within for _, a in found) else DISPUTED",
             "VERIFIED if any(a.within for _, a in found) else DISPUTED",
             (f"{BOARD}::test_one_disagreeing_reproduction_disputes_an_entry_even_when_another_agrees",),
             "an entry one reproduction disagrees with is shown verified"),
    Mutation("2,000 repeats allowed", "benchmark/run_spec.py", "MAX_REPEATS = 20", "MAX_REPEATS = 5000",
             (attack("2,000 repeats"), f"{ZIPS}::test_2000_repeats_sharing_one_report_are_refused_before_any_report_is_read"),
             "a 20 KB upload costs gigabytes of memory in the Space"),
    Mutation("GPU name matched as a substring", "benchmark/uploads/evidence.py",
             "gpu_name_key(record.hardware.gpu_name) != gpu_name_key(named)",
             "record.hardware.gpu_name not in named", (attack("GPU name a substring"),),
             "an upload forms its own rating group named \"A\""),
    Mutation("one report's content for two repeats", "benchmark/uploads/evidence.py",
             'f"sha256:{hashlib.sha256(path.read_bytes()).hexdigest()}"', '"sha256:" + str(index)',
             (attack("two repeats with one report's content"),), "one run passed off as three with a spread"),
    Mutation("submitter's size class kept", "benchmark/uploads/evidence.py",
             "    if record.size_class is not None:", "    if False:",
             (attack("size class declared by the submitter"),), "a 100M model rated among 70B ones"),
    Mutation("size class not checked against the loaded parameters", "benchmark/uploads/evidence.py",
             "        if size_class(held) != claimed:", "        if False:",
             (attack("parameters of another size class than loaded"),), "a small model claims a big model's class"),
    Mutation("any future date accepted", "benchmark/uploads/limits.py", "CLOCK_SKEW = timedelta(hours=1)",
             "CLOCK_SKEW = timedelta(days=365 * 300)", (attack("dated in the far future"),),
             "an upload dated 2199 is received"),
    Mutation("dates before the software accepted", "benchmark/uploads/limits.py",
             '("optimum_benchmark", "0.6"): datetime(2025, 8, 1, tzinfo=UTC)',
             '("optimum_benchmark", "0.6"): datetime(2000, 8, 1, tzinfo=UTC)',
             (attack("dated before its software existed"),), "a backdated upload"),
    Mutation("zip end record not read", "benchmark/uploads/archive.py",
             "    if entries > MAX_ENTRIES:", "    if False:",
             (f"{ZIPS}::test_480000_folder_entries_are_refused_from_the_end_record_in_little_time_and_memory",),
             "a 45 MB zip of 480,000 entries costs seconds and hundreds of MB"),
    Mutation("hard links followed", "benchmark/uploads/archive.py",
             "        if info.st_nlink > 1:\n            raise ArchiveRefused(f\"the run folder holds a hard link",
             "        if False:\n            raise ArchiveRefused(f\"the run folder holds a hard link",
             (attack("hard-linked codecarbon file"),), "a secret outside the folder is stored"),
    Mutation("symlinks listed as files", "benchmark/uploads/archive.py",
             "        if not stat.S_ISREG(info.st_mode):\n            raise ArchiveRefused(f\"the run folder holds {_kind",
             "        if False:\n            raise ArchiveRefused(f\"the run folder holds {_kind",
             (attack("symlinked codecarbon file"),), "a symlink is followed out of the folder"),
    Mutation("reproduce loads what the uploader named", "benchmark/uploads/reproduce.py",
             "    if model is None:\n        _check_hub_source(record)", "    pass",
             (f"{UPLOADS}::test_reproducing_an_upload_needs_the_maintainers_model_or_a_pinned_hub_id",),
             "a maintainer's machine loads a local folder an uploader named"),
    Mutation("review list not escaped", "leaderboard/submission/uploads.py",
             "    return describe(upload, escape_markdown) + why", "    return describe(upload) + why",
             (f"{UPLOADS}::test_the_review_list_shows_every_value_an_uploader_controls_as_text",),
             "an image from a foreign host loads in the maintainer's review list"),
    Mutation("on a Space from SYSTEM alone", "leaderboard/submission/tabs.py",
             'return os.environ.get("SYSTEM") == "spaces" and bool(os.environ.get("SPACE_ID"))',
             'return os.environ.get("SYSTEM") == "spaces"',
             ("tests/leaderboard/submission/test_login_security.py::test_the_app_and_gradio_agree_on_being_on_a_space",),
             "any visitor becomes the host, a maintainer"),
    Mutation("summary names an upload without its badge", "leaderboard/views/summary.py",
             '    return escape_markdown(model_id or "") + (f" {badge}" if badge else "")',
             '    return escape_markdown(model_id or "")',
             (f"{BOARD}::test_a_self_reported_row_leaves_every_measured_star_unchanged_until_a_reproduction_verifies_it",),
             "\"most efficient\" names an upload as if we measured it"),
    # issue 31: a board that tells the truth at a glance
    Mutation("default board keeps each cohort's stars", "leaderboard/results/releases.py",
             '    rows["stars"] = star_ratings(rows)\n    rows["rating_flag"] = rating_flags(rows)\n    return sort_rows(rows)',
             "    return sort_rows(rows)",
             ("tests/leaderboard/test_releases_api.py::test_the_default_board_never_gives_fewer_stars_to_less_energy_within_a_rating_group",),
             "Qwen3-0.6B at 11.8 Wh gets more stars than phi-2 at 9.9 Wh"),
    Mutation("numbers in scientific notation", "leaderboard/display/formats.py",
             '    text = f"{rounded:,.{decimals}f}"', '    text = f"{rounded:.4g}"',
             ("tests/leaderboard/views/test_format.py",), "\"1.899e+04 Wh\" on a summary"),
    Mutation("empty columns shown", "leaderboard/views/tables.py",
             "    if column.dtype.kind in \"fc\":\n        return bool(column.notna().any())",
             "    if column.dtype.kind in \"fc\":\n        return True",
             ("tests/leaderboard/views/test_views.py::test_a_task_table_lists_models_most_efficient_first_with_stars",),
             "blank ± Wh and token columns on every published row"),
    Mutation("left-out models by name", "leaderboard/views/choose.py",
             '    excluded.sort(key=lambda item: (item["miss"] is None, item["miss"] if item["miss"] is not None else 0.0,',
             '    excluded.sort(key=lambda item: (False, 0.0,',
             (f"{CHOOSE}::test_left_out_models_come_nearest_first_with_their_figure_and_the_limit_in_units_and_no_figure_apart",),
             "the near misses are buried among 60 models"),
    Mutation("a limit on a missing figure answered", "leaderboard/views/choose.py",
             "    _check_figures_exist(rows, limits, TASKS[task].display_name)", "    pass",
             (f"{CHOOSE}::test_a_limit_on_a_figure_no_row_has_is_refused_in_one_line",),
             "a 1 s latency limit excludes all 62 models without saying why"),
    Mutation("beaten the wrong way round", "leaderboard/views/choose.py",
             '            better_quality = (other["quality"] > item["quality"]) if higher_is_better else \\',
             '            better_quality = (other["quality"] < item["quality"]) if higher_is_better else \\',
             (f"{CHOOSE}::test_a_result_another_beats_on_both_energy_and_quality_is_marked",),
             "the better model is marked beaten"),
    Mutation("label prints the public Space", "leaderboard/label/facts.py",
             "    if host:\n        return f\"https://{host}/\"\n    if served_at:\n        return served_at",
             "    pass",
             ("tests/leaderboard/label/test_energy_label.py::test_the_label_prints_the_address_its_markdown_link_leads_to",),
             "the label's address is not where its link goes"),
    # issue 34: tests that hold, runs that survive
    Mutation("decode less the mean prefill", "benchmark/runner/latency.py",
             "    if len(minuend) == len(subtrahend):", "    if False:",
             ("tests/benchmark/runner/test_decode_latency.py::test_each_query_loses_its_own_prefill_not_the_mean",),
             "a stalled prefill ends a user's run"),
    Mutation("negative decode latency reported", "benchmark/runs/scoring.py",
             'and all(float(v) >= 0 for v in latency.get("values") or ())', "",
             ("tests/benchmark/runner/test_decode_latency.py::test_a_stalled_prefill_no_longer_ends_the_run_and_leaves_the_latency_unmeasured",),
             "a made-up latency per query"),
    Mutation("coarse counter at 50 %", "benchmark/runs/counter.py", "COARSE_RESOLUTION_PCT = 5.0",
             "COARSE_RESOLUTION_PCT = 50.0",
             ("tests/benchmark/test_field_bounds.py::test_the_runner_calls_a_figure_coarse_above_5_percent_of_its_energy",),
             "a ±40 % figure looks precise"),
    Mutation("dates to 2300", "benchmark/validation.py", "LATEST_DATE = datetime(2200, 1, 1, tzinfo=UTC)",
             "LATEST_DATE = datetime(2300, 1, 1, tzinfo=UTC)", ("tests/benchmark/test_field_bounds.py",),
             "a 2250 date past pandas' 2262 limit is read"),
    Mutation("control characters in ids", "benchmark/validation.py",
             "    if _CONTROL.search(value):", "    if False:", ("tests/benchmark/test_field_bounds.py",),
             "a newline in a model id breaks one-line messages and Markdown tables"),
    Mutation("limited quality figures compared", "benchmark/quality/record.py",
             "        return self.on_declared_benchmark and self.settings.limit is None",
             "        return self.on_declared_benchmark",
             ("tests/leaderboard/results/test_quality.py::test_a_figure_measured_on_a_few_examples_is_never_the_rows_figure_whatever_its_date_or_id",),
             "99 % on 8 examples tops the board"),
    Mutation("quality step measured twice", "benchmark/queue/worker.py",
             "        if adopted is not None:\n            return adopted, None", "        pass",
             ("tests/benchmark/queue/test_exactly_once.py::test_a_quality_figure_an_earlier_attempt_published_is_adopted_not_measured_twice",),
             "a requeued request measures quality again"),
    Mutation("non-runner reruns pass CI", "tests/conftest.py",
             '        if "runner" not in report.keywords:', "        if False:",
             ("tests/test_reruns_counted.py",), "a flaky test hides in a green CI"),
    # issue 32: the serving engine
    Mutation("steady window ends one finish late", "benchmark/engine/steady.py",
             "    end_after = max(len(traces) - max_num_seqs - 1, 1)", "    end_after = max(len(traces) - max_num_seqs, 1)",
             (f"{STEADY}::test_the_window_runs_from_b_first_tokens_to_n_minus_b_minus_1_finishes",),
             "ramp-down counted as steady state: J per token too high"),
    Mutation("window start token counted", "benchmark/engine/steady.py",
             "if window.start_s < c.at_s <= window.end_s", "if window.start_s <= c.at_s <= window.end_s",
             (f"{STEADY}::test_tokens_in_the_window_exclude_its_start_and_include_its_end",),
             "tokens of the ramp-up credited to the window"),
    Mutation("ITL gap on the first token of a chunk", "benchmark/engine/traces.py",
             "gaps.extend([(chunk.at_s - previous.at_s) / chunk.tokens] * chunk.tokens)",
             "gaps.extend([chunk.at_s - previous.at_s] + [0.0] * (chunk.tokens - 1))",
             (f"{STEADY}::test_a_chunks_gap_is_spread_evenly_over_the_tokens_it_carries",),
             "a bundling server's median ITL reads as zero"),
    Mutation("GPU 0 only", "benchmark/engine/evidence.py",
             "return sum(self.end.gpu_mj[i] - self.start.gpu_mj[i] for i in self.start.gpu_mj) * MJ_TO_J",
             "return (self.end.gpu_mj[0] - self.start.gpu_mj[0]) * MJ_TO_J",
             ("tests/benchmark/engine/test_meter_and_refusals.py::test_the_window_energy_sums_every_gpu_the_server_uses",
              f"{STEADY}::test_j_per_output_token_sums_every_gpu_of_the_server_over_the_window_tokens"),
             "a tensor-parallel model's energy halved, as AI Energy Score counts it"),
    Mutation("occupancy floor ignored", "benchmark/engine/steady.py",
             "    if occupancy < MIN_OCCUPANCY:", "    if False:",
             (f"{STEADY}::test_a_steady_state_under_the_minimum_window_or_occupancy_is_unstable_and_says_why",),
             "a half-empty server's J per token shown as a steady state"),
    Mutation("usage not checked against the stream", "benchmark/engine/traces.py",
             "        if trace.output_tokens != trace.counted_tokens:", "        if False:",
             (f"{STEADY}::test_output_tokens_other_than_asked_fail_the_run",),
             "a server that lies about its tokens passes"),
    Mutation("unstable steady state chosen", "leaderboard/views/choose.py",
             "        rows = rows[~rows[\"unstable\"].astype(bool)]", "        pass",
             (f"{SERVED}::test_without_a_deadline_the_cheapest_stable_configuration_wins_never_an_unstable_one",),
             "the finder recommends a batch size that was never at steady state"),
    Mutation("ITL deadline not applied", "leaderboard/views/choose.py",
             "                over = known & (figure > bound)", "                over = known & False",
             (f"{SERVED}::test_an_itl_deadline_picks_each_models_cheapest_configuration_meeting_it",),
             "a 30 ms deadline lets an 80 ms model through"),
    Mutation("uploaded engine figures not re-checked", "benchmark/engine/evidence.py",
             "            if not _close(getattr(again, name), getattr(repeat, name)):",
             "            if False:",
             ("tests/benchmark/uploads/test_served_uploads.py",),
             "a self-reported served run claims any energy"),
    Mutation("engine options combine with batch size", "benchmark/configuration.py",
             "        others = [OPTION_BY_NAME[name].flag for name in chosen if name not in ENGINE_OPTIONS]",
             "        others = []",
             ("tests/benchmark/engine/test_meter_and_refusals.py::test_each_engine_refusal_is_one_line",),
             "a run claims a batch size the engine never used"),
    # issue 33: quality figures the field would recognise
    Mutation("ROUGE-Lsum split by a regex", "benchmark/runner/quality/metrics.py",
             "for sentence in nltk.sent_tokenize(line)", "for sentence in line.split(\". \")",
             (f"{PUBLISHED}::test_sentences_are_split_by_nltk_punkt_so_abbreviations_stay_inside_a_sentence",),
             "\"U.S. Army\" becomes two sentences and ROUGE-Lsum shifts"),
    Mutation("ROUGE bootstrap unseeded", "benchmark/runner/quality/metrics.py",
             "    np.random.seed(BOOTSTRAP_SEED)\n", "",
             (f"{PUBLISHED}::test_the_bootstrap_is_seeded_so_the_same_predictions_give_the_same_figure",),
             "the same predictions give another ROUGE-Lsum each run"),
    Mutation("off-reference figure compared", "benchmark/quality/record.py",
             "self.settings.limit is None and self.off_reference_because is None",
             "self.settings.limit is None",
             ("tests/benchmark/quality/test_reference_settings.py",),
             "a card's GPQA under another prompt sits beside ours as if equal"),
    Mutation("chat template forced on", "benchmark/runner/quality/harness.py",
             "    return has_template if requested is None else requested", "    return has_template",
             ("tests/benchmark/quality/test_reference_settings.py",),
             "--chat-template off is ignored"),
)


def run_tests(tests: tuple[str, ...]) -> tuple[bool, float]:
    started = time.perf_counter()
    done = subprocess.run([PYTHON, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-p", "no:randomly",
                           "-o", "addopts=", *tests], cwd=ROOT, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "CI": ""})
    return done.returncode != 0, time.perf_counter() - started


def apply(mutation: Mutation) -> tuple[str, float]:
    """"caught", "SURVIVED" or "broken" (the text to replace is not there exactly once), and the seconds."""
    path = ROOT / mutation.file
    original = path.read_bytes()
    text = original.decode()
    if text.count(mutation.old) != 1:
        return "broken", 0.0
    try:
        path.write_text(text.replace(mutation.old, mutation.new))
        caught, seconds = run_tests(mutation.tests)
    finally:
        path.write_bytes(original)
    return ("caught" if caught else "SURVIVED"), seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], help="run this mutation (by name); repeatable")
    parser.add_argument("--list", action="store_true", help="list the mutations and their tests")
    args = parser.parse_args()
    chosen = [m for m in MUTATIONS if not args.only or m.name in args.only]
    if args.list:
        for m in chosen:
            print(f"{m.name}: {m.file} ({m.why})\n    " + "\n    ".join(m.tests))
        return 0
    verdicts = []
    for number, mutation in enumerate(chosen, start=1):
        verdict, seconds = apply(mutation)
        verdicts.append(verdict)
        print(f"{number:>2}/{len(chosen)} {verdict:<8} {mutation.name} ({mutation.file}, {seconds:.0f} s)", flush=True)
    caught = verdicts.count("caught")
    print(f"mutation score: {caught} of {len(chosen)} caught; survived: {verdicts.count('SURVIVED')}, "
          f"broken: {verdicts.count('broken')}")
    return verdicts.count("SURVIVED") + verdicts.count("broken")


if __name__ == "__main__":
    sys.exit(main())
