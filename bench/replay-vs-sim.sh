#!/usr/bin/env bash
# Goal 4 of issue 12: a slice of the Azure LLM conversation trace replayed live against `yard serve` (builtin runtime,
# llama-2-tiny-random, one replica) with `yard bench replay`, and the same slice through `yard simulate` with the same
# yard.yaml, whose token model is measured here with `yard model bench`. Prints per task the measured and predicted
# SLO attainment and their difference in points, and TTFT/latency p50/p95 side by side; goal: within 5 points.
# Usage: [YARD_SHARED=DIR] bench/replay-vs-sim.sh [--no-build] [--requests N] [--skip N] [--speeds "X Y"]
#        [--slots N] [--slo-chat D] [--slo-search D] [--slo-batch D] [--bench-concurrency "1 2 4"]
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
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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

# The token model, measured in-process as `yard serve` runs the model: one sequence, and N at once when the command
# measures concurrency (--concurrency), whose per-sequence rates at the slot count are what a busy replica gives each slot.
bench_json="$work/model-bench.json"
if "${yard[@]}" model bench --help 2>/dev/null | grep -q -- '--concurrency'; then
  "${yard[@]}" model bench "$model" --prompt-tokens 256 --output-tokens 128 --repeat 3 --concurrency "${concurrency// /,}" --output json > "$bench_json"
else
  "${yard[@]}" model bench "$model" --prompt-tokens 256 --output-tokens 128 --repeat 3 --output json > "$bench_json"
fi
prefill=$(jq -r --argjson s "$slots" '(.concurrency // []) as $c | (if ($c|length) > 0 then ([$c[] | select(.sequences <= $s)] | last | .prefill_tokens_per_second) else .prefill_tokens_per_second end)' "$bench_json")
decode=$(jq -r --argjson s "$slots" '(.concurrency // []) as $c | (if ($c|length) > 0 then ([$c[] | select(.sequences <= $s)] | last | .decode_tokens_per_second) else .decode_tokens_per_second end)' "$bench_json")
load=$(jq -r '.load_seconds' "$bench_json")

key="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export YARD_BENCH_ADMIN_KEY="$key" # the server's admin key (replay reads the tasks' SLOs); simulate validates the config as serve does
# write_config FILE PREFILL DECODE: the yard.yaml of the server and of the simulation (one warm replica, both sides).
write_config() {
  cat > "$1" <<EOF
models:
  - name: tiny
    backend: builtin
    path: "$model"
    slots: $slots
    context: 4096
    replicas: { min: 1, max: 1 }
    memory: 64MiB # declared: without it the simulator charges 16 GiB (LlmWorkload.DefaultMemory), over the 8 GiB cpu budget
    simulation: { prefill_tokens_per_second: $2, decode_tokens_per_second: $3, load_time: ${load}s }
tasks:
  - { name: chat, priority: high, slo: { latency: $slo_chat }, models: [tiny] }
  - { name: search, priority: normal, slo: { latency: $slo_search }, models: [tiny] }
  - { name: batch, priority: batch, slo: { latency: $slo_batch }, models: [tiny] }
auth:
  admin_keys_env: YARD_BENCH_ADMIN_KEY
EOF
}
config="$work/yard.yaml"
write_config "$config" "$prefill" "$decode"

# The calibration trace (azure-llm format): rounds of $slots requests at once, 1 s apart, of the slice's mean prompt and
# output lengths: through the gateway and the replay client, each slot busy, as under pressure. Its per-sequence rates
# (prompt / TTFT, other tokens / the time after the first), medians after the first round, are the token model "gateway".
calibration="$work/calibration.csv"
read -r mean_prompt mean_output < <(awk -F, 'NR > 1 { p += $2; o += $3; n++ } END { printf "%d %d\n", p / n, o / n }' "$slice")
{
  echo "TIMESTAMP,ContextTokens,GeneratedTokens"
  for round in $(seq 0 8); do
    for _ in $(seq 1 "$slots"); do
      printf '2023-11-16 18:00:%02d.0000000,%d,%d\n' "$round" "$mean_prompt" "$mean_output"
    done
  done
} > "$calibration"

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
  port=$(free_port)
  "${yard[@]}" serve --config "$config" --port "$port" --data "$dir/data" --quiet > "$dir/serve.log" 2>&1 &
  server=$!
  deadline=$((SECONDS + 60))
  until curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; do
    if ! kill -0 "$server" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      echo "yard serve did not start:" >&2; cat "$dir/serve.log" >&2; exit 1
    fi
    sleep 0.2
  done
  "${yard[@]}" bench replay --trace "$calibration" --format azure-llm --url "http://127.0.0.1:$port" --key "$key" \
    --out "$dir/calibration" > "$dir/calibration.log"
  before=$(cut -d' ' -f1 /proc/loadavg)
  "${yard[@]}" bench replay --trace "$slice" --format azure-llm --url "http://127.0.0.1:$port" --speed "$speed" \
    --key "$key" --out "$dir/replay" > "$dir/replay.log"
  after=$(cut -d' ' -f1 /proc/loadavg)
  stop_server
  read -r cal_prefill cal_decode < <(python3 - "$dir/calibration/requests.csv" "$slots" <<'PY'
import csv, statistics, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["outcome"] == "completed"][int(sys.argv[2]):]
prefill = [int(r["served_prompt_tokens"]) / (float(r["ttft_ms"]) / 1000) for r in rows]
decode = [(int(r["served_output_tokens"]) - 1) / ((float(r["latency_ms"]) - float(r["ttft_ms"])) / 1000) for r in rows]
print(round(statistics.median(prefill), 1), round(statistics.median(decode), 1))
PY
)
  write_config "$dir/yard-gateway.yaml" "$cal_prefill" "$cal_decode"
  for model_source in engine gateway; do
    cfg="$config"; [ $model_source = gateway ] && cfg="$dir/yard-gateway.yaml"
    "${yard[@]}" simulate --trace "$slice" --format azure-llm --config "$cfg" --load-scale "$speed" --out "$dir/sim-$model_source" > "$dir/sim-$model_source.log"
    compare "$dir" "$speed" "$model_source" >> "$rows"
  done
  calibrated="$calibrated ${speed}x: prefill $cal_prefill, decode $cal_decode;"
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
  echo "token model \"engine\": prefill $prefill, decode $decode tokens/s per sequence ($slots at once, or one), load ${load} s."
  echo "token model \"gateway\" (calibration: 9 rounds of $slots requests at once, $mean_prompt prompt / $mean_output output tokens, through \`yard serve\`"
  echo "and \`yard bench replay\` just before each replay):$calibrated"
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
