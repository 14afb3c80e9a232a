#!/usr/bin/env bash
# The runner's GPU check (issue 2): on a machine with an NVIDIA GPU, run text_classification and
# text_generation on tiny random models with the runner on CUDA, and show GPU energy > 0 from
# NVML, the GPU's name in the record, and NVML's whole-run counter delta >= the sum of phases.
#
#   GPU_WHEELS_SKIP="transformers tokenizers" ../shared/gpu/wheels.sh requirements-runner.txt .whl
#                                          # here: what the runner needs beyond the image (46 MiB measured)
#   bash scripts/speed/gpu_check.sh .whl # there: install them into a scratch folder and run
#
# The GPU machines have no network and ship their own CUDA torch and transformers 5: only what the
# image lacks (optimum-benchmark, codecarbon, datasets, diffusers...) is installed into gpu_site/;
# the image's torch and transformers are used, through benchmark/runner/compat.py.
set -euo pipefail
wheels=${1:-.whl}
site=${SITE:-$PWD/gpu_site}
source "$(dirname "$0")/gpu_env.sh"
gpu_env "$wheels" "$site"
# CHECK=scripts/speed/gpu_reasoning_check.py runs the reasoning check (issue 12) instead
exec python3 "${CHECK:-scripts/speed/gpu_check.py}"
