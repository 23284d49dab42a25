#!/usr/bin/env bash
# Times one training step of NoisyRnn and of an idiomatic PyTorch CPU implementation of the same model back to back
# (benchmarks/compare/torch_step.py) for the paper's three configurations, and prints both medians, NoisyRnn's GFLOP/s
# and fraction of this machine's FMA ceiling (measured by `noisyrnn bench`), and the ratio PyTorch / NoisyRnn.
#
# Usage: benchmarks/compare/run.sh [--steps N] [--tasks "spatial head-direction spatial-gru"] [--machine-openblas-extra]
#   --steps N                  timed steps per side (default 5; PyTorch after 2 warm-up steps, NoisyRnn after bench's warm-up)
#   --tasks LIST               which configurations (default: all three paper configurations)
#   --machine-openblas-extra   ALSO run PyTorch with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE as this machine sets them
#                              (labelled as an extra, never the main number)
#
# The main PyTorch number runs with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset together, for that command alone, as
# the machine's environment notes advise for a current BLAS: OpenBLAS then picks its own kernels for this processor
# (AVX-512 ones on Zen 4). The BLAS library and kernel family in use are printed. Nothing else is changed.
# Installs Debian's python3-torch and libopenblas0-pthread with apt-get when torch cannot be imported (needs root).
# Both sides use 2 threads. Timings are only comparable on a quiet machine: the load average is printed with them.
set -euo pipefail
cd "$(dirname "$0")/../.."

steps=5
tasks="spatial head-direction spatial-gru"
extra=0
while [ $# -gt 0 ]; do
  case "$1" in
    --steps) steps=$2; shift 2 ;;
    --tasks) tasks=$2; shift 2 ;;
    --machine-openblas-extra) extra=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
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
field() { "$python" -c 'import json,sys
v = json.loads(sys.stdin.read())
for k in sys.argv[1].split("."): v = v[k]
print(v)' "$1"; }
torch_main() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$python" benchmarks/compare/torch_step.py "$@"; }
blas_probe='import sys; sys.path.insert(0, "benchmarks/compare"); import torch_step; b = torch_step.blas_info(); print(b["corename"], "|", b["library"], "|", b["config"])'

echo "machine: $(nproc) processors, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs) model $(grep -m1 '^model[[:space:]]*:' /proc/cpuinfo | cut -d: -f2 | xargs), $(uptime | sed 's/.*load average/load average/')"
echo "torch: $("$python" -c 'import torch; print(torch.__version__)'); machine env OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-unset}"
echo "BLAS for the main PyTorch number (both unset): $(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$python" -c "$blas_probe")"
if [ "$extra" -eq 1 ]; then echo "BLAS with the machine's env (extra):          $("$python" -c "$blas_probe")"; fi

rows=()
for task in $tasks; do
  case "$task" in
    spatial) preset=paper-spatial; ttask=spatial; model=vanilla ;;
    head-direction) preset=paper-head-direction; ttask=head-direction; model=vanilla ;;
    spatial-gru) preset=paper-spatial-gru; ttask=spatial; model=gru ;;
    *) echo "error: unknown task '$task'" >&2; exit 2 ;;
  esac
  # A pause first: right after a PyTorch run (gigabytes being returned to the system) the next process read 20-30% slow.
  sleep 5
  ours=$("$cli" bench --preset "$preset" --steps "$steps" --json)
  echo "noisyrnn: $ours"
  torch_json=$(torch_main --task "$ttask" --model "$model" --steps "$steps" --threads 2)
  echo "pytorch:  $torch_json"
  a=$(field median_step_ms <<<"$ours")
  b=$(field median_step_ms <<<"$torch_json")
  rows+=("$(printf '%-15s %11s %8s %9s %9s %6s %12s %8.2fx' "$task" "$a" "$(field gflops <<<"$ours")" \
    "$(field fraction_of_ceiling <<<"$ours")" "$(field fma_ceiling_gflops <<<"$ours")" "$(field fma_ceiling_one_core_gflops <<<"$ours")" \
    "$b" "$(ratio "$b" "$a")") $(field blas.corename <<<"$torch_json")")
  if [ "$extra" -eq 1 ]; then
    extra_json=$("$python" benchmarks/compare/torch_step.py --task "$ttask" --model "$model" --steps "$steps" --threads 2)
    echo "pytorch (EXTRA, machine OpenBLAS env): $extra_json"
    c=$(field median_step_ms <<<"$extra_json")
    rows+=("$(printf '%-15s %11s %8s %9s %9s %6s %12s %8.2fx' "$task" "$a" "" "" "" "" "$c" "$(ratio "$c" "$a")") EXTRA $(field blas.corename <<<"$extra_json") (machine env)")
  fi
done
echo
echo "NoisyRnn: median ms, GFLOP/s of its matrix products, fraction of the FMA ceiling of the threads used, ceiling (all cores, one core)."
echo "ratio = PyTorch median / NoisyRnn median, measured in this run; last column: OpenBLAS kernel PyTorch used."
printf '%-15s %11s %8s %9s %9s %6s %12s %9s %s\n' config noisyrnn_ms gflops fraction ceil_all ceil_1 pytorch_ms ratio blas
printf '%s\n' "${rows[@]}"
echo "load after: $(uptime | sed 's/.*load average/load average/')"
