"""The runner: everything that needs the runner's stack (torch, transformers, optimum-benchmark,
pynvml, codecarbon). ``run`` measures a model on a task and writes the run folder; ``ob_config``
builds optimum-benchmark's ``BenchmarkConfig``; ``scoring`` turns its reports into repeats;
``preflight`` and ``model_source`` check and fetch inputs before any energy is spent; ``nvml`` owns
pynvml; ``environment`` gathers hardware and software facts; ``progress`` shows the phases;
``params`` counts parameters. Compatibility shims between optimum-benchmark and newer libraries
belong in ``compat`` here.

The package is the boundary: its modules import the stack at module level, and light modules
(``benchmark``'s root, ``benchmark.queue``, ``leaderboard``) never import it at import time. Keep
this file free of imports.
"""
