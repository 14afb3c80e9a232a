"""``benchmark quality --from-results FILE``: an lm-evaluation-harness results file becomes the quality record a run
would write, pushed beside the results and shown on the board with its source; bad files refused in one line."""

from __future__ import annotations

import json

import pytest

from benchmark.cli import main as benchmark_main
from benchmark.quality.record import QualityRecord

# per-subtask results as lm-evaluation-harness writes them; the figures worked out by hand in the comments
RESULTS = {
    "lm_eval_version": "0.4.13", "date": 1733000000.0, "model_name": "org/model", "chat_template": None,
    "results": {
        "leaderboard_ifeval": {"prompt_level_strict_acc,none": 0.4, "inst_level_strict_acc,none": 0.6},  # 50
        "leaderboard_bbh_navigate": {"acc_norm,none": 0.75},  # 2 choices: 50
        "leaderboard_bbh_date_understanding": {"acc_norm,none": 0.5},  # 6 choices: 40 → BBH 45
        "leaderboard_math_hard": {"exact_match,none": 0.2},  # 20
        "leaderboard_math_algebra_hard": {"exact_match,none": 0.9},  # the group's figure wins, not this
        "leaderboard_gpqa": {"acc_norm,none": 0.325},  # (0.325 - 0.25) / 0.75: 10
        "leaderboard_gpqa_diamond": {"acc_norm,none": 0.9},
        "leaderboard_musr_murder_mysteries": {"acc_norm,none": 0.6},  # 20
        "leaderboard_musr_object_placements": {"acc_norm,none": 0.2},  # 0
        "leaderboard_musr_team_allocation": {"acc_norm,none": 0.5},  # 25 → MuSR 15
        "leaderboard_mmlu_pro": {"acc,none": 0.28},  # 20
    },
    # the navigate subtask's choices from the file; date_understanding's from the installed task definitions
    "configs": {"leaderboard_bbh_navigate": {"doc_to_choice": ["Yes", "No"]}},
}
EXPECTED = (50 + 45 + 20 + 10 + 15 + 20) / 6  # 26.666667


@pytest.fixture
def results_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.delenv("RESULTS_REPO", raising=False)
    return tmp_path / "results"


def test_a_results_file_becomes_a_quality_record_pushed_and_shown_on_the_board(tmp_path, results_dir, capsys):
    from benchmark.store import LocalStore
    from leaderboard.results.live import LiveData
    from tests.support.leaderboard_fixtures import make_record, write_record

    file = tmp_path / "results_2024-11-30.json"
    file.write_text(json.dumps(RESULTS))
    write_record(results_dir, make_record("org/model", "text_generation", 3.0, params=1_000_000_000))
    code = benchmark_main(["quality", "--task", "text_generation", "--model-id", "org/model", "--from-results",
                           str(file), "--output", str(tmp_path / "runs"), "--push"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0] == f"org/model on text_generation: {EXPECTED:.6g} open_llm_leaderboard_v2 average_normalized"
    (path,) = (tmp_path / "runs").glob("*/quality.json")
    record = QualityRecord.model_validate_json(path.read_text())
    assert record.value == pytest.approx(EXPECTED, abs=1e-6) and record.comparable
    assert record.source == "lm-evaluation-harness results file results_2024-11-30.json"
    assert record.settings.library_version == "0.4.13" and record.settings.chat_template is False
    assert record.settings.sub_benchmarks == {"ifeval": 50.0, "bbh": 45.0, "math_lvl5": 20.0, "gpqa": 10.0,
                                              "musr": 15.0, "mmlu_pro": 20.0}
    row = LiveData(LocalStore(results_dir)).current.task_frame("text_generation", "live").iloc[0]
    assert (row["quality"], row["quality_source"]) == (pytest.approx(EXPECTED, abs=1e-6), record.source)


@pytest.mark.parametrize(("content", "task", "message"), [
    ("not json {", "text_generation", "results.json is not JSON"),
    (json.dumps({"results": [1, 2]}), "text_generation", "is not an lm-evaluation-harness results file"),
    (json.dumps({"results": {"leaderboard_ifeval": {}}}), "text_generation",
     "the results lack leaderboard_mmlu_pro, leaderboard_musr_murder_mysteries"),
    (json.dumps(RESULTS), "summarization", "Summarization's benchmark is not scored by lm-evaluation-harness"),
    (json.dumps(RESULTS), "reasoning", "the results lack gpqa_diamond_cot_zeroshot's exact_match,flexible-extract"),
])
def test_a_file_that_is_not_what_the_task_needs_is_refused_in_one_line(tmp_path, results_dir, capsys, content, task,
                                                                       message):
    file = tmp_path / "results.json"
    file.write_text(content)
    code = benchmark_main(["quality", "--task", task, "--model-id", "org/model", "--from-results", str(file),
                           "--output", str(tmp_path / "runs")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1 and message in err[0], err
    assert not (tmp_path / "runs").exists()
