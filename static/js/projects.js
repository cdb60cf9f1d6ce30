// The project list: create, rename, delete, clone. Every change goes through /api/projects/.
import { api, errorMessage, formatDate, h, items, toast } from "./api.js";

const STARTER = `from AlgorithmImports import *


class MyAlgorithm(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.set_cash(100000)
        self.add_equity("SPY", Resolution.MINUTE)

    def on_data(self, data):
        if not self.portfolio.invested:
            self.set_holdings("SPY", 1)
`;

const tbody = document.getElementById("projects");

async function load() {
  const projects = items(await api("GET", "/api/projects/"));
  tbody.replaceChildren(...projects.map(row));
  if (!projects.length) tbody.append(h("tr", {}, h("td", { colspan: 3, class: "muted" }, "No projects yet: create one above.")));
}

function row(p) {
  return h("tr", { "data-testid": "project-row", "data-project": p.id },
    h("td", {}, h("a", { href: `/projects/${p.id}/`, "data-testid": "project-link" }, p.name)),
    h("td", {}, formatDate(p.updated_at ?? p.created_at)),
    h("td", {}, h("div", { class: "actions" },
      h("a", { class: "button", href: `/projects/${p.id}/backtests/` }, "Backtests"),
      h("button", { onclick: () => rename(p), "data-testid": "rename-project" }, "Rename"),
      h("button", { onclick: () => clone(p), "data-testid": "clone-project" }, "Clone"),
      h("button", { class: "danger", onclick: () => remove(p), "data-testid": "delete-project" }, "Delete"))));
}

const act = (fn) => async (...args) => {
  try { await fn(...args); await load(); } catch (err) { toast(errorMessage(err.body) || err.message, "error"); }
};

const rename = act(async (p) => {
  const name = prompt("Rename project", p.name);
  if (name && name !== p.name) await api("PATCH", `/api/projects/${p.id}/`, { name });
});

const clone = act(async (p) => {
  const name = prompt("Name of the copy", `${p.name} (copy)`);
  if (!name) return;
  // A clone is a new project with the same files: two calls of the public API.
  const source = await api("GET", `/api/projects/${p.id}/`);
  const created = await api("POST", "/api/projects/", {
    name, organization: source.organization, files: source.files.map((f) => ({ name: f.name, content: f.content })),
  });
  toast(`Cloned into ${created.name}`, "success");
});

const remove = act(async (p) => {
  if (confirm(`Delete ${p.name} and its backtests?`)) await api("DELETE", `/api/projects/${p.id}/`);
});

document.getElementById("create-form").addEventListener("submit", act(async (e) => {
  e.preventDefault();
  const name = e.target.name.value.trim();
  if (!name) return;
  const p = await api("POST", "/api/projects/", { name, files: [{ name: "main.py", content: STARTER }] });
  location.href = `/projects/${p.id}/`;
}));

load().catch((err) => toast(`Could not load projects: ${err.message}`, "error"));
