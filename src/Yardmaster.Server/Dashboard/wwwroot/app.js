// Yardmaster dashboard: plain JS, no dependencies. Data comes from /api/* with the session cookie that
// POST /login sets (HttpOnly: this script never sees it). Every text from the server goes in with
// textContent, never as HTML.
"use strict";

const POLL_MS = 1000;
const HISTORY_MS = 10000;
const LIVE_POINTS = 300;
const SVG = "http://www.w3.org/2000/svg";

const state = {
  view: "tasks",
  live: [],            // [{t, tasks: {name: {rate, latency: {p50,p95,p99}, slo}}, queue}]
  lastStats: null,
  history: null,       // last /api/history answer, or "absent"
  historyAt: 0,
  events: [],          // loads and evictions: from /api/history, else seen between polls
  replicaStates: new Map(),
  selectedRun: null,
  selectedStep: null,
  timer: null,
};

const $ = (id) => document.getElementById(id);

// True when what a part of the page shows changed since it was last drawn: unchanged parts are left alone, so
// a button under the pointer stays the same element between polls.
const drawn = new Map();
function changed(part, ...inputs) {
  const key = JSON.stringify(inputs);
  if (drawn.get(part) === key) return false;
  drawn.set(part, key);
  return true;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) node.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

class Unauthorized extends Error {}

async function api(path, options) {
  const response = await fetch(path, { credentials: "same-origin", cache: "no-store", ...options });
  if (response.status === 401) throw new Unauthorized();
  return response;
}

async function getJson(path) {
  const response = await api(path);
  if (!response.ok) {
    const error = new Error(`${path}: ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return response.json();
}

async function post(path) {
  const response = await api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: "" });
  let detail = "";
  try { detail = (await response.json()).detail || ""; } catch { /* no body */ }
  setStatus(response.ok ? `${path.split("/").pop()}: accepted` : `${path}: ${response.status} ${detail}`);
  return response.ok;
}

function setStatus(text) { $("status").textContent = text; }

// ---------- login ----------

function showLogin(message) {
  stopPolling();
  $("app").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = message || "";
  $("token").focus();
}

async function login(event) {
  event.preventDefault();
  const token = $("token").value.trim();
  const response = await fetch("/login", {
    method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token }),
  });
  $("token").value = "";
  if (response.ok) {
    $("login-error").textContent = "";
    showApp();
    return;
  }
  let detail = "";
  try { detail = (await response.json()).detail || ""; } catch { /* no body */ }
  $("login-error").textContent = response.status === 401
    ? "Wrong token: sign-in refused."
    : `Sign-in refused (${response.status}${detail ? ": " + detail : ""}).`;
}

async function logout() {
  await fetch("/logout", { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: "" });
  showLogin("Signed out.");
}

function showApp() {
  $("login").hidden = true;
  $("app").hidden = false;
  route();
  startPolling();
}

// ---------- polling ----------

function startPolling() {
  stopPolling();
  const tick = async () => {
    try {
      await refresh();
    } catch (e) {
      if (e instanceof Unauthorized) { showLogin("Your session ended: sign in again."); return; }
      setStatus(`update failed: ${e.message}`);
    }
    state.timer = setTimeout(tick, POLL_MS);
  };
  tick();
}

function stopPolling() {
  if (state.timer) clearTimeout(state.timer);
  state.timer = null;
}

async function refresh() {
  const stats = await getJson("/api/stats");
  recordLive(stats);
  noticeReplicaChanges(stats);
  if (Date.now() - state.historyAt > HISTORY_MS) await refreshHistory();
  switch (state.view) {
    case "tasks": renderTasks(stats); break;
    case "models": renderModels(stats, await getJson("/api/models")); break;
    case "nodes": renderNodes(await getJson("/api/nodes")); break;
    case "runs": await refreshRuns(); break;
    case "scheduler": renderScheduler(await getJson("/api/scheduler"), await getJson("/api/adaptations")); break;
  }
  setStatus(`updated ${new Date().toLocaleTimeString()}`);
}

async function refreshHistory() {
  state.historyAt = Date.now();
  try {
    state.history = await getJson("/api/history?since=1h");
    if (Array.isArray(state.history.events)) state.events = state.history.events.slice();
  } catch (e) {
    if (e instanceof Unauthorized) throw e;
    state.history = "absent";
  }
}

// ---------- live series from successive /api/stats ----------

function recordLive(stats) {
  const now = Date.now();
  const prev = state.lastStats;
  const point = { t: now, tasks: {}, queue: 0 };
  for (const m of Object.values(stats.models || {})) point.queue += m.status ? m.status.queued : 0;
  for (const [name, s] of Object.entries(stats.tasks || {})) {
    const before = prev && prev.stats.tasks && prev.stats.tasks[name];
    const seconds = prev ? (now - prev.t) / 1000 : 0;
    const rate = before && seconds > 0 ? Math.max(0, s.requests - before.requests) / seconds : 0;
    const lat = s.latency_ms && s.latency_ms.count > 0 ? s.latency_ms : null;
    point.tasks[name] = {
      rate,
      latency: lat ? { p50: lat.p50, p95: lat.p95, p99: lat.p99 } : null,
      slo: s.slo_attainment === null || s.slo_attainment === undefined ? null : s.slo_attainment * 100,
    };
  }
  state.live.push(point);
  if (state.live.length > LIVE_POINTS) state.live.shift();
  state.lastStats = { t: now, stats };
}

function noticeReplicaChanges(stats) {
  if (state.history && state.history !== "absent") return; // the store's events are the timeline
  const now = new Date().toISOString();
  for (const [model, m] of Object.entries(stats.models || {})) {
    const replicas = (m.status && m.status.replicas) || [];
    const seen = new Set();
    for (const r of replicas) {
      const key = `${model}#${r.replica}`;
      seen.add(key);
      const before = state.replicaStates.get(key);
      if (before !== r.state) {
        // Replicas already ready at the first poll loaded before this page opened: not an event seen here.
        if (r.state === "ready" && state.live.length > 1) state.events.push({ at: now, kind: "loaded", model, replica: r.replica, bytes: r.memory_bytes, seconds: r.load_ms / 1000 });
        state.replicaStates.set(key, r.state);
      }
    }
    for (const key of [...state.replicaStates.keys()]) {
      if (key.startsWith(model + "#") && !seen.has(key)) {
        state.events.push({ at: now, kind: "unloaded", model, replica: Number(key.split("#")[1]), reason: null });
        state.replicaStates.delete(key);
      }
    }
  }
  if (state.events.length > 500) state.events.splice(0, state.events.length - 500);
}

