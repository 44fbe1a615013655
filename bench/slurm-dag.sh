#!/usr/bin/env bash
# Macro benchmark, native half: a 200-step DAG (bench/slurm_dag.py: 20 layers x 10 steps, each needing 2 of the
# layer before, each `sleep 0.2` with 1 CPU and 64 MiB) submitted natively to the two-node test cluster with
# `sbatch --dependency=afterok:...`, and its wall time from the first submission until squeue shows no job of the
# graph left. Every job must end COMPLETED. The Yardmaster half (the same graph as a pipeline with executor: slurm,
# from `bench/slurm_dag.py yard`) is to be added beside it; both must run in the same run on the same cluster.
# Starts the cluster through scripts/slurm-test-env.sh when it is not up, and stops it again at the end then.
# Writes a markdown report to bench/results/slurm-dag-<date>-<time>.md.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: bench/slurm-dag.sh [options]
  --layers N      layers of the DAG (default 20)
  --width N       steps per layer (default 10)
  --needs N       parents of each step in the layer before (default 2)
  --sleep S       what each step sleeps, seconds (default 0.2)
  --repeat N      timed runs (default 1)
  --label TEXT    a note for the results header
  --out DIR       where the results file goes (default bench/results)
  -h, --help      this text
USAGE
}

root="$(cd "$(dirname "$0")/.." && pwd)"
layers=20 width=10 needs=2 sleep_s=0.2 repeat=1 label="" out="$root/bench/results"
command_line="bench/slurm-dag.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    --layers) layers="$2"; shift ;;
    --width) width="$2"; shift ;;
    --needs) needs="$2"; shift ;;
    --sleep) sleep_s="$2"; shift ;;
    --repeat) repeat="$2"; shift ;;
    --label) label="$2"; shift ;;
    --out) out="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "slurm-dag.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

started=0
"$root/scripts/slurm-test-env.sh" --status || started=1
work="$(mktemp -d /tmp/yard-slurm-dag-XXXXXX)"
cleanup() {
  rm -rf "$work"
  if [ "$started" = 1 ]; then "$root/scripts/slurm-test-env.sh" --stop >/dev/null; fi
}
trap cleanup EXIT
"$root/scripts/slurm-test-env.sh" >&2
# shellcheck disable=SC1091
source /tmp/yardmaster-slurm/env
export SLURM_CONF
python3 "$root/bench/slurm_dag.py" tsv --layers "$layers" --width "$width" --needs "$needs" --sleep "$sleep_s" >"$work/dag.tsv"
steps=$(wc -l <"$work/dag.tsv")
now() { date +%s.%N; }

# run_native TAG: submits the graph in order (parents before children), waits for its end; prints
# "wall submit first_start" seconds.
run_native() {
  local tag="$1" id parents command deps job ids=() start submitted
  declare -A jobs=()
  mkdir -p "$work/$tag/logs"
  start=$(now)
  while IFS=$'\t' read -r id parents command; do
    deps=()
    if [ "$parents" != "-" ]; then
      IFS=, read -ra names <<<"$parents"
      for name in "${names[@]}"; do deps+=("${jobs[$name]}"); done
    fi
    args=(--parsable --job-name="dag-$tag-$id" --nodes=1 --ntasks=1 --cpus-per-task=1 --mem=64M --no-requeue
          --output="$work/$tag/logs/$id.log" --chdir="$work/$tag")
    [ ${#deps[@]} -eq 0 ] || args+=(--dependency="afterok:$(IFS=:; echo "${deps[*]}")")
    job=$(sbatch "${args[@]}" --wrap="$command")
    jobs[$id]="${job%%;*}"
    ids+=("${job%%;*}")
  done <"$work/dag.tsv"
  submitted=$(now)
  local list
  list=$(IFS=,; echo "${ids[*]}")
  while [ -n "$(squeue -h -t PD,R,CG,CF,S -j "$list" -o %i 2>/dev/null)" ]; do sleep 0.05; done
  local end
  end=$(now)
  local bad
  bad=$(squeue -h -t all -j "$list" -o '%i %T' | grep -vc ' COMPLETED$' || true)
  if [ "$bad" != 0 ]; then
    echo "slurm-dag.sh: $bad jobs of run $tag did not complete:" >&2
    squeue -h -t all -j "$list" -o '%i %j %T %r' | grep -v ' COMPLETED ' | head >&2
    exit 1
  fi
  awk -v s="$start" -v u="$submitted" -v e="$end" 'BEGIN { printf "%.3f %.3f\n", e - s, u - s }'
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
results=()
for r in $(seq 1 "$repeat"); do
  read -r wall submit < <(run_native "r$r")
  printf 'run %d: native wall %.2f s (submission %.2f s)\n' "$r" "$wall" "$submit" >&2
  results+=("$wall $submit")
done

critical=$(awk -v l="$layers" -v s="$sleep_s" 'BEGIN { print l * s }')
waves=$(( (width + 3) / 4 ))
floor=$(awk -v l="$layers" -v w="$waves" -v s="$sleep_s" 'BEGIN { print l * w * s }')
mkdir -p "$out"
file="$out/slurm-dag-$(date -u +%Y-%m-%d-%H%M).md"
{
  echo "# Slurm DAG benchmark, native half ($(date -u '+%Y-%m-%d %H:%M UTC'))"
  echo
  echo "\`$command_line\`"
  echo
  echo "Cluster: scripts/slurm-test-env.sh (slurmctld, slurmd n1 and n2 on loopback, 2 CPUs each, $(grep -E '^TaskPlugin' "$SLURM_CONF"), sched/backfill, Slurm's default batch_sched_delay of 3 s); load before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Graph: $steps steps, $layers layers x $width, $needs needs each, \`sleep $sleep_s\`, 1 CPU and 64 MiB each."
  echo "Critical path alone: ${critical} s; with 4 CPUs for $width steps a layer, at least ${floor} s of sleeping."
  echo
  echo "| run | native wall (s) | of which submitting (s) |"
  echo "|---|---|---|"
  i=0
  for line in "${results[@]}"; do
    i=$((i + 1))
    read -r wall submit <<<"$line"
    printf '| %d | %.2f | %.2f |\n' "$i" "$wall" "$submit"
  done
  echo
  echo "Yardmaster's half (the same graph: \`python3 bench/slurm_dag.py yard\`) is not measured by this script yet; goal: at most 1.3x native."
} >"$file"
cat "$file"
echo "written: $file" >&2
