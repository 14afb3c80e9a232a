"""The Space's read side: results → views → display → tabs, no torch.

Map of the packages. ``leaderboard.results`` loads the records from a store (``loader``: validate,
keep the latest run per model, task and hardware), rates them (``rating``: stars per
task, size class and hardware; the rules of both are ``benchmark.board``'s, which the release cut
shares), reads releases (``releases``), holds them as one versioned table (``data``) and reloads it
(``live``). ``leaderboard.views`` turns that table into plain values per feature: task tables and
their column specs, summaries, model pages, comparisons, the trade-off and its Pareto frontier,
everyday equivalences. ``leaderboard.display`` is how values are shown: every number format
(``formats``), the star palette, the plots, Markdown rendering, downloadable files and every
user-facing string (``strings``, ``about.md``). ``leaderboard.tabs`` is Gradio layout and events only
(one builder per tab, each taking the ``AppContext``), ``api`` registers every named endpoint and
``app`` assembles the Space. Two feature folders keep their own layers: ``leaderboard.label`` (energy
labels and ``python -m leaderboard.label``) and ``leaderboard.submission`` (submitting through the
rules of ``benchmark.queue.checks``, the queue view, reruns, running the queue on N GPUs and their
tabs).
"""