// ---------- charts (hand-drawn SVG) ----------

// series: [{name, cls, points: [{t, v}]}]; draws lines with a dot per point; each dot carries data-value.
function lineChart(figure, series, opts) {
  const o = { unit: "", max: null, ...opts };
  for (const old of figure.querySelectorAll("svg")) old.remove();
  const W = 400, H = 170, L = 44, R = 8, T = 18, B = 20;
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": figure.querySelector("figcaption").textContent });
  const all = series.flatMap((s) => s.points.filter((p) => p.v !== null && p.v !== undefined && Number.isFinite(p.v)));
  if (all.length === 0) {
    root.append(svg("text", { x: W / 2, y: H / 2, "text-anchor": "middle", class: "empty" }, o.empty || "no data yet"));
    figure.append(root);
    return;
  }
  const t0 = Math.min(...all.map((p) => p.t)), t1 = Math.max(...all.map((p) => p.t));
  const vmax = o.max ?? Math.max(1e-9, ...all.map((p) => p.v)) * 1.1;
  const x = (t) => L + (t1 === t0 ? (W - L - R) / 2 : ((t - t0) / (t1 - t0)) * (W - L - R));
  const y = (v) => T + (1 - v / vmax) * (H - T - B);
  root.append(svg("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, class: "axis" }));
  root.append(svg("line", { x1: L, y1: T, x2: L, y2: H - B, class: "axis" }));
  root.append(svg("text", { x: L - 4, y: T + 4, "text-anchor": "end", class: "axis-label" }, fmt(vmax)));
  root.append(svg("text", { x: L - 4, y: H - B, "text-anchor": "end", class: "axis-label" }, "0"));
  root.append(svg("text", { x: L, y: H - 4, class: "axis-label" }, new Date(t0).toLocaleTimeString()));
  root.append(svg("text", { x: W - R, y: H - 4, "text-anchor": "end", class: "axis-label" }, new Date(t1).toLocaleTimeString()));
  let lx = L + 4;
  series.forEach((s, i) => {
    const cls = s.cls || `s${i % 3}`;
    const pts = s.points.filter((p) => p.v !== null && p.v !== undefined && Number.isFinite(p.v));
    const last = pts.length ? pts[pts.length - 1].v : null;
    const label = `${s.name}${last === null ? "" : " " + fmt(last) + o.unit}`;
    root.append(svg("text", { x: lx, y: 11, class: `legend ${cls}` }, label));
    lx += label.length * 6 + 12;
    if (pts.length === 0) return;
    const d = pts.map((p, k) => `${k ? "L" : "M"}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join("");
    const g = svg("g", { class: "line", "data-series": s.name });
    g.append(svg("path", { d, class: `series ${cls}` }));
    for (const p of pts) g.append(svg("circle", { cx: x(p.t).toFixed(1), cy: y(p.v).toFixed(1), r: 2.5, class: `point ${cls}`, "data-value": p.v }));
    root.append(g);
  });
  figure.append(root);
}

function fmt(v) {
  if (v === null || v === undefined) return "–";
  if (Math.abs(v) >= 100) return Math.round(v).toString();
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

function bytes(n) {
  if (!Number.isFinite(n)) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

// ---------- tasks ----------

function renderTasks(stats) {
  const names = Object.keys(stats.tasks || {});
  const rows = names.map((name) => {
    const s = stats.tasks[name];
    const lat = s.latency_ms || {};
    return el("tr", { "data-task": name },
      el("td", {}, name),
      el("td", { class: "num" }, s.requests),
      el("td", { class: "num" }, s.admitted_now),
      el("td", { class: "num" }, lat.count ? fmt(lat.p50) : "–"),
      el("td", { class: "num" }, lat.count ? fmt(lat.p95) : "–"),
      el("td", { class: "num" }, lat.count ? fmt(lat.p99) : "–"),
      el("td", { class: "num" }, s.slo_attainment === null ? "–" : `${(s.slo_attainment * 100).toFixed(1)}%`),
      el("td", { class: "num" }, Object.entries(s.refusals || {}).map(([k, v]) => `${k} ${v}`).join(", ") || "–"));
  });
  $("task-table").replaceChildren(names.length === 0
    ? el("p", { class: "note" }, "No task has had a request yet.")
    : el("table", {}, el("thead", {}, el("tr", {},
        el("th", {}, "task"), el("th", { class: "num" }, "requests"), el("th", { class: "num" }, "admitted now"),
        el("th", { class: "num" }, "p50 ms"), el("th", { class: "num" }, "p95 ms"), el("th", { class: "num" }, "p99 ms"),
        el("th", { class: "num" }, "SLO"), el("th", { class: "num" }, "refused"))), el("tbody", {}, rows)));

  const perTask = (pick) => names.map((name, i) => ({ name, cls: `s${i % 3}`, points: state.live.map((p) => ({ t: p.t, v: p.tasks[name] ? pick(p.tasks[name]) : null })) }));
  lineChart($("chart-live-rate"), perTask((x) => x.rate), { unit: "/s", empty: "no task yet" });
  lineChart($("chart-live-queue"), [{ name: "queued", points: state.live.map((p) => ({ t: p.t, v: p.queue })) }]);
  const latency = names.flatMap((name) => ["p50", "p95", "p99"].map((q, i) => ({
    name: names.length > 1 ? `${name} ${q}` : q, cls: `s${i}`,
    points: state.live.map((p) => ({ t: p.t, v: p.tasks[name] && p.tasks[name].latency ? p.tasks[name].latency[q] : null })),
  })));
  lineChart($("chart-live-latency"), latency, { unit: " ms", empty: "no request answered yet" });
  lineChart($("chart-live-slo"), perTask((x) => x.slo), { unit: "%", max: 100, empty: "no task with an SLO has had a request" });
  renderHistory();
}

function renderHistory() {
  const h = state.history;
  const note = $("history-note");
  const ids = ["chart-hist-rate", "chart-hist-latency", "chart-hist-queue", "chart-hist-slo"];
  if (!h || h === "absent" || !h.tasks || Object.keys(h.tasks).length === 0) {
    note.textContent = h === "absent" ? "No history yet: this server keeps no history store (GET /api/history is not available)." : "No history yet.";
    for (const id of ids) lineChart($(id), [], { empty: "no history yet" });
    return;
  }
  note.textContent = `from ${new Date(h.since).toLocaleString()} to ${new Date(h.until).toLocaleString()}`;
  const tasks = Object.entries(h.tasks);
  const series = (field, label) => tasks.map(([name, rows], i) => ({
    name: tasks.length > 1 ? `${name}${label ? " " + label : ""}` : (label || name), cls: `s${i % 3}`,
    points: rows.map((r) => ({ t: Date.parse(r.t), v: r[field] })),
  }));
  lineChart($("chart-hist-rate"), series("requests"), { empty: "no history yet" });
  const quantiles = (fields) => tasks.flatMap(([name, rows]) => fields.map(([f, q], i) => ({
    name: tasks.length > 1 ? `${name} ${q}` : q, cls: `s${i}`, points: rows.map((r) => ({ t: Date.parse(r.t), v: r[f] })),
  })));
  lineChart($("chart-hist-latency"), quantiles([["latency_p50_ms", "p50"], ["latency_p95_ms", "p95"], ["latency_p99_ms", "p99"]]), { unit: " ms", empty: "no history yet" });
  lineChart($("chart-hist-queue"), quantiles([["queue_p50_ms", "p50"], ["queue_p95_ms", "p95"]]), { unit: " ms", empty: "no history yet" });
  const slo = tasks.map(([name, rows], i) => ({ name, cls: `s${i % 3}`, points: rows.map((r) => ({ t: Date.parse(r.t), v: r.slo_attainment === null ? null : r.slo_attainment * 100 })) }));
  lineChart($("chart-hist-slo"), slo, { unit: "%", max: 100, empty: "no history yet" });
}

// ---------- models ----------

function meter(label, used, total, detail) {
  const pct = total > 0 ? Math.min(100, (used / total) * 100) : 0;
  const fill = el("div", { class: `fill${total > 0 && used > total ? " over" : ""}` });
  fill.style.width = `${pct.toFixed(1)}%`; // CSSOM, which the CSP allows (style attributes in markup it does not)
  return el("div", { class: "bar", "data-label": label },
    el("div", { class: "label" }, el("span", {}, label), el("span", {}, detail)),
    el("div", { class: "track" }, fill));
}

function renderModels(stats, models) {
  if (!changed("models", stats.devices, models, state.events)) return;
  $("devices").replaceChildren(...(stats.devices || []).map((d) =>
    meter(`memory on ${d.device}`, d.used_bytes, d.budget_bytes, `${bytes(d.used_bytes)} of ${bytes(d.budget_bytes)} budget`)));
  $("model-list").replaceChildren(...models.map((m) => {
    const status = m.status || { replicas: [] };
    const replicas = status.replicas || [];
    const loaded = replicas.some((r) => ["loading", "ready", "draining"].includes(r.state));
    return el("article", { class: "card model", "data-model": m.name },
      el("h3", {}, el("span", {}, m.name),
        el("span", { class: "actions" },
          el("button", { type: "button", class: "load", onclick: () => post(`/api/models/${encodeURIComponent(m.name)}/load`) }, "Load"),
          el("button", { type: "button", class: "unload quiet", disabled: !loaded, onclick: () => post(`/api/models/${encodeURIComponent(m.name)}/unload`) }, "Unload"))),
      el("div", { class: "note" }, `${m.backend || ""} · queued ${status.queued ?? 0} · in flight ${status.in_flight ?? 0}${status.blocked ? " · " + status.blocked : ""}`),
      replicas.length === 0
        ? el("div", { class: "replica", "data-replica": "none" }, el("span", { class: "badge state-unloaded" }, "not loaded"))
        : replicas.map((r) => el("div", { class: "replica", "data-replica": r.replica, "data-state": r.state },
            el("span", {}, `#${r.replica}`),
            el("span", { class: `badge state-${r.state}` }, r.state),
            el("span", {}, `${bytes(r.memory_bytes)} · ${r.in_flight}/${r.slots} busy · ${r.uses} served`))),
      status.last_failure ? el("div", { class: "error" }, status.last_failure) : null);
  }));
  const events = state.events.slice().reverse();
  $("timeline").replaceChildren(events.length === 0
    ? el("p", { class: "note" }, "No load or eviction yet.")
    : el("ol", {}, events.map((e) => el("li", { "data-kind": e.kind },
        el("time", {}, new Date(e.at).toLocaleTimeString()),
        el("span", { class: `badge state-${e.reason === "evicted" ? "evicted" : e.kind}` }, e.reason ? `${e.kind} (${e.reason})` : e.kind),
        el("span", {}, `${e.model} #${e.replica}`),
        el("span", { class: "note" }, [e.device, e.bytes ? bytes(e.bytes) : null, e.seconds ? `${fmt(e.seconds)} s` : null, e.detail].filter(Boolean).join(" · "))))));
}

