#!/usr/bin/env python3
"""How much of Belady's MIN advantage on the Alibaba GenAI trace an online eviction policy can hope to reach.

A lighter replay of `yard simulate --format alibaba-genai` (same model sizes and load times, drawn from the same hashes;
a request holds its model for exec_time_seconds, a load is instant, no slot queueing), within 2% of the simulator's
loads for lru, gdsf and MIN. It runs the online policies and three oracles that know part of the future:
  - static popularity: each model's request count over the whole trace (per GiB);
  - next-day popularity: each model's requests in the coming 24 h (per GiB), not their times;
  - next-day sessions: each model's sessions (a request 10 min or more after the model's previous one) starting in
    the coming 24 h (per GiB), not their times.
Usage: bench/genai-eviction-bounds.py [TRACE_DIR] (default ../shared/traces/alibaba-genai-v2026). Python 3, stdlib only.
"""
import bisect
import collections
import csv
import datetime
import math
import os
import sys

M64 = (1 << 64) - 1


def mix(x):
    x = (x + 0x9E3779B97F4A7C15) & M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def stable_hash(s, salt):  # StableHash.Of: FNV-1a over UTF-16 code units (ASCII ids here), then SplitMix64
    h = 14695981039346656037
    for c in s:
        h = ((h ^ ord(c)) * 1099511628211) & M64
    return mix(h ^ mix(salt))


