"""The Green AI Leaderboard Space.

    python app.py            # serves on GRADIO_SERVER_PORT (default 7860)

Data: the Hub results dataset ``RESULTS_REPO`` (``HF_TOKEN`` if private), else the local results
folder ``RESULTS_DIR``, else the bundled snapshot in ``data/``. See ``leaderboard/app.py``.
"""

import logging
import os

from leaderboard.app import build_demo

logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s")

demo = build_demo()

if __name__ == "__main__":
    demo.launch(server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
