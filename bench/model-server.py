#!/usr/bin/env python3
"""Measures `yard model-server` for bench/model-server.sh (which builds and generates the models).

Standard library only. For each model and thread count: load time (process start to "listening on"
and to the first streamed token) with a cold and a warm page cache against `cat FILE > /dev/null`;
decode tokens/s of one sequence and total tokens/s of four concurrent ones; peak RSS against file
size + KV cache + 64 MiB; decode as a fraction of the bound bandwidth / weight bytes read per token.
See bench/README.md for the definitions.
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import queue
import re
import signal
import struct
import subprocess
import sys
import threading
import time

MIB = 1 << 20
RSS_SLACK = 64 * MIB
LOAD_GOAL = 1.2
BOUND_GOAL = 0.5
PROMPT = "Once upon a time"
CONCURRENT_PROMPTS = [
    "Once upon a time",
    "The little dog ran to the park",
    "One day, a girl named Lily found",
    "Tom and his mom went to the store",
]

# ggml type id: (bytes per block, elements per block), for the types the runtime reads.
GGML_TYPES = {0: (4, 1), 1: (2, 1), 2: (18, 32), 3: (20, 32), 6: (22, 32), 7: (24, 32), 8: (34, 32), 30: (2, 1)}

_servers = []


# ---------------------------------------------------------------------------------------------- GGUF


def read_gguf(path):
    """Metadata (scalars only) and tensors (name, dims, type, bytes) of a GGUF file's header."""
    with open(path, "rb") as f:
        def take(fmt):
            size = struct.calcsize("<" + fmt)
            return struct.unpack("<" + fmt, f.read(size))

        def string():
            (n,) = take("Q")
            return f.read(n).decode("utf-8", "replace")

        scalar = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}

        def value(kind):
            if kind in scalar:
                return take(scalar[kind])[0]
            if kind == 8:
                return string()
            if kind == 9:
                (inner, count) = take("IQ")
                for _ in range(count):
                    value(inner)
                return None  # arrays (the vocabulary) are not needed here
            raise ValueError(f"{path}: unknown GGUF value type {kind}")

        if f.read(4) != b"GGUF":
            raise ValueError(f"{path} is not a GGUF file")
        (_version, tensor_count, kv_count) = take("IQQ")
        meta = {}
        for _ in range(kv_count):
            key = string()
            (kind,) = take("I")
            meta[key] = value(kind)
        tensors = {}
        for _ in range(tensor_count):
            name = string()
            (dims_count,) = take("I")
            dims = take("Q" * dims_count)
            (kind, _offset) = take("IQ")
            if kind not in GGML_TYPES:
                raise ValueError(f"{path}: tensor {name} has ggml type {kind}, unknown to this script")
            block_bytes, block = GGML_TYPES[kind]
            elements = 1
            for d in dims:
                elements *= d
            tensors[name] = {"dims": dims, "type": kind, "bytes": elements // block * block_bytes}
    return meta, tensors


def model_facts(path, ctx, slots):
    """File size, tensor bytes, weight bytes read per decoded token and KV cache bytes of a model."""
    meta, tensors = read_gguf(path)
    arch = meta.get("general.architecture", "llama")
    dim = meta[f"{arch}.embedding_length"]
    heads = meta[f"{arch}.attention.head_count"]
    kv_heads = meta.get(f"{arch}.attention.head_count_kv", heads)
    head_dim = meta.get(f"{arch}.attention.key_length", dim // heads)
    layers = meta[f"{arch}.block_count"]
    total = sum(t["bytes"] for t in tensors.values())
    embedding = tensors["token_embd.weight"]
    row = embedding["bytes"] // embedding["dims"][1]
    # With a separate output matrix, a step reads one row of the embedding; with tied embeddings the
    # output projection reads all of it, so nothing is subtracted.
    per_token = total - embedding["bytes"] + row if "output.weight" in tensors else total + row
    return {
        "file_bytes": os.path.getsize(path),
        "tensor_bytes": total,
        "bytes_per_token": per_token,
        "embedding_bytes": embedding["bytes"],
        "tied": "output.weight" not in tensors,
        "kv_bytes": 2 * layers * ctx * kv_heads * head_dim * 4 * slots,
        "shape": f"dim {dim}, {layers} layers, vocab {embedding['dims'][1]}",
    }


# ------------------------------------------------------------------------------------------ caching


def evict(path, mode):
    """Makes the next read of `path` come from disk: the whole page cache, or only that file. Returns the mode."""
    if mode == "drop":
        subprocess.run(["sync"], check=True)
        with open("/proc/sys/vm/drop_caches", "w", encoding="ascii") as f:
            f.write("3\n")
        return "drop"
    if mode == "file":
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fdatasync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
        return "file"
    return None


def time_cat(path):
    start = time.perf_counter()
    subprocess.run(["bash", "-c", 'cat "$1" > /dev/null', "cat", path], check=True)
    return time.perf_counter() - start


def time_command(command):
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


# ------------------------------------------------------------------------------------------- server


class Server:
    """A `yard model-server` child process; records when each stdout line arrived."""

    def __init__(self, yard, model, threads, slots, ctx):
        self.lines = queue.Queue()
        self.stderr = []
        command = ["dotnet", yard, "model-server", "--model", model, "--port", "0", "--threads", str(threads),
                   "--slots", str(slots), "--ctx", str(ctx)]
        self.started = time.perf_counter()
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        start_new_session=True)
        _servers.append(self)
        threading.Thread(target=self._read, args=(self.process.stdout, self.lines), daemon=True).start()
        threading.Thread(target=self._read, args=(self.process.stderr, None), daemon=True).start()

    def _read(self, stream, lines):
        for line in stream:
            if lines is not None:
                lines.put((time.perf_counter(), line.rstrip("\n")))
            else:
                self.stderr.append(line.rstrip("\n"))

    def wait_listening(self, timeout=300):
        """Seconds from process start to the "listening on" line; sets host and port."""
        deadline = time.perf_counter() + timeout
        while True:
            try:
                at, line = self.lines.get(timeout=max(0.01, deadline - time.perf_counter()))
            except queue.Empty:
                raise RuntimeError(f"no 'listening on' within {timeout} s; stderr: {self.stderr[-5:]}") from None
            match = re.match(r"listening on http://([^:/]+):(\d+)", line)
            if match:
                self.host, self.port = match.group(1), int(match.group(2))
                return at - self.started
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}; stderr: {self.stderr[-5:]}")

    def models(self):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request("GET", "/v1/models")
            return json.loads(conn.getresponse().read())["data"][0]
        finally:
            conn.close()

    def status(self):
        """VmHWM, VmRSS, RssAnon and RssFile of the server process, in bytes."""
        values = {}
        with open(f"/proc/{self.process.pid}/status", encoding="ascii") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
                    values[key] = int(rest.split()[0]) * 1024
        return values

    def stop(self, timeout=30):
        """SIGTERM, then waits; returns (exit code, seconds to exit). SIGKILL if it does not exit."""
        if self.process.poll() is not None:
            return self.process.returncode, 0.0
        start = time.perf_counter()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            code = None
        if self in _servers:
            _servers.remove(self)
        return code, time.perf_counter() - start


