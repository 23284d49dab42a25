#!/usr/bin/env bash
# Times one training step of NoisyRnn and of an idiomatic PyTorch CPU implementation of the same model back to back
# (benchmarks/compare/torch_step.py), and prints both medians and their ratio.
#
# Usage: benchmarks/compare/run.sh [--steps N] [--tasks "spatial head-direction"] [--openblas-defaults-extra]
#   --steps N                    timed steps per side after 2 warm-up steps (default 5)
#   --tasks LIST                 which configurations (default: both paper configurations)
#   --openblas-defaults-extra    ALSO run PyTorch once more with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset
#                                (OpenBLAS then picks its AVX-512 kernels); labelled as an extra, never the main number
#
# Installs Debian's python3-torch and libopenblas0-pthread with apt-get when torch cannot be imported (needs root).
# Both sides use 2 threads. Timings are only comparable on a quiet machine: the load average is printed with them.
set -euo pipefail
cd "$(dirname "$0")/../.."

steps=5
tasks="spatial head-direction"
extra=0
while [ $# -gt 0 ]; do
  case "$1" in
    --steps) steps=$2; shift 2 ;;
    --tasks) tasks=$2; shift 2 ;;
    --openblas-defaults-extra) extra=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

# Debian's torch lives in the system interpreter's dist-packages; a pyenv or venv python on PATH would not see it.
python=/usr/bin/python3
if ! "$python" -c 'import torch' >/dev/null 2>&1; then
  echo "== installing python3-torch and libopenblas0-pthread (apt-get)"
  if [ "$(id -u)" -ne 0 ]; then echo "error: torch is missing and installing it needs root" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends python3-torch libopenblas0-pthread >/dev/null
fi

echo "== building NoisyRnn.Cli (Release)"
dotnet build src/NoisyRnn.Cli -c Release -v q -nologo >/dev/null
cli=src/NoisyRnn.Cli/bin/Release/net10.0/linux-x64/NoisyRnn.Cli

ratio() { "$python" -c 'import sys; print(float(sys.argv[1]) / float(sys.argv[2]))' "$1" "$2"; }
field() { "$python" -c 'import json,sys; print(json.loads(sys.stdin.read())[sys.argv[1]])' "$1"; }

echo "machine: $(nproc) processors, $(uptime | sed 's/.*load average/load average/')"
echo "torch: $("$python" -c 'import torch; print(torch.__version__)'), OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}, OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-unset}"
printf '%-16s %14s %14s %10s %s\n' task noisyrnn_ms pytorch_ms ratio note
for task in $tasks; do
  case "$task" in
    spatial) preset=paper-spatial ;;
    head-direction) preset=paper-head-direction ;;
    *) echo "error: unknown task '$task'" >&2; exit 2 ;;
  esac
  # A pause first: right after a PyTorch run (gigabytes being returned to the system) the next process read 20-30% slow.
  sleep 5
  ours=$("$cli" bench --preset "$preset" --steps "$steps" --json)
  torch_json=$("$python" benchmarks/compare/torch_step.py --task "$task" --steps "$steps" --threads 2)
  echo "noisyrnn: $ours"
  echo "pytorch:  $torch_json"
  a=$(field median_step_ms <<<"$ours")
  b=$(field median_step_ms <<<"$torch_json")
  printf '%-16s %14s %14s %9.2fx %s\n' "$task" "$a" "$b" "$(ratio "$b" "$a")" "PyTorch time / NoisyRnn time"
  if [ "$extra" -eq 1 ]; then
    extra_json=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$python" benchmarks/compare/torch_step.py --task "$task" --steps "$steps" --threads 2)
    echo "pytorch (EXTRA, OpenBLAS env unset): $extra_json"
    c=$(field median_step_ms <<<"$extra_json")
    printf '%-16s %14s %14s %9.2fx %s\n' "$task" "$a" "$c" "$(ratio "$c" "$a")" "EXTRA: OPENBLAS_CORETYPE/L2_SIZE unset"
  fi
done
echo "load after: $(uptime | sed 's/.*load average/load average/')"
