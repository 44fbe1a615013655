#!/usr/bin/env bash
# Macro benchmark of map: a pipeline mapping `true` over N items (default 10,000) against the same N steps written
# out as a plain DAG (N independent `run: true` steps), both with `yard run` on a fresh data folder, same settings,
# runs interleaved. Goal: map at most 2x the plain DAG. Writes bench/results/pipelines-map-<date>-<time>.md.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: bench/pipelines-map.sh [--items N] [--repeat N] [--label TEXT] [--out DIR] [--yard DLL] [--no-build]
  --items N     items of the map and steps of the plain DAG (default: 10000)
  --repeat N    timed runs of each, after one warm-up (default: 3)
  --yard DLL    measure this yard.dll instead of building src/Yardmaster.Cli
  --no-build    use the existing Release build
USAGE
}

root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
yard="$root/src/Yardmaster.Cli/bin/Release/net10.0/yard.dll"
items=10000
repeat=3
label=""
out="$root/bench/results"
build=1
command_line="bench/pipelines-map.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    --items) items="$2"; shift ;;
    --repeat) repeat="$2"; shift ;;
    --label) label="$2"; shift ;;
    --out) out="$2"; shift ;;
    --yard) yard="$2"; build=0; shift ;;
    --no-build) build=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "pipelines-map.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

command -v python3 >/dev/null || { echo "pipelines-map.sh: python3 is required" >&2; exit 1; }
[ "$build" = 1 ] && bench_build "$root" src/Yardmaster.Cli
[ -f "$yard" ] || { echo "pipelines-map.sh: $yard not found (build without --no-build)" >&2; exit 1; }
bench_run python3 "$root/bench/pipelines_map.py" --yard "$yard" --items "$items" --repeat "$repeat" --out "$out" --label "$label" --command "$command_line"