def stop_all():
    for server in list(_servers):
        server.stop(timeout=10)


def complete(server, prompt, max_tokens, barrier=None):
    """One streamed completion; returns perf_counter times of the first token and the end, and usage."""
    body = json.dumps({
        "prompt": prompt, "max_tokens": max_tokens, "temperature": 0, "ignore_eos": True, "stream": True,
        "stream_options": {"include_usage": True},
    })
    conn = http.client.HTTPConnection(server.host, server.port, timeout=600)
    try:
        if barrier is not None:
            barrier.wait()
        sent = time.perf_counter()
        conn.request("POST", "/v1/completions", body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        if response.status != 200:
            raise RuntimeError(f"completion failed: HTTP {response.status} {response.read()[:300]!r}")
        first = end = usage = None
        while True:
            line = response.readline()
            if not line:
                break
            if not line.startswith(b"data: "):
                continue
            now = time.perf_counter()
            data = line[6:].strip()
            if data == b"[DONE]":
                break
            chunk = json.loads(data)
            if "error" in chunk:
                raise RuntimeError(f"completion failed: {chunk['error']}")
            if chunk.get("usage"):
                usage = chunk["usage"]
            for choice in chunk.get("choices", []):
                # A token that ends mid-character is held back, so the first token is the first text or
                # the end, whichever comes first.
                if first is None and (choice.get("text") or choice.get("finish_reason")):
                    first = now
                if choice.get("finish_reason"):
                    end = now
        if first is None or end is None or usage is None:
            raise RuntimeError("the stream ended without a token, a finish reason or usage")
        return {"sent": sent, "first": first, "end": end, "tokens": usage["completion_tokens"]}
    finally:
        conn.close()


def decode_rate(result):
    """Tokens/s after the first token: prefill and the first token are excluded."""
    span = result["end"] - result["first"]
    return (result["tokens"] - 1) / span if span > 0 and result["tokens"] > 1 else float("nan")


def concurrent(server, max_tokens):
    barrier = threading.Barrier(len(CONCURRENT_PROMPTS))
    results = [None] * len(CONCURRENT_PROMPTS)
    errors = []

    def run(i):
        try:
            results[i] = complete(server, CONCURRENT_PROMPTS[i], max_tokens, barrier)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(len(CONCURRENT_PROMPTS))]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if errors:
        raise errors[0]
    span = max(r["end"] for r in results) - min(r["first"] for r in results)
    return sum(r["tokens"] for r in results) / span


