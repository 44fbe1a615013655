#!/usr/bin/env bash
# Macro benchmark: a 200-step DAG (bench/slurm_dag.py: 20 layers x 10 steps, each needing 2 of the layer before,
# each `sleep 0.2` with 1 CPU and 64 MiB) on the two-node test cluster, twice in the same run:
# - native: submitted with `sbatch --dependency=afterok:...`, timed from the first submission until squeue shows no
#   job of the graph left; every job must end COMPLETED;
# - Yardmaster: the same graph as a pipeline with executor: slurm (`bench/slurm_dag.py yard`) posted to a fresh
#   `yard serve` (SQLite store, jobs.slurm.placement from --placement, jobs.slurm.poll from --poll), timed from the POST
#   until the run has ended; it must succeed. One server per placement and poll value; the ratio Yardmaster/native is
#   printed (goal: at most 1.3).
# Holds the test cluster's lock file (/tmp/yardmaster-slurm/tests.lock, as the Slurm tests do) while it measures.
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
  --poll LIST     jobs.slurm.poll values for the Yardmaster half, space-separated (default "250ms")
  --placement LIST  jobs.slurm.placement values for the Yardmaster half (default "slurm yardmaster")
  --yard DLL      measure this yard.dll instead of building src/Yardmaster.Cli
  --no-yard       the native half only
  --no-build      use the existing Release build of yard
  --label TEXT    a note for the results header
  --out DIR       where the results file goes (default bench/results)
  -h, --help      this text
USAGE
}

root="$(cd "$(dirname "$0")/.." && pwd)"
layers=20 width=10 needs=2 sleep_s=0.2 repeat=1 label="" out="$root/bench/results"
polls="250ms" placements="slurm yardmaster" yard="$root/src/Yardmaster.Cli/bin/Release/net10.0/yard.dll" build=1
command_line="bench/slurm-dag.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    --layers) layers="$2"; shift ;;
    --width) width="$2"; shift ;;
    --needs) needs="$2"; shift ;;
    --sleep) sleep_s="$2"; shift ;;
    --repeat) repeat="$2"; shift ;;
    --poll) polls="$2"; shift ;;
    --placement) placements="$2"; shift ;;
    --yard) yard="$2"; build=0; shift ;;
    --no-yard) yard=none; build=0 ;;
    --no-build) build=0 ;;
    --label) label="$2"; shift ;;
    --out) out="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "slurm-dag.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

if [ "$build" = 1 ]; then
  echo "building Release..." >&2
  dotnet build "$root/src/Yardmaster.Cli" -c Release -nologo -v quiet >&2
fi
[ "$yard" = none ] || [ -f "$yard" ] || { echo "slurm-dag.sh: $yard not found (build without --no-build)" >&2; exit 1; }
started=0
"$root/scripts/slurm-test-env.sh" --status || started=1
work="$(mktemp -d /tmp/yard-slurm-dag-XXXXXX)"
serve_pid=""
cleanup() {
  if [ -n "$serve_pid" ]; then kill -TERM "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
  rm -rf "$work"
  if [ "$started" = 1 ]; then "$root/scripts/slurm-test-env.sh" --stop >/dev/null; fi
}
trap cleanup EXIT
"$root/scripts/slurm-test-env.sh" >&2
# shellcheck disable=SC1091
source /tmp/yardmaster-slurm/env
export SLURM_CONF
exec 9>/tmp/yardmaster-slurm/tests.lock
echo "waiting for the cluster's lock (tests using it)..." >&2
flock 9
python3 "$root/bench/slurm_dag.py" tsv --layers "$layers" --width "$width" --needs "$needs" --sleep "$sleep_s" >"$work/dag.tsv"
python3 "$root/bench/slurm_dag.py" yard --layers "$layers" --width "$width" --needs "$needs" --sleep "$sleep_s" >"$work/dag.yaml"
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

