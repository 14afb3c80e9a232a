"""Energy labels: the facts of a label, its drawing, and the ``python -m leaderboard.label`` command."""