// ---------- nodes ----------

function renderNodes(answer) {
  if (!changed("nodes", answer)) return;
  $("node-list").replaceChildren(...answer.nodes.map((n) => {
    const cap = n.capacity, free = n.free;
    const steps = n.allocations.filter((a) => a.kind === "step");
    const replicaMemory = n.allocations.filter((a) => a.kind === "replica").reduce((s, a) => s + a.memory_bytes, 0);
    return el("section", { class: "node card", "data-node": n.name },
      el("h3", {}, n.name),
      el("div", { class: "bars" },
        meter("cpu", cap.cpu_millis - free.cpu_millis, cap.cpu_millis, `${((cap.cpu_millis - free.cpu_millis) / 1000).toFixed(2)} of ${(cap.cpu_millis / 1000).toFixed(2)} cores reserved by steps`),
        meter("memory", cap.memory_bytes - free.memory_bytes, cap.memory_bytes, `${bytes(cap.memory_bytes - free.memory_bytes)} of ${bytes(cap.memory_bytes)} (steps ${bytes(steps.reduce((s, a) => s + a.memory_bytes, 0))}, models ${bytes(replicaMemory)})`),
        cap.gpus.length ? meter("gpus", cap.gpus.length - free.gpus.length, cap.gpus.length, `${cap.gpus.length - free.gpus.length} of ${cap.gpus.length} in use`) : null),
      n.allocations.length === 0
        ? el("p", { class: "note" }, "Nothing allocated.")
        : el("div", { class: "table-wrap" }, el("table", {},
            el("thead", {}, el("tr", {}, el("th", {}, "owner"), el("th", {}, "kind"), el("th", { class: "num" }, "cpu"), el("th", { class: "num" }, "memory"), el("th", {}, "gpus / device"), el("th", {}, "state"))),
            el("tbody", {}, n.allocations.map((a) => el("tr", { "data-owner": a.owner, "data-kind": a.kind },
              el("td", {}, a.kind === "step" ? `run ${a.run} · step ${a.step}` : `model ${a.model} · replica ${a.replica}`),
              el("td", {}, a.kind),
              el("td", { class: "num" }, a.kind === "step" ? `${a.cpu_millis}m` : "–"),
              el("td", { class: "num" }, bytes(a.memory_bytes)),
              el("td", {}, a.kind === "step" ? (a.gpus.join(", ") || "–") : a.device),
              el("td", {}, a.state || "running")))))));
  }));
}

