#!/usr/bin/env python3
"""Measures /v1/embeddings of `yard model-server` for bench/embeddings.sh. Standard library only.

1. Throughput: one request of N short inputs (N in 1, 32, 256), best of --repeat runs: inputs/s and
   tokens/s. The inputs of one request share forward batches (packed in one slot's cache).
2. Interference: the decode rate (tokens/s) of one greedy 400-token generation alone, and again while
   a client sends 32-input embedding requests back to back (median of 5); the ratio is what embeddings cost a
   concurrent generation, and the embedding inputs/s meanwhile what the generation costs them.
"""

import argparse
import datetime
import http.client
import json
import os
import re
import subprocess
import threading
import time

TEXTS = ["Once upon a time", "The little dog ran to the park", "Lily", "One day, a girl named Lily found a big red ball"]


def start(yard, model, threads):
    proc = subprocess.Popen(
        yard + ["model-server", "--model", model, "--port", "0", "--slots", "4", "--threads", str(threads)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in proc.stdout:
        match = re.search(r"listening on http://([^:/]+):(\d+)", line)
        if match:
            return proc, match.group(1), int(match.group(2))
    raise RuntimeError("the model server did not start: " + proc.stderr.read()[-500:])


def post(host, port, path, body):
    conn = http.client.HTTPConnection(host, port, timeout=120)
    conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
    response = conn.getresponse()
    data = json.loads(response.read())
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"{path}: {response.status} {data}")
    return data


def throughput(host, port, n, repeat):
    inputs = [TEXTS[i % len(TEXTS)] for i in range(n)]
    best = None
    tokens = 0
    for _ in range(repeat):
        start_time = time.perf_counter()
        data = post(host, port, "/v1/embeddings", {"input": inputs})
        elapsed = time.perf_counter() - start_time
        tokens = data["usage"]["prompt_tokens"]
        best = elapsed if best is None else min(best, elapsed)
    return best, tokens


GENERATED = 400  # tokens per measured generation: stories260K decodes thousands per second, so a short one is mostly HTTP


def decode_rate(host, port):
    start_time = time.perf_counter()
    data = post(host, port, "/v1/completions", {"prompt": "Once upon a time", "max_tokens": GENERATED, "temperature": 0, "ignore_eos": True})
    return data["usage"]["completion_tokens"] / (time.perf_counter() - start_time)


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--yard", required=True, help="the command that runs yard, space-separated")
    parser.add_argument("--model", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    proc, host, port = start(args.yard.split(), args.model, args.threads)
    try:
        post(host, port, "/v1/embeddings", {"input": TEXTS})  # first-call JIT out of the figures
        rows = []
        for n in (1, 32, 256):
            seconds, tokens = throughput(host, port, n, args.repeat)
            rows.append(f"| {n} | {tokens} | {seconds * 1000:.1f} | {n / seconds:.0f} | {tokens / seconds:.0f} |")
        runs = max(5, args.repeat)
        alone = median([decode_rate(host, port) for _ in range(runs)])
        stop = threading.Event()
        sent = [0]

        def embed_loop():
            while not stop.is_set():
                post(host, port, "/v1/embeddings", {"input": [TEXTS[i % len(TEXTS)] for i in range(32)]})
                sent[0] += 1

        worker = threading.Thread(target=embed_loop)
        worker.start()
        try:
            time.sleep(0.2)  # the loop is sending
            sent_before, started = sent[0], time.perf_counter()
            together = median([decode_rate(host, port) for _ in range(runs)])
            embedded = (sent[0] - sent_before) * 32 / (time.perf_counter() - started)
        finally:
            stop.set()
            worker.join()
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d-%H%M")
    lines = [
        f"# /v1/embeddings, {os.path.basename(args.model)}, {args.threads} threads, {stamp} UTC",
        "",
        f"Command: `bench/embeddings.sh --model {args.model} --threads {args.threads}` (best of {args.repeat}).",
        "",
        "| inputs per request | tokens | ms | inputs/s | tokens/s |",
        "|---|---|---|---|---|",
        *rows,
        "",
        f"| one greedy {GENERATED}-token generation (median of {runs}) | decode tokens/s | embedding inputs/s meanwhile |",
        "|---|---|---|",
        f"| alone | {alone:.0f} | |",
        f"| while 32-input embedding requests run back to back ({sent[0]} sent) | {together:.0f} ({together / alone:.0%} of alone) | {embedded:.0f} |",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, f"embeddings-{stamp}.md"), "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
