#!/usr/bin/env bash
# Time-sliced cores (issue 13, goal 2): a high request's TTFT beside a CPU-bound batch pipeline, with jobs.cpu_weights on and off,
# through `yard serve`. Builds yard in Release, generates the synthetic 110M Q8_0 model once (bench/.work/models), writes
# bench/results/cpu-weights-<date>-<time>.md. Needs python3 and the .NET SDK; runs as root (cgroups). Options after --no-build go
# to bench/cpu_weights.py (--rounds N, --per-block N, --hogs N ...).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
bench_ttft cpu-weights.sh cpu-weights cpu_weights.py "$@"
