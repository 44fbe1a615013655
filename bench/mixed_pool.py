#!/usr/bin/env python3
"""One pool against a static split, live (bench/mixed-pool.sh). Standard library only.

Goal (issue 13, 1): a mixed workload on this machine for --minutes (10) in each setup: online traffic from the Azure LLM
conversation trace, scaled to the builtin model (prompt and output lengths divided, times stretched by --speed), in two
classes (`chat` high, `search` normal, split 30/70 by line), sent by two `yard bench replay` processes; and a `batch`
pipeline of shards, each a CPU-bound process step (`prep`), an inference step over the JSONL it writes (`infer`, task
`bulk`, through the same request scheduler) and another CPU-bound step (`post`).

- shared: one `yard serve` on both cores and all the memory: one replica of the model (--slots x 2, threads = cores), the
  steps on both cores at their class's CPU weight (jobs.cpu_weights), serving ahead by priority in the engine;
- split: half the cores and memory for each side, as two servers pinned with `taskset` to one core each with half the
  memory: the online one serves `chat` and `search` (--slots, 1 thread), the batch one runs the pipeline and serves
  `bulk` (--slots, 1 thread) with its steps on the same core.

Figures: per class the SLO attainment of the replay (completed within the task's latency SLO, as `yard bench replay`
counts it) and its latency percentiles; batch work per hour: CPU-bound steps (each the same fixed work) and inference lines
completed within the window. Goal: online attainment at least the split's, batch work at least 1.5x the split's.
"""

import argparse
import csv
import datetime
import json
import os
import signal
import subprocess
import sys
import time
import zlib

import failover
import gateway

PROMPT = ("Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her friends. "
          "One day, she saw a big red ball under a tree and she ran to get it. Her mom said she could keep it if she shared it "
          "with her brother, and Lily smiled and said yes, because sharing makes everyone happy and")

CPU_SCRIPT = """import hashlib, sys
h = b"yard"
for _ in range(int(sys.argv[1])):
    h = hashlib.sha256(h).digest()
"""


