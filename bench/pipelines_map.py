#!/usr/bin/env python3
"""`map` over N items of `true` against the same N steps written out as a plain DAG (N independent `run: true`
steps), both through `yard run FILE --data DIR --output json` with the same settings (a fresh DIR each run),
runs interleaved (map, dag, map, dag, ...) after one warm-up of each. Prints a markdown report and writes it to
OUT/pipelines-map-<date>-<time>.md. Standard library only."""
import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def run(cmd, data):
    shutil.rmtree(data, ignore_errors=True)
    t0 = time.perf_counter()
    p = subprocess.run(cmd + ["--data", data], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    result = json.loads(p.stdout)
    shutil.rmtree(data, ignore_errors=True)
    return wall, result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--yard", required=True)
    ap.add_argument("--items", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", required=True)
    ap.add_argument("--label", default="")
    ap.add_argument("--command", default="bench/pipelines-map.sh")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="yard-map-bench-")
    try:
        n = args.items
        # The lines file must be in the run's working directory: the map pipeline writes it there first (one extra step, ~ms).
        write(os.path.join(work, "map.yaml"),
              f"name: map-{n}\nsteps:\n  - id: items\n    run: seq 0 {n - 1} > items.txt\n"
              f"  - id: each\n    needs: items\n    map: {{ lines: items.txt }}\n    run: 'true'\n")
        write(os.path.join(work, "dag.yaml"),
              f"name: dag-{n}\nsteps:\n" + "".join(f"  - id: s{i}\n    run: 'true'\n" for i in range(n)))
        base = ["dotnet", args.yard, "run"]
        cmds = {"map": base + [os.path.join(work, "map.yaml"), "--output", "json"],
                "dag": base + [os.path.join(work, "dag.yaml"), "--output", "json"]}
        walls = {"map": [], "dag": []}
        load_before = os.getloadavg()
        started = datetime.datetime.now(datetime.timezone.utc)
        for i in range(args.repeat + 1):
            for kind in ("map", "dag"):
                wall, result = run(cmds[kind], os.path.join(work, f"data-{kind}"))
                assert result["state"] == "succeeded", result.get("reason")
                if i > 0:
                    walls[kind].append(wall)
                print(f"  {kind} run {i}{' (warm-up)' if i == 0 else ''}: {wall:.2f} s", file=sys.stderr)
        load_after = os.getloadavg()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    m, d = statistics.median(walls["map"]), statistics.median(walls["dag"])
    ratio = m / d
    lines = [
        f"# map over {n} items vs the same {n} steps as a plain DAG ({started:%Y-%m-%d %H:%M} UTC)",
        "",
        f"Command: `{args.command}`{' — ' + args.label if args.label else ''}",
        "",
        f"Both `yard run FILE --data FRESH_DIR --output json` (embedded scheduler, SQLite store, process executor, default settings), "
        f"interleaved, one warm-up each then {args.repeat} timed runs; wall time includes .NET start-up. The map pipeline "
        f"has one more step (`seq` writing the {n} lines the map reads).",
        "",
        "| pipeline | median s | min s | max s | runs |",
        "|---|---|---|---|---|",
        f"| map: {n} items of `true` | {m:.2f} | {min(walls['map']):.2f} | {max(walls['map']):.2f} | {' '.join(f'{w:.2f}' for w in walls['map'])} |",
        f"| plain DAG: {n} steps `run: true` | {d:.2f} | {min(walls['dag']):.2f} | {max(walls['dag']):.2f} | {' '.join(f'{w:.2f}' for w in walls['dag'])} |",
        "",
        f"**Ratio map / plain DAG: {ratio:.2f}×** (goal at most 2×: {'met' if ratio <= 2 else 'not met'}).",
        "",
        f"Machine: {os.cpu_count()} CPUs, load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (other builders share it).",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, f"pipelines-map-{started:%Y-%m-%d-%H%M}.md")
    write(path, report)
    print(f"written to {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
