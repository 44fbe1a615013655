#!/usr/bin/env bash
# Goal 4 of issue 12: a slice of the Azure LLM conversation trace replayed live against `yard serve` (builtin runtime,
# llama-2-tiny-random, one replica) with `yard bench replay`, and the same slice through `yard simulate` with the same
# yard.yaml, under three token models (models[].simulation): "engine", the per-sequence rates by sequences at once that
# `yard model bench --concurrency` measures; "gateway", the same table calibrated through the server and the replay client
# (rounds of N requests at once, each level of --bench-concurrency up to the slots); "gateway-1", the gateway's rate at the
# slot count alone (one rate at every concurrency: the method before the table); "gateway-sat", the table with the top
# row's decode rate measured in a replay of the next rows at the same speed (slots full, a queue behind; not with
# --warm). Prints per task the measured and
# predicted SLO attainment and their difference in points, and TTFT/latency p50/p95 side by side; goal: within 5 points.
# Usage: [YARD_SHARED=DIR] bench/replay-vs-sim.sh [--no-build] [--requests N] [--skip N] [--speeds "X Y"]
#        [--slots N] [--slo-chat D] [--slo-search D] [--slo-batch D] [--bench-concurrency "1 2 4"] [--warm]
# The calibration goes through a second model of the same file (model cal, task calibration), so that the server process
# is warm but the replayed model has learned nothing when the replay starts, as in the simulation; --warm calibrates
# through the replayed model itself (its admission then predicts from the calibration's one length).
set -euo pipefail
cd "$(dirname "$0")/.."

build=1
requests=300
skip=0
speeds="4 8"
slots=4
slo_chat=2s
slo_search=4s
slo_batch=8s
concurrency="1 2 4"
warm=0
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0; shift ;;
    --requests) requests="$2"; shift 2 ;;
    --skip) skip="$2"; shift 2 ;;
    --speeds) speeds="$2"; shift 2 ;;
    --slots) slots="$2"; shift 2 ;;
    --slo-chat) slo_chat="$2"; shift 2 ;;
    --slo-search) slo_search="$2"; shift 2 ;;
    --slo-batch) slo_batch="$2"; shift 2 ;;
    --bench-concurrency) concurrency="$2"; shift 2 ;;
    --warm) warm=1; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

shared="${YARD_SHARED:-../shared}" # the shared models and traces beside the checkout
shared="$(cd "$shared" && pwd)"
model="$shared/models/llama-2-tiny-random.gguf"
trace="$shared/traces/azure-llm-2023-conv.csv"
[ $build = 1 ] && dotnet build src/Yardmaster.Cli -c Release -nologo -v quiet >/dev/null
yard=(dotnet "$PWD/src/Yardmaster.Cli/bin/Release/net10.0/yard.dll")

work="$PWD/bench/.work/replay-vs-sim"
rm -rf "$work"
mkdir -p "$work" bench/results
out="bench/results/replay-vs-sim-$(date -u +%Y-%m-%d-%H%M).md"

# The slice: the header and rows skip+1 .. skip+requests of the trace.
slice="$work/slice.csv"
awk -v from=$((skip + 2)) -v to=$((skip + requests + 1)) 'NR == 1 || (NR >= from && NR <= to)' "$trace" > "$slice"
# The next rows of the trace, as many: replayed at each speed through the calibration model for the token model
# "gateway-sat" (the decode rate with the slots kept full and a queue behind them, as in the replay).
sat_slice="$work/saturation-slice.csv"
awk -v from=$((skip + requests + 2)) -v to=$((skip + 2 * requests + 1)) 'NR == 1 || (NR >= from && NR <= to)' "$trace" > "$sat_slice"

