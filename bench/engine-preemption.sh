#!/usr/bin/env bash
# Priority inside the builtin engine (issue 13, goal 3): a high request's TTFT with every slot held by batch sequences,
# against the same on an idle engine and on an engine with `preempt: false`, through `yard serve`.
# Builds yard in Release, generates the synthetic 110M Q8_0 model once (bench/.work/models), writes
# bench/results/engine-preemption-<date>-<time>.md. Needs python3 and the .NET SDK. Options after --no-build go to
# bench/engine_preemption.py (--rounds N, --per-block N, --slots N, --batch-tokens N, --model GGUF ...).
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
work="$root/bench/.work/engine-preemption"
rm -rf "$work" && mkdir -p "$work"
bench_run python3 "$root/bench/engine_preemption.py" --yard "$yard" --model "$model" --work "$work" --out "$root/bench/results" \
  --command "bench/engine-preemption.sh $*" "${args[@]}"