def start_to_first_token(args, path, threads, max_tokens):
    """Starts a server; returns it (listening) with seconds to "listening on", to the first token, and the
    server's own load time (opening the file to the first token of its warm-up, `meta.load_ms`)."""
    server = Server(args.yard, path, threads, args.slots, args.ctx)
    try:
        listening = server.wait_listening()
        first = complete(server, PROMPT, 1)["first"] - server.started
        return server, listening, first, server.models()["meta"]["load_ms"] / 1000
    except BaseException:
        server.stop()
        raise


# ------------------------------------------------------------------------------------------- report


def fmt(value, digits=2):
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if value != value:  # NaN
        return "NaN"
    return f"{value:.{digits}f}"


def verdict(ok):
    return "—" if ok is None else ("PASS" if ok else "FAIL")


def measure_bandwidth(args, threads):
    """GB/s per thread count from Yardmaster.Bandwidth (best pass)."""
    print("measuring memory read bandwidth...", file=sys.stderr)
    probe = subprocess.run(["dotnet", args.bandwidth, "--json", "--threads", " ".join(map(str, threads))],
                           check=True, capture_output=True, text=True)
    return {int(k): v for k, v in json.loads(probe.stdout)["gbps"].items()}


def run(args):
    threads = [int(t) for t in args.threads.split()]
    if args.cold == "drop" and not os.access("/proc/sys/vm/drop_caches", os.W_OK):
        print("cannot drop the page cache (not root?); evicting only the model file instead", file=sys.stderr)
        args.cold = "file"
    started = datetime.datetime.now()
    load_before = os.getloadavg()
    bandwidth_start = measure_bandwidth(args, threads)
    runtime_warm = min(time_command(["dotnet", args.yard, "--version"]) for _ in range(3))
    runtime_cold = None
    if args.cold == "drop":
        evict(args.yard, "drop")
        runtime_cold = time_command(["dotnet", args.yard, "--version"])

    rows = []
    for spec in args.model:
        label, path, max_tokens = spec.split("|")
        max_tokens = int(max_tokens)
        facts = model_facts(path, args.ctx, args.slots)
        print(f"{label}: {path} ({facts['file_bytes'] / MIB:.1f} MiB)", file=sys.stderr)
        cold_mode = evict(path, args.cold) if args.cold != "none" else None
        cat_cold = time_cat(path) if cold_mode else None
        cat_warm = min(time_cat(path) for _ in range(3))
        for t in threads:
            row = {"label": label, "threads": t, "facts": facts, "cat_cold": cat_cold, "cat_warm": cat_warm,
                   "cold_mode": cold_mode, "max_tokens": max_tokens}
            if cold_mode:
                evict(path, cold_mode)
                server, row["listen_cold"], row["first_cold"], row["load_cold"] = start_to_first_token(args, path, t, max_tokens)
                row["exit_cold"], _ = server.stop()
            server, row["listen_warm"], row["first_warm"], row["load_warm"] = start_to_first_token(args, path, t, max_tokens)
            try:
                meta = server.models()["meta"]
                if meta["size"] != facts["tensor_bytes"]:
                    print(f"warning: server reports {meta['size']} tensor bytes, the GGUF header {facts['tensor_bytes']}",
                          file=sys.stderr)
                row["decode"] = max(decode_rate(complete(server, PROMPT, max_tokens)) for _ in range(args.repeat))
                row["concurrent"] = max(concurrent(server, max_tokens) for _ in range(args.repeat))
                row["memory"] = server.status()
            finally:
                row["exit"], row["exit_seconds"] = server.stop()
            print(f"  {t} thread(s): {row['decode']:.1f} tok/s, 4 seqs {row['concurrent']:.1f} tok/s, "
                  f"first token {row['first_warm']:.2f} s warm", file=sys.stderr)
            rows.append(row)

    bandwidth_end = measure_bandwidth(args, threads)
    # Other processes only ever lower a pass, so the better of the two probes is nearer the machine's limit.
    bandwidth = {t: max(bandwidth_start[t], bandwidth_end[t]) for t in threads}
    for row in rows:
        row["bandwidth"] = bandwidth[row["threads"]]
    probes = (bandwidth_start, bandwidth_end)
    report = render(args, rows, probes, runtime_warm, runtime_cold, started, load_before, os.getloadavg())
    print(report)
    os.makedirs(args.out, exist_ok=True)
    name = os.path.join(args.out, f"model-server-{started:%Y-%m-%d-%H%M}.md")
    with open(name, "w", encoding="utf-8") as f:
        f.write(report)
    print(f"written to {name}", file=sys.stderr)
    return 0 if all(r["exit"] == 0 and r.get("exit_cold", 0) == 0 for r in rows) else 1