def arguments():
    parser = argparse.ArgumentParser()
    parser.add_argument("--yard", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--command", default="bench/mixed-pool.sh")
    parser.add_argument("--trace", required=True, help="the Azure LLM conversation trace (azure-llm format)")
    parser.add_argument("--minutes", type=float, default=10.0, help="length of each setup's run")
    parser.add_argument("--speed", type=float, default=0.15, help="trace time divided by this (0.15: 6.7x slower)")
    parser.add_argument("--prompt-div", type=int, default=16, help="trace prompt tokens divided by this (one word each)")
    parser.add_argument("--output-div", type=int, default=8, help="trace output tokens divided by this")
    parser.add_argument("--max-prompt", type=int, default=400, help="most prompt words after scaling")
    parser.add_argument("--max-output", type=int, default=128, help="most output tokens after scaling")
    parser.add_argument("--chat-share", type=float, default=0.3, help="share of the trace's requests in class high")
    parser.add_argument("--slo-chat", default="4s")
    parser.add_argument("--slo-search", default="8s")
    parser.add_argument("--slots", type=int, default=4, help="slots of each split server's replica; the shared one has twice")
    parser.add_argument("--context", type=int, default=1024)
    parser.add_argument("--memory-gib", type=int, default=4, help="host memory of the pool (the split gives each side half)")
    parser.add_argument("--cpu-step-seconds", type=float, default=3.0, help="work of one CPU-bound step, in seconds of one idle core")
    parser.add_argument("--lines", type=int, default=8, help="inference lines per shard")
    parser.add_argument("--line-tokens", type=int, default=24, help="max_tokens of each inference line")
    parser.add_argument("--concurrency", type=int, default=4, help="inference step concurrency")
    parser.add_argument("--shards", type=int, default=600)
    parser.add_argument("--setups", default="split shared", help="which setups to run, in order")
    parser.add_argument("--follow-steps", nargs="?", const="true", default=None, metavar="VALUE",
                        help="the shared server's pool.background_threads_follow_steps: false, true (low) or a class (default: the server's, normal)")
    return parser


def trace_window(args):
    """The first minutes x 60 x speed seconds of the trace, lengths scaled, split into chat.csv and search.csv."""
    window = args.minutes * 60 * args.speed
    files = {task: open(os.path.join(args.work, f"{task}.csv"), "w", encoding="utf-8", newline="") for task in ("chat", "search")}
    writers = {task: csv.writer(f) for task, f in files.items()}
    for w in writers.values():
        w.writerow(["TIMESTAMP", "ContextTokens", "GeneratedTokens"])
    counts = {"chat": 0, "search": 0}
    tokens = {"prompt": 0, "output": 0}
    first = None
    with open(args.trace, encoding="utf-8") as f:
        for i, row in enumerate(csv.DictReader(f)):
            at = datetime.datetime.fromisoformat(row["TIMESTAMP"][:26])
            first = first or at
            if (at - first).total_seconds() >= window:
                break
            prompt = max(1, min(args.max_prompt, round(int(row["ContextTokens"]) / args.prompt_div)))
            output = max(1, min(args.max_output, round(int(row["GeneratedTokens"]) / args.output_div)))
            task = "chat" if zlib.crc32(str(i).encode()) % 1000 < args.chat_share * 1000 else "search"
            writers[task].writerow([row["TIMESTAMP"], prompt, output])
            counts[task] += 1
            tokens["prompt"] += prompt
            tokens["output"] += output
    for f in files.values():
        f.close()
    n = sum(counts.values())
    return {"window_s": window, "counts": counts, "mean_prompt": tokens["prompt"] / n, "mean_output": tokens["output"] / n}


def calibrate_cpu(work, seconds):
    """Iterations of the CPU-bound step's loop that take `seconds` on an idle core, python's start included: the per-iteration cost
    from the difference of two sizes (best of 3 each, so the start cancels out), then one full step timed. Returns the script, the
    iterations and that step's measured seconds."""
    script = os.path.join(work, "cpu.py")
    with open(script, "w", encoding="utf-8") as f:
        f.write(CPU_SCRIPT)

    def timed(n, repeat=3):
        best = None
        for _ in range(repeat):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, script, str(n)], check=True)
            t = time.perf_counter() - t0
            best = t if best is None else min(best, t)
        return best

    small, large = 100_000, 600_000
    t_small, t_large = timed(small), timed(large)
    per = (t_large - t_small) / (large - small)
    start = max(0.0, t_small - small * per)
    iterations = int(max(1.0, seconds - start) / per)
    return script, iterations, timed(iterations, repeat=1)


def server_yaml(folder, args, tasks, slots, threads, memory_gib):
    lines = [
        "# generated by bench/mixed_pool.py",
        "server: { host: 127.0.0.1, port: 0 }",
        f"store: {{ path: {folder}/yard.db }}",
        "devices:",
        f"  cpu: {{ memory: {memory_gib}GiB }}",
        # The shared server: the value given, else the server's default (no key); the split's: off (one thread each).
        (f"pool: {{ background_threads_follow_steps: {args.follow_steps} }}" if args.follow_steps else "# pool: the server's defaults")
        if 'online' in tasks and 'batch' in tasks else "pool: { background_threads_follow_steps: false }",
        "models:",
        "  - name: m",
        f"    path: {args.model}",
        f"    slots: {slots}",
        f"    context: {args.context}",
        f"    threads: {threads}",
        "    replicas: { min: 1, max: 1 }",
        "    keep_alive: -1",
        "tasks:",
    ]
    if "online" in tasks:
        lines.append(f"  - {{ name: chat, priority: high, models: [m], slo: {{ latency: {args.slo_chat} }} }}")
        lines.append(f"  - {{ name: search, priority: normal, models: [m], slo: {{ latency: {args.slo_search} }} }}")
    if "batch" in tasks:
        lines.append("  - { name: bulk, priority: batch, models: [m], max_concurrency: 64 }")
    return "\n".join(lines) + "\n"


