#!/usr/bin/env bash
# Gateway throughput with the history and the metrics on against both off, in the same run (bench/observability.py).
# Installs nginx and wrk when missing (Debian), builds yard in Release. Usage: bench/observability.sh [--rounds N] [--duration S] [--concurrency "16 64"]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
command -v nginx >/dev/null && command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx wrk; }
dotnet build "$root/src/Yardmaster.Cli/Yardmaster.Cli.csproj" -c Release -nologo -v quiet >/dev/null
mkdir -p "$root/bench/.work/observability"
exec python3 "$root/bench/observability.py" --yard "$root/src/Yardmaster.Cli/bin/Release/net10.0/yard.dll" \
  --work "$root/bench/.work/observability" --out "$root/bench/results" --command "bench/observability.sh $*" "$@"
