#!/usr/bin/env bash
# Failover of the job scheduler: two `yard serve` (the built Release yard.dll) on one PostgreSQL database and one data
# folder, steps on the two-node Slurm cluster; the leader is SIGKILLed mid-pipeline and bench/failover.py times the
# takeover and the first step the new leader starts, several repetitions per store.lease (default 10s and 3s), with
# median and max. PostgreSQL and Slurm are those of scripts/postgres-test-env.sh and scripts/slurm-test-env.sh (started
# when missing, stopped again at the end when this script started them).
# Usage: bench/failover.sh [--repeat N] [--lease 10s --lease 3s ...] [--steps N] [--keep] [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
# shellcheck source=bench/lib.sh
source bench/lib.sh

build=1
pass=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0; shift ;;
    --keep) pass+=("$1"); shift ;;
    --repeat|--lease|--steps) pass+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

stop_at_exit=()
scripts/postgres-test-env.sh --running || stop_at_exit+=("scripts/postgres-test-env.sh --stop")
scripts/slurm-test-env.sh --status >/dev/null 2>&1 || stop_at_exit+=("scripts/slurm-test-env.sh --stop")
if [ ${#stop_at_exit[@]} -gt 0 ]; then
  trap 'for c in "${stop_at_exit[@]}"; do $c || true; done' EXIT
fi
scripts/postgres-test-env.sh >/dev/null
scripts/slurm-test-env.sh >/dev/null
# shellcheck disable=SC1091
. "${YARD_PG_ROOT:-/tmp/yardmaster-pg}/env"
# shellcheck disable=SC1091
. "${YARD_SLURM_DIR:-/tmp/yardmaster-slurm}/env"
export YARD_TEST_PG_URL YARD_TEST_PG_PASSWORD

[ $build = 1 ] && bench_build "$root" src/Yardmaster.Cli
mkdir -p bench/results
out="bench/results/failover-$(date -u +%Y-%m-%d-%H%M).md"
{
  echo "# Failover of the job scheduler, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Command: \`bench/failover.sh ${pass[*]:-}\`; $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg);" \
    "Slurm jobs of others queued before: $(SLURM_CONF="$SLURM_CONF" "$YARD_SLURM_BIN_DIR/squeue" --noheader | wc -l)."
  echo
  python3 bench/failover.py --yard src/Yardmaster.Cli/bin/Release/net10.0/yard.dll --slurm-conf "$SLURM_CONF" \
    --slurm-bin "$YARD_SLURM_BIN_DIR" --partition "$YARD_SLURM_PARTITION" "${pass[@]}"
  echo
  echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)."
} | tee "$out"
echo "written to $out" >&2