// ---------- scheduler ----------

function pct(v) { return v === null || v === undefined ? "–" : `${(v * 100).toFixed(1)}%`; }

function renderScheduler(settings, answer) {
  if (!changed("scheduler", settings, answer)) return;
  const waits = Object.entries(settings.max_wait).filter(([k]) => k !== "default").map(([k, v]) => `${k} ${v}`).join(", ");
  $("scheduler-settings").replaceChildren(el("table", {}, el("tbody", {},
    [["queue", settings.queue], ["max_queue", String(settings.max_queue)], ["max_wait", waits], ["eviction", settings.eviction], ["routing", settings.routing]]
      .map(([k, v]) => el("tr", { "data-setting": k }, el("th", {}, k), el("td", {}, v))))));
  const adapt = answer.adapt, check = answer.last_check;
  $("adapt-status").textContent = !adapt.enabled
    ? "scheduler.adapt is off: settings change only through PUT /api/scheduler (yard tune --apply)."
    : `scheduler.adapt every ${adapt.every} over a ${adapt.window} window (objective ${adapt.objective}, margin ${adapt.margin}). `
      + (check ? `Last check ${new Date(check.at).toLocaleTimeString()}: ${check.verdict}, ${check.detail}.` : "No check yet.");
  const rows = answer.adaptations;
  $("adaptation-list").replaceChildren(rows.length === 0
    ? el("p", { class: "note" }, "No change yet.")
    : el("table", {},
        el("thead", {}, el("tr", {}, el("th", {}, "#"), el("th", {}, "at"), el("th", {}, "source"), el("th", {}, "change"), el("th", {}, "status"),
          el("th", { class: "num" }, "predicted"), el("th", { class: "num" }, "measured before"), el("th", { class: "num" }, "measured after"), el("th", {}, "note"))),
        el("tbody", {}, rows.map((a) => el("tr", { "data-adaptation": String(a.id), "data-status": a.status },
          el("td", {}, String(a.id)),
          el("td", {}, new Date(a.at).toLocaleTimeString()),
          el("td", {}, a.source),
          el("td", {}, a.change),
          el("td", {}, el("span", { class: `badge state-${a.status}` }, a.status)),
          el("td", { class: "num" }, a.predicted ? `${fmt(a.predicted.now)} → ${fmt(a.predicted.best)}` : "–"),
          el("td", { class: "num" }, a.before ? fmt(a.before.score) : "–"),
          el("td", { class: "num" }, a.after ? fmt(a.after.score) : "–"),
          el("td", {}, a.note || ""))))));
}

