#!/usr/bin/env bash
# Start the leaderboard on a fresh machine, on the bundled data/ snapshot (no token, no network):
#   bash scripts/app.sh
# Uses its own .venv-app with the Space's requirements only (no torch), as a Space would. The install runs
# only when requirements.txt changed since the last one (its hash is kept in .venv-app/requirements.sha256),
# so a second start serves the page in seconds.
# RESULTS_REPO / RESULTS_DIR / GRADIO_SERVER_PORT are honoured (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
if [ ! -x .venv-app/bin/python ]; then
  "$python" -m venv .venv-app
fi
stamp=.venv-app/requirements.sha256
wanted=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  echo "installing the Space's requirements into .venv-app"
  .venv-app/bin/python -m pip install -q --upgrade pip
  .venv-app/bin/python -m pip install -q -r requirements.txt
  echo "$wanted" > "$stamp"
fi
exec .venv-app/bin/python app.py
