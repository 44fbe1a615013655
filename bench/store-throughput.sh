#!/usr/bin/env bash
# Durable run-store throughput (steps/s) of PostgreSQL against SQLite, in the same run: bench/Yardmaster.StoreBench
# writes the two batches a job scheduler commits per step (started, ended) into a fresh store of each kind, alternating.
# PostgreSQL is the one scripts/postgres-test-env.sh starts (stopped again at the end when this script started it).
# Usage: bench/store-throughput.sh [--steps N] [--per-batch K] [--repeat R] [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."

build=1
pass=()
per_batch=1
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0; shift ;;
    --per-batch) per_batch="$2"; pass+=("$1" "$2"); shift 2 ;;
    --steps|--repeat) pass+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

if ! scripts/postgres-test-env.sh --running; then
  trap 'scripts/postgres-test-env.sh --stop' EXIT
fi
scripts/postgres-test-env.sh >/dev/null
# shellcheck disable=SC1091
. "${YARD_PG_ROOT:-/tmp/yardmaster-pg}/env"
export YARD_TEST_PG_PASSWORD

[ $build = 1 ] && dotnet build bench/Yardmaster.StoreBench -c Release -nologo -v quiet >/dev/null
mkdir -p bench/results
out="bench/results/store-throughput-$(date -u +%Y-%m-%d-%H%M%S)-batch${per_batch}.md"
{
  echo "# Durable run-store throughput, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Command: \`bench/store-throughput.sh ${pass[*]:-}\`; $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg);" \
    "$("/usr/lib/postgresql/15/bin/postgres" --version 2>/dev/null || echo postgres)."
  echo
  dotnet bench/Yardmaster.StoreBench/bin/Release/net10.0/Yardmaster.StoreBench.dll --url "$YARD_TEST_PG_URL" --password-env YARD_TEST_PG_PASSWORD "${pass[@]}"
  echo
  echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)."
} | tee "$out"
echo "written to $out" >&2
