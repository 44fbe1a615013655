#!/usr/bin/env bash
# What a cache hit's CPU goes to: yard serve as shipped, with its access lines, metrics or history off, all three off,
# and the .NET floor, measured in interleaved wrk bursts (16 connections); writes bench/results/cache-cost-<date>-<time>.md.
# Builds yard in Release (--no-build: use the last build); installs nginx and wrk from Debian when missing
# (BENCH_NO_INSTALL=1: fail instead). Other options go to bench/cache-cost.py (--rounds N, --burst S, ...).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
build=1
args=()
for a in "$@"; do if [ "$a" = "--no-build" ]; then build=0; else args+=("$a"); fi; done
bench_install cache-cost.sh nginx wrk
[ "$build" = 1 ] && bench_build "$root" src/Yardmaster.Cli/Yardmaster.Cli.csproj bench/Yardmaster.MinimalProxy
bench_run python3 "$root/bench/cache-cost.py" --yard "$root/src/Yardmaster.Cli/bin/Release/net10.0/yard.dll" --work "$root/bench/.work/cache-cost" --floor "$root/bench/Yardmaster.MinimalProxy/bin/Release/net10.0/Yardmaster.MinimalProxy.dll" --out "$root/bench/results" --command "bench/cache-cost.sh $*" "${args[@]}"
