"""The measuring half: task registry → runner → result record → stores, and the requests queue.

Map of the packages. The root is the light contract, importable without torch, optimum-benchmark or
a GPU (the leaderboard Space reads it): ``tasks`` (the task registry: ten tasks, their data, control
variables and allowed configurations), ``record`` (the typed result record), ``errors``
(``UserInputError``), ``validation`` (the field rules of every stored file), ``store`` and
``hub_client`` (one store interface over a Hub dataset or a local folder of the same layout),
``release`` (cut a frozen board) and ``cli`` / ``__main__`` (``python -m benchmark``).
``benchmark.runs`` is a run folder: its file names, its scoring (raw reports → repeats and the
score, light so an upload can be re-scored anywhere) and publishing it. ``benchmark.board`` is what
a board is made of, shared by the release cut and the leaderboard: which record files count and
which run is kept (``records``, ``plausibility``), the configuration columns, the star rule
(``rating``) and the rated frame (``frame``). Nothing here imports ``leaderboard``: the flow is one
way. ``benchmark.runner`` is everything that needs the runner's stack: the run itself (``run``), the
optimum-benchmark config (``ob_config``), preflight checks, model download, NVML (``nvml``, the one
module that talks to pynvml), machine facts, progress and parameter counts; nothing outside it
imports it at import time. ``benchmark.queue`` is the requests queue: request records, the compare-
and-swap operations, the submission rules (``checks``, shared by the Space's form and ``enqueue``),
maintainers, the worker that runs requests and its CLI verbs, and the scale-out: ``enqueue``, the
dispatch engines (``ray_engine``, ``hf_jobs``, their shared ``dispatch`` part and ``dispatch_cli``)
and ``machine_share`` (which benchmarks share a machine).
"""

__version__ = "0.1.0"
