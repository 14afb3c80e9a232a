"""The Green AI Leaderboard Space.

    python app.py            # serves on GRADIO_SERVER_PORT (default 7860)

Data: the Hub results dataset ``RESULTS_REPO`` (``HF_TOKEN`` if private), else the local results
folder ``RESULTS_DIR``, else the bundled snapshot in ``data/``. See ``leaderboard/app.py``.
"""

import logging
import os
import sys

from benchmark.errors import UserInputError
from leaderboard.app import build_demo

logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s")

try:
    demo = build_demo()
except UserInputError as exc:  # e.g. local login on a public address: one line, no traceback
    sys.exit(f"error: {exc}")

if __name__ == "__main__":
    try:
        demo.launch(server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
    except UserInputError as exc:  # e.g. local login on a public address: one line, no traceback
        sys.exit(f"error: {exc}")
