"""Helpers of bench/reliability.py: yard serve processes, a raw asyncio HTTP/1.1 client that tells every
way a request can end, open- and closed-loop load, and samplers of a process's RSS and open files.

Standard library only. Every wait has a timeout; every process started here is recorded so that the
runner can kill it (and its descendants, found by a tag in their environment) whatever happens.
"""

import asyncio
import dataclasses
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import threading
import time

HOST = "127.0.0.1"


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------- processes

class Yard:
    """One `yard serve` child: started with a config, a data folder and a port; its output in a log file."""

    def __init__(self, dll, work, name, config_text, data, env, port=None):
        self.dll, self.work, self.name, self.data, self.env = dll, work, name, data, env
        self.port = port or free_port()
        self.config = os.path.join(work, f"{name}.yaml")
        with open(self.config, "w", encoding="utf-8") as f:
            f.write(config_text)
        self.proc = None
        self.starts = 0

    def start(self, ready_timeout=60.0, check=None):
        """Starts it and waits for /health (and `check` of its JSON, e.g. a replica ready). Returns seconds to ready."""
        self.starts += 1
        log = open(os.path.join(self.work, f"{self.name}-{self.starts}.log"), "w", encoding="utf-8")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(
            ["dotnet", self.dll, "serve", "--config", self.config, "--port", str(self.port), "--data", self.data],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        Children.add(self.proc)
        deadline = t0 + ready_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"yard serve ({self.name}) exited with code {self.proc.returncode} before it was ready; see {log.name}:\n"
                                   + tail(log.name))
            try:
                status, body = get(self.port, "/health", timeout=2)
                if status == 200 and (check is None or check(json.loads(body))):
                    return time.monotonic() - t0
            except (OSError, ValueError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"yard serve ({self.name}) not ready on port {self.port} within {ready_timeout:.0f} s; see {log.name}:\n" + tail(log.name))

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self, grace=15.0):
        """SIGTERM, then SIGKILL after `grace`. Returns the exit code (None when it had to be killed)."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            return None


class Children:
    """Every process this runner started, and the tag its descendants carry in their environment."""

    procs = []
    tag = f"{os.getpid()}-{random.getrandbits(48):012x}"

    @classmethod
    def add(cls, proc):
        cls.procs.append(proc)

    @classmethod
    def env(cls):
        env = dict(os.environ)
        env["YARD_RELIABILITY_TAG"] = cls.tag
        return env

    @classmethod
    def tagged_pids(cls):
        """Live processes whose environment holds this run's tag (yard serve, its model servers, pipeline steps)."""
        needle = f"YARD_RELIABILITY_TAG={cls.tag}".encode()
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            try:
                with open(f"/proc/{entry}/environ", "rb") as f:
                    if needle in f.read().split(b"\0"):
                        pids.append(int(entry))
            except OSError:
                pass
        return pids

    @classmethod
    def kill_all(cls):
        for proc in reversed(cls.procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)
        for _ in range(3):  # descendants left by a SIGKILLed parent (model servers, steps), by pid
            pids = cls.tagged_pids()
            if not pids:
                return 0
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.2)
        return len(cls.tagged_pids())


def children_of(pid):
    """Live (not zombie) direct children of pid, with their command lines."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if fields[0] == "Z" or int(fields[1]) != pid:
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                found.append((int(entry), f.read().replace(b"\0", b" ").decode(errors="replace")))
        except (OSError, IndexError, ValueError):
            pass
    return found


def tail(path, lines=15):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


class Sampler:
    """Samples a process's VmRSS and open file descriptors every `interval` seconds on a thread."""

    def __init__(self, pid, interval=1.0):
        self.pid, self.interval = pid, interval
        self.samples = []  # (monotonic seconds, rss bytes, fds)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)
        self.sample()

    def _run(self):
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self):
        s = proc_sample(self.pid)
        if s is not None:
            self.samples.append((time.monotonic(), *s))
        return s


def proc_sample(pid):
    """(VmRSS bytes, open fds) of pid, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            rss = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))
        return rss, len(os.listdir(f"/proc/{pid}/fd"))
    except (OSError, StopIteration):
        return None


# ------------------------------------------------------------------------------------------ plain HTTP

def request(port, method, path, body=None, key=None, timeout=10.0):
    """One blocking request (http.client); JSON bodies with Content-Type: application/json. Returns (status, bytes)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        headers = {}
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if key:
            headers["Authorization"] = f"Bearer {key}"
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def get(port, path, key=None, timeout=10.0):
    return request(port, "GET", path, key=key, timeout=timeout)


def get_json(port, path, key=None, timeout=10.0):
    status, body = get(port, path, key=key, timeout=timeout)
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
    return json.loads(body)


