"""What a board is made of, in the light contract: the leaderboard's loader and the release cut share it.

- ``records``: which record files count (``parse_record``: JSON, schema, energy, task, and
  ``plausibility``'s rules) and which run of several is kept (``run_key``, ``latest_runs``);
- ``configurations``: how each record was run and whether it compares (the frame's configuration columns);
- ``rating``: AI Energy Score's star rule, the only place stars are computed;
- ``frame``: one rated row per record (``frame_from_records``), the table a release freezes and the
  app shows.

The flow is one way: ``benchmark.release`` and ``leaderboard.results`` import this package, it imports
neither (nor gradio, nor the runner's stack).
"""