def render(args, rows, probes, runtime_warm, runtime_cold, started, load_before, load_after):
    commit = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "describe", "--always", "--dirty"],
                            capture_output=True, text=True).stdout.strip() or "unknown"
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo", encoding="utf-8")
                if line.startswith("model name")), platform.processor())
    cold_modes = {r["cold_mode"] for r in rows}
    cold_text = {
        "drop": "the whole page cache dropped (`sync; echo 3 > /proc/sys/vm/drop_caches`): runtime files are cold too",
        "file": "only the model file evicted (`posix_fadvise(DONTNEED)`); the .NET runtime stays cached",
        None: "not measured (warm only)",
    }
    lines = [
        f"# yard model-server benchmark, {started:%Y-%m-%d %H:%M}",
        "",
        f"- commit `{commit}`, {cpu}, {os.cpu_count()} CPUs, load average {load_before[0]:.2f} before, {load_after[0]:.2f} after",
        "- memory read bandwidth (Yardmaster.Bandwidth, best pass; the better of a probe before and after the runs): "
        + ", ".join(f"{max(p[t] for p in probes):.1f} GB/s at {t} thread{'s' if t > 1 else ''} "
                    f"({' and '.join(f'{p[t]:.1f}' for p in probes)})" for t in sorted(probes[0])),
        f"- server: `--slots {args.slots} --ctx {args.ctx}`; prompt \"{PROMPT}\", temperature 0, `ignore_eos`, streamed; "
        f"decode and 4 seqs best of {args.repeat}",
        "- cold cache: " + "; ".join(cold_text[m] for m in sorted(cold_modes, key=str)),
        f"- .NET start (`yard --version`): {runtime_warm:.2f} s warm"
        + (f", {runtime_cold:.2f} s cold" if runtime_cold is not None else ""),
        "",
        "| model | thr | file MiB | read/token MiB | max tokens | decode tok/s | bound tok/s | % of bound | 4 seqs tok/s "
        "| cat cold s | cat warm s | listening cold s | 1st token cold s | listening warm s | 1st token warm s "
        "| load cold s | load warm s | load warm ÷ cat warm | peak RSS MiB | file + KV + 64 MiB | RSS anon / file MiB "
        "| SIGTERM → exit |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    goals = []
    for r in rows:
        f = r["facts"]
        bound = r["bandwidth"] * 1e9 / f["bytes_per_token"]
        fraction = r["decode"] / bound
        load_ratio = r["load_warm"] / r["cat_warm"]
        budget = f["file_bytes"] + f["kv_bytes"] + RSS_SLACK
        peak = r["memory"]["VmHWM"]
        exit_text = ("0" if r["exit"] == 0 else f"**{r['exit']}**") + f" in {r['exit_seconds']:.2f} s"
        if r.get("exit_cold", 0) != 0:
            exit_text += f"; cold start: **{r['exit_cold']}**"
        lines.append(
            f"| {r['label']} | {r['threads']} | {f['file_bytes'] / MIB:.1f} | {f['bytes_per_token'] / MIB:.1f} "
            f"| {r['max_tokens']} | {r['decode']:.1f} | {bound:.0f} | {100 * fraction:.1f}% | {r['concurrent']:.1f} "
            f"| {fmt(r['cat_cold'], 3)} | {r['cat_warm']:.3f} | {fmt(r.get('listen_cold'))} | {fmt(r.get('first_cold'))} "
            f"| {r['listen_warm']:.2f} | {r['first_warm']:.2f} | {fmt(r.get('load_cold'), 3)} | {r['load_warm']:.3f} "
            f"| {load_ratio:.1f}× | {peak / MIB:.1f} "
            f"| {budget / MIB:.1f} | {r['memory']['RssAnon'] / MIB:.1f} / {r['memory']['RssFile'] / MIB:.1f} | {exit_text} |")
        if r["label"] == "110M Q8_0" and r["threads"] == 2:
            goals.append((f"decode ≥ {BOUND_GOAL:.0%} of the bandwidth bound, 110M Q8_0 at 2 threads",
                          f"{100 * fraction:.1f}% ({r['decode']:.1f} of {bound:.0f} tok/s)", fraction >= BOUND_GOAL))
        goals.append((f"load ≤ {LOAD_GOAL}× warm sequential read, {r['label']} at {r['threads']} thread(s)",
                      f"load to first token {r['load_warm']:.3f} s vs {LOAD_GOAL} × {r['cat_warm']:.3f} s = "
                      f"{LOAD_GOAL * r['cat_warm']:.3f} s ({load_ratio:.1f}×)", load_ratio <= LOAD_GOAL))
        goals.append((f"peak RSS ≤ file + KV cache + 64 MiB, {r['label']} at {r['threads']} thread(s)",
                      f"{peak / MIB:.1f} MiB vs {f['file_bytes'] / MIB:.1f} + {f['kv_bytes'] / MIB:.1f} + 64 = "
                      f"{budget / MIB:.1f} MiB", peak <= budget))
    if not any(r["label"] == "110M Q8_0" and r["threads"] == 2 for r in rows):
        goals.insert(0, (f"decode ≥ {BOUND_GOAL:.0%} of the bandwidth bound, 110M Q8_0 at 2 threads", "not run", None))
    lines += ["", "## Goals", "", "| goal | measured | |", "|---|---|---|"]
    lines += [f"| {g} | {m} | {verdict(ok)} |" for g, m, ok in goals]
    lines += [
        "",
        "read/token: all tensor bytes, minus the token embedding matrix but one row when the model has a "
        "separate output matrix (with tied embeddings the output projection reads all of it). "
        "bound = bandwidth at the same thread count ÷ read/token. decode: (completion tokens − 1) ÷ time from "
        "the first to the last streamed token of one request. 4 seqs: completion tokens of four concurrent "
        "requests ÷ time from the first first token to the last last token. listening / 1st token: from "
        "process start to the \"listening on\" line / to the first streamed token of a one-token request sent "
        "at once (both include the .NET runtime's start). load: the server's own `meta.load_ms`, from opening the "
        "file to the first token of the warm-up generation it runs before listening (file mapping, tokenizer, "
        "engine, one forward pass that reads every weight, first-call compilation of the kernels). KV = 2 × layers × ctx × kv_dim × 4 bytes × slots. peak RSS: VmHWM after the runs "
        "(mapped file pages count).",
        "",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--yard", required=True, help="path of yard.dll")
    parser.add_argument("--bandwidth", required=True, help="path of Yardmaster.Bandwidth.dll")
    parser.add_argument("--model", action="append", required=True, help="LABEL|PATH|MAX_TOKENS, repeatable")
    parser.add_argument("--threads", default="1 2")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--cold", choices=["drop", "file", "none"], default="drop")
    parser.add_argument("--slots", type=int, default=4)
    parser.add_argument("--ctx", type=int, default=512)
    parser.add_argument("--out", default="bench/results")
    args = parser.parse_args()

    def terminate(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, terminate)
    try:
        return run(args)
    finally:
        stop_all()


if __name__ == "__main__":
    sys.exit(main())