// ---------- runs ----------

async function refreshRuns() {
  const list = await getJson("/api/runs?limit=50");
  const runs = list.runs || [];
  if (!state.selectedRun && runs.length) state.selectedRun = runs[0].id;
  if (changed("run-list", runs, state.selectedRun)) $("run-list").replaceChildren(...(runs.length === 0
    ? [el("p", { class: "note" }, "No run yet.")]
    : runs.map((r) => el("button", { type: "button", class: r.id === state.selectedRun ? "selected" : "", "data-run": r.id, onclick: () => { state.selectedRun = r.id; state.selectedStep = null; refreshRuns().catch(() => {}); } },
        el("span", {}, `${r.id} ${r.pipeline}`), el("span", { class: `badge state-${r.state}` }, r.state)))));
  if (!state.selectedRun) return;
  const detail = await getJson(`/api/runs/${encodeURIComponent(state.selectedRun)}?transitions=false`);
  if (!state.selectedStep && detail.steps.length) {
    state.selectedStep = (detail.steps.find((s) => s.state === "running") || detail.steps[0]).id;
  }
  let log = "";
  const step = detail.steps.find((s) => s.id === state.selectedStep);
  if (step && step.attempts > 0) {
    const response = await api(`/api/runs/${encodeURIComponent(detail.id)}/logs/${encodeURIComponent(step.id)}`);
    log = response.ok ? await response.text() : "";
  }
  renderRun(detail, log);
}

