#!/usr/bin/env bash
# Macro benchmark of the job scheduler: `yard run` of a 1,000-step DAG and a 40-step chain of `true`
# against make running the same graphs (-j2 / -j1), yard's start-up alone (a 1-step pipeline), and the
# durable throughput of N trivial steps through yard's SQLite store against Quartz.NET 4.7.3's ADO.NET job
# store on SQLite (bench/Yardmaster.QuartzBench), all in the same run. Generates everything in a fresh
# temporary directory, builds yard and the Quartz baseline in Release, prints one markdown report with the
# goals and writes it to bench/results/pipelines-<date>-<time>.md. Needs bash, python3 (standard library
# only), make and the .NET SDK. See bench/README.md for what every figure means.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: bench/pipelines.sh [options]
  --repeat N               timed runs of each command, after one warm-up (default: 5)
  --jobs N                 trivial steps/jobs of the durable throughput run (default: 1000)
  --quartz-concurrency L   Quartz maxConcurrency values, "default" = Quartz's own (default: "default 2")
  --label TEXT             a note for the results header
  --out DIR                where the results file goes (default: bench/results)
  --work DIR               generate here and keep it (default: a temporary directory, removed after)
  --yard DLL               measure this yard.dll instead of building src/Yardmaster.Cli
  --no-yard                make and Quartz only
  --no-quartz              make and yard only
  --no-build               use the existing Release builds
  -h, --help               this text
USAGE
}

root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
yard="$root/src/Yardmaster.Cli/bin/Release/net10.0/yard.dll"
quartz="$root/bench/Yardmaster.QuartzBench/bin/Release/net10.0/Yardmaster.QuartzBench.dll"
repeat=5
jobs=1000
quartz_concurrency="default 2"
label=""
out="$root/bench/results"
work=""
build_yard=1
build_quartz=1
command_line="bench/pipelines.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    --repeat) repeat="$2"; shift ;;
    --jobs) jobs="$2"; shift ;;
    --quartz-concurrency) quartz_concurrency="$2"; shift ;;
    --label) label="$2"; shift ;;
    --out) out="$2"; shift ;;
    --work) work="$2"; shift ;;
    --yard) yard="$2"; build_yard=0; shift ;;
    --no-yard) yard=none; build_yard=0 ;;
    --no-quartz) quartz=none; build_quartz=0 ;;
    --no-build) build_yard=0; build_quartz=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "pipelines.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

command -v python3 >/dev/null || { echo "pipelines.sh: python3 is required" >&2; exit 1; }
command -v make >/dev/null || { echo "pipelines.sh: make is required (apt-get install -y make)" >&2; exit 1; }

projects=()
[ "$build_yard" = 1 ] && projects+=(src/Yardmaster.Cli)
[ "$build_quartz" = 1 ] && projects+=(bench/Yardmaster.QuartzBench)
[ ${#projects[@]} -gt 0 ] && bench_build "$root" "${projects[@]}"
for dll in "$yard" "$quartz"; do
  [ "$dll" = none ] || [ -f "$dll" ] || { echo "pipelines.sh: $dll not found (build without --no-build)" >&2; exit 1; }
done

work_args=()
[ -n "$work" ] && work_args=(--work "$work" --keep)
bench_run python3 "$root/bench/pipelines.py" \
  --yard "$yard" --quartz "$quartz" --repeat "$repeat" --jobs "$jobs" \
  --quartz-concurrency "$quartz_concurrency" --out "$out" --label "$label" --command "$command_line" "${work_args[@]}"
