#!/usr/bin/env bash
# Every GPU check in one go (issue 23), for a device lease: install the carried wheels, then, each under
# its own time limit so that one slow check cannot eat the next one's time, in this order:
#   1. the runner check (text_classification and text_generation, 3 repeats) and `benchmark reproduce`
#      of the text-generation run                                   scripts/speed/gpu_check.py
#   2. configurations: reference, bfloat16, batch 8, eager, sdpa    scripts/speed/gpu_configurations_check.py
#   3. reasoning, cap 256                                           scripts/speed/gpu_reasoning_check.py
#   4. the serving engine: one at a time and steady state at B=8,32 against the transformers reference
#      (needs vLLM's CUDA build there: BENCHMARK_ENGINE_VENV)       scripts/speed/gpu_engine_check.py
# Everything printed goes to $FIGURES/gpu_checks.log; the records and stack logs of every run (not
# the weights) to $FIGURES/runs.tar.gz; nvidia-smi's report to $FIGURES/nvidia_smi.txt.
#
#   here:   GPU_WHEELS_SKIP="..." ../shared/gpu/wheels.sh requirements-runner.txt .whl   (then trim to < 64 MiB)
#   there:  FIGURES=$OUT bash scripts/speed/gpu_all.sh .whl
set -uo pipefail
wheels=${1:-.whl}
figures=${FIGURES:-$PWD/gpu_figures}
work=${WORK:-/tmp/gpu-work}
# seconds for checks 1, 2 and 3. Measured on the H200 (2026-12-04): each launch of optimum-benchmark's child
# costs about 20 s there (process start, imports, CUDA), so a 3-repeat run takes 70-75 s; check 1 with its
# reproduction needs about 260 s, check 2 about 35 s a configuration, check 3 about 45 s a repeat. With
# the machine's start (30 s) the whole script fits one 600 s call of a 15-minute lease.
limits=(${GPU_CHECK_LIMITS_S:-300 150 100 240})
mkdir -p "$figures" "$work"
log="$figures/gpu_checks.log"
site=${SITE:-/tmp/gpu_site}
device=${DEVICE:-cuda}   # DEVICE=cpu: a smoke test of this script on a machine without a GPU
source "$(dirname "$0")/gpu_env.sh"
start=$SECONDS
{
  gpu_env "$wheels" "$site"
  echo "== ready in $((SECONDS - start)) s"
  echo "== 1. runner check + reproduce (limit ${limits[0]} s)"
  timeout -k 5 "${limits[0]}" python3 scripts/speed/gpu_check.py --device "$device" --work "$work/runner"; echo "== exit $? at $((SECONDS - start)) s"
  echo "== 2. configurations (limit ${limits[1]} s)"
  timeout -k 5 "${limits[1]}" python3 scripts/speed/gpu_configurations_check.py --device "$device" --samples "${CONFIG_SAMPLES:-200}" \
    --repeats "${CONFIG_REPEATS:-1}" --only "${CONFIGURATIONS:-reference,dtype=bfloat16,batch_size=8,attn=eager}" --work "$work/configurations"; echo "== exit $? at $((SECONDS - start)) s"
  echo "== 3. reasoning (limit ${limits[2]} s)"
  timeout -k 5 "${limits[2]}" python3 scripts/speed/gpu_reasoning_check.py --device "$device" --repeats "${REASONING_REPEATS:-2}" --work "$work/reasoning"; echo "== exit $? at $((SECONDS - start)) s"
  echo "== 4. serving engine (limit ${limits[3]} s)"
  timeout -k 5 "${limits[3]}" python3 scripts/speed/gpu_engine_check.py --device "$device" --samples "${ENGINE_SAMPLES:-200}" \
    --batches "${ENGINE_BATCHES:-8,32}" --work "$work/engine"; echo "== exit $? at $((SECONDS - start)) s"
  nvidia-smi -q > "$figures/nvidia_smi.txt" 2>&1 || true
} 2>&1 | tee "$log"
(cd "$work" && find . \( -name record.json -o -name stack.log -o -name 'benchmark_report.json' -o -name '*.log' -o -name engine_evidence.json \) -print0 \
  | tar --null -czf "$figures/runs.tar.gz" -T -) || true
echo "figures in $figures: $(ls "$figures" | tr '\n' ' ')"
