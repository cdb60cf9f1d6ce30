// The project's optimizations, listed beside its backtests on the history page.
import { api, errorMessage, formatDate, h, items, pageData, toast } from "./api.js";

const page = pageData();
const tbody = document.getElementById("optimization-history");

function row(o) {
  const remove = async (event) => {
    event.stopPropagation();
    if (!confirm(`Delete optimization ${o.name} and its ${o.done} backtests?`)) return;
    try { await api("DELETE", `/api/optimizations/${o.id}/`); await load(); } catch (err) { toast(errorMessage(err.body) || err.message, "error", 8000); }
  };
  return h("tr", { class: "clickable", "data-testid": "optimization-row", onclick: () => { location.href = `/optimizations/${o.id}/`; } },
    h("td", {}, h("a", { href: `/optimizations/${o.id}/` }, o.name)),
    h("td", {}, h("span", { class: `badge ${o.status}` }, o.status)),
    h("td", {}, formatDate(o.created_at)),
    h("td", {}, `${o.direction === "max" ? "max" : "min"} ${o.target}`),
    h("td", { class: "num" }, `${o.done} / ${o.total}`),
    h("td", {}, ["completed", "aborted"].includes(o.status) ? h("button", { type: "button", class: "danger", onclick: remove }, "Delete") : null));
}

async function load() {
  const list = items(await api("GET", `/api/optimizations/?project=${page.project}`));
  tbody.replaceChildren(...(list.length ? list.map(row) : [h("tr", {}, h("td", { colspan: 6, class: "muted" }, "No optimization yet."))]));
}

load().catch((err) => toast(`Could not load optimizations: ${err.message}`, "error"));
