// The IDE's Parameters tab: the project's name/value pairs that get_parameter reads.
import { api, errorMessage, h, pageData, toast } from "./api.js";

const page = pageData();
const panel = document.getElementById("tab-parameters");
const tbody = h("tbody", { "data-testid": "parameter-rows" });

function addRow(name = "", value = "") {
  const row = h("tr", {},
    h("td", {}, h("input", { class: "param-name", value: name, "aria-label": "Parameter name", placeholder: "name" })),
    h("td", {}, h("input", { class: "param-value", value, "aria-label": "Parameter value", placeholder: "value" })),
    h("td", {}, h("button", { type: "button", class: "link", onclick: () => row.remove() }, "Remove")));
  tbody.append(row);
}

async function save() {
  const parameters = [...tbody.rows]
    .map((r) => ({ name: r.querySelector(".param-name").value.trim(), value: r.querySelector(".param-value").value.trim() }))
    .filter((p) => p.name);
  try {
    const saved = await api("PUT", `/api/projects/${page.project}/parameters/`, { parameters });
    tbody.replaceChildren();
    saved.forEach((p) => addRow(p.name, p.value));
    toast("Parameters saved; the next backtest uses them", "success");
  } catch (err) {
    toast(errorMessage(err.body) || err.message, "error", 8000);
  }
}

if (panel) {
  panel.classList.add("ide-parameters");
  panel.append(
    h("p", { class: "muted" }, "Read in the algorithm with self.get_parameter(\"name\", default). Backtests run with these values; ",
      h("a", { href: `/projects/${page.project}/optimize/`, "data-testid": "optimize-link" }, "optimize them"), "."),
    h("table", { class: "data" }, h("thead", {}, h("tr", {}, h("th", {}, "Name"), h("th", {}, "Value"), h("th", {}))), tbody),
    h("div", { class: "row" },
      h("button", { type: "button", "data-testid": "add-project-parameter", onclick: () => addRow() }, "+ Parameter"),
      h("button", { type: "button", class: "primary", "data-testid": "save-parameters", onclick: save }, "Save parameters")));
  api("GET", `/api/projects/${page.project}/parameters/`)
    .then((list) => list.forEach((p) => addRow(p.name, p.value)))
    .catch((err) => toast(`Could not load parameters: ${err.message}`, "error"));
}