def load(directory):
    rows = []
    with open(os.path.join(directory, "lora_request_trace.csv"), newline="") as f:
        for r in csv.DictReader(f):
            if r["predict_status"] == "PENDING":
                continue
            t = datetime.datetime.strptime(r["gmt_create"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=datetime.timezone.utc).timestamp()
            rows.append((t, r["checkpoint_model_version_id"] or "unnamed", float(r["exec_time_seconds"] or 1)))
    rows.sort(key=lambda r: r[0])
    t0 = rows[0][0]
    rows = [(t - t0, m, e) for t, m, e in rows]
    with open(os.path.join(directory, "basemodel_update_latency_anon.csv"), newline="") as f:
        latencies = sorted(float(r["value"]) / 1000 for r in csv.DictReader(f))
    names = sorted({m for _, m, _ in rows})
    size = {n: (2 << 30) + (1 << 29) * (stable_hash(n, 2) % 29) for n in names}
    load_s = {n: latencies[stable_hash(n, 1) % len(latencies)] for n in names}
    return rows, size, load_s


ROWS, SIZE, LOAD = load(sys.argv[1] if len(sys.argv) > 1 else "../shared/traces/alibaba-genai-v2026")
GIB = float(1 << 30)
USES = collections.defaultdict(list)
for _t, _m, _e in ROWS:
    USES[_m].append(_t)
STARTS = {m: [u[i] for i in range(len(u)) if i == 0 or u[i] - u[i - 1] >= 600] for m, u in USES.items()}
DAY = 86400.0


class Policy:
    """order(candidates, t, last) -> candidates, first evicted first; on_use(model, t) for every request served."""
    def on_use(self, m, t):
        pass

    def evicted(self, victims):
        pass


class Lru(Policy):
    def order(self, c, t, last):
        return sorted(c, key=lambda m: (last[m], m))


class Belady(Policy):
    def order(self, c, t, last):
        def nxt(m):
            u = USES[m]
            i = bisect.bisect_right(u, t)
            return u[i] if i < len(u) else math.inf
        return sorted(c, key=lambda m: (-nxt(m), m))


class Gdsf(Policy):  # GdsfEvictionPolicy: H = L + F × C / S, F halving every hour
    def __init__(self):
        self.uses, self.inflation, self.h = {}, 0.0, {}

    def freq(self, m, t):
        f, at, _ = self.uses[m]
        return f * 0.5 ** (max(t - at, 0) / 3600)

    def on_use(self, m, t):
        self.uses[m] = ((self.freq(m, t) if m in self.uses else 0) + 1, t, self.inflation)

    def order(self, c, t, last):
        self.h = {m: (self.uses[m][2] + self.freq(m, t) * LOAD[m] / (SIZE[m] / GIB)) if m in self.uses else LOAD[m] / (SIZE[m] / GIB) for m in c}
        return sorted(c, key=lambda m: (self.h[m], last[m], m))

    def evicted(self, victims):
        if victims:
            self.inflation = max(self.inflation, max(self.h.get(m, 0) for m in victims))


class SessionLfu(Policy):  # SessionLfuEvictionPolicy with its defaults
    def __init__(self, half_life=10_000, gap=30, overhead=60):
        self.half_life, self.gap, self.overhead, self.ticks, self.f = half_life, gap, overhead, 0, {}

    def sessions(self, m):
        f, at = self.f.get(m, (0, self.ticks))
        return f * 0.5 ** ((self.ticks - at) / self.half_life)

    def on_use(self, m, t):
        self.ticks += 1
        if m in self.f:
            self.f[m] = (self.sessions(m) + 1 - 0.5 ** ((self.ticks - self.f[m][1]) / self.gap), self.ticks)
        else:
            self.f[m] = (1, self.ticks)

    def order(self, c, t, last):
        return sorted(c, key=lambda m: (self.sessions(m) * (LOAD[m] + self.overhead) / (SIZE[m] / GIB), last[m], m))


class Oracle(Policy):
    """Evicts the lowest count(model, t) per GiB first, ties least recently used."""
    def __init__(self, count):
        self.count = count

    def order(self, c, t, last):
        return sorted(c, key=lambda m: (self.count(m, t) / (SIZE[m] / GIB), last[m], m))


TOTAL_USES = {m: len(u) for m, u in USES.items()}
ORACLES = {
    "oracle: static popularity (whole-trace requests)": lambda m, t: TOTAL_USES[m],
    "oracle: next-day popularity (requests in the coming 24 h)": lambda m, t: bisect.bisect_right(USES[m], t + DAY) - bisect.bisect_right(USES[m], t),
    "oracle: next-day sessions (sessions starting in the coming 24 h)": lambda m, t: bisect.bisect_right(STARTS[m], t + DAY) - bisect.bisect_right(STARTS[m], t),
}


def run(policy, share):
    budget = int(sum(SIZE.values()) * share)
    loaded, last = {}, {}  # model -> busy until; model -> last request end
    used = loads = 0
    seconds = 0.0
    for t, m, e in ROWS:
        if m not in loaded:
            need = SIZE[m] - (budget - used)
            victims, freed = [], 0
            if need > 0:
                for x in policy.order([x for x in loaded if loaded[x] <= t], t, last):
                    if freed >= need:
                        break
                    victims.append(x)
                    freed += SIZE[x]
                for x in sorted((x for x in loaded if loaded[x] > t), key=lambda x: loaded[x]):  # rare: all idle ones do not suffice
                    if freed >= need:
                        break
                    victims.append(x)
                    freed += SIZE[x]
                policy.evicted(victims)
                for x in victims:
                    del loaded[x]
                    used -= SIZE[x]
            loaded[m] = t
            used += SIZE[m]
            loads += 1
            seconds += LOAD[m]
        policy.on_use(m, t)
        last[m] = t + e
        loaded[m] = max(loaded[m], t + e)
    return loads, seconds / 3600


def main():
    policies = [("lru", Lru), ("gdsf", Gdsf), ("session-lfu", SessionLfu)]
    policies += [(name, lambda c=count: Oracle(c)) for name, count in ORACLES.items()]
    policies += [("Belady's MIN", Belady)]
    shares = (0.1, 0.2, 0.3)
    print(f"{len(ROWS):,} requests, {len(USES)} models, {sum(SIZE.values()) / GIB:.1f} GiB in all\n")
    print("| policy | " + " | ".join(f"{s:.0%}: loads, load time (h)" for s in shares) + " |")
    print("|---|" + "--:|" * len(shares))
    for name, make in policies:
        cells = []
        for share in shares:
            loads, hours = run(make(), share)
            cells.append(f"{loads:,}, {hours:.1f}")
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
