#!/usr/bin/env bash
# The reliability suite: a real `yard serve` (the built Release yard.dll) on loopback, one per scenario,
# (1) overloaded at 2x its measured capacity by an open-loop client, (2) with a `process` model server
# SIGKILLed mid-stream, (3) itself SIGKILLed during a 200-step pipeline and 50 in-flight requests, then
# restarted, (4) with its data folder on a small tmpfs filled mid-run, (5) under 1,000 idle connections and
# 100 slow SSE readers. Prints one markdown table (PASS/FAIL per scenario, with figures) and writes it to
# bench/results/reliability-<date>-<time>.md. Exits 0 when every scenario passes, 1 when one fails or
# breaks, 2 when a prerequisite is missing. Needs bash, python3 (standard library only), the .NET SDK,
# ../shared/models/stories260K.gguf next to the checkout (or $YARD_SHARED/models), and root for the
# tmpfs of scenario 4 (skipped otherwise). See bench/README.md for what every figure means.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: bench/reliability.sh [options]
  --only "1 2 3 4 5"        scenarios to run (default: all)
  --overload-seconds S      open-loop phase of scenario 1 (default: $RELIABILITY_OVERLOAD_SECONDS, else 600)
  --capacity-seconds S      closed-loop capacity measurement of scenario 1 (default: 20)
  --max-tokens N            max_tokens of every scenario-1 request (default: 128)
  --kills N                 model-server kills in scenario 2 (default: 3)
  --tmpfs-size SIZE         the tmpfs of scenario 4 (default: 32m)
  --full-seconds S          how long scenario 4 keeps the disk full (default: 5)
  --run-timeout S           how long scenarios 3 and 4 wait for the run to end once it can (default: 120 / 60)
  --idle N / --slow N       idle connections / slow SSE readers of scenario 5 (default: 1000 / 100)
  --normal-rate R           requests/s of scenario 5's normal clients (default: 10)
  --slow-model own|shared   scenario 5's slow readers on a model of their own, or on the normal clients' (default: own)
  --phase-seconds S         scenario 5's baseline and loaded phases, each (default: 20)
  --label TEXT              a note for the results header
  --out DIR                 where the results file goes (default: bench/results)
  --yard DLL                test this yard.dll instead of building src/Yardmaster.Cli
  --no-build                use the existing Release build
  -h, --help                this text
USAGE
}

root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
yard="$root/src/Yardmaster.Cli/bin/Release/net10.0/yard.dll"
shared="${YARD_SHARED:-$(dirname "$root")/shared}"
work="$root/bench/.work/reliability"
out="$root/bench/results"
build=1
args=(--overload-seconds "${RELIABILITY_OVERLOAD_SECONDS:-600}")
command_line="bench/reliability.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    --only) args+=(--only "$2"); shift ;;
    --overload-seconds) args+=(--overload-seconds "$2"); shift ;;
    --capacity-seconds) args+=(--cap-seconds "$2"); shift ;;
    --max-tokens) args+=(--max-tokens "$2"); shift ;;
    --kills) args+=(--kills "$2"); shift ;;
    --tmpfs-size) args+=(--tmpfs-size "$2"); shift ;;
    --full-seconds) args+=(--full-seconds "$2"); shift ;;
    --run-timeout) args+=(--run-timeout "$2" --full-run-timeout "$2"); shift ;;
    --idle) args+=(--idle "$2"); shift ;;
    --slow) args+=(--slow "$2"); shift ;;
    --normal-rate) args+=(--normal-rate "$2"); shift ;;
    --slow-model) args+=(--slow-model "$2"); shift ;;
    --phase-seconds) args+=(--phase-seconds "$2"); shift ;;
    --label) args+=(--label "$2"); shift ;;
    --out) out="$2"; shift ;;
    --yard) yard="$2"; build=0; shift ;;
    --no-build) build=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "reliability.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

command -v python3 >/dev/null || { echo "reliability.sh: python3 is required" >&2; exit 2; }
stories="$shared/models/stories260K.gguf"
if [ ! -f "$stories" ]; then
  echo "reliability.sh: $stories is missing: the suite needs the shared models next to the checkout" >&2
  echo "  (../shared/models/stories260K.gguf, or set YARD_SHARED to the folder holding models/)" >&2
  exit 2
fi
[ "$(id -u)" = 0 ] || echo "reliability.sh: not root: scenario 4 (disk full on a tmpfs) will be skipped" >&2

[ "$build" = 1 ] && bench_build "$root" src/Yardmaster.Cli
[ -f "$yard" ] || { echo "reliability.sh: $yard not found (build without --no-build)" >&2; exit 2; }

# The runner stops its own servers, steps and mounts; this catches what a runner killed hard leaves behind.
cleanup() {
  bench_cleanup
  local m
  for m in $(awk -v w="$work" 'index($2, w) == 1 { print $2 }' /proc/mounts 2>/dev/null); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
python3 "$root/bench/reliability.py" --yard "$yard" --stories "$stories" --work "$work" --out "$out" \
  --command "$command_line" "${args[@]}" &
bench_runner=$!
wait "$bench_runner"
