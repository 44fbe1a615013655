#!/usr/bin/env bash
# One pool against a static split (issue 13, goal 1), live: the Azure LLM conversation trace scaled to the builtin 110M model
# as online traffic in two classes, and a batch pipeline of CPU-bound and inference steps, for 10 minutes in each setup:
# one shared `yard serve`, then two servers pinned to a core each with half the memory. Builds yard in Release, generates the
# synthetic 110M Q8_0 model once (bench/.work/models), writes bench/results/mixed-pool-<date>-<time>.md. Needs python3, the
# .NET SDK, taskset and the shared traces beside the checkout ($YARD_SHARED, default ../shared); runs as root (cgroups).
# Options after --no-build go to bench/mixed_pool.py (--minutes M, --speed X, --setups "split shared", --help ...).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
shared="${YARD_SHARED:-$(cd "$(dirname "$0")/.." && pwd)/../shared}"
trace="$shared/traces/azure-llm-2023-conv.csv"
if [ ! -f "$trace" ]; then
  echo "mixed-pool.sh: $trace not found (set YARD_SHARED to the folder holding traces/)" >&2
  exit 2
fi
bench_ttft mixed-pool.sh mixed-pool mixed_pool.py --trace "$trace" "$@"
