#!/usr/bin/env python3
"""The cost of the history and the metrics on the gateway's throughput.

Standard library only. One nginx answering as a fast OpenAI-compatible upstream (as bench/gateway.py starts it), and
two `yard serve` processes in front of it, started together and measured in turns in the same run: one with the
defaults (history and metrics on), one with `history: { enabled: false }` and `metrics: { enabled: false }`. Both run
with -q (no access line), so only the history and the metrics differ. wrk measures each in alternating rounds at each
concurrency; the figure is the ratio of the medians. A Prometheus-like scrape of /metrics runs every 5 s against the
"on" server during its rounds, as a scraper would.
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gateway  # noqa: E402  (the same upstream, wrk runner and helpers as bench/gateway.py)


def scrape_loop(port, token, stop_event, sizes):
    while not stop_event.wait(5.0):
        req = urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            sizes.append(len(r.read()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--yard", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--concurrency", default="16 64")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=5, help="seconds of wrk per server before measuring (pinned: 30 or more)")
    ap.add_argument("--command", default="")
    ap.add_argument("--pin", action="store_true", help="pin the yard servers to CPU 1 and nginx and wrk to CPU 0 (less noise on a 2-core machine)")
    ap.add_argument("--variants", default="off on", help="which servers to measure: off, on, history (metrics off), metrics (history off)")
    args = ap.parse_args()
    work = os.path.abspath(args.work)
    os.makedirs(f"{work}/logs", exist_ok=True)
    os.makedirs(f"{work}/tmp", exist_ok=True)
    upstream, proxy = gateway.free_port(), gateway.free_port()
    with open(f"{work}/nginx.conf", "w", encoding="utf-8") as f:
        f.write(gateway.nginx_conf(work, upstream, proxy, "auto"))
    script = f"{work}/post.lua"
    with open(script, "w", encoding="utf-8") as f:
        f.write(gateway.WRK_LUA)
    pin_load = ["taskset", "-c", "0"] if args.pin else []
    pin_yard = ["taskset", "-c", "1"] if args.pin else []
    if args.pin:
        gateway_wrk = gateway.wrk
        def pinned_wrk(script, url, connections, threads, duration):
            saved = gateway.subprocess.run
            def run(cmd, **kw):
                return saved(["taskset", "-c", "0"] + cmd, **kw)
            gateway.subprocess.run = run
            try:
                return gateway_wrk(script, url, connections, threads, duration)
            finally:
                gateway.subprocess.run = saved
        gateway.wrk = pinned_wrk
    nginx = subprocess.Popen(pin_load + ["nginx", "-p", work, "-c", f"{work}/nginx.conf"], stdout=subprocess.DEVNULL,
                             stderr=open(f"{work}/logs/nginx.out", "w", encoding="utf-8"))
    gateway._children.append(nginx)
    gateway.wait_ready(upstream, "/health", nginx, "nginx upstream", timeout=10)

    servers = {}
    env = dict(os.environ, DOTNET_gcServer="1", DOTNET_TieredPGO="1")
    known = {"off": "history: { enabled: false }\nmetrics: { enabled: false }\n", "on": "", "history": "metrics: { enabled: false }\n", "metrics": "history: { enabled: false }\n"}
    variants = [(v, known[v]) for v in args.variants.split()]
    for name, extra in variants:
        data = f"{work}/data-{name}"
        subprocess.run(["rm", "-rf", data], check=True)
        os.makedirs(data)
        yaml = gateway.yard_yaml(work, upstream).replace(f"path: {work}/yard-data/yard.db", f"path: {data}/yard.db") + extra
        with open(f"{work}/{name}.yaml", "w", encoding="utf-8") as f:
            f.write(yaml)
        port = gateway.free_port()
        proc = subprocess.Popen(pin_yard + ["dotnet", args.yard, "serve", "-q", "--config", f"{work}/{name}.yaml", "--port", str(port), "--data", data],
                                env=env, stdout=open(f"{work}/logs/yard-{name}.out", "w", encoding="utf-8"), stderr=subprocess.STDOUT)
        gateway._children.append(proc)
        gateway.wait_ready(port, "/health", proc, f"yard serve ({name})", check=lambda b: json.loads(b).get("replicas_ready", 0) >= 1)
        with open(f"{data}/admin.token", encoding="ascii") as f:
            token = f.read().strip()
        servers[name] = (proc, port, token)
        gateway.check_answer(port)

    for name, (_, port, _) in servers.items():
        print(f"warm-up {name}...", file=sys.stderr)
        gateway.wrk(script, f"http://127.0.0.1:{port}/v1/chat/completions", 16, args.threads, args.warmup)

    load_before = os.getloadavg()
    started = datetime.datetime.now()
    results = {}
    sizes = []
    for c in [int(x) for x in args.concurrency.split()]:
        for r in range(args.rounds):
            order = [v[0] for v in variants]
            for name in (order if r % 2 == 0 else order[::-1]):
                proc, port, token = servers[name]
                stop_event = threading.Event()
                scraper = threading.Thread(target=scrape_loop, args=(port, token, stop_event, sizes)) if name in ("on", "metrics") else None
                if scraper:
                    scraper.start()
                before = gateway.cpu_seconds(proc.pid)
                w = gateway.wrk(script, f"http://127.0.0.1:{port}/v1/chat/completions", c, args.threads, args.duration)
                cpu_us = (gateway.cpu_seconds(proc.pid) - before) / max(1, w["requests"]) * 1e6
                if scraper:
                    stop_event.set()
                    scraper.join()
                if w["errors"]:
                    raise RuntimeError(f"{name} c={c} had errors: {w}")
                results.setdefault((name, c), []).append((w["rps"], gateway.ms(w["p50"]), gateway.ms(w["p99"]), cpu_us))
                print(f"c={c:<3} round {r + 1} {name:<3} {w['rps']:9.0f} req/s  p50 {gateway.ms(w['p50']):.3f} ms  p99 {gateway.ms(w['p99']):.3f} ms  cpu {cpu_us:.0f} us/req", file=sys.stderr)

    recorded = 0
    if "on" in servers:
        _, on_port, on_token = servers["on"]
        req = urllib.request.Request(f"http://127.0.0.1:{on_port}/api/stats?since=1h", headers={"Authorization": f"Bearer {on_token}"})
        with urllib.request.urlopen(req, timeout=30) as r:
            recorded = json.loads(r.read())["tasks"]["fast-task"]["requests"]
    for name, (proc, _, _) in servers.items():
        gateway.stop(proc, gateway.signal.SIGTERM, f"yard serve ({name})")
    gateway.stop(nginx, gateway.signal.SIGQUIT, "nginx")
    load_after = os.getloadavg()

    lines = [
        f"# Gateway throughput with history and metrics on vs off ({started:%Y-%m-%d %H:%M})",
        "",
        f"- command: `{args.command}`; {args.rounds} alternating rounds of {args.duration} s per concurrency, wrk {args.threads} threads, POST /v1/chat/completions through an `http` backend to nginx returning fixed JSON",
        f"- compared: {' vs '.join(v for v, _ in variants)}. on: defaults (history written every 5 s, metrics recorded, /metrics scraped every 5 s during its rounds); off: `history: {{ enabled: false }}`, `metrics: {{ enabled: false }}`; history: metrics off; metrics: history off; all `yard serve -q` (no access line). The \"on\" columns below are the second of these.",
        f"- load average before {load_before[0]:.2f}, after {load_after[0]:.2f}; {os.cpu_count()} cores",
        f"- the history of the \"on\" server counted {recorded} requests over the run (`/api/stats?since=1h`); /metrics was {statistics.median(sizes) if sizes else 0:.0f} bytes",
        "",
        "| connections | off req/s (median) | on req/s (median) | on / off | off p50 / p99 ms | on p50 / p99 ms | off CPU µs/req | on CPU µs/req |",
        "|---|---|---|---|---|---|---|---|",
    ]
    worst = 1.0
    for c in [int(x) for x in args.concurrency.split()]:
        other = next(v for v, _ in variants if v != "off")
        off, on = results[("off", c)], results[(other, c)]
        med = lambda rows, i: statistics.median(row[i] for row in rows)  # noqa: E731
        ratio = med(on, 0) / med(off, 0)
        worst = min(worst, ratio)
        lines.append(f"| {c} | {med(off, 0):.0f} | {med(on, 0):.0f} | {ratio:.3f} | {med(off, 1):.3f} / {med(off, 2):.3f} | {med(on, 1):.3f} / {med(on, 2):.3f} | {med(off, 3):.0f} | {med(on, 3):.0f} |")
    lines += ["", f"Goal: on / off at least 0.95 at every concurrency: {'PASS' if worst >= 0.95 else 'FAIL'} (worst {worst:.3f}).", ""]
    report = "\n".join(lines)
    print(report)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, f"observability-{started:%Y-%m-%d-%H%M}.md")
    with open(path, "w", encoding="utf-8") as f:
        f.write(report)
    print(f"written to {os.path.relpath(path)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        code = main()
    finally:
        for child in gateway._children:
            if child.poll() is None:
                child.kill()
    sys.exit(code)