def wait_for(what, predicate, timeout, interval=0.2):
    """Polls predicate() (exceptions count as not yet) until it returns something truthy; raises after timeout."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except (OSError, ValueError, RuntimeError, http.client.HTTPException) as e:
            last_error = e
        time.sleep(interval)
    raise TimeoutError(f"{what}: not within {timeout:.0f} s" + (f" (last error: {last_error})" if last_error else ""))


# -------------------------------------------------------------------------------------- asyncio client

KIND_LABELS = {
    "connect": "connect failed",
    "reset": "connection reset",
    "closed": "closed before an answer",
    "truncated": "cut mid-answer",
    "timeout": "client timeout",
}


@dataclasses.dataclass
class Result:
    """How one request ended, as a client sees it."""
    kind: str = "none"           # "status" (an answer, whole), or a failure: connect, reset, closed, truncated, timeout
    status: int = 0
    started: float = 0.0         # loop time the request was sent
    latency: float = 0.0         # seconds to the whole answer (or to the failure)
    headers_at: float = 0.0      # seconds to the status line (0: never)
    body: bytes = b""
    events: list = dataclasses.field(default_factory=list)  # SSE `data:` payloads, for streams
    detail: str = ""

    @property
    def outcome(self):
        """What the client saw, e.g. "HTTP 200", "HTTP 429 queue_full", "HTTP 200 then cut mid-answer", "closed before an answer"."""
        label = KIND_LABELS.get(self.kind, self.kind)
        if self.kind != "status":
            return f"HTTP {self.status} then {label}" if self.status else label
        return f"HTTP {self.status} {self.error_code()}".rstrip()

    def error_code(self):
        """The `code` (else `type`) of an error answer's JSON body, or ""."""
        if self.status < 400:
            return ""
        try:
            doc = json.loads(self.body)
            err = doc.get("error", doc) if isinstance(doc, dict) else {}
            return str(err.get("code") or err.get("type") or "") if isinstance(err, dict) else ""
        except ValueError:
            return "(not JSON)" if self.body else "(empty body)"

    def sse_error(self):
        """The message of the stream's error event, if it had one."""
        for e in self.events:
            if e.startswith("{") and '"error"' in e:
                try:
                    return json.loads(e)["error"].get("message", "?")
                except (ValueError, KeyError, AttributeError):
                    return "?"
        return None


def build_request(port, method, path, body=None, key=None):
    data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close"]
    if key:
        lines.append(f"Authorization: Bearer {key}")
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


def decode_chunked(raw):
    """(body, complete) of a chunked body; complete when the last chunk (size 0) was read."""
    out, i = bytearray(), 0
    while True:
        j = raw.find(b"\r\n", i)
        if j < 0:
            return bytes(out), False
        try:
            size = int(raw[i:j].split(b";")[0], 16)
        except ValueError:
            return bytes(out), False
        if size == 0:
            return bytes(out), True
        if j + 2 + size > len(raw):
            out += raw[j + 2:]
            return bytes(out), False
        out += raw[j + 2:j + 2 + size]
        i = j + 2 + size + 2


async def send(port, method, path, body=None, key=None, timeout=60.0, on_headers=None):
    """One request on a fresh connection (Connection: close), read to the end. Never raises; the Result says how it ended."""
    loop = asyncio.get_running_loop()
    r = Result(started=loop.time())
    writer = None
    raw = bytearray()
    try:
        async with asyncio.timeout(timeout):
            try:
                reader, writer = await asyncio.open_connection(HOST, port)
            except OSError as e:
                r.kind, r.detail = "connect", type(e).__name__
                return r
            writer.write(build_request(port, method, path, body, key))
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            r.headers_at = loop.time() - r.started
            status_line, *header_lines = head.decode("latin-1").split("\r\n")
            r.status = int(status_line.split()[1])
            headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines if h)}
            if on_headers:
                on_headers(r)
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    break
                raw += chunk
            if headers.get("transfer-encoding", "").lower() == "chunked":
                r.body, complete = decode_chunked(bytes(raw))
            else:
                r.body = bytes(raw)
                complete = "content-length" not in headers or len(raw) >= int(headers["content-length"])
            r.kind = "status" if complete else "truncated"
    except TimeoutError:
        r.kind = "timeout"
    except asyncio.IncompleteReadError:
        r.kind = "closed"  # the server closed the connection before a whole status line and headers
    except (ConnectionResetError, BrokenPipeError) as e:
        r.kind, r.detail = ("reset" if not r.status else "truncated"), type(e).__name__
    except OSError as e:
        r.kind, r.detail = "reset", type(e).__name__
    finally:
        r.latency = loop.time() - r.started
        if writer is not None:
            writer.close()
    if r.kind in ("status", "truncated") and b"data:" in (r.body or raw):
        text = (r.body or bytes(raw)).decode("utf-8", errors="replace")
        r.events = [line[5:].strip() for line in text.split("\n") if line.startswith("data:")]
    return r


async def open_loop(rate, duration, make, poisson=True, drain=120.0):
    """Open-loop arrivals: a new request (make() -> coroutine giving a Result) every exponential (or fixed)
    interarrival of mean 1/rate for `duration` seconds, whatever the answers. Returns (results, offered rate, late)."""
    loop = asyncio.get_running_loop()
    tasks = []
    t0 = loop.time()
    nxt = t0
    late = 0  # arrivals sent more than 50 ms after their time (the client could not keep up)
    while True:
        nxt += random.expovariate(rate) if poisson else 1.0 / rate
        if nxt >= t0 + duration:
            break
        delay = nxt - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -0.05:
            late += 1
        tasks.append(asyncio.create_task(make()))
    sent_over = loop.time() - t0
    done, pending = await asyncio.wait(tasks, timeout=drain) if tasks else (set(), set())
    for t in pending:
        t.cancel()
    results = [t.result() for t in tasks if t in done and not t.cancelled()]
    results += [Result(kind="timeout", detail="still open after the drain") for t in tasks if t in pending]
    return results, len(tasks) / max(sent_over, 1e-9), late


async def closed_loop(workers, duration, make):
    """`workers` clients each sending its next request when the last one ended, for `duration` seconds."""
    loop = asyncio.get_running_loop()
    end = loop.time() + duration
    results = []

    async def worker():
        while loop.time() < end:
            results.append(await make())

    await asyncio.gather(*(worker() for _ in range(workers)))
    return results


def percentile(values, p):
    """Nearest-rank percentile (None for no values)."""
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(-(-p / 100.0 * len(s) // 1)) - 1))
    return s[k]


def outcomes(results):
    """{'HTTP 200': n, 'reset': n, ...}, most frequent first."""
    counts = {}
    for r in results:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def fmt_counts(counts):
    return ", ".join(f"{k}: {v}" for k, v in counts.items()) or "none"