# The token model "engine", measured in-process as `yard serve` runs the model: per sequence, with N sequences at once for
# each N of --bench-concurrency (an engine of N slots given N prompts), as a models[].simulation table.
bench_json="$work/model-bench.json"
"${yard[@]}" model bench "$model" --prompt-tokens 256 --output-tokens 128 --repeat 3 --concurrency "${concurrency// /,}" --output json > "$bench_json"
load=$(jq -r '.load_seconds' "$bench_json")
# table_yaml ROWS_JSON: the flow mapping of models[].simulation for rows [{sequences, prefill_tokens_per_second, decode_tokens_per_second}].
table_yaml() {
  jq -r --arg load "$load" '"{ load_time: \($load)s, concurrency: [" + ([.[] | "{ sequences: \(.sequences), prefill_tokens_per_second: \(.prefill_tokens_per_second), decode_tokens_per_second: \(.decode_tokens_per_second) }"] | join(", ")) + "] }"' <<< "$1"
}
engine_sim=$(table_yaml "$(jq -c '.concurrency' "$bench_json")")

key="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export YARD_BENCH_ADMIN_KEY="$key" # the server's admin key (replay reads the tasks' SLOs); simulate validates the config as serve does
# write_config FILE SIMULATION: the yard.yaml of the server and of the simulation (one warm replica, both sides), with
# SIMULATION the flow mapping of models[].simulation (the server ignores it).
write_config() {
  cat > "$1" <<EOF
models:
$(if [ "${3:-}" = calibration ]; then cat <<CAL
  - name: cal # the same file, calibrated through so that tiny has learned nothing when the replay starts
    backend: builtin
    path: "$model"
    slots: $slots
    context: 4096
    replicas: { min: 1, max: 1 }
    memory: 64MiB
CAL
fi)
  - name: tiny
    backend: builtin
    path: "$model"
    slots: $slots
    context: 4096
    replicas: { min: 1, max: 1 }
    memory: 64MiB # declared: without it the simulator charges 16 GiB (LlmWorkload.DefaultMemory), over the 8 GiB cpu budget
    simulation: $2
tasks:
  - { name: chat, priority: high, slo: { latency: $slo_chat }, models: [tiny] }
  - { name: search, priority: normal, slo: { latency: $slo_search }, models: [tiny] }
  - { name: batch, priority: batch, slo: { latency: $slo_batch }, models: [tiny] }
$(if [ "${3:-}" = calibration ]; then echo "  - { name: calibration, priority: normal, models: [cal] }"; fi)
auth:
  admin_keys_env: YARD_BENCH_ADMIN_KEY
EOF
}
config="$work/yard.yaml"
write_config "$config" "$engine_sim"
serve_config="$work/yard-serve.yaml" # the server's: with the calibration model unless --warm
if [ $warm = 1 ]; then cp "$config" "$serve_config"; else write_config "$serve_config" "$engine_sim" calibration; fi

# The calibration traces (azure-llm format), one per level N of --bench-concurrency up to the slots: 9 rounds of N requests
# at once, 1 s apart, of the slice's mean prompt and output lengths, through the gateway and the replay client. Their
# per-sequence rates (prompt / TTFT, other tokens / the time after the first), medians after the first round, are the
# token model "gateway" (a table by N); the rates at the highest N alone are "gateway-1".
read -r mean_prompt mean_output < <(awk -F, 'NR > 1 { p += $2; o += $3; n++ } END { printf "%d %d\n", p / n, o / n }' "$slice")
levels=""
for n in $concurrency; do [ "$n" -le "$slots" ] && levels="$levels $n"; done
for n in $levels; do
  {
    echo "TIMESTAMP,ContextTokens,GeneratedTokens"
    for round in $(seq 0 8); do
      for _ in $(seq 1 "$n"); do
        printf '2023-11-16 18:00:%02d.0000000,%d,%d\n' "$round" "$mean_prompt" "$mean_output"
      done
    done
  } > "$work/calibration-$n.csv"
done

server=""
stop_server() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  server=""
}
trap stop_server EXIT
trap 'exit 130' INT TERM

