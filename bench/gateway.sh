#!/usr/bin/env bash
# Macro benchmark of the gateway's overhead: wrk against a fast OpenAI-compatible upstream (nginx
# answering with fixed JSON) directly, through nginx as a plain reverse proxy, and through `yard serve`
# with an `http` backend, in the same run, at concurrency 1, 16 and 64. Installs nginx and wrk if
# missing (Debian), builds yard in Release, prints one markdown table with the goals and writes it to
# bench/results/gateway-<date>-<time>.md. Needs bash, python3 (standard library only), curl, the .NET SDK.
# See bench/README.md for what every figure means.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/gateway.sh [options]
  --concurrency "1 16 64"  wrk connections per run (default: "1 16 64")
  --threads N              wrk threads, at most the connections (default: 2)
  --duration S             seconds per measured run (default: 10)
  --warmup S               seconds of warm-up per path, at 16 connections (default: 5)
  --nginx-workers N|auto   worker_processes of the nginx upstream + proxy (default: auto)
  --yard-env "K=V ..."     environment added to the yard process (default: none, the runtime settings yard ships with)
  --label TEXT             a note for the results header
  --out DIR                where the results file goes (default: bench/results)
  --yard DLL               measure this yard.dll (e.g. a copy of an earlier build) instead of building
  --no-build               use the existing Release build
  --no-install             do not apt-get install nginx and wrk when missing
  -h, --help               this text
EOF
}

root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
yard="$root/src/Yardmaster.Cli/bin/Release/net10.0/yard.dll"
concurrency="1 16 64"
threads=2
duration=10
warmup=5
workers=auto
yard_env=""
label=""
out="$root/bench/results"
build=1
install=1
command_line="bench/gateway.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    --concurrency) concurrency="$2"; shift ;;
    --threads) threads="$2"; shift ;;
    --duration) duration="$2"; shift ;;
    --warmup) warmup="$2"; shift ;;
    --nginx-workers) workers="$2"; shift ;;
    --yard-env) yard_env="$2"; shift ;;
    --label) label="$2"; shift ;;
    --out) out="$2"; shift ;;
    --yard) yard="$2"; build=0; shift ;;
    --no-build) build=0 ;;
    --no-install) install=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "gateway.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

command -v python3 >/dev/null || { echo "gateway.sh: python3 is required" >&2; exit 1; }
command -v curl >/dev/null || { echo "gateway.sh: curl is required" >&2; exit 1; }

# nginx and wrk from Debian, once (idempotent: nothing happens when both are there).
[ "$install" = 1 ] || export BENCH_NO_INSTALL=1
bench_install gateway.sh nginx wrk

if [ "$build" = 1 ]; then
  bench_build "$root" src/Yardmaster.Cli bench/Yardmaster.MinimalProxy
fi
floor="$root/bench/Yardmaster.MinimalProxy/bin/Release/net10.0/Yardmaster.MinimalProxy.dll"
[ -f "$floor" ] || { echo "gateway.sh: $floor not found (build without --no-build)" >&2; exit 1; }
[ -f "$yard" ] || { echo "gateway.sh: $yard not found (build without --no-build)" >&2; exit 1; }

env_args=()
for kv in $yard_env; do env_args+=(--yard-env "$kv"); done

bench_run python3 "$root/bench/gateway.py" \
  --yard "$yard" --floor "$floor" --work "$root/bench/.work/gateway" --out "$out" \
  --concurrency "$concurrency" --threads "$threads" --duration "$duration" --warmup "$warmup" \
  --nginx-workers "$workers" --label "$label" --command "$command_line" "${env_args[@]}"