class Server:
    def __init__(self, args, tag, tasks, slots, threads, memory_gib, cpus=None):
        self.folder = os.path.join(args.work, tag)
        os.makedirs(self.folder, exist_ok=True)
        config = os.path.join(self.folder, "yard.yaml")
        with open(config, "w", encoding="utf-8") as f:
            f.write(server_yaml(self.folder, args, tasks, slots, threads, memory_gib))
        self.port = gateway.free_port()
        self.log = open(os.path.join(self.folder, "yard.log"), "w", encoding="utf-8")
        command = ["dotnet", args.yard, "serve", "--config", config, "--port", str(self.port), "--data", self.folder, "-q"]
        if cpus is not None:
            command = ["taskset", "-c", cpus] + command
        self.proc = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        gateway.wait_ready(self.port, "/health", self.proc, f"yard serve ({tag})", timeout=180,
                           check=lambda b: json.loads(b).get("replicas_ready", 0) >= 1)
        with open(os.path.join(self.folder, "admin.token"), encoding="utf-8") as f:
            self.token = f.read().strip()
        self.api = failover.Api(self.token)
        self.cpu0 = gateway.cpu_seconds(self.proc.pid)

    def call(self, path, body=None):
        return self.api.call(self.url, path, body)

    def warm(self, task):
        status, answer = self.call("/v1/completions", {"model": task, "prompt": PROMPT, "max_tokens": 8, "temperature": 0})
        if status != 200:
            raise RuntimeError(f"warm-up of {task} on {self.url}: {status} {answer}")

    def stop(self):
        gateway.stop(self.proc, signal.SIGTERM, "yard serve", grace=60)
        self.log.close()


def pipeline(args, cpu_script, iterations, prompts):
    steps = []
    for i in range(args.shards):
        steps.append(f"""  - id: prep-{i}
    run: python3 {cpu_script} {iterations} && cp {prompts} shard-{i}.jsonl
    resources: {{ cpu: 1, memory: 128MiB }}
  - id: infer-{i}
    needs: prep-{i}
    inference: {{ task: bulk, input: shard-{i}.jsonl, output: out-{i}.jsonl, concurrency: {args.concurrency} }}
  - id: post-{i}
    needs: infer-{i}
    run: python3 {cpu_script} {iterations} && test "$(wc -l < out-{i}.jsonl)" -eq {args.lines}
    resources: {{ cpu: 1, memory: 128MiB }}
""")
    return "name: mixed-batch\npriority: batch\nsteps:\n" + "".join(steps)


def replay(args, server, task, folder):
    out = os.path.join(folder, f"replay-{task}")
    log = open(out + ".log", "w", encoding="utf-8")
    proc = subprocess.Popen(["dotnet", args.yard, "bench", "replay", "--trace", os.path.join(args.work, f"{task}.csv"),
                             "--format", "azure-llm", "--url", server.url, "--speed", str(args.speed), "--task", task,
                             "--key", server.token, "--out", out, "--timeout", "2m"], stdout=log, stderr=subprocess.STDOUT)
    return proc, out, log


def count_steps(server, run_id):
    status, run = server.call(f"/api/runs/{run_id}?transitions=false")
    if status != 200:
        raise RuntimeError(f"GET /api/runs/{run_id}: {status} {run}")
    done = {"prep": 0, "infer": 0, "post": 0}
    states = {}
    for step in run["steps"]:
        states[step["state"]] = states.get(step["state"], 0) + 1
        if step["state"] == "succeeded":
            done[step["id"].split("-")[0]] += 1
    return done, states


