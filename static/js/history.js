// A project's backtest history: sortable table; rename, delete, clone the code snapshot.
import { api, debounce, errorMessage, formatDate, h, items, liveSocket, pageData, toast } from "./api.js";

const page = pageData();
const tbody = document.getElementById("history");
let rows = [];
let sortKey = "created_at";
let sortDir = -1;

/** LEAN statistics are formatted strings ("12.5%", "$1,234.00"): sort by their number. */
const num = (v) => {
  if (v === null || v === undefined || v === "") return Number.NEGATIVE_INFINITY;
  const n = parseFloat(String(v).replace(/[$,%\s]/g, ""));
  return Number.isNaN(n) ? Number.NEGATIVE_INFINITY : n;
};

const stat = (bt, ...names) => {
  for (const n of names) {
    const v = bt[n] ?? bt.statistics?.[n];
    if (v !== undefined && v !== null) return v;
  }
  return "";
};

function view(bt) {
  return {
    bt,
    name: bt.name,
    status: bt.status,
    created_at: bt.created_at,
    net_profit: stat(bt, "net_profit", "Net Profit"),
    sharpe: stat(bt, "sharpe", "Sharpe Ratio"),
    drawdown: stat(bt, "drawdown", "Drawdown"),
  };
}

function render() {
  const numeric = ["net_profit", "sharpe", "drawdown"].includes(sortKey);
  const sorted = [...rows].sort((a, b) => {
    const x = numeric ? num(a[sortKey]) : String(a[sortKey] ?? "");
    const y = numeric ? num(b[sortKey]) : String(b[sortKey] ?? "");
    return (x < y ? -1 : x > y ? 1 : 0) * sortDir;
  });
  document.querySelectorAll("th.sortable").forEach((th) => {
    th.classList.toggle("sorted-asc", th.dataset.key === sortKey && sortDir === 1);
    th.classList.toggle("sorted-desc", th.dataset.key === sortKey && sortDir === -1);
  });
  tbody.replaceChildren(...sorted.map((r) => h("tr", { "data-testid": "history-row", "data-backtest": r.bt.id },
    h("td", {}, h("a", { href: `/backtests/${r.bt.id}/` }, r.name)),
    h("td", {}, h("span", { class: `badge ${r.status}` }, r.status)),
    h("td", {}, formatDate(r.created_at)),
    h("td", { class: "num" }, r.net_profit), h("td", { class: "num" }, r.sharpe), h("td", { class: "num" }, r.drawdown),
    h("td", {}, h("div", { class: "actions" },
      h("button", { onclick: () => rename(r.bt), "data-testid": "rename-backtest" }, "Rename"),
      h("button", { onclick: () => clone(r.bt), "data-testid": "clone-backtest" }, "Clone code"),
      h("button", { class: "danger", onclick: () => remove(r.bt), "data-testid": "delete-backtest" }, "Delete"))))));
  if (!sorted.length) tbody.append(h("tr", {}, h("td", { colspan: 7, class: "muted" }, "No backtests yet.")));
}

document.querySelectorAll("th.sortable").forEach((th) => th.addEventListener("click", () => {
  if (sortKey === th.dataset.key) sortDir = -sortDir; else { sortKey = th.dataset.key; sortDir = 1; }
  render();
}));

async function load() {
  rows = items(await api("GET", `/api/backtests/?project=${page.project}`)).map(view);
  render();
}

const act = (fn) => async (bt) => {
  try { await fn(bt); await load(); } catch (err) { toast(errorMessage(err.body) || err.message, "error", 8000); }
};
const rename = act(async (bt) => {
  const name = prompt("Rename backtest", bt.name);
  if (name && name !== bt.name) await api("PATCH", `/api/backtests/${bt.id}/`, { name });
});
const remove = act(async (bt) => {
  if (confirm(`Delete backtest ${bt.name}?`)) await api("DELETE", `/api/backtests/${bt.id}/`);
});
const clone = act(async (bt) => {
  const name = prompt("New project from this backtest's code", `${page.project_name} - ${bt.name}`);
  if (!name) return;
  let p;
  try {
    p = await api("POST", `/api/backtests/${bt.id}/clone/`, { name });
  } catch (err) {
    if (err.status === 404 || err.status === 405) throw new Error("This server cannot clone a backtest's code snapshot yet.");
    throw err;
  }
  toast(`Created project ${p.name}`, "success");
  location.href = `/projects/${p.id}/`;
});

// Status changes of this project's backtests arrive through the Resources stream.
const reload = debounce(() => load().catch(() => {}), 1000);
liveSocket(page.resources_ws, { onMessage: (msg) => { if (msg.type === "node") reload(); } });
load().catch((err) => toast(`Could not load backtests: ${err.message}`, "error"));
