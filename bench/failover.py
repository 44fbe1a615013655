#!/usr/bin/env python3
"""Failover of the job scheduler (bench/failover.sh): time from SIGKILL of the leader to the first step the new leader starts.

Each repetition: a fresh database on the PostgreSQL of scripts/postgres-test-env.sh, two `yard serve` processes (the built
yard.dll) sharing it and one data folder, store.lease as given, every step on the Slurm cluster of
scripts/slurm-test-env.sh. A chain of STEPS steps (each appends a line to its own file and sleeps 1 s) is submitted to
the leader; once step 2 runs on Slurm and after a random wait within one renewal tick (so the kill lands anywhere in
the lease's renewal cycle), the leader is SIGKILLed. Measured, from the kill:
  lease left   how long the dead leader's lease still ran (its expires_at read just before the kill)
  takeover     until GET /api/cluster on the survivor names it leader (polled every 50 ms)
  first start  until the started_at of the first attempt the new leader started (from GET /api/runs/{id})
and the run must then succeed with every step's file holding one line (each step ran once); attempts other than one
successful attempt per step are listed (an attempt the killed leader recorded but never submitted is "never_started"
and runs again). Standard library only.
"""
import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime


def parse_time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class Instance:
    def __init__(self, yard, config, data, env):
        self.log_path = os.path.join(os.path.dirname(data), f"serve-{time.monotonic_ns()}.log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(["dotnet", yard, "serve", "--config", config, "--data", data],
                                        stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self.url = None
        self.id = None
        deadline = time.monotonic() + 120
        while self.url is None:
            with open(self.log_path) as f:
                for line in f:
                    if line.startswith("listening on "):
                        self.url = line[len("listening on "):].strip()
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("yard serve did not start; see " + self.log_path)
            time.sleep(0.05)

    def kill(self, sig=signal.SIGKILL):
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class Api:
    def __init__(self, token):
        self.token = token

    def call(self, url, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url.rstrip("/") + path, data=data, method="GET" if body is None else "POST")
        request.add_header("Authorization", "Bearer " + self.token)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(errors="replace")


def psql(url, password, sql):
    parts = urllib.parse.urlparse(url)
    env = dict(os.environ, PGPASSWORD=password)
    subprocess.run(["psql", "-q", "-h", parts.hostname, "-p", str(parts.port), "-U", parts.username, "-d", parts.path.lstrip("/"),
                    "-v", "ON_ERROR_STOP=1", "-c", sql], env=env, check=True, stdout=subprocess.DEVNULL)


def poll(read, done, within, what):
    deadline = time.monotonic() + within
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not within {within} s; last: {value}")
        time.sleep(0.05)


def pipeline(steps):
    lines = ["name: failover-bench", "steps:"]
    for i in range(1, steps + 1):
        lines += [f"  - id: s{i}", f"    run: echo s{i} >> s{i}.txt; sleep 1"]
        if i > 1:
            lines.append(f"    needs: [s{i - 1}]")
    return "\n".join(lines) + "\n"


def repetition(args, lease_ms, base_url, password, work):
    name = f"yfo_{os.getpid()}_{time.monotonic_ns()}"
    psql(base_url, password, f"CREATE DATABASE {name};")
    home = tempfile.mkdtemp(prefix="yard-failover-", dir=work)
    data = os.path.join(home, "data")
    config = os.path.join(home, "yard.yaml")
    url = base_url[:base_url.rfind("/") + 1] + name
    with open(config, "w") as f:
        f.write(f"""server: {{ port: 0 }}
store: {{ url: "{url}", password_env: YARD_TEST_PG_PASSWORD, lease: {lease_ms}ms }}
jobs:
  executor: slurm
  docker: {{ enabled: false }}
  slurm: {{ conf: "{args.slurm_conf}", bin_dir: "{args.slurm_bin}", partition: {args.partition}, poll: 250ms }}
""")
    env = dict(os.environ, YARD_HOME=home, YARD_SERVER="", YARD_API_KEY="", YARD_ADMIN_KEY="", YARD_TEST_PG_PASSWORD=password)
    instances = []
    try:
        instances.append(Instance(args.yard, config, data, env))
        instances.append(Instance(args.yard, config, data, env))
        with open(os.path.join(data, "admin.token")) as f:
            api = Api(f.read().strip())
        for instance in instances:
            instance.id = api.call(instance.url, "/api/cluster")[1]["self"]
        _, view = api.call(instances[0].url, "/api/cluster")
        leader_id = view["leader"]["id"]
        leader, survivor = (instances[0], instances[1]) if instances[0].id == leader_id else (instances[1], instances[0])
        status, answer = api.call(leader.url, "/api/runs", {"yaml": pipeline(args.steps), "file": "failover.yaml"})
        if status != 201:
            raise RuntimeError(f"submission refused: {status} {answer}")
        run_id = answer["id"]

        def step_running(run, step):
            # Submitted (job id stored) and started by Slurm (its line written): a busy cluster may keep it pending.
            return any(s["id"] == step and s["state"] == "running" for s in run["steps"]) and \
                any(a["step"] == step and a["locator"] for a in run["attempts"]) and \
                os.path.exists(os.path.join(run["working_directory"], step + ".txt"))

        poll(lambda: api.call(survivor.url, f"/api/runs/{run_id}?transitions=false")[1], lambda r: step_running(r, "s2"), 300, "s2 running")
        time.sleep(random.uniform(0, lease_ms / 3000))
        _, before = api.call(survivor.url, "/api/cluster")
        expires = parse_time(before["leader"]["expires_at"])
        killed = time.time()
        leader.kill()
        poll(lambda: api.call(survivor.url, "/api/cluster")[1], lambda v: v["leader"] and v["leader"]["id"] == survivor.id, 120, "takeover")
        lead = time.time()
        run = poll(lambda: api.call(survivor.url, f"/api/runs/{run_id}?transitions=false")[1],
                   lambda r: r["state"] in ("succeeded", "failed", "cancelled"), 120 + 2 * args.steps, "run end")
        started = sorted(parse_time(a["started_at"]) for a in run["attempts"] if a["started_at"] and parse_time(a["started_at"]) > killed)
        lines = {f"s{i}": len(open(os.path.join(run["working_directory"], f"s{i}.txt")).read().split()) for i in range(1, args.steps + 1)}
        once = run["state"] == "succeeded" and all(n == 1 for n in lines.values())
        # An attempt the killed leader had recorded but not yet submitted is "never_started" and run again: still once.
        extra = [f"{a['step']}.{a['number']} {a['outcome']}" for a in run["attempts"] if a["number"] > 1 or a["outcome"] != "succeeded"]
        if not once or extra:
            print(f"<!-- not once in {home}: lines {lines}; attempts "
                  + "; ".join(f"{a['step']}.{a['number']} {a['outcome']} {a['locator']} {a['reason']}" for a in run["attempts"]) + " -->", flush=True)
        return {
            "lease_left": expires - killed,
            "takeover": lead - killed,
            "first_start": (started[0] - killed) if started else float("nan"),
            "once": once,
            "extra": extra,
            "state": run["state"],
        }
    finally:
        for instance in instances:
            instance.kill(signal.SIGTERM)
        psql(base_url, password, f"DROP DATABASE IF EXISTS {name} WITH (FORCE);")
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)


