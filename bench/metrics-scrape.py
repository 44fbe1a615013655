#!/usr/bin/env python3
"""Scrape time and size of GET /metrics on a yard serve with 100 tasks x 20 models (see bench/README.md).

Starts a tiny OpenAI-compatible upstream (fixed answers) on loopback, a `yard serve` whose 20 models are
`backend: http` to it and whose 100 tasks each use two of them (10 of them rate-limited), sends requests to
every task (so every series exists: requests, refusals, histograms, tokens, SLO), then times N scrapes over one
keep-alive connection. Standard library only.
"""
import argparse
import datetime
import http.client
import http.server
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ANSWER = json.dumps({
    "id": "chatcmpl-bench", "object": "chat.completion", "created": 0, "model": "upstream",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6},
}).encode()
MODELS = json.dumps({"object": "list", "data": [{"id": "upstream", "object": "model"}]}).encode()


class Upstream(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _send(self, body):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self._send(MODELS)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self._send(ANSWER)

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def config(port, upstream, tasks, models):
    lines = [f"server: {{ port: {port} }}", "metrics: { enabled: true }", "models:"]
    for m in range(models):
        lines.append(f"  - {{ name: m{m:02d}, backend: http, url: 'http://127.0.0.1:{upstream}/v1', slots: 8 }}")
    lines.append("tasks:")
    for t in range(tasks):
        rate = ", rate: { rate: 1/h, burst: 1 }" if t % 10 == 0 else ""
        lines.append(f"  - {{ name: task{t:03d}, models: [m{t % models:02d}, m{(t + 7) % models:02d}], slo: {{ latency: 5s }}{rate} }}")
    return "\n".join(lines) + "\n"


def request(conn, method, path, token, body=None):
    headers = {"Authorization": f"Bearer {token}"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--yard", required=True, help="yard.dll")
    parser.add_argument("--tasks", type=int, default=100)
    parser.add_argument("--models", type=int, default=20)
    parser.add_argument("--requests", type=int, default=3, help="requests per task")
    parser.add_argument("--scrapes", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    work = tempfile.mkdtemp(prefix="yard-metrics-bench-")
    port = free_port()
    path = os.path.join(work, "yard.yaml")
    with open(path, "w") as f:
        f.write(config(port, upstream.server_address[1], args.tasks, args.models))
    load_before = os.getloadavg()[0]
    server = subprocess.Popen(["dotnet", args.yard, "serve", "--config", path, "--data", os.path.join(work, "data")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        token_path = os.path.join(work, "data", "admin.token")
        deadline = time.monotonic() + 60
        conn = None
        while True:
            try:
                if os.path.exists(token_path):
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    conn.request("GET", "/health")
                    conn.getresponse().read()
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                sys.exit("yard serve did not start")
            time.sleep(0.2)
        token = open(token_path).read().strip()
        sent = refused = 0
        for t in range(args.tasks):
            for _ in range(args.requests):
                body = json.dumps({"model": f"task{t:03d}", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 1})
                status, _ = request(conn, "POST", "/v1/chat/completions", token, body)
                sent += 1
                refused += status == 429
        for _ in range(args.warmup):
            status, text = request(conn, "GET", "/metrics", token)
            assert status == 200, status
        times = []
        for _ in range(args.scrapes):
            start = time.perf_counter()
            status, text = request(conn, "GET", "/metrics", token)
            times.append((time.perf_counter() - start) * 1000)
            assert status == 200, status
        samples = [line for line in text.decode().split("\n") if line and not line.startswith("#")]
        yard_samples = [line for line in samples if line.startswith("yard_")]
    finally:
        server.terminate()
        server.wait(timeout=30)
        upstream.shutdown()
        shutil.rmtree(work, ignore_errors=True)

    median, p95 = statistics.median(times), percentile(times, 95)
    now = datetime.datetime.now(datetime.timezone.utc)
    report = f"""# /metrics scrape, {args.tasks} tasks x {args.models} models, {now:%Y-%m-%d %H:%M} UTC

`bench/metrics-scrape.sh` on {os.cpu_count()} cores, load average {load_before:.2f} before and {os.getloadavg()[0]:.2f} after.
{sent} requests sent to the {args.tasks} tasks ({refused} refused by the rate-limited ones) before {args.scrapes} timed scrapes
(after {args.warmup} warm-up scrapes) over one keep-alive connection with the admin key.

| figure | value |
|---|---|
| scrape median | {median:.2f} ms |
| scrape p95 | {p95:.2f} ms |
| scrape min / max | {min(times):.2f} / {max(times):.2f} ms |
| response size | {len(text):,} bytes |
| samples (of which yard_*) | {len(samples):,} ({len(yard_samples):,}) |
| goal: under 20 ms | {"PASS" if p95 < 20 else ("PASS (median)" if median < 20 else "FAIL")} |
"""
    os.makedirs(args.out, exist_ok=True)
    out = os.path.join(args.out, f"metrics-scrape-{now:%Y-%m-%d-%H%M}.md")
    with open(out, "w") as f:
        f.write(report)
    print(report)
    print(f"written to {out}")


if __name__ == "__main__":
    main()
