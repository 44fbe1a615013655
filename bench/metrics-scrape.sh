#!/usr/bin/env bash
# Times GET /metrics on a yard serve with 100 tasks x 20 models that has seen requests for all of them
# (median and p95 of 200 scrapes, and the response's size); writes bench/results/metrics-scrape-<date>.md.
# Needs bash, python3 (standard library only) and the .NET SDK. Options are passed to bench/metrics-scrape.py
# (--tasks, --models, --requests, --scrapes, --warmup); --no-build uses the existing Release build.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
build=1
args=()
for a in "$@"; do
  if [ "$a" = "--no-build" ]; then build=0; else args+=("$a"); fi
done
if [ "$build" = 1 ]; then
  bench_build "$root" src/Yardmaster.Cli/Yardmaster.Cli.csproj
fi
bench_run python3 "$root/bench/metrics-scrape.py" --yard "$root/src/Yardmaster.Cli/bin/Release/net10.0/yard.dll" --out "$root/bench/results" "${args[@]}"
