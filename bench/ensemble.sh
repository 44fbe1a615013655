#!/usr/bin/env bash
# Macro benchmark of the ensembles: combine: first over two fast members against the faster alone (goal: at most 1 ms added at p50), and how late an answer at the deadline is (goal: within 20 ms).
# Builds yard in Release, starts nginx (fast upstreams) and yard serve, runs wrk; writes bench/results/ensemble-<date>-<time>.md.
# Needs python3 and the .NET SDK; installs nginx and wrk from Debian when missing (BENCH_NO_INSTALL=1: fail instead). Options after the script name go to bench/fanout.py (--duration S, --connections N, ...).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
build=1
args=()
for a in "$@"; do if [ "$a" = "--no-build" ]; then build=0; else args+=("$a"); fi; done
bench_install ensemble.sh nginx wrk
[ "$build" = 1 ] && bench_build "$root" src/Yardmaster.Cli/Yardmaster.Cli.csproj
mkdir -p "$root/bench/.work/ensemble"
bench_run python3 "$root/bench/fanout.py" ensemble --yard "$root/src/Yardmaster.Cli/bin/Release/net10.0/yard.dll" --work "$root/bench/.work/ensemble" --out "$root/bench/results" --command "bench/ensemble.sh $*" "${args[@]}"
