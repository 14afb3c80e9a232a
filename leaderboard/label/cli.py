"""The label command:

    python -m leaderboard.label --model org/name --task text_generation --out label.png

reads the same results as the app (``RESULTS_REPO``, else ``RESULTS_DIR``, else the bundled
``data/``), writes the PNG and prints the Markdown to paste into a model card.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmark.errors import UserInputError
from benchmark.tasks import TASKS
from leaderboard.label.draw import label_png
from leaderboard.label.facts import label_facts, label_markdown
from leaderboard.results.data import SNAPSHOT_DIR, LeaderboardData


def _load_data() -> LeaderboardData:
    from benchmark.store import results_store
    from leaderboard.results.releases import load_board

    releases, since = load_board(results_store(default_dir=SNAPSHOT_DIR))
    return LeaderboardData.from_load(since, releases=releases)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m leaderboard.label", description="Draw a model's energy label (PNG)."
    )
    parser.add_argument("--model", required=True, help="model id as on the leaderboard, e.g. org/name")
    parser.add_argument("--task", required=True, help=f"task key: {', '.join(TASKS)}")
    parser.add_argument("--out", required=True, type=Path, help="where to write the PNG")
    parser.add_argument("--hardware", default="", help="hardware label, if the model was measured on several")
    parser.add_argument("--effort", default="", help="reasoning: the effort level to label (low, medium, high)")
    parser.add_argument("--release", default="latest", help="the board whose stars it shows (default: latest)")
    parser.add_argument("--url", default="", help="leaderboard address on the label (default: $LEADERBOARD_URL)")
    args = parser.parse_args(argv)
    try:
        data = _load_data()
        facts = label_facts(
            data, args.model, args.task, args.hardware or None, args.url or None, args.release, args.effort or None
        )
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(label_png(facts))
    except (UserInputError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}")
    print("Markdown for the model card:")
    print(label_markdown(facts, args.out.name))
    return 0

