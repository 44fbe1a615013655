#!/usr/bin/env bash
# Macro benchmark of POST /v1/embeddings on `yard model-server`: inputs/s for requests of 1, 32 and 256
# short inputs, and the decode rate of a concurrent generation with and without embeddings running.
# Writes bench/results/embeddings-<date>.md. Needs bash, python3 (standard library only), the .NET SDK.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
model="$root/tests/fixtures/models/stories260K.gguf"
threads=2
repeat=3
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model="$2"; shift ;;
    --threads) threads="$2"; shift ;;
    --repeat) repeat="$2"; shift ;;
    -h|--help) echo "usage: bench/embeddings.sh [--model GGUF] [--threads N] [--repeat N]"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
"$root/yard" --help >/dev/null # builds once when a source changed
exec python3 "$root/bench/embeddings.py" --yard "dotnet $root/src/Yardmaster.Cli/bin/Release/net10.0/yard.dll" \
  --model "$model" --threads "$threads" --repeat "$repeat" --out "$root/bench/results"
