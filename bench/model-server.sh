#!/usr/bin/env bash
# Macro benchmark of `yard model-server`: load time against a sequential read of the file, decode
# tokens/s for one and four sequences against the memory-bandwidth bound, peak RSS against file size.
# Builds Release once, generates the synthetic 110M models (reused while their size and SHA-256 match),
# measures, prints one markdown table and writes it to bench/results/model-server-<date>.md.
# Needs bash, python3 (standard library only), the .NET SDK; root for a cold page cache.
# See bench/README.md for what every figure means.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/model-server.sh [options]
  --quick              stories260K only
  --models "A B"       any of: stories260K f32 q8_0 (default: all three)
  --threads "1 2"      compute thread counts to run (default: "1 2")
  --repeat N           runs of the one-sequence decode, best kept (default: 2)
  --cold MODE          drop: drop the whole page cache (default; needs root)
                       file: evict only the model file (posix_fadvise)
                       none: warm figures only
  --out DIR            where the results file goes (default: bench/results)
  --no-build           use the existing Release build
  -h, --help           this text
EOF
}

root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
models="stories260K f32 q8_0"
threads="1 2"
repeat=2
cold=drop
out="$root/bench/results"
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) models="stories260K" ;;
    --models) models="$2"; shift ;;
    --threads) threads="$2"; shift ;;
    --repeat) repeat="$2"; shift ;;
    --cold) cold="$2"; shift ;;
    --out) out="$2"; shift ;;
    --no-build) build=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "model-server.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

stories="$root/tests/fixtures/models/stories260K.gguf"
work="$root/bench/.work/models"
yard="$root/src/Yardmaster.Cli/bin/Release/net10.0/yard.dll"
bandwidth="$root/bench/Yardmaster.Bandwidth/bin/Release/net10.0/Yardmaster.Bandwidth.dll"
[ -f "$stories" ] || { echo "model-server.sh: $stories not found: the test model is part of the checkout (tests/fixtures/models)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "model-server.sh: python3 is required" >&2; exit 1; }

if [ "$build" = 1 ]; then
  bench_build "$root" src/Yardmaster.Cli/Yardmaster.Cli.csproj bench/Yardmaster.Bandwidth/Yardmaster.Bandwidth.csproj
fi

# synthetic TYPE: the 110M model of TYPE (bench_synthetic in lib.sh).
synthetic() { bench_synthetic "$yard" "$work" "$stories" 110M "$1"; }

specs=()
for m in $models; do
  case "$m" in
    stories260K) specs+=("stories260K|$stories|400") ;;
    f32) specs+=("110M F32|$(synthetic f32)|128") ;;
    q8_0) specs+=("110M Q8_0|$(synthetic q8_0)|128") ;;
    *) echo "model-server.sh: unknown model '$m' (stories260K, f32, q8_0)" >&2; exit 2 ;;
  esac
done

model_args=()
for s in "${specs[@]}"; do model_args+=(--model "$s"); done
bench_run python3 "$root/bench/model-server.py" \
  --yard "$yard" --bandwidth "$bandwidth" --threads "$threads" --repeat "$repeat" --cold "$cold" \
  --out "$out" "${model_args[@]}"
