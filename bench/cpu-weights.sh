#!/usr/bin/env bash
# Time-sliced cores (issue 13, goal 2): a high request's TTFT beside a CPU-bound batch pipeline, with jobs.cpu_weights on and off,
# through `yard serve`. Builds yard in Release, generates the synthetic 110M Q8_0 model once (bench/.work/models), writes
# bench/results/cpu-weights-<date>-<time>.md. Needs python3 and the .NET SDK; runs as root (cgroups). Options after --no-build go
# to bench/cpu_weights.py (--rounds N, --per-block N, --hogs N ...).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
build=1
args=()
for a in "$@"; do if [ "$a" = "--no-build" ]; then build=0; else args+=("$a"); fi; done
yard="$root/src/Yardmaster.Cli/bin/Release/net10.0/yard.dll"
[ "$build" = 1 ] && bench_build "$root" src/Yardmaster.Cli/Yardmaster.Cli.csproj
model="$(bench_synthetic "$yard" "$root/bench/.work/models" "$root/tests/fixtures/models/stories260K.gguf" 110M q8_0)"
work="$root/bench/.work/cpu-weights"
rm -rf "$work" && mkdir -p "$work"
bench_run python3 "$root/bench/cpu_weights.py" --yard "$yard" --model "$model" --work "$work" --out "$root/bench/results" \
  --command "bench/cpu-weights.sh $*" "${args[@]}"