def run_setup(args, setup, cpu_script, iterations, prompts):
    folder = os.path.join(args.work, setup)
    os.makedirs(folder, exist_ok=True)
    half = max(1, args.memory_gib // 2)
    servers = []
    try:
        if setup == "shared":
            cores = os.cpu_count() or 2
            online = batch = Server(args, "shared/server", ("online", "batch"), args.slots * 2, cores, args.memory_gib)
            servers.append(online)
        else:
            online = Server(args, "split/online", ("online",), args.slots, 1, half, cpus="0")
            servers.append(online)
            batch = Server(args, "split/batch", ("batch",), args.slots, 1, half, cpus="1")
            servers.append(batch)
        for task in ("chat", "search"):
            online.warm(task)
        batch.warm("bulk")

        status, answer = batch.call("/api/runs", {"yaml": pipeline(args, cpu_script, iterations, prompts), "file": "mixed-batch.yaml"})
        if status != 201:
            raise RuntimeError(f"the pipeline was refused: {status} {answer}")
        run_id = answer["id"]
        started = time.monotonic()
        load_before = os.getloadavg()[0]
        replays = [replay(args, online, task, folder) for task in ("chat", "search")]
        samples = []
        while time.monotonic() - started < args.minutes * 60:
            time.sleep(min(30, max(0.1, args.minutes * 60 - (time.monotonic() - started))))
            done, states = count_steps(batch, run_id)
            samples.append((round(time.monotonic() - started), done, states))
        elapsed = time.monotonic() - started
        done, states = count_steps(batch, run_id)
        load_after = os.getloadavg()[0]
        cpu = {s.folder: gateway.cpu_seconds(s.proc.pid) - s.cpu0 for s in servers}
        batch.call(f"/api/runs/{run_id}/cancel", {})
        online_results = {}
        for proc, out, log in replays:
            proc.wait(timeout=600)
            log.close()
            if proc.returncode != 0:
                raise RuntimeError(f"yard bench replay exited {proc.returncode}: see {out}.log")
            with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
                online_results[os.path.basename(out).removeprefix("replay-")] = json.load(f)
        line_usage = None
        first = os.path.join(batch.folder, "runs", run_id, "work", "out-0.jsonl")
        if os.path.exists(first):
            with open(first, encoding="utf-8") as f:
                line_usage = json.loads(f.readline()).get("usage")
        return {"elapsed": elapsed, "done": done, "states": states, "samples": samples, "online": online_results,
                "load": (load_before, load_after), "cpu": cpu, "line_usage": line_usage}
    finally:
        for s in servers:
            s.stop()


def main():
    args = arguments().parse_args()
    started = datetime.datetime.now(datetime.timezone.utc)
    os.makedirs(args.work, exist_ok=True)
    window = trace_window(args)
    cpu_script, iterations, step_seconds = calibrate_cpu(args.work, args.cpu_step_seconds)
    prompts = os.path.join(args.work, "prompts.jsonl")
    with open(prompts, "w", encoding="utf-8") as f:
        for i in range(args.lines):
            f.write(json.dumps({"prompt": f"{i}. {PROMPT}", "max_tokens": args.line_tokens, "ignore_eos": True, "temperature": 0}) + "\n")
    results = {}
    for setup in args.setups.split():
        print(f"{setup}: {args.minutes} min...", file=sys.stderr, flush=True)
        results[setup] = run_setup(args, setup, cpu_script, iterations, prompts)
        print(json.dumps({setup: {k: v for k, v in results[setup].items() if k != "online"}}), file=sys.stderr, flush=True)
    with open(os.path.join(args.work, "results.json"), "w", encoding="utf-8") as f:
        json.dump({"window": window, "iterations": iterations, "step_seconds": step_seconds, "results": results}, f, indent=1)
    text = render(args, started, window, iterations, step_seconds, results)
    print(text)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, f"mixed-pool-{started.strftime('%Y-%m-%d-%H%M')}.md"), "w", encoding="utf-8") as f:
        f.write(text)


def task_summary(summary, task):
    for row in summary["runs"][0]["tasks"]:
        if row["task"] == task:
            return row
    raise RuntimeError(f"no task {task} in the replay's summary")


