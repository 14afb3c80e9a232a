"""The measuring half: task registry, runner, result records and the stores they go to.

Importing this package is light (no torch, no optimum-benchmark): the leaderboard Space reads
``benchmark.tasks``, ``benchmark.record`` and ``benchmark.store`` without the runner's stack.
"""

__version__ = "0.1.0"