function renderRun(run, log) {
  const live = run.steps.some((s) => s.state === "running") || run.attempts.some((a) => !a.ended_at);
  if (!changed("run", run, log, state.selectedStep, live ? Math.floor(Date.now() / 1000) : 0)) return;
  const running = run.state === "running" || run.state === "pending" || run.state === "queued";
  const head = el("div", { class: "run-head" },
    el("strong", {}, `${run.id} · ${run.pipeline}`),
    el("span", { class: `badge state-${run.state}`, "data-run-state": run.state }, run.state),
    run.reason ? el("span", { class: "note" }, run.reason) : null,
    el("button", { type: "button", class: "danger cancel", disabled: !running, onclick: () => post(`/api/runs/${encodeURIComponent(run.id)}/cancel`) }, "Cancel"),
    el("button", { type: "button", class: "quiet retry", disabled: running, onclick: () => post(`/api/runs/${encodeURIComponent(run.id)}/retry`) }, "Retry"));
  const attempts = el("div", { class: "table-wrap" }, el("table", { class: "attempts" },
    el("thead", {}, el("tr", {}, el("th", {}, "step"), el("th", { class: "num" }, "attempt"), el("th", {}, "outcome"), el("th", {}, "node"), el("th", { class: "num" }, "duration"), el("th", {}, "reason"))),
    el("tbody", {}, run.attempts.map((a) => el("tr", { "data-step": a.step, "data-attempt": a.number },
      el("td", {}, a.step), el("td", { class: "num" }, a.number),
      el("td", {}, el("span", { class: `badge state-${a.outcome}` }, a.outcome)),
      el("td", {}, a.node || ""),
      el("td", { class: "num" }, duration(a.started_at, a.ended_at)),
      el("td", {}, a.reason || ""))))));
  const logBox = el("pre", { class: "log", id: "step-log", "data-step": state.selectedStep || "" }, log || "(no output yet)");
  const stick = $("step-log");
  const atBottom = !stick || stick.scrollTop + stick.clientHeight >= stick.scrollHeight - 4;
  $("run-detail").replaceChildren(head, dag(run), el("h3", {}, "Attempts"), attempts,
    el("h3", {}, `Log of ${state.selectedStep || "–"}`, el("small", {}, " (following)")), logBox);
  if (atBottom) logBox.scrollTop = logBox.scrollHeight;
}

