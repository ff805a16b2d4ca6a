#!/usr/bin/env bash
# Every GPU check for the diffusers renderer in one go, for a borrowed GPU with little time:
# the render benchmark with the SD 1.5 architecture (the issue's target, with its speed-ups),
# the CUDA-only tests, then the SDXL architecture. Results and logs go to ${1:-gpu-out}/.
# Each step has its own time limit, and a failing step does not stop the ones after it.
set -u
out=${1:-gpu-out}
mkdir -p "$out"
cd "$(dirname "$0")/.."
py=${PYTHON:-python3}
export PYTHONUNBUFFERED=1

step() {  # name, seconds, command...
  local name=$1 limit=$2
  shift 2
  local started=$SECONDS
  timeout "$limit" "$@" >"$out/$name.json" 2>"$out/$name.log"
  echo "== $name: exit $? after $((SECONDS - started)) s"
  grep -v -e "it/s" -e "^Loading" "$out/$name.log" | tail -n 14
  cat "$out/$name.json"
}

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
# compile_dynamic is left out: on an H200 its first call had not finished after 4 minutes
step sd15 300 $py benchmarks/render_throughput.py --arch sd15 --check-batch --oom-check \
  --variants scene_reference,channels_last,compile
step pytest-gpu 90 $py -m pytest -q -m gpu -p no:cacheprovider tests/renderers/test_diffusers.py
step sdxl 200 $py benchmarks/render_throughput.py --arch sdxl --shots 8 --batches 1,2,4 \
  --check-batch --variants vae_tiling
