#!/usr/bin/env bash
# The store's growth per million requests with the default history settings (and with the request log off, to
# separate the rollups' share): the real HistoryRecorder writing into a real SQLite file over a simulated day.
# Usage: bench/history-growth.sh [REQUESTS] [HOURS]
set -euo pipefail
cd "$(dirname "$0")/.."
requests="${1:-1000000}"
hours="${2:-24}"
dotnet build bench/Yardmaster.HistoryBench -c Release -nologo -v quiet >/dev/null
for sample in 1.0 0; do
  echo "== history.requests.sample $sample"
  dotnet bench/Yardmaster.HistoryBench/bin/Release/net10.0/Yardmaster.HistoryBench.dll "$requests" "$hours" "$sample"
done
