#!/usr/bin/env bash
# Macro benchmark of the result cache: the latency of a hit at 16 connections (goal: p50 under 0.3 ms), on a server warmed
# until its JIT has settled, median of --repeat runs (default 3).
# Builds yard in Release, starts nginx (fast upstreams) and yard serve, runs wrk; writes bench/results/cache-hit-<date>-<time>.md.
# Needs python3 and the .NET SDK; installs nginx and wrk from Debian when missing (BENCH_NO_INSTALL=1: fail instead). Options after the script name go to bench/fanout.py (--duration S, --connections N, ...).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
build=1
args=()
for a in "$@"; do if [ "$a" = "--no-build" ]; then build=0; else args+=("$a"); fi; done
bench_install cache-hit.sh nginx wrk
[ "$build" = 1 ] && bench_build "$root" src/Yardmaster.Cli/Yardmaster.Cli.csproj bench/Yardmaster.MinimalProxy
mkdir -p "$root/bench/.work/cache-hit"
bench_run python3 "$root/bench/fanout.py" cache --yard "$root/src/Yardmaster.Cli/bin/Release/net10.0/yard.dll" --work "$root/bench/.work/cache-hit" --floor "$root/bench/Yardmaster.MinimalProxy/bin/Release/net10.0/Yardmaster.MinimalProxy.dll" --out "$root/bench/results" --command "bench/cache-hit.sh $*" "${args[@]}"
