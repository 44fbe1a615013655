#!/usr/bin/env python3
"""Measures Yardmaster's job scheduler against make and Quartz.NET for bench/pipelines.sh (which builds
yard and Yardmaster.QuartzBench).

Standard library only. Generates, in a fresh temporary directory, the same graphs as Yardmaster pipeline
YAML and as Makefiles (every step `true`):
  - dag: 10 layers of 100 steps; step j of layer L (2..10) needs steps j, (j+1)%100, (j+37)%100 of L-1;
  - chain: 40 steps, each needing the one before;
  - one: a single step (yard's fixed cost per run: process start, store, scheduler);
  - wide: N independent steps with `resources: { cpu: 100m }` (the durable throughput run).
Then times, each --repeat times after one untimed warm-up, with a wall clock around the whole command:
`make -jJ -f FILE` and `yard run FILE --data DIR --output json` (a fresh DIR every run), and runs
Yardmaster.QuartzBench (N no-op jobs through Quartz's ADO.NET store on SQLite) in the same invocation.
Prints one markdown report with the goals and writes it to bench/results/pipelines-<date>-<time>.md.
See bench/README.md for the definitions.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

GOAL_DAG_RATIO = 1.5          # yard wall ≤ 1.5 × make -j2 on the DAG
GOAL_CHAIN_STEP_MS = 20.0     # (yard − make -j1) / 40 on the chain
LAYERS, WIDTH, CHAIN = 10, 100, 40


def dag_needs(layer, j):
    """The steps of layer `layer - 1` that step j of `layer` needs (none for layer 1)."""
    if layer == 1:
        return []
    return sorted({j, (j + 1) % WIDTH, (j + 37) % WIDTH})


def write_pipeline(path, name, steps, cpu=None):
    """steps: list of (id, [needs]). Every step runs `true`; cpu sets `resources: { cpu: ... }`."""
    lines = [f"name: {name}", "priority: normal", "steps:"]
    for step, needs in steps:
        lines.append(f"  - id: {step}")
        if needs:
            lines.append(f"    needs: [{', '.join(needs)}]")
        lines.append('    run: "true"')
        if cpu:
            lines.append(f"    resources: {{ cpu: {cpu} }}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def write_makefile(path, steps):
    """The same graph: one .PHONY target per step whose recipe is `true`, and `all` needing every step."""
    ids = [s for s, _ in steps]
    lines = [".PHONY: all " + " ".join(ids), "all: " + " ".join(ids), ""]
    for step, needs in steps:
        lines.append(f"{step}: {' '.join(needs)}".rstrip())
        lines.append("\ttrue")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def generate(work, jobs):
    dag = [(f"l{layer}s{j}", [f"l{layer - 1}s{k}" for k in dag_needs(layer, j)])
           for layer in range(1, LAYERS + 1) for j in range(WIDTH)]
    chain = [(f"c{i}", [f"c{i - 1}"] if i > 0 else []) for i in range(CHAIN)]
    one = [("s0", [])]
    wide = [(f"w{i}", []) for i in range(jobs)]
    files = {
        "dag.yaml": lambda p: write_pipeline(p, "dag1000", dag),
        "dag-500m.yaml": lambda p: write_pipeline(p, "dag1000-500m", dag, cpu="500m"),
        "dag.mk": lambda p: write_makefile(p, dag),
        "chain.yaml": lambda p: write_pipeline(p, "chain40", chain),
        "chain.mk": lambda p: write_makefile(p, chain),
        "one.yaml": lambda p: write_pipeline(p, "one", one),
        "wide.yaml": lambda p: write_pipeline(p, f"wide{jobs}", wide, cpu="100m"),
    }
    for name, writer in files.items():
        writer(os.path.join(work, name))
    return {"dag": len(dag), "chain": len(chain), "wide": len(wide),
            "dag_edges": sum(len(n) for _, n in dag)}


def timed(cmd, cwd, before=None):
    """Wall seconds of one run of cmd; raises with its output when it fails."""
    if before:
        before()
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    return wall, p.stdout


def measure(label, cmd_for_run, cwd, repeat, fresh_data=None):
    """One untimed warm-up, then `repeat` timed runs. cmd_for_run(i) gives the command of run i."""
    walls = []
    last = ""
    if fresh_data:
        os.makedirs(fresh_data, exist_ok=True)
    for i in range(repeat + 1):
        data = None
        if fresh_data:
            data = os.path.join(fresh_data, f"{label}-{i}")
            shutil.rmtree(data, ignore_errors=True)
        wall, last = timed(cmd_for_run(data), cwd)
        if i > 0:
            walls.append(wall)
        if data:
            shutil.rmtree(data, ignore_errors=True)
    print(f"  {label}: median {statistics.median(walls):.3f} s (min {min(walls):.3f}, max {max(walls):.3f}, n={len(walls)})",
          file=sys.stderr)
    return {"walls": walls, "min": min(walls), "median": statistics.median(walls), "max": max(walls), "last": last}


def yard_has_run(yard_cmd):
    """Whether this yard has the `run` command; the reason when not."""
    p = subprocess.run(yard_cmd + ["run", "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode == 0 and "--data" in p.stdout:
        return True, ""
    # An unknown command makes System.CommandLine print the root help (exit 0) or an error.
    if "yard [command] [options]" in p.stdout:
        return False, "this build of yard has no `run` command (`yard run --help` prints the root help)"
    first = next((line for line in p.stdout.splitlines() if line.strip()), "")
    return False, f"`yard run --help` exited {p.returncode} without a --data option: {first.strip()}"


def run_quartz(dll, jobs, repeat, concurrency, work):
    cmd = ["dotnet", dll, "--jobs", str(jobs), "--repeat", str(repeat), "--concurrency", concurrency,
           "--work", os.path.join(work, "quartz")]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sys.stderr.write("".join("  " + line + "\n" for line in p.stderr.splitlines()))
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}\n{p.stderr[-3000:]}")
    runs = [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]
    by = {}
    for r in runs:
        by.setdefault(r["max_concurrency"], []).append(r)
    return by


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def fmt(x, digits=3):
    return "n/a" if x is None else f"{x:.{digits}f}"


def spread(m):
    return f"{m['median']:.3f} ({m['min']:.3f}–{m['max']:.3f})"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--yard", required=True, help="yard.dll to run with dotnet, or 'none' for make (and Quartz) only")
    ap.add_argument("--quartz", default="none", help="Yardmaster.QuartzBench.dll, or 'none'")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs of each command (after one warm-up)")
    ap.add_argument("--jobs", type=int, default=1000, help="trivial steps/jobs of the durable throughput run")
    ap.add_argument("--quartz-concurrency", default="default 2", help="Quartz maxConcurrency values")
    ap.add_argument("--work", default="", help="where to generate (default: a fresh temporary directory)")
    ap.add_argument("--keep", action="store_true", help="keep the generated directory")
    ap.add_argument("--out", required=True, help="results directory")
    ap.add_argument("--label", default="")
    ap.add_argument("--command", default="")
    args = ap.parse_args()

    work = args.work or tempfile.mkdtemp(prefix="yard-pipelines-")
    os.makedirs(work, exist_ok=True)
    started = datetime.datetime.now()
    load_before = loadavg()
    sizes = generate(work, args.jobs)
    print(f"generated in {work}: dag {sizes['dag']} steps / {sizes['dag_edges']} edges, chain {sizes['chain']}, "
          f"wide {sizes['wide']}", file=sys.stderr)

    make = {}
    print("make:", file=sys.stderr)
    for label, mk, jobs in [("dag -j2", "dag.mk", 2), ("dag -j1", "dag.mk", 1), ("chain -j1", "chain.mk", 1), ("chain -j2", "chain.mk", 2)]:
        make[label] = measure(f"make {label}", lambda _d, mk=mk, jobs=jobs: ["make", "-s", f"-j{jobs}", "-f", mk], work, args.repeat)

    yard = {}
    yard_note = ""
    yard_cmd = None
    if args.yard != "none":
        yard_cmd = ["dotnet", args.yard]
        ok, why = yard_has_run(yard_cmd)
        if not ok:
            yard_note = f"yard not measured: {why}"
            print(yard_note, file=sys.stderr)
            yard_cmd = None
    else:
        yard_note = "yard not measured (--yard none)"
    if yard_cmd:
        print("yard:", file=sys.stderr)
        data_root = os.path.join(work, "data")
        for label, yaml in [("one", "one.yaml"), ("chain", "chain.yaml"), ("dag", "dag.yaml"),
                            ("dag 500m", "dag-500m.yaml"), ("wide", "wide.yaml")]:
            yard[label] = measure(f"yard {label}", lambda d, yaml=yaml: yard_cmd + ["run", yaml, "--data", d, "--output", "json"],
                                  work, args.repeat, fresh_data=data_root)

    quartz = {}
    if args.quartz != "none":
        print("quartz:", file=sys.stderr)
        quartz = run_quartz(args.quartz, args.jobs, args.repeat, args.quartz_concurrency, work)

    load_after = loadavg()
    report = render(args, sizes, make, yard, yard_note, quartz, started, load_before, load_after)
    print(report)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, f"pipelines-{started:%Y-%m-%d-%H%M}.md")
    with open(path, "w") as f:
        f.write(report)
    print(f"wrote {path}", file=sys.stderr)
    if not args.keep and not args.work:
        shutil.rmtree(work, ignore_errors=True)


def machine_notes():
    def run(cmd):
        try:
            return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.strip()
        except OSError:
            return "?"
    return {
        "make": run(["make", "--version"]).splitlines()[0] if run(["make", "--version"]) else "?",
        "dotnet": run(["dotnet", "--version"]),
        "cpus": str(os.cpu_count()),
        "kernel": platform.release(),
    }


def render(args, sizes, make, yard, yard_note, quartz, started, load_before, load_after):
    m = machine_notes()
    out = [f"# Pipelines: yard against make and Quartz.NET, {started:%Y-%m-%d %H:%M}", ""]
    if args.label:
        out += [args.label, ""]
    out += [f"`{args.command or 'bench/pipelines.py'}` — {m['cpus']} cores, {m['make']}, .NET SDK {m['dotnet']}, "
            f"kernel {m['kernel']}; load average {load_before} before, {load_after} after. "
            f"Each figure: median (min–max) wall seconds of {args.repeat} runs after one warm-up.", ""]
    if yard_note:
        out += [f"**{yard_note}**", ""]

    def y(label):
        return yard.get(label)

    out += ["## DAG (1,000 steps, 10 layers × 100, 3 needs each) and chain (40 steps)", "",
            "| workload | make -j1 s | make -j2 s | yard s | yard ÷ make -j2 |", "|---|---:|---:|---:|---:|"]
    for name, mk in [("dag", "dag"), ("chain", "chain")]:
        ys = y(name)
        ratio = ys["median"] / make[f"{mk} -j2"]["median"] if ys else None
        out.append(f"| {name} | {spread(make[f'{mk} -j1'])} | {spread(make[f'{mk} -j2'])} | "
                   f"{spread(ys) if ys else 'n/a'} | {fmt(ratio, 2)} |")
    if y("dag 500m"):
        out.append(f"| dag, `cpu: 500m` (4 at once) | | | {spread(y('dag 500m'))} | "
                   f"{fmt(y('dag 500m')['median'] / make['dag -j2']['median'], 2)} |")
    if y("one"):
        out.append(f"| one step (yard's fixed cost) | | | {spread(y('one'))} | |")
    out.append("")

    out += ["## Durable throughput: trivial steps/jobs through SQLite", "",
            f"{args.jobs} trivial units. Yardmaster: `yard run` of {args.jobs} independent steps `true` with "
            "`resources: { cpu: 100m }`, real processes, wall time of the whole command (less the one-step run "
            "for the throughput without start-up). Quartz.NET 4.7.3: no-op in-process `IJob`s with one "
            "trigger each (fire now), ADO.NET job store on a fresh SQLite file (Microsoft.Data.Sqlite), timed "
            "from `ScheduleJobs` of all of them on the started scheduler to the last execution, in one process "
            "after an untimed warm-up run of 100 jobs.", "",
            "| system | concurrency | wall s | units/s |", "|---|---|---:|---:|"]
    if y("wide"):
        w = y("wide")
        out.append(f"| yard | cpu 100m on {m['cpus']} cores | {spread(w)} | {args.jobs / w['median']:.0f} |")
        if y("one"):
            net = w["median"] - y("one")["median"]
            out.append(f"| yard, less start-up (wide − one) | | {net:.3f} | {args.jobs / net:.0f} |" if net > 0 else
                       "| yard, less start-up | | n/a | n/a |")
    else:
        out.append("| yard | | n/a | n/a |")
    for conc, runs in sorted(quartz.items(), key=lambda kv: -kv[0]):
        totals = [r["total_s"] for r in runs]
        med = statistics.median(totals)
        sched = statistics.median(r["schedule_s"] for r in runs)
        start = statistics.median(r["start_s"] for r in runs)
        out.append(f"| Quartz maxConcurrency {conc} | {conc} | {med:.3f} ({min(totals):.3f}–{max(totals):.3f}) | "
                   f"{args.jobs / med:.0f} |")
        out.append(f"| ↳ of which the `ScheduleJobs` call; the scheduler's start before it (not in wall) | | {sched:.3f}; {start:.3f} | |")
    if not quartz:
        out.append("| Quartz | | n/a | n/a |")
    out += ["", "Yardmaster's steps are real processes (fork/exec of `true`, exit status recorded in the store); "
            "Quartz's jobs are in-process no-op method calls. The comparison is of the durable bookkeeping "
            "per unit of work, and it flatters Quartz.", ""]

    out += ["## Goals", ""]
    if y("dag"):
        ratio = y("dag")["median"] / make["dag -j2"]["median"]
        out.append(f"- DAG: yard ≤ {GOAL_DAG_RATIO}× make -j2: {ratio:.2f}× — **{'PASS' if ratio <= GOAL_DAG_RATIO else 'FAIL'}**")
    else:
        out.append(f"- DAG: yard ≤ {GOAL_DAG_RATIO}× make -j2: not measured")
    if y("chain"):
        per = (y("chain")["median"] - make["chain -j1"]["median"]) / CHAIN * 1000
        out.append(f"- chain: (yard − make -j1) / {CHAIN} ≤ {GOAL_CHAIN_STEP_MS:.0f} ms per step: {per:.1f} ms — "
                   f"**{'PASS' if per <= GOAL_CHAIN_STEP_MS else 'FAIL'}**")
        if y("one"):
            per2 = (y("chain")["median"] - y("one")["median"] - make["chain -j1"]["median"]) / (CHAIN - 1) * 1000
            out.append(f"  - without yard's start-up (chain − one-step run, over the 39 further steps): {per2:.1f} ms")
    else:
        out.append(f"- chain: per-step overhead ≤ {GOAL_CHAIN_STEP_MS:.0f} ms: not measured")
    out.append("")
    out += ["## Raw wall times (s)", ""]
    for label, r in list(make.items()) + [(f"yard {k}", v) for k, v in yard.items()]:
        out.append(f"- {label}: " + ", ".join(f"{w:.3f}" for w in r["walls"]))
    for conc, runs in quartz.items():
        out.append(f"- quartz maxConcurrency {conc}: " + ", ".join(f"{r['total_s']:.3f}" for r in runs))
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