function duration(start, end) {
  if (!start) return "–";
  const ms = (end ? Date.parse(end) : Date.now()) - Date.parse(start);
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

// Layers by longest path from a root; one column per layer, steps stacked in it.
function dag(run) {
  const steps = run.steps;
  const byId = new Map(steps.map((s) => [s.id, s]));
  const depth = new Map();
  const depthOf = (s, seen = new Set()) => {
    if (depth.has(s.id)) return depth.get(s.id);
    if (seen.has(s.id)) return 0;
    seen.add(s.id);
    const d = Math.max(-1, ...(s.needs || []).map((n) => (byId.has(n) ? depthOf(byId.get(n), seen) : -1))) + 1;
    depth.set(s.id, d);
    return d;
  };
  steps.forEach((s) => depthOf(s));
  const layers = [];
  for (const s of steps) (layers[depth.get(s.id)] ||= []).push(s);
  const BW = 200, BH = 46, GX = 50, GY = 16, P = 10;
  const pos = new Map();
  layers.forEach((layer, i) => layer.forEach((s, j) => pos.set(s.id, { x: P + i * (BW + GX), y: P + j * (BH + GY) })));
  const width = P * 2 + layers.length * BW + Math.max(0, layers.length - 1) * GX;
  const height = P * 2 + Math.max(...layers.map((l) => l.length)) * (BH + GY) - GY;
  const root = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `steps of run ${run.id}` });
  for (const s of steps) {
    for (const n of s.needs || []) {
      const a = pos.get(n), b = pos.get(s.id);
      if (!a || !b) continue;
      const x1 = a.x + BW, y1 = a.y + BH / 2, x2 = b.x, y2 = b.y + BH / 2;
      root.append(svg("path", { class: "edge", d: `M${x1},${y1} C${x1 + GX / 2},${y1} ${x2 - GX / 2},${y2} ${x2},${y2}` }));
    }
  }
  for (const s of steps) {
    const p = pos.get(s.id);
    const g = svg("g", { class: `step${s.id === state.selectedStep ? " selected" : ""}`, "data-step": s.id, "data-state": s.state, transform: `translate(${p.x},${p.y})`, tabindex: 0 },
      svg("title", {}, `${s.id}: ${s.state}${s.reason ? " (" + s.reason + ")" : ""}`),
      svg("rect", { width: BW, height: BH, rx: 6 }),
      svg("text", { x: 8, y: 18 }, s.id.length > 26 ? s.id.slice(0, 25) + "…" : s.id),
      svg("text", { x: 8, y: 36 }, `${s.state} · ${s.attempts === 1 ? "1 attempt" : s.attempts + " attempts"}${s.started_at ? " · " + duration(s.started_at, s.ended_at) : ""}`));
    g.addEventListener("click", () => { state.selectedStep = s.id; refreshRuns().catch(() => {}); });
    g.addEventListener("keydown", (e) => { if (e.key === "Enter") { state.selectedStep = s.id; refreshRuns().catch(() => {}); } });
    root.append(g);
  }
  return el("div", { class: "dag" }, root);
}

// ---------- routing and start ----------

function route() {
  const view = (location.hash || "#tasks").slice(1);
  state.view = ["tasks", "models", "nodes", "runs", "scheduler"].includes(view) ? view : "tasks";
  for (const section of document.querySelectorAll(".view")) section.hidden = section.dataset.view !== state.view;
  for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("active", a.dataset.view === state.view);
}

window.addEventListener("hashchange", () => { route(); if (!$("app").hidden) startPolling(); });
$("login-form").addEventListener("submit", login);
$("logout").addEventListener("click", logout);

(async () => {
  try {
    await getJson("/api/stats");
    showApp();
  } catch {
    showLogin("");
  }
})();
