// The backtest results page: stored results first, then the live stream over the websocket.
// A reload (or a second tab) connects again and gets the same state, then the tail.
import { api, csvCell, download, errorMessage, formatDate, h, items, liveSocket, pageData, toast } from "./api.js";
import { liveChart } from "./charts.js";

const page = pageData();
const $ = (id) => document.getElementById(id);
const RUNTIME_KEYS = ["Equity", "Fees", "Holdings", "Net Profit", "Probabilistic Sharpe Ratio", "Return", "Unrealized", "Volume"];
const RUNTIME_LABELS = { "Probabilistic Sharpe Ratio": "PSR" };
const FIXED_CHARTS = { "Strategy Equity": "chart-equity", Drawdown: "chart-drawdown", Benchmark: "chart-benchmark" };
const ORDERS_PER_PAGE = 20;
const ACTIVE = new Set(["queued", "running"]);

let backtest = { id: page.backtest, status: $("bt-status").textContent.trim() };
let lastSeq = 0;
const charts = {
  "Strategy Equity": liveChart($("chart-equity"), { area: true }),
  Drawdown: liveChart($("chart-drawdown"), { percent: true, area: true }),
  Benchmark: liveChart($("chart-benchmark")),
};
const customCharts = new Map();
const orders = new Map(); // order id -> {order, events: []}
let logs = [];
let ordersPage = 0;
let expandedOrder = null;
let countdownTimer = null;

// ---------- status, progress, banners ----------
function setStatus(status) {
  if (!status) return;
  backtest.status = status;
  $("bt-status").textContent = status.replace("_", " ");
  $("bt-status").className = `badge ${status}`;
  $("bt-status").dataset.status = status;
  $("stop").classList.toggle("hidden", !ACTIVE.has(status));
  document.body.dataset.status = status;
  renderQueueNotice();
}

function setProgress(fraction) {
  const pct = Math.max(0, Math.min(100, 100 * Number(fraction || 0)));
  $("progress-bar").style.width = `${pct}%`;
  $("progress-bar").parentElement.title = `${pct.toFixed(0)}%`;
  $("progress-bar").parentElement.dataset.value = pct.toFixed(1);
}

function renderRuntime(values = {}) {
  const merged = { ...(backtest.runtime_statistics ?? {}), ...values };
  backtest.runtime_statistics = merged;
  $("runtime-stats").replaceChildren(...RUNTIME_KEYS.map((k) => h("div", { class: "stat", "data-key": k },
    h("div", { class: "k" }, RUNTIME_LABELS[k] ?? k),
    h("div", { class: "v", title: merged[k] ?? "" }, merged[k] ?? "–"))));
}

function renderStatistics(stats) {
  if (!stats || !Object.keys(stats).length) return;
  backtest.statistics = stats;
  $("statistics").replaceChildren(...Object.entries(stats).map(([k, v]) =>
    h("tr", { "data-stat": k }, h("td", {}, k), h("td", { class: "num" }, v))));
}

function renderQueueNotice() {
  const box = $("queue-notice");
  clearInterval(countdownTimer);
  if (backtest.status !== "queued") { box.replaceChildren(); return; }
  const stored = JSON.parse(sessionStorage.getItem(`quantdesk.launch.${page.backtest}`) ?? "null");
  const message = stored?.message ?? `New backtest: ${page.project_name} is in the queue`;
  const countdown = h("span", { class: "countdown", "data-testid": "countdown" });
  box.replaceChildren(h("div", { class: "notice", role: "status" }, message, " ", countdown));
  const startsAt = startTime();
  if (!startsAt) return;
  const tick = () => {
    const left = Math.ceil((startsAt - Date.now()) / 1000);
    countdown.textContent = left > 0 ? `B-MICRO node: starts in ${left} s` : "starting…";
  };
  tick();
  countdownTimer = setInterval(tick, 250);
}

/** When a queued B-MICRO launch starts (rendered by the page view from the node's model). */
function startTime() {
  const at = backtest.starts_at ?? page.starts_at;
  return at ? new Date(at).getTime() : null;
}

// ---------- charts ----------
function chartFor(name) {
  if (charts[name]) return charts[name];
  if (!customCharts.has(name)) {
    const el = h("div", { class: "chart small", "data-chart": name });
    $("custom-charts").append(h("section", { class: "chart-box" }, h("h3", {}, name), el));
    customCharts.set(name, liveChart(el));
  }
  return customCharts.get(name);
}

function addChartPoint(ev) {
  const time = typeof ev.time === "string" ? Date.parse(ev.time) / 1000 : Number(ev.time);
  chartFor(ev.chart).add(ev.series ?? ev.chart, time, Number(ev.value ?? ev.y));
}

