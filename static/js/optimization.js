// One optimization: live progress (done / total, best so far), abort, heatmap or line, results.
import { api, errorMessage, h, liveSocket, pageData, toast } from "./api.js";

const page = pageData();
const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const STATS = ["Sharpe Ratio", "Compounding Annual Return", "Probabilistic Sharpe Ratio", "Drawdown", "Net Profit", "Total Orders"];
let state = null;
let sortKey = null;
let sortDir = 1;

const s = (tag, attrs = {}, ...children) => {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v); else el.setAttribute(k, v);
  }
  el.append(...children.map((c) => (c instanceof Node ? c : document.createTextNode(String(c)))));
  return el;
};
const num = (v) => {
  const n = parseFloat(String(v ?? "").replace(/[$,%\s]/g, ""));
  return Number.isNaN(n) ? null : n;
};
const open = (id) => { location.href = `/backtests/${id}/`; };
const names = () => state.parameters.map((p) => p.name);
const combo = (params) => names().map((n) => `${n}=${params[n]}`).join(", ");

function renderProgress() {
  const o = state;
  $("opt-name").textContent = o.name;
  $("opt-status").textContent = o.status;
  $("opt-status").className = `badge ${o.status}`;
  $("opt-progress").textContent = `${o.done} / ${o.total}`;
  $("opt-progress-bar").style.width = `${o.total ? (100 * o.done) / o.total : 0}%`;
  $("abort").disabled = !["queued", "running"].includes(o.status);
  const constraints = o.constraints.map((c) => `${c.statistic} ${c.operator} ${c.value}`).join(", ");
  $("opt-summary").textContent = `${o.strategy === "euler" ? "Euler search" : "Grid search"} · ` +
    `${o.direction === "max" ? "Maximize" : "Minimize"} ${o.target}` +
    (constraints ? ` where ${constraints}` : "") + ` · ${o.parallel_nodes} × ${o.node_type}` +
    (o.running ? ` · ${o.running} running` : "");
  const best = $("opt-best");
  best.replaceChildren();
  if (o.best) {
    best.append("Best: ", h("a", { href: `/backtests/${o.best.backtest}/`, "data-testid": "best-link" }, combo(o.best.parameters)),
      ` — ${o.target} ${o.best.statistics[o.target] ?? "?"}`);
  } else {
    best.textContent = o.done ? "No combination meets the constraints yet." : "No result yet.";
  }
}

function color(t) { // t in [0, 1]: red (worst) to green (best)
  const hue = 120 * t;
  return `hsl(${hue}, 65%, 55%)`;
}

function renderChart() {
  const chart = $("opt-chart");
  chart.replaceChildren();
  const done = state.results.filter((r) => r.target !== null && r.status === "completed");
  const bestId = state.best?.backtest;
  const p = names();
  $("opt-chart-title").textContent = p.length === 1 ? `${state.target} by ${p[0]}` : `${state.target}: ${p[0]} × ${p[1]}`;
  if (!done.length) { chart.append(h("p", { class: "muted" }, "Waiting for the first result…")); return; }
  const values = done.map((r) => r.target);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const score = (v) => (hi === lo ? 1 : state.direction === "max" ? (v - lo) / (hi - lo) : (hi - v) / (hi - lo));
  const axis = (name) => [...new Set(state.results.map((r) => r.parameters[name]))].sort((a, b) => a - b);
  if (p.length === 1) {
    const xs = axis(p[0]);
    const W = 640; const H = 260; const L = 50; const B = 30;
    const x = (v) => L + (xs.length > 1 ? ((xs.indexOf(v)) / (xs.length - 1)) * (W - L - 20) : (W - L) / 2);
    const y = (v) => 10 + (hi === lo ? 0.5 : (hi - v) / (hi - lo)) * (H - B - 20);
    const pts = [...done].sort((a, b) => a.parameters[p[0]] - b.parameters[p[0]]);
    const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, "data-testid": "opt-line" },
      s("text", { x: 4, y: 14 }, hi.toFixed(3)), s("text", { x: 4, y: H - B }, lo.toFixed(3)),
      s("polyline", { class: "line", points: pts.map((r) => `${x(r.parameters[p[0]])},${y(r.target)}`).join(" ") }),
      ...xs.map((v) => s("text", { x: x(v) - 8, y: H - 8 }, v)),
      ...pts.map((r) => s("circle", { class: `dot${r.backtest === bestId ? " best" : ""}`, cx: x(r.parameters[p[0]]), cy: y(r.target), r: 4, onclick: () => open(r.backtest) },
        s("title", {}, `${combo(r.parameters)}: ${r.target}`))));
    chart.append(svg);
    return;
  }
  // Two (or three: best over the third) parameters: a heatmap of the target.
  const xs = axis(p[0]);
  const ys = axis(p[1]);
  const cellW = Math.max(28, Math.min(110, 640 / xs.length));
  const cellH = Math.max(22, Math.min(56, 320 / ys.length));
  const L = 60; const T = 10; const B = 40;
  const W = L + cellW * xs.length + 10; const H = T + cellH * ys.length + B;
  const cells = new Map();
  for (const r of done) {
    const key = `${r.parameters[p[0]]}|${r.parameters[p[1]]}`;
    const held = cells.get(key);
    if (!held || score(r.target) > score(held.target)) cells.set(key, r);
  }
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, "data-testid": "opt-heatmap" });
  ys.forEach((yv, j) => svg.append(s("text", { x: 4, y: T + (ys.length - 1 - j) * cellH + cellH / 2 + 4 }, yv)));
  xs.forEach((xv, i) => svg.append(s("text", { x: L + i * cellW + 4, y: H - B + 16 }, xv)));
  svg.append(s("text", { x: L, y: H - 6 }, `${p[0]} →`), s("text", { x: 4, y: H - 6 }, `↑ ${p[1]}`));
  xs.forEach((xv, i) => ys.forEach((yv, j) => {
    const r = cells.get(`${xv}|${yv}`);
    const attrs = { class: `cell${r && r.backtest === bestId ? " best" : ""}`, x: L + i * cellW, y: T + (ys.length - 1 - j) * cellH, width: cellW, height: cellH, fill: r ? color(score(r.target)) : "#eef1f5", "data-testid": "heat-cell" };
    if (r) attrs.onclick = () => open(r.backtest);
    svg.append(s("rect", attrs, s("title", {}, r ? `${combo(r.parameters)}: ${state.target} ${r.target}` : `${p[0]}=${xv}, ${p[1]}=${yv}: pending`)));
  }));
  chart.append(svg);
}

