#!/usr/bin/env bash
# One pool against a static split in the simulator (issue 13, goal 1): the mixed workload of bench/mixed-pool.sh on N nodes of
# this machine's shape through MixedSimulation. Builds yard and bench/Yardmaster.MixedSim in Release, generates the synthetic
# 110M Q8_0 model once, measures its token models with `yard model bench --concurrency` at 2 threads (1, 2, 4, 8 sequences)
# and at 1 (1, 2, 4), then simulates shared against split at each load of --speeds. Writes
# bench/results/mixed-sim-<N>-nodes-<date>-<time>.md. Needs the shared traces beside the checkout ($YARD_SHARED, default ../shared).
# Usage: bench/mixed-sim.sh [--no-build] [--nodes N] [--speeds "0.1 0.2 0.3"] [--minutes M] (other options go to Yardmaster.MixedSim)
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${YARD_SHARED:-$root/../shared}"
trace="$shared/traces/azure-llm-2023-conv.csv"
if [ ! -f "$trace" ]; then
  echo "mixed-sim.sh: $trace not found (set YARD_SHARED to the folder holding traces/)" >&2
  exit 2
fi
build=1
args=()
for a in "$@"; do if [ "$a" = "--no-build" ]; then build=0; else args+=("$a"); fi; done
[ "$build" = 1 ] && bench_build "$root" src/Yardmaster.Cli/Yardmaster.Cli.csproj bench/Yardmaster.MixedSim/Yardmaster.MixedSim.csproj
yard="$root/src/Yardmaster.Cli/bin/Release/net10.0/yard.dll"
model="$(bench_synthetic "$yard" "$root/bench/.work/models" "$root/tests/fixtures/models/stories260K.gguf" 110M q8_0)"
work="$root/bench/.work/mixed-sim"
mkdir -p "$work"
echo "measuring the token models (2 threads, then 1)..." >&2
dotnet "$yard" model bench "$model" --prompt-tokens 128 --output-tokens 32 --threads 2 --repeat 3 --concurrency 1,2,4,8 --output json > "$work/full.json"
dotnet "$yard" model bench "$model" --prompt-tokens 128 --output-tokens 32 --threads 1 --repeat 3 --concurrency 1,2,4 --output json > "$work/half.json"
dotnet "$root/bench/Yardmaster.MixedSim/bin/Release/net10.0/Yardmaster.MixedSim.dll" --trace "$trace" --full "$work/full.json" --half "$work/half.json" \
  --out "$root/bench/results" --command "bench/mixed-sim.sh $*" "${args[@]}"
