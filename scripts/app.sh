#!/usr/bin/env bash
# Start the leaderboard on a fresh machine, on the bundled data/ snapshot (no token, no network):
#   bash scripts/app.sh
# Uses its own .venv-app with the Space's requirements only (no torch), as a Space would.
# RESULTS_REPO / RESULTS_DIR / GRADIO_SERVER_PORT are honoured (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
if [ ! -x .venv-app/bin/python ]; then
  "$python" -m venv .venv-app
fi
.venv-app/bin/python -m pip install -q --upgrade pip
.venv-app/bin/python -m pip install -q -r requirements.txt
exec .venv-app/bin/python app.py
