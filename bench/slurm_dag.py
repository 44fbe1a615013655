#!/usr/bin/env python3
"""The DAG of the Slurm benchmark (bench/slurm-dag.sh), for both of its sides.

Shape: LAYERS layers of WIDTH steps; step i of layer l (l > 0) needs steps i and (i + 1) % WIDTH of layer
l - 1 (NEEDS of them in general: i, i+1, ..., modulo WIDTH), so every step but the first layer's has NEEDS
parents and every layer waits for the one before. Each step runs `sleep SLEEP` with 1 CPU and MEMORY MiB.
Defaults: 20 layers x 10 steps = 200 steps, 2 needs, sleep 0.2, 64 MiB.

  slurm_dag.py tsv   [options]   one step a line: id<TAB>needs (comma-separated, or -)<TAB>command
  slurm_dag.py yard  [options]   the same graph as a Yardmaster pipeline (executor: slurm)
  slurm_dag.py time --url URL --key KEY --pipeline FILE
                                 submits the pipeline to a `yard serve` at URL, waits for the run's end and prints
                                 "wall dispatch slurm queued seen": the wall time from the POST until the run has ended
                                 (s), the mean time from a step's last parent ending to its attempt starting
                                 (Yardmaster's dispatch, including waiting for a free CPU, s), the mean attempt time
                                 beyond the step's own sleep (s), and from sacct (whole seconds, so means only): the
                                 mean time a job waited in Slurm's queue (Submit to Start, s) and from its End to the
                                 attempt's end in Yardmaster (s; "nan" without accounting); exits 1 unless it succeeded
"""
import argparse
import json
import subprocess
import sys
import time
import urllib.request
from datetime import datetime


def steps(layers, width, needs):
    for layer in range(layers):
        for i in range(width):
            parents = [] if layer == 0 else [f"l{layer - 1:02d}s{(i + k) % width:02d}" for k in range(needs)]
            yield f"l{layer:02d}s{i:02d}", sorted(set(parents))


def call(url, key, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url.rstrip("/") + path, data=data, method=method,
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def seconds(stamp):
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def time_run(args):
    with open(args.pipeline, encoding="utf-8") as f:
        yaml = f.read()
    start = time.monotonic()
    run_id = call(args.url, args.key, "POST", "/api/runs", {"yaml": yaml, "file": args.pipeline})["id"]
    while True:
        run = call(args.url, args.key, "GET", f"/api/runs/{run_id}")
        if run["state"] != "running":
            break
        time.sleep(0.05)
    wall = time.monotonic() - start
    if run["state"] != "succeeded":
        bad = [s for s in run["steps"] if s["state"] != "succeeded"][:5]
        print(f"slurm_dag.py: run {run_id} ended {run['state']}: {bad}", file=sys.stderr)
        sys.exit(1)
    ended = {s["id"]: seconds(s["ended_at"]) for s in run["steps"]}
    needs = {s["id"]: s.get("needs", []) for s in run["steps"]}
    dispatch, slurm = [], []
    sleep_s = float(args.sleep)
    for a in run["attempts"]:
        started = seconds(a["started_at"])
        if needs.get(a["step"]):
            dispatch.append(started - max(ended[n] for n in needs[a["step"]]))
        slurm.append(seconds(a["ended_at"]) - started - sleep_s)
    queued, seen = accounting(run["attempts"])
    print(f"{wall:.3f} {sum(dispatch) / max(len(dispatch), 1):.3f} {sum(slurm) / len(slurm):.3f} {queued} {seen}")


def accounting(attempts):
    jobs = {a["locator"].split()[2]: a for a in attempts}
    result = subprocess.run(["sacct", "--noheader", "--allocations", "--parsable2", "--jobs=" + ",".join(jobs),
                             "--format=JobID,Submit,Start,End"], capture_output=True, text=True, check=False)
    queued, seen = [], []
    for line in result.stdout.splitlines():
        job, submit, start, end = line.split("|")
        if job in jobs and "Unknown" not in (submit, start, end):
            queued.append(seconds(start + "Z") - seconds(submit + "Z"))
            seen.append(seconds(jobs[job]["ended_at"]) - seconds(end + "Z"))
    if result.returncode != 0 or not queued:
        return "nan", "nan"
    return f"{sum(queued) / len(queued):.3f}", f"{sum(seen) / len(seen):.3f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("format", choices=["tsv", "yard", "time"])
    parser.add_argument("--url")
    parser.add_argument("--key")
    parser.add_argument("--pipeline")
    parser.add_argument("--layers", type=int, default=20)
    parser.add_argument("--width", type=int, default=10)
    parser.add_argument("--needs", type=int, default=2)
    parser.add_argument("--sleep", default="0.2")
    parser.add_argument("--memory-mib", type=int, default=64)
    args = parser.parse_args()
    if args.needs > args.width:
        parser.error("--needs cannot exceed --width")
    if args.format == "time":
        time_run(args)
        return
    command = f"sleep {args.sleep}"
    out = sys.stdout
    if args.format == "tsv":
        for step, parents in steps(args.layers, args.width, args.needs):
            out.write(f"{step}\t{','.join(parents) or '-'}\t{command}\n")
        return
    out.write(f"name: slurm-dag-{args.layers}x{args.width}\n")
    out.write("executor: slurm\n")
    out.write("steps:\n")
    for step, parents in steps(args.layers, args.width, args.needs):
        out.write(f"  - id: {step}\n")
        if parents:
            out.write(f"    needs: [{', '.join(parents)}]\n")
        out.write(f"    run: {command}\n")
        out.write(f"    resources: {{ cpu: 1, memory: {args.memory_mib}MiB }}\n")


if __name__ == "__main__":
    main()
