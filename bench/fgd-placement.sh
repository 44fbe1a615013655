#!/usr/bin/env bash
# FGD against the placement baselines on the Alibaba GPU trace (openb default: 1,213 nodes, 8,152 pods): the wall time
# of `yard simulate --format alibaba-gpu` with its 10 repetitions for the three default policies (fgd, best-fit,
# first-fit) and for all six, with the summary table of each run. Goal: well under a minute on this 2-core machine.
# Usage: [YARD_TRACES=DIR] bench/fgd-placement.sh [--no-build] [--seed N]
set -euo pipefail
cd "$(dirname "$0")/.."

build=1
seed=1
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0; shift ;;
    --seed) seed="$2"; shift 2 ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

traces="${YARD_TRACES:-../shared/traces}/alibaba-gpu-v2023" # the shared traces beside the checkout
[ $build = 1 ] && dotnet build src/Yardmaster.Cli -c Release -nologo -v quiet >/dev/null
mkdir -p bench/results bench/.work
out="bench/results/fgd-placement-$(date -u +%Y-%m-%d-%H%M).md"
{
  echo "# FGD placement on the Alibaba GPU trace, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "$(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)."
  for policy in fgd all; do
    echo
    echo "## \`--policy placement=$policy\`"
    echo
    start=$(date +%s.%N)
    dotnet src/Yardmaster.Cli/bin/Release/net10.0/yard.dll simulate --format alibaba-gpu \
      --trace "$traces/openb_pod_list_default.csv" --nodes "$traces/openb_node_list_gpu_node.csv" \
      --seed "$seed" --policy "placement=$policy" --out "bench/.work/fgd-placement-$policy" | sed 's/^# /### /; s/^## /#### /'
    echo
    echo "Wall time of the process: $(echo "$(date +%s.%N) - $start" | bc) s."
  done
  echo
  echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)."
} | tee "$out"
