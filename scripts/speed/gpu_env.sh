# Sourced by gpu_check.sh and gpu_all.sh on a GPU machine: `gpu_env WHEELS SITE` installs the carried
# wheels (what the image lacks: optimum-benchmark, codecarbon, datasets, diffusers...) into SITE with no
# network, points Python at them and at this checkout (the image's own CUDA torch and transformers are
# used, through benchmark/runner/compat.py), and prints the GPU and the versions the figures come from.
gpu_env() {
  local wheels=$1 site=$2
  if [ -d "$wheels" ] && ls "$wheels"/*.whl >/dev/null 2>&1; then
    python3 -m pip install -q --no-index --no-deps --no-compile --upgrade --target "$site" "$wheels"/*.whl
    export PYTHONPATH="$site:$PWD"
  else
    export PYTHONPATH="$PWD"
  fi
  export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 PYTHONUNBUFFERED=1
  nvidia-smi --query-gpu=name,driver_version,power.draw,power.limit,clocks.sm,temperature.gpu --format=csv || true
  python3 -c "import transformers, optimum_benchmark, torch, codecarbon; print('transformers', transformers.__version__, 'torch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.is_available(), 'codecarbon', codecarbon.__version__)"
}
