"""What the evaluators need is installed by requirements-quality.txt and works offline: IFEval's checkers import
without fetching NLTK data (scripts/nltk_data.py installed it), MATH Lvl 5's checker scores a right answer, and
the MATH extra's parser did not break optimum-benchmark's configuration library in the same environment."""

from __future__ import annotations

import subprocess

from tests.support.env import PYTHON, REPO_ROOT, subprocess_env

CHECK = """
import socket
def refuse(*args, **kwargs):
    raise OSError("network is off in this test")
socket.socket.connect = refuse
socket.create_connection = refuse
import nltk
nltk.data.find("tokenizers/punkt_tab/english")
from lm_eval.tasks.ifeval import instructions_registry
checker = instructions_registry.INSTRUCTION_DICT["length_constraints:number_sentences"]("id")
checker.build_description(num_sentences=2, relation="at least")
print("ifeval", checker.check_following("The U.S. Army came. It left."))
from lm_eval.tasks.leaderboard.math import utils
doc = {"problem": "1/2?", "solution": "So $\\\\boxed{\\\\frac{1}{2}}$.", "answer": "\\\\frac{1}{2}"}
answer = "Final Answer: The final answer is $0.5$. I hope it is correct."
print("math", utils.process_results(doc, [answer])["exact_match"])
from omegaconf import OmegaConf
print("omegaconf", OmegaConf.create({"a": "${b}", "b": 3}).a)
"""


def test_ifeval_and_math_checkers_run_offline_beside_optimum_benchmarks_config_library():
    done = subprocess.run([PYTHON, "-c", CHECK], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
                          env=subprocess_env())
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stdout.splitlines() if line.split(" ")[0] in ("ifeval", "math", "omegaconf")]
    assert lines == ["ifeval True", "math 1", "omegaconf 3"]
