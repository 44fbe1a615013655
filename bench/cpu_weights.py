#!/usr/bin/env python3
"""Time-sliced cores (bench/cpu-weights.sh). Standard library only.

Goal (issue 13, 2): with a CPU-hungry batch pipeline running, the high-priority TTFT p95 within 1.2x of the same traffic on
an idle machine with cgroup weights on (`jobs.cpu_weights: true`, the default), against the figure with them off. One
`yard serve` with the builtin 110M model (a `chat` task, high) runs at a time; a round starts one with weights on, then one
with them off, and in each measures a block of `chat` requests alone, then a block while a `batch` pipeline of CPU-bound
steps (one per core, each a shell loop) runs; the pipeline is cancelled after the block. Rounds repeat so that both settings
meet the same minutes of the machine.
"""

import datetime
import os
import signal
import time

import engine_preemption as ep
import failover
import gateway

PIPELINE = """name: cpu-hog
priority: batch
steps:
{steps}"""
STEP = """  - id: hog{i}
    run: "i=0; while [ $i -lt 2000000000 ]; do i=$((i+1)); done"
    resources: {{ cpu: 1, memory: 64MiB }}
"""


def api(port, token, path, body=None):
    return failover.Api(token).call(f"http://127.0.0.1:{port}", path, body)


def running_steps(port, token, run_id):
    _, run = api(port, token, f"/api/runs/{run_id}?transitions=false")
    return sum(1 for s in run["steps"] if s["state"] == "running")


def block(port, n, chat_tokens):
    values = []
    for _ in range(n):
        values.append(ep.ttft(port, chat_tokens))
        time.sleep(0.3)
    return values


def main():
    parser = ep.arguments("bench/cpu-weights.sh", rounds=4, per_block=10)
    parser.add_argument("--hogs", type=int, default=os.cpu_count() or 2, help="CPU-bound steps in the batch pipeline")
    args = parser.parse_args()

    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = os.getloadavg()[0]
    figures = {on: {"idle": [], "busy": []} for on in (True, False)}
    placed = {}
    pipeline = PIPELINE.format(steps="".join(STEP.format(i=i) for i in range(args.hogs)))
    for r in range(args.rounds):
        for on in (True, False):
            tag = f"round{r}-{'on' if on else 'off'}"
            extra = f"\njobs: {{ cpu_weights: {'true' if on else 'false'} }}"
            proc, port = ep.start(args.yard, args.work, tag, args.model, True, 4, 1024, extra)
            try:
                with open(os.path.join(args.work, tag, "admin.token"), encoding="utf-8") as f:
                    token = f.read().strip()
                ep.ttft(port, args.chat_tokens)  # first-call JIT out of the figures
                figures[on]["idle"] += block(port, args.per_block, args.chat_tokens)
                status, answer = api(port, token, "/api/runs", {"yaml": pipeline, "file": "cpu-hog.yaml"})
                if status != 201:
                    raise RuntimeError(f"the pipeline was refused: {status} {answer}")
                run_id = answer["id"]
                deadline = time.monotonic() + 60
                while running_steps(port, token, run_id) < args.hogs:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"the {args.hogs} steps did not all start within 60 s")
                    time.sleep(0.2)
                placed[on] = groups(args.work, tag)
                time.sleep(1)  # the loops are spinning
                figures[on]["busy"] += block(port, args.per_block, args.chat_tokens)
                api(port, token, f"/api/runs/{run_id}/cancel", {})
            finally:
                gateway.stop(proc, signal.SIGTERM, "yard serve", grace=60)

    on_idle, on_busy = figures[True]["idle"], figures[True]["busy"]
    off_idle, off_busy = figures[False]["idle"], figures[False]["busy"]
    stamp = started.strftime("%Y-%m-%d-%H%M")
    lines = [
        f"# Time-sliced cores: a high request's TTFT beside a CPU-bound batch pipeline, {stamp} UTC",
        "",
        f"Command: `{args.command}`. Model `{os.path.basename(args.model)}` on the builtin runtime in `yard serve` (4 slots); `chat` "
        f"(high) asks {args.chat_tokens} tokens of a prompt of its own each time, streamed, one at a time. The busy rows run a `batch` "
        f"pipeline of {args.hogs} steps, each a shell loop on one core (`resources: {{ cpu: 1 }}`). {args.rounds} rounds, each a server "
        f"with weights on then one with them off, each an idle block then a busy block of {args.per_block}. Load average "
        f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after. {placed_note(placed)}",
        "",
        "| jobs.cpu_weights | pipeline | chat requests | TTFT p50 ms | p95 ms | max ms |",
        "|---|---|---|---|---|---|",
        f"| true | none (idle) | {len(on_idle)} | {ep.summary(on_idle)} |",
        f"| true | {args.hogs} CPU-bound batch steps | {len(on_busy)} | {ep.summary(on_busy)} |",
        f"| false | none (idle) | {len(off_idle)} | {ep.summary(off_idle)} |",
        f"| false | {args.hogs} CPU-bound batch steps | {len(off_busy)} | {ep.summary(off_busy)} |",
        "",
        f"**Busy / idle TTFT p95: {ep.pct(on_busy, 95) / ep.pct(on_idle, 95):.2f}x with weights, "
        f"{ep.pct(off_busy, 95) / ep.pct(off_idle, 95):.2f}x without** (goal: within 1.2x with weights). "
        f"At p50: {ep.pct(on_busy, 50) / ep.pct(on_idle, 50):.2f}x and {ep.pct(off_busy, 50) / ep.pct(off_idle, 50):.2f}x.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, f"cpu-weights-{stamp}.md"), "w", encoding="utf-8") as f:
        f.write(text)


def groups(work, tag):
    """Which CPU cgroups the running steps' processes are in (from /proc), to show where they ran."""
    found = set()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if b"YARD_STEP_ID=hog" not in f.read():
                    continue
            with open(f"/proc/{pid}/cgroup", encoding="ascii") as f:
                lines = [line.rstrip("\n").split(":", 2) for line in f]
            v1 = [path for _, controllers, path in lines if "cpu" in controllers.split(",")]
            found.update(v1 or [path for _, controllers, path in lines if controllers == ""])
        except OSError:
            continue
    return sorted(found)


def placed_note(placed):
    return "; ".join(f"weights {'on' if on else 'off'}: steps in cpu cgroup {', '.join(paths) or '?'}" for on, paths in placed.items()) + "."


if __name__ == "__main__":
    main()