def render(args, started, window, iterations, step_seconds, results):
    stamp = started.strftime("%Y-%m-%d-%H%M")
    lines = [
        f"# One pool against a static split: a mixed workload live, {stamp} UTC",
        "",
        f"Command: `{args.command}`. {args.minutes:g} minutes per setup. Model `{os.path.basename(args.model)}` on the builtin runtime, "
        f"context {args.context}. Online: the first {window['window_s']:.0f} s of `{os.path.basename(args.trace)}` at speed {args.speed:g} "
        f"({window['counts']['chat']} `chat` requests, high, latency SLO {args.slo_chat}; {window['counts']['search']} `search`, normal, "
        f"{args.slo_search}), prompt tokens / {args.prompt_div} as words (at most {args.max_prompt}; mean {window['mean_prompt']:.0f}), "
        f"output tokens / {args.output_div} (at most {args.max_output}; mean {window['mean_output']:.0f}), streamed by `yard bench replay`. "
        f"Batch: a `batch` pipeline of {args.shards} shards, each `prep` (CPU-bound: {iterations:,} SHA-256 rounds in python3, "
        f"{step_seconds:.2f} s measured alone before the runs; cpu 1, memory 128 MiB), `infer` ({args.lines} lines of {args.line_tokens} tokens "
        f"to task `bulk`, concurrency {args.concurrency}) and `post` (the same CPU work). Shared: one server, {args.slots * 2} slots, "
        f"{'`pool.background_threads_follow_steps: ' + args.follow_steps + '`, ' if args.follow_steps else '`pool` as the server defaults it, '}"
        f"{os.cpu_count()} threads, {args.memory_gib} GiB. Split: two servers pinned to a core each (`taskset`), {args.slots} slots and "
        f"1 thread each, {max(1, args.memory_gib // 2)} GiB each; the batch one runs the pipeline.",
        "",
        "| setup | class | requests | completed | SLO attained | latency p50 s | p95 s | p99 s | TTFT p95 s |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for setup, r in results.items():
        for task in ("chat", "search"):
            row = task_summary(r["online"][task], task)
            lines.append(f"| {setup} | {task} | {row['requests']} | {row['completed']} | {fmt_pct(row.get('slo_attainment'))} | "
                         f"{fmt_s(row, 'latency_ms', 'p50')} | {fmt_s(row, 'latency_ms', 'p95')} | {fmt_s(row, 'latency_ms', 'p99')} | "
                         f"{fmt_s(row, 'ttft_ms', 'p95')} |")
    lines += ["", "| setup | CPU steps done | per hour | inference lines done | per hour | load avg before / after | servers' CPU s |",
              "|---|--:|--:|--:|--:|--:|--:|"]
    for setup, r in results.items():
        hours = r["elapsed"] / 3600
        cpu_steps = r["done"]["prep"] + r["done"]["post"]
        inferred = r["done"]["infer"] * args.lines
        lines.append(f"| {setup} | {cpu_steps} | {cpu_steps / hours:,.0f} | {inferred} | {inferred / hours:,.0f} | "
                     f"{r['load'][0]:.1f} / {r['load'][1]:.1f} | {' + '.join(f'{v:.0f}' for v in r['cpu'].values())} |")
    usage = next((r["line_usage"] for r in results.values() if r.get("line_usage")), None)
    if usage:
        lines += ["", f"An inference line as the engine counted it: {usage.get('prompt_tokens')} prompt tokens, {usage.get('completion_tokens')} completion tokens."]
    if "shared" in results and "split" in results:
        sh, sp = results["shared"], results["split"]
        def work(r, kind):
            return (r["done"]["prep"] + r["done"]["post"]) if kind == "cpu" else r["done"]["infer"] * args.lines
        lines.append("")
        parts = []
        for task in ("chat", "search"):
            a = task_summary(sh["online"][task], task).get("slo_attainment")
            b = task_summary(sp["online"][task], task).get("slo_attainment")
            parts.append(f"`{task}` {fmt_pct(a)} shared against {fmt_pct(b)} split")
        cpu_ratio = (work(sh, "cpu") / sh["elapsed"]) / max(1e-9, work(sp, "cpu") / sp["elapsed"])
        inf_ratio = (work(sh, "inf") / sh["elapsed"]) / max(1e-9, work(sp, "inf") / sp["elapsed"])
        lines.append(f"**Online SLO attainment: {'; '.join(parts)}. Batch work per hour, shared / split: CPU-bound steps "
                     f"{cpu_ratio:.2f}x, inference lines {inf_ratio:.2f}x** (goal: attainment at least the split's, batch work at least 1.5x).")
    lines.append("")
    return "\n".join(lines)


def fmt_pct(value):
    return "n/a" if value is None else f"{value * 100:.1f}%"


def fmt_s(row, name, p):
    ms = (row.get(name) or {}).get(p)
    return "n/a" if ms is None else f"{ms / 1000:.2f}"


if __name__ == "__main__":
    main()