def duration_ms(text):
    text = text.strip()
    if text.endswith("ms"):
        return int(float(text[:-2]))
    if text.endswith("s"):
        return int(float(text[:-1]) * 1000)
    return int(float(text) * 1000)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--yard", required=True)
    parser.add_argument("--lease", action="append", help="store.lease, e.g. 10s (repeatable; default 10s and 3s)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--slurm-conf", required=True)
    parser.add_argument("--slurm-bin", default="/usr/bin")
    parser.add_argument("--partition", default="main")
    parser.add_argument("--work", default=tempfile.gettempdir())
    parser.add_argument("--keep", action="store_true", help="keep each repetition's folder (logs, data)")
    args = parser.parse_args()
    base_url = os.environ["YARD_TEST_PG_URL"]
    password = os.environ["YARD_TEST_PG_PASSWORD"]
    print("| store.lease | rep | lease left at kill (s) | takeover (s) | first step by new leader (s) | every step once |")
    print("|---|---|---|---|---|---|")
    summary = []
    failed = False
    for lease in args.lease or ["10s", "3s"]:
        lease_ms = duration_ms(lease)
        firsts = []
        takeovers = []
        for rep in range(1, args.repeat + 1):
            r = repetition(args, lease_ms, base_url, password, args.work)
            firsts.append(r["first_start"])
            takeovers.append(r["takeover"])
            failed |= not r["once"]
            print(f"| {lease} | {rep} | {r['lease_left']:.2f} | {r['takeover']:.2f} | {r['first_start']:.2f} | {('yes' if r['once'] else 'NO (' + r['state'] + ')') + (' (attempts: ' + ', '.join(r['extra']) + ')' if r['extra'] else '')} |", flush=True)
        summary.append((lease, statistics.median(takeovers), max(takeovers), statistics.median(firsts), max(firsts)))
    print()
    print("| store.lease | takeover median (s) | takeover max (s) | first step by new leader, median (s) | max (s) |")
    print("|---|---|---|---|---|")
    for lease, tm, tx, fm, fx in summary:
        print(f"| {lease} | {tm:.2f} | {tx:.2f} | {fm:.2f} | {fx:.2f} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