/** A stored chart dump: {chart: {series: [[t, v], ...] | [{time, value}]}}. */
function loadCharts(dump) {
  for (const [chart, seriesMap] of Object.entries(dump ?? {})) {
    const series = seriesMap.series ?? seriesMap;
    for (const [name, points] of Object.entries(series)) {
      for (const p of items(points.values ?? points)) {
        const [t, v] = Array.isArray(p) ? p : [p.time ?? p.x, p.value ?? p.y];
        addChartPoint({ chart, series: name, time: t, value: v });
      }
    }
  }
}

// ---------- orders ----------
function addOrderEvent(ev) {
  const id = ev.order_id ?? ev.order?.id;
  if (!orders.has(id)) orders.set(id, { id, order: {}, events: [] });
  const o = orders.get(id);
  o.events.push(ev);
  o.order = { ...o.order, ...(ev.order ?? {}), symbol: ev.symbol ?? ev.order?.symbol, status: ev.status, time: o.order.time ?? ev.time };
  if (ev.fill_price) o.order.fill_price = ev.fill_price;
  scheduleOrders();
}

let ordersScheduled = false;
function scheduleOrders() {
  if (ordersScheduled) return;
  ordersScheduled = true;
  requestAnimationFrame(() => { ordersScheduled = false; renderOrders(); });
}

const orderRow = (o) => [o.id, o.order.time ?? "", o.order.symbol ?? "", o.order.type ?? "", o.order.quantity ?? "",
  o.order.fill_price ?? o.order.price ?? "", o.order.status ?? ""];

function renderOrders() {
  const all = [...orders.values()].sort((a, b) => a.id - b.id);
  const pages = Math.max(1, Math.ceil(all.length / ORDERS_PER_PAGE));
  ordersPage = Math.min(ordersPage, pages - 1);
  $("order-count").textContent = String(all.length);
  $("orders-page").textContent = `page ${ordersPage + 1} of ${pages}`;
  $("orders-prev").disabled = ordersPage === 0;
  $("orders-next").disabled = ordersPage >= pages - 1;
  const rows = [];
  for (const o of all.slice(ordersPage * ORDERS_PER_PAGE, (ordersPage + 1) * ORDERS_PER_PAGE)) {
    const [id, time, symbol, type, qty, price, status] = orderRow(o);
    rows.push(h("tr", { class: "clickable", "data-testid": "order-row", "data-order": id, title: "Show this order's events",
      onclick: () => { expandedOrder = expandedOrder === id ? null : id; renderOrders(); } },
    h("td", {}, id), h("td", {}, formatDate(time)), h("td", {}, symbol), h("td", {}, type),
    h("td", { class: "num" }, qty), h("td", { class: "num" }, price), h("td", {}, status)));
    if (expandedOrder === id) {
      rows.push(h("tr", { class: "order-events", "data-testid": "order-events" }, h("td", { colspan: 7 },
        h("table", { class: "data" }, h("tbody", {}, o.events.map((e) => h("tr", {},
          h("td", {}, formatDate(e.time)), h("td", {}, e.status), h("td", { class: "num" }, `fill ${e.fill_quantity ?? 0} @ ${e.fill_price ?? 0}`),
          h("td", { class: "num" }, `fee ${e.fee ?? 0}`), h("td", {}, e.message ?? ""))))))));
    }
  }
  if (!rows.length) rows.push(h("tr", {}, h("td", { colspan: 7, class: "muted" }, "No orders yet.")));
  $("orders").replaceChildren(...rows);
}

$("orders-prev").addEventListener("click", () => { ordersPage -= 1; renderOrders(); });
$("orders-next").addEventListener("click", () => { ordersPage += 1; renderOrders(); });
$("orders-csv").addEventListener("click", () => {
  const header = ["id", "time", "symbol", "type", "quantity", "price", "status"];
  const lines = [header, ...[...orders.values()].sort((a, b) => a.id - b.id).map(orderRow)];
  download(`${backtest.name ?? "backtest"}-orders.csv`, lines.map((r) => r.map(csvCell).join(",")).join("\n") + "\n", "text/csv");
});

// ---------- logs ----------
let logsScheduled = false;
function addLog(ev) {
  logs.push(ev);
  if (!logsScheduled) { logsScheduled = true; requestAnimationFrame(() => { logsScheduled = false; renderLogs(); }); }
}

const logText = (l) => `${l.time ?? ""} ${l.level && l.level !== "log" ? `${l.level.toUpperCase()} ` : ""}${l.message}`;

// Lines kept in the page; paid tiers allow megabytes of logs, which Download gives in full.
const MAX_LOG_LINES = 2000;