# start_server DATA LOG: yard serve on a free port ($port), waiting for /health.
start_server() {
  port=$(free_port)
  "${yard[@]}" serve --config "$serve_config" --port "$port" --data "$1" --quiet > "$2" 2>&1 &
  server=$!
  local deadline=$((SECONDS + 60))
  until curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; do
    if ! kill -0 "$server" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      echo "yard serve did not start:" >&2; cat "$2" >&2; exit 1
    fi
    sleep 0.2
  done
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# compare DIR SPEED SOURCE: the markdown rows of one speed from the replay's and the simulation's summary.json.
compare() {
  jq -r --slurpfile sim "$1/sim-$3/summary.json" --arg speed "$2" --arg source "$3" '
    def pct: if . == null then "-" else (. * 1000 | round / 10 | tostring) + "%" end;
    def ms: if . == null then "-" else (. | round | tostring) end;
    ($sim[0].runs[] | select(.label | startswith("default"))) as $s
    | .runs[0].tasks[] as $m
    | ($s.tasks[] | select(.task == $m.task)) as $p
    | "| \($speed)× | \($m.task) | \($source) | \($m.requests) | \($m.slo_attainment | pct) | \($p.slo_attainment | pct) | \((($p.slo_attainment - $m.slo_attainment) * 1000 | round / 10))"
      + " | \($m.ttft_ms.p50 | ms) / \($m.ttft_ms.p95 | ms) | \($p.ttft_ms.p50 | ms) / \($p.ttft_ms.p95 | ms)"
      + " | \($m.latency_ms.p50 | ms) / \($m.latency_ms.p95 | ms) | \($p.latency_ms.p50 | ms) / \($p.latency_ms.p95 | ms)"
      + " | \($m.refused + $m.timed_out) / \($p.refused + $p.timed_out) |"' "$1/replay/summary.json"
}

rows="$work/rows.md"
: > "$rows"
loads=""
calibrated=""
for speed in $speeds; do
  dir="$work/speed-$speed"
  mkdir -p "$dir"
  start_server "$dir/data" "$dir/serve.log"
  rows_json="[]"
  for n in $levels; do
    cal_task=(); [ $warm = 0 ] && cal_task=(--task calibration)
    "${yard[@]}" bench replay --trace "$work/calibration-$n.csv" --format azure-llm --url "http://127.0.0.1:$port" --key "$key" \
      "${cal_task[@]}" --out "$dir/calibration-$n" > "$dir/calibration-$n.log"
    read -r cal_prefill cal_decode < <(python3 - "$dir/calibration-$n/requests.csv" "$n" <<'PY'
import csv, statistics, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["outcome"] == "completed"][int(sys.argv[2]):]
prefill = [int(r["served_prompt_tokens"]) / (float(r["ttft_ms"]) / 1000) for r in rows]
decode = [(int(r["served_output_tokens"]) - 1) / ((float(r["latency_ms"]) - float(r["ttft_ms"])) / 1000) for r in rows]
print(round(statistics.median(prefill), 1), round(statistics.median(decode), 1))
PY
)
    rows_json=$(jq -c --argjson n "$n" --argjson p "$cal_prefill" --argjson d "$cal_decode" '. + [{ sequences: $n, prefill_tokens_per_second: $p, decode_tokens_per_second: $d }]' <<< "$rows_json")
  done
  sat_json=""
  if [ $warm = 0 ]; then
    # Saturation: the next rows at this speed, all to the calibration model. A request's decode rate (tokens after the
    # first over the time after it) does not include its wait in the queue; its TTFT does, so prefill stays the table's.
    "${yard[@]}" bench replay --trace "$sat_slice" --format azure-llm --url "http://127.0.0.1:$port" --speed "$speed" --key "$key" \
      --task calibration --out "$dir/calibration-saturated" > "$dir/calibration-saturated.log"
    sat_decode=$(python3 - "$dir/calibration-saturated/requests.csv" <<'PY'
import csv, statistics, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["outcome"] == "completed" and int(r["served_output_tokens"]) > 1]
print(round(statistics.median((int(r["served_output_tokens"]) - 1) / ((float(r["latency_ms"]) - float(r["ttft_ms"])) / 1000) for r in rows), 1))
PY
)
    sat_json=$(jq -c --argjson d "$sat_decode" '(.[-1].decode_tokens_per_second = $d)' <<< "$rows_json")
  fi
  before=$(cut -d' ' -f1 /proc/loadavg)
  "${yard[@]}" bench replay --trace "$slice" --format azure-llm --url "http://127.0.0.1:$port" --speed "$speed" \
    --key "$key" --out "$dir/replay" > "$dir/replay.log"
  after=$(cut -d' ' -f1 /proc/loadavg)
  stop_server
  write_config "$dir/yard-gateway.yaml" "$(table_yaml "$rows_json")"
  write_config "$dir/yard-gateway-1.yaml" "$(table_yaml "$(jq -c '[last | .sequences = 1]' <<< "$rows_json")")"
  sources="engine gateway gateway-1"
  if [ -n "$sat_json" ]; then
    write_config "$dir/yard-gateway-sat.yaml" "$(table_yaml "$sat_json")"
    sources="$sources gateway-sat"
    calibrated="$calibrated ${speed}× saturated decode (4 at once, a queue behind): $sat_decode;"
  fi
  for model_source in $sources; do
    cfg="$config"; [ $model_source != engine ] && cfg="$dir/yard-$model_source.yaml"
    "${yard[@]}" simulate --trace "$slice" --format azure-llm --config "$cfg" --load-scale "$speed" --out "$dir/sim-$model_source" > "$dir/sim-$model_source.log"
    compare "$dir" "$speed" "$model_source" >> "$rows"
  done
  calibrated="$calibrated ${speed}×: $(jq -r 'map("\(.sequences) at once \(.prefill_tokens_per_second) / \(.decode_tokens_per_second)") | join(", ")' <<< "$rows_json");"
  loads="$loads ${speed}×: $before → $after;"
