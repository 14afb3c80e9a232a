"""``python -m leaderboard.label``: draw a model's energy label."""

import sys

from leaderboard.label.cli import main

sys.exit(main())
