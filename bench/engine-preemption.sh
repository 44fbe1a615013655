#!/usr/bin/env bash
# Priority inside the builtin engine (issue 13, goal 3): a high request's TTFT with every slot held by batch sequences,
# against the same on an idle engine and on an engine with `preempt: false`, through `yard serve`.
# Builds yard in Release, generates the synthetic 110M Q8_0 model once (bench/.work/models), writes
# bench/results/engine-preemption-<date>-<time>.md. Needs python3 and the .NET SDK. Options after --no-build go to
# bench/engine_preemption.py (--rounds N, --per-block N, --slots N, --batch-tokens N, --model GGUF ...).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
bench_ttft engine-preemption.sh engine-preemption engine_preemption.py "$@"
