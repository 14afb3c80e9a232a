"""The runner: everything that needs the runner's stack (torch, transformers, optimum-benchmark,
pynvml, codecarbon). ``run`` measures a model on a task and writes the run folder; ``ob_config``
builds optimum-benchmark's ``BenchmarkConfig`` (``benchmark.runs.scoring``, light, turns its reports into repeats);
``preflight`` and ``model_source`` check and fetch inputs before any energy is spent; ``nvml`` owns
pynvml; ``environment`` gathers hardware and software facts; ``progress`` shows the phases;
``params`` counts parameters; ``crosscheck`` holds the measurement's own checks (NVML's counter
against the phases, GPU isolation); ``compat`` makes optimum-benchmark 0.6.0 run on transformers 5.

The package is the boundary: its modules import the stack at module level, and light modules
(``benchmark``'s root, ``benchmark.queue``, ``leaderboard``) never import it at import time. Its one
import is ``compat``: importing any module of the package installs what optimum-benchmark 0.6.0
needs from transformers first, before any of them imports optimum_benchmark.
"""

from benchmark.runner import compat as compat  # noqa: F401 - first, see above