done

{
  echo "# Live replay against the simulator (goal 4), $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "$(nproc) cores. Trace slice: rows $((skip + 1)) to $((skip + requests)) of \`azure-llm-2023-conv.csv\`"
  echo "($(tail -n +2 "$slice" | wc -l) requests), tasks by the default split (TraceTasks). Model \`llama-2-tiny-random.gguf\`,"
  echo "builtin runtime, 1 replica of $slots slots. SLOs: chat (high) $slo_chat, search (normal) $slo_search, batch (batch) $slo_batch."
  echo
  echo "\`yard model bench\` ($(jq -c 'del(.file)' "$bench_json")):"
  echo "token model \"engine\": $engine_sim (prefill / decode tokens/s per sequence by sequences at once)."
  echo "token model \"gateway\" (calibration per level: 9 rounds of N requests at once, $mean_prompt prompt / $mean_output output tokens,"
  echo "through \`yard serve\` and \`yard bench replay\` just before each replay; prefill / decode per sequence):$calibrated"
  if [ $warm = 0 ]; then
    echo "Calibrated through a second model of the same file (cal): the replayed model had learned nothing, as in the simulation."
  else
    echo "Calibrated through the replayed model (--warm): its admission had learned from the calibration's requests."
  fi
  echo "token model \"gateway-sat\" (not with --warm): \"gateway\" with its top row's decode rate measured replaying rows $((skip + requests + 1)) to $((skip + 2 * requests)) at the same speed through the calibration model."
  echo "token model \"gateway-1\": the gateway's rates at $(echo $levels | awk '{ print $NF }') at once, at every concurrency (one rate, as before the table)."
  echo
  echo '```yaml'
  sed "s|$shared|\$SHARED|" "$config"
  echo '```'
  echo
  echo "| speed | task | token model | requests | measured | predicted | predicted − measured (points) | TTFT p50 / p95 ms measured | predicted | latency p50 / p95 ms measured | predicted | refused or timed out, measured / predicted |"
  echo "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
  cat "$rows"
  echo
  echo "Load average (1 min) before → after each replay:$loads"
} | tee "$out"