function renderTable() {
  const p = names();
  const cols = [...p.map((n) => ({ key: `p:${n}`, label: n, num: true, get: (r) => r.parameters[n] })),
    { key: "status", label: "Status", get: (r) => r.status },
    ...STATS.map((st) => ({ key: `s:${st}`, label: st, num: true, get: (r) => r.statistics[st] ?? "" }))];
  const head = h("tr", {}, ...cols.map((c) => {
    const th = h("th", { class: `sortable${c.num ? " num" : ""}${sortKey === c.key ? (sortDir > 0 ? " sorted-asc" : " sorted-desc") : ""}`, onclick: () => {
      if (sortKey === c.key) sortDir = -sortDir; else { sortKey = c.key; sortDir = c.num ? -1 : 1; }
      renderTable();
    } }, c.label);
    return th;
  }));
  $("opt-results-head").replaceChildren(head);
  const sortCol = cols.find((c) => c.key === sortKey);
  const rows = [...state.results];
  if (sortCol) {
    rows.sort((a, b) => {
      const x = sortCol.num ? num(sortCol.get(a)) ?? -Infinity : String(sortCol.get(a));
      const y = sortCol.num ? num(sortCol.get(b)) ?? -Infinity : String(sortCol.get(b));
      return (x < y ? -1 : x > y ? 1 : 0) * sortDir;
    });
  }
  const bestId = state.best?.backtest;
  $("opt-results").replaceChildren(...rows.map((r) => h("tr", {
    class: `clickable${r.backtest === bestId ? " best" : ""}${r.status === "completed" && !r.meets_constraints ? " unmet" : ""}`,
    "data-testid": r.backtest === bestId ? "best-row" : "result-row",
    title: r.error || undefined,
    onclick: () => open(r.backtest),
  }, ...cols.map((c) => (c.key === "status"
    ? h("td", {}, h("span", { class: `badge ${r.status}` }, r.status.replace("_", " ")), r.error ? h("span", { class: "error" }, ` ${r.error}`) : null)
    : h("td", { class: c.num ? "num" : "" }, c.get(r)))))));
}

function render(optimization) {
  state = optimization;
  renderProgress();
  renderChart();
  renderTable();
}

$("abort").addEventListener("click", async () => {
  if (!confirm("Abort this optimization? Running backtests stop; results so far stay.")) return;
  try { render(await api("POST", `/api/optimizations/${page.optimization}/abort/`)); } catch (err) { toast(errorMessage(err.body) || err.message, "error", 8000); }
});

liveSocket(page.optimization_ws, { onMessage: (msg) => { if (msg.optimization) render(msg.optimization); } });
