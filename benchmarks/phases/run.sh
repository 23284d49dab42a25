#!/usr/bin/env bash
# Times the phases of a `noisyrnn reproduce` job AFTER training, at paper size, without the hours of training: the
# preset's networks are trained for --steps steps only (default 1; analysis cost does not depend on how well a network
# is trained, only on its sizes, though an untrained network's quiescent chains may diverge or spread differently),
# and every line reproduce logs is stamped with the seconds since the previous one. The phases, in the order
# reproduce runs them:
#   train        training steps + the trainer's final evaluation (1 step here; not what this script measures)
#   active       decoding the held-out test batch, the active KDE, KL(uniform || active), active hidden states,
#                their PCA and the theory checks (alignment, loss decomposition), per network
#   quiescence   PathIntegrationReactivation.Analyze per quiescent run: the quiescent chains (KL run, variance run,
#                step-distance run), their KDE, the Monte Carlo KL, variance and step distance ("done in" line)
#   hidden       after each "done in": the hidden-state measures (quiescent hidden run, PCA-space KL, nearest
#                distances) and, with figures on, the quiescent hidden states for the theory figures
#   random       the untrained-network baseline's quiescence, KDE and KLs
#   figures      PNG + SVG figures and summary.json
#
# Usage: benchmarks/phases/run.sh [--preset paper-spatial-unbiased] [--steps 1] [--out DIR] [--no-plots]
set -euo pipefail
cd "$(dirname "$0")/../.."

preset=paper-spatial-unbiased
steps=1
out=""
plots=""
while [ $# -gt 0 ]; do
  case "$1" in
    --preset) preset=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-plots) plots=--no-plots; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$out" ] || out=$(mktemp -d /tmp/noisyrnn-phases.XXXXXX)

dotnet build src/NoisyRnn.Cli -c Release -v q -nologo >/dev/null
cli=src/NoisyRnn.Cli/bin/Release/net10.0/linux-x64/NoisyRnn.Cli
echo "machine: $(nproc) processors, $(uptime | sed 's/.*load average/load average/'); output $out"
# Line-stamped log: [seconds since start] [seconds since the previous line] line
"$cli" reproduce --preset "$preset" --steps "$steps" --out "$out" $plots 2>&1 | /usr/bin/python3 -u -c '
import sys, time
start = last = time.monotonic()
for line in sys.stdin:
    now = time.monotonic()
    print(f"{now - start:8.1f} {now - last:7.1f}  {line}", end="")
    last = now
'
echo "load after: $(uptime | sed 's/.*load average/load average/')"