function renderLogs() {
  const q = $("log-filter").value.trim().toLowerCase();
  const matching = q ? logs.filter((l) => logText(l).toLowerCase().includes(q)) : logs;
  const shown = matching.slice(-MAX_LOG_LINES);
  const box = $("logs");
  const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 20;
  box.replaceChildren(...shown.map((l) => h("div", { class: `log-line ${l.level ?? ""}`, "data-testid": "log-line" }, logText(l))));
  if (matching.length > shown.length) {
    box.prepend(h("div", { class: "muted" }, `Showing the last ${shown.length} of ${matching.length} lines; Download has them all.`));
  }
  if (!shown.length) box.append(h("div", { class: "muted" }, logs.length ? "No log line matches the filter." : "No logs yet."));
  if (atBottom) box.scrollTop = box.scrollHeight;
}
$("log-filter").addEventListener("input", renderLogs);
$("logs-download").addEventListener("click", () => download(`${backtest.name ?? "backtest"}-logs.txt`, logs.map(logText).join("\n") + "\n"));

// ---------- events ----------
/** Apply one stream event (shapes from backtesting/engine/results/sink.py + status frames). */
function apply(ev) {
  if (!ev || typeof ev !== "object") return;
  if (ev.seq !== undefined) {
    if (ev.seq <= lastSeq) return; // already applied (snapshot overlapping the tail)
    lastSeq = ev.seq;
  }
  const data = ev.payload && typeof ev.payload === "object" ? { type: ev.type, ...ev.payload } : ev;
  switch (data.type) {
    case "progress": setProgress(data.fraction ?? data.progress); break;
    case "log": addLog(data); break;
    case "order_event": addOrderEvent(data); break;
    case "chart": addChartPoint(data); break;
    case "runtime_statistics": renderRuntime(data.values); break;
    case "result":
      renderStatistics(data.statistics);
      renderRuntime(data.runtime_statistics);
      if (data.error) showError(data.error, data.stacktrace);
      break;
    case "status": case "backtest": applyBacktest(data.backtest ?? data); break;
    case "events": case "batch": items(data.events).forEach(apply); break;
    case "snapshot": applySnapshot(data); break;
    default: break;
  }
}

function applySnapshot(snap) {
  if (snap.backtest) applyBacktest(snap.backtest);
  if (snap.charts) loadCharts(snap.charts);
  items(snap.events).forEach(apply);
}

function applyBacktest(bt) {
  const status = bt.status;
  backtest = { ...backtest, ...bt };
  if (bt.name) $("bt-name").textContent = bt.name;
  if (bt.progress !== undefined && bt.progress !== null) setProgress(bt.progress);
  if (bt.runtime_statistics) renderRuntime(bt.runtime_statistics);
  if (bt.statistics) renderStatistics(bt.statistics);
  if (bt.error) showError(bt.error);
  if (status) setStatus(status);
}

let shownStack = "";
/** Show the run's error; a later status frame (message only) keeps the traceback we have. */
function showError(message, stack) {
  if (stack) shownStack = stack;
  $("error-box").textContent = shownStack ? `${message}\n${shownStack}` : message;
  $("error-box").classList.remove("hidden");
}

function reset() {
  lastSeq = 0;
  Object.values(charts).forEach((c) => c.clear());
  customCharts.clear();
  $("custom-charts").replaceChildren();
  orders.clear();
  logs = [];
  renderOrders();
  renderLogs();
}

$("stop").addEventListener("click", async () => {
  try {
    await api("POST", `/api/backtests/${page.backtest}/stop/`);
    toast("Stop requested");
  } catch (err) {
    toast(`Not stopped: ${errorMessage(err.body) || err.message}`, "error", 8000);
  }
});

async function start() {
  if (page.node_name) $("bt-node").textContent = `Node ${page.node_name} (${page.node_model})`;
  renderRuntime();
  renderOrders();
  renderLogs();
  try {
    applyBacktest(await api("GET", `/api/backtests/${page.backtest}/`));
  } catch (err) {
    showError(`Could not load the backtest: ${err.message}`);
  }
  let opened = false;
  // A reconnect (server restart, network blip) resumes after the last event applied: the
  // server's snapshot then holds only what this page has not seen, so nothing is redrawn.
  liveSocket(() => (opened ? `${page.backtest_ws}?after=${lastSeq}` : page.backtest_ws), {
    onOpen: () => {
      if (!opened) reset();
      opened = true;
      $("live").textContent = "live";
      $("live").dataset.state = "live";
    },
    onClose: () => { $("live").textContent = ACTIVE.has(backtest.status) ? "reconnecting" : "closed"; $("live").dataset.state = "closed"; },
    onMessage: (msg) => (Array.isArray(msg) ? msg.forEach(apply) : apply(msg)),
  });
}

start();
