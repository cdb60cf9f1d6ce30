// Optimization launch form: 1-3 parameter ranges, target, constraints, nodes; live estimate.
import { api, debounce, errorMessage, h, pageData, toast } from "./api.js";

const page = pageData();
const $ = (id) => document.getElementById(id);
const paramsBody = $("opt-parameters");
const constraintsBody = $("opt-constraints");
const MAX_PARAMETERS = 3;

const names = Object.keys(page.project_parameters ?? {});
$("project-parameter-names").append(...names.map((n) => h("option", { value: n })));
$("target").append(...page.targets.map((t) => h("option", { value: t }, t)));
$("node-type").append(...Object.entries(page.node_types).map(([t, max]) => h("option", { value: t }, `${t} (up to ${max})`)));

function parameterRow(name = "", min = "", max = "", step = "") {
  const input = (cls, value, label) => h("input", { class: cls, value, "aria-label": label, list: cls === "p-name" ? "project-parameter-names" : undefined, type: cls === "p-name" ? "text" : "number", step: "any", required: true });
  const row = h("tr", {},
    h("td", {}, input("p-name", name, "Parameter name")),
    h("td", {}, input("p-min", min, "Min")),
    h("td", {}, input("p-max", max, "Max")),
    h("td", {}, input("p-step", step, "Step")),
    h("td", {}, h("button", { type: "button", class: "link", onclick: () => { row.remove(); changed(); } }, "Remove")));
  row.addEventListener("input", changed);
  paramsBody.append(row);
  $("add-parameter").disabled = paramsBody.rows.length >= MAX_PARAMETERS;
}

function constraintRow() {
  const row = h("tr", {},
    h("td", {}, h("select", { class: "c-stat", "aria-label": "Statistic" }, ...page.targets.map((t) => h("option", { value: t }, t)))),
    h("td", {}, h("select", { class: "c-op", "aria-label": "Operator" }, ...page.operators.map((o) => h("option", { value: o }, o)))),
    h("td", {}, h("input", { class: "c-value", type: "number", step: "any", value: "0", "aria-label": "Value" })),
    h("td", {}, h("button", { type: "button", class: "link", onclick: () => { row.remove(); changed(); } }, "Remove")));
  row.addEventListener("input", changed);
  constraintsBody.append(row);
}

function body() {
  const value = (row, cls) => row.querySelector(`.${cls}`).value.trim();
  return {
    project: page.project,
    strategy: $("strategy").value,
    target: $("target").value,
    direction: $("direction").value,
    parameters: [...paramsBody.rows].map((r) => ({ name: value(r, "p-name"), min: value(r, "p-min"), max: value(r, "p-max"), step: value(r, "p-step") })),
    constraints: [...constraintsBody.rows].map((r) => ({ statistic: value(r, "c-stat"), operator: value(r, "c-op"), value: value(r, "c-value") })),
    node_type: $("node-type").value,
    parallel_nodes: Number($("parallel-nodes").value || 1),
  };
}

const duration = (s) => (s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);

const estimate = debounce(async () => {
  const b = body();
  if (b.parameters.some((p) => !p.name || p.min === "" || p.max === "" || p.step === "")) {
    $("estimate").textContent = "Fill in every parameter's name, min, max and step.";
    return;
  }
  try {
    const e = await api("POST", "/api/optimizations/estimate/", b);
    const basis = e.based_on ? `${e.seconds_per_backtest} s per backtest, from the last backtest` : "no finished backtest yet: assuming 30 s per backtest";
    const upTo = b.strategy === "euler" ? "up to " : "";
    $("estimate").textContent = `${upTo}${e.total} backtests · about ${duration(e.estimated_seconds)} on ${b.parallel_nodes} ${b.node_type} node(s) (${basis})`;
    $("estimate").dataset.total = e.total;
  } catch (err) {
    $("estimate").textContent = errorMessage(err.body) || err.message;
    delete $("estimate").dataset.total;
  }
}, 250);

function changed() {
  $("add-parameter").disabled = paramsBody.rows.length >= MAX_PARAMETERS;
  const max = page.node_types[$("node-type").value] ?? 6;
  $("parallel-nodes").max = max;
  if (Number($("parallel-nodes").value) > max) $("parallel-nodes").value = max;
  estimate();
}

$("add-parameter").addEventListener("click", () => { parameterRow(names[paramsBody.rows.length] ?? ""); changed(); });
$("add-constraint").addEventListener("click", () => { constraintRow(); changed(); });
for (const id of ["strategy", "target", "direction", "node-type", "parallel-nodes"]) $(id).addEventListener("input", changed);

$("optimize-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("launch").disabled = true;
  try {
    const created = await api("POST", "/api/optimizations/", body());
    toast(`Optimization launched: ${created.total} backtests`, "success");
    location.href = `/optimizations/${created.id}/`;
  } catch (err) {
    toast(errorMessage(err.body) || err.message, "error", 8000);
    $("launch").disabled = false;
  }
});

parameterRow(names[0] ?? "");
changed();
