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
slo_chat=1s
slo_search=3s
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
config="$work/yard.yaml"
cat > "$config" <<EOF
models:
  - name: tiny
    backend: builtin
    path: "$model"
    slots: $slots
    context: 4096
    memory: 64MiB # declared: without it the simulator charges 16 GiB (LlmWorkload.DefaultMemory), over the 8 GiB cpu budget
    simulation: { prefill_tokens_per_second: $prefill, decode_tokens_per_second: $decode, load_time: ${load}s }
tasks:
  - { name: chat, priority: high, slo: { latency: $slo_chat }, models: [tiny] }
  - { name: search, priority: normal, slo: { latency: $slo_search }, models: [tiny] }
  - { name: batch, priority: batch, slo: { latency: $slo_batch }, models: [tiny] }
auth:
  admin_keys_env: YARD_BENCH_ADMIN_KEY
EOF

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

# compare DIR SPEED: the markdown rows of one speed from the replay's and the simulation's summary.json.
compare() {
  jq -r --slurpfile sim "$1/sim/summary.json" --arg speed "$2" '
    def pct: if . == null then "-" else (. * 1000 | round / 10 | tostring) + "%" end;
    def ms: if . == null then "-" else (. | round | tostring) end;
    ($sim[0].runs[] | select(.label | startswith("default"))) as $s
    | .runs[0].tasks[] as $m
    | ($s.tasks[] | select(.task == $m.task)) as $p
    | "| \($speed)× | \($m.task) | \($m.requests) | \($m.slo_attainment | pct) | \($p.slo_attainment | pct) | \((($p.slo_attainment - $m.slo_attainment) * 1000 | round / 10))"
      + " | \($m.ttft_ms.p50 | ms) / \($m.ttft_ms.p95 | ms) | \($p.ttft_ms.p50 | ms) / \($p.ttft_ms.p95 | ms)"
      + " | \($m.latency_ms.p50 | ms) / \($m.latency_ms.p95 | ms) | \($p.latency_ms.p50 | ms) / \($p.latency_ms.p95 | ms)"
      + " | \($m.refused + $m.timed_out) / \($p.refused + $p.timed_out) |"' "$1/replay/summary.json"
}

rows="$work/rows.md"
: > "$rows"
loads=""
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
  before=$(cut -d' ' -f1 /proc/loadavg)
  "${yard[@]}" bench replay --trace "$slice" --format azure-llm --url "http://127.0.0.1:$port" --speed "$speed" \
    --key "$key" --out "$dir/replay" > "$dir/replay.log"
  after=$(cut -d' ' -f1 /proc/loadavg)
  stop_server
  "${yard[@]}" simulate --trace "$slice" --format azure-llm --config "$config" --load-scale "$speed" --out "$dir/sim" > "$dir/sim.log"
  compare "$dir" "$speed" >> "$rows"
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
  echo "token model used: prefill $prefill, decode $decode tokens/s per sequence, load ${load} s."
  echo
  echo '```yaml'
  sed "s|$shared|\$SHARED|" "$config"
  echo '```'
  echo
  echo "| speed | task | requests | measured | predicted | predicted − measured (points) | TTFT p50 / p95 ms measured | predicted | latency p50 / p95 ms measured | predicted | refused or timed out, measured / predicted |"
  echo "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
  cat "$rows"
  echo
  echo "Load average (1 min) before → after each replay:$loads"
} | tee "$out"