# run_yard TAG POLL PLACEMENT: starts `yard serve` with jobs.slurm.poll=POLL and placement=PLACEMENT on a fresh data folder, posts the pipeline,
# waits for the run's end, stops the server; prints "wall dispatch attempt queued seen" (see slurm_dag.py time).
run_yard() {
  local tag="$1" poll="$2" placement="$3" dir="$work/$1" url="" i
  mkdir -p "$dir"
  cat >"$dir/yard.yaml" <<YAML
auth: { admin_keys: [slurm-dag-bench] }
jobs:
  executor: slurm
  docker: { enabled: false }
  slurm: { conf: "$SLURM_CONF", bin_dir: "$YARD_SLURM_BIN_DIR", partition: $YARD_SLURM_PARTITION, poll: $poll, placement: $placement }
YAML
  YARD_HOME="$dir" dotnet "$yard" serve --config "$dir/yard.yaml" --port 0 --data "$dir/data" >"$dir/serve.log" 2>&1 &
  serve_pid=$!
  for i in $(seq 1 600); do
    url=$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$dir/serve.log" | head -1)
    [ -n "$url" ] && break
    kill -0 "$serve_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$url" ]; then
    echo "slurm-dag.sh: yard serve did not start:" >&2
    cat "$dir/serve.log" >&2
    exit 1
  fi
  python3 "$root/bench/slurm_dag.py" time --url "$url" --key slurm-dag-bench --pipeline "$work/dag.yaml" --sleep "$sleep_s"
  kill -TERM "$serve_pid"
  wait "$serve_pid" || true
  serve_pid=""
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
results=()
for r in $(seq 1 "$repeat"); do
  read -r wall submit < <(run_native "r$r")
  printf 'run %d: native wall %.2f s (submission %.2f s)\n' "$r" "$wall" "$submit" >&2
  line="$wall $submit"
  if [ "$yard" != none ]; then
    for placement in $placements; do
      for poll in $polls; do
        read -r ywall dispatch overhead queued seen < <(run_yard "y$r-$placement-$poll" "$poll" "$placement")
        printf 'run %d: yardmaster (placement %s, poll %s) wall %.2f s, ratio %.2f\n' "$r" "$placement" "$poll" "$ywall" "$(awk -v y="$ywall" -v n="$wall" 'BEGIN { print y / n }')" >&2
        line="$line $placement,$poll:$ywall:$dispatch:$overhead:$queued:$seen"
      done
    done
  fi
  results+=("$line")
done

critical=$(awk -v l="$layers" -v s="$sleep_s" 'BEGIN { print l * s }')
waves=$(( (width + 3) / 4 ))
floor=$(awk -v l="$layers" -v w="$waves" -v s="$sleep_s" 'BEGIN { print l * w * s }')
mkdir -p "$out"
file="$out/slurm-dag-$(date -u +%Y-%m-%d-%H%M).md"
{
  echo "# Slurm DAG benchmark ($(date -u '+%Y-%m-%d %H:%M UTC'))"
  echo
  echo "\`$command_line\`"
  echo
  echo "Cluster: scripts/slurm-test-env.sh (slurmctld, slurmd n1 and n2 on loopback, 2 CPUs each, $(grep -E '^TaskPlugin' "$SLURM_CONF"), sched/backfill, Slurm's default batch_sched_delay of 3 s); load before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Graph: $steps steps, $layers layers x $width, $needs needs each, \`sleep $sleep_s\`, 1 CPU and 64 MiB each."
  echo "Critical path alone: ${critical} s; with 4 CPUs for $width steps a layer, at least ${floor} s of sleeping."
  echo
  echo "| run | native wall (s) | of which submitting (s) | Yardmaster placement, poll | Yardmaster wall (s) | Yardmaster/native | mean dispatch after parents (s) | mean attempt beyond the sleep (s) | of which queued in Slurm (s) | of which Slurm's end to seen (s) |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  i=0
  for line in "${results[@]}"; do
    i=$((i + 1))
    read -r wall submit rest <<<"$line"
    if [ -z "$rest" ]; then
      printf '| %d | %.2f | %.2f | - | - | - | - | - | - | - |\n' "$i" "$wall" "$submit"
    fi
    for y in $rest; do
      IFS=: read -r poll ywall dispatch overhead queued seen <<<"$y"
      printf '| %d | %.2f | %.2f | %s | %.2f | %.2f | %.2f | %.2f | %s | %s |\n' "$i" "$wall" "$submit" "$poll" "$ywall" \
        "$(awk -v y="$ywall" -v n="$wall" 'BEGIN { print y / n }')" "$dispatch" "$overhead" "$queued" "$seen"
    done
  done
  echo
  echo "Goal: Yardmaster/native at most 1.3. Yardmaster submits a step when its parents have ended (no --dependency). With placement slurm it hands every ready step to Slurm at once and Slurm picks the node; with placement yardmaster it holds a step until its ledger has room and pins the node (--nodelist)."
  echo "Dispatch after parents includes waiting for a free CPU (10 steps a layer on 4 CPUs); the sacct columns have whole-second times, so only their means say something."
} >"$file"
cat "$file"
echo "written: $file" >&2
