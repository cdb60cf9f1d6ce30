// The organization page: tier and quotas, today's log usage, nodes, members. Admin actions
// call the API; the server decides who may do what (a refusal is shown as it comes).
import { api, debounce, errorMessage, h, items, liveSocket, pageData, toast } from "./api.js";

const page = pageData();
const orgUrl = `/api/organizations/${page.organization}`;
const $ = (id) => document.getElementById(id);

const bytes = (n) => {
  if (n === null || n === undefined) return "unlimited";
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) ? 1 : 0)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 ? 1 : 0)} KB`;
  return `${n} B`;
};
const count = (n) => (n === null || n === undefined ? "unlimited" : Number(n).toLocaleString());

const act = (fn) => async (...args) => {
  try { await fn(...args); await load(); } catch (err) { toast(errorMessage(err.body) || err.message, "error", 8000); }
};

function renderOrg(org) {
  const tier = org.tier ?? {};
  $("tier-name").textContent = tier.name ?? tier;
  const quota = (k) => tier[k] ?? org.quotas?.[k];
  const rows = [
    ["Backtest nodes", count(quota("backtest_nodes"))],
    ["Logs per backtest", bytes(quota("log_bytes_per_backtest"))],
    ["Logs per day (rolling 24 h)", bytes(quota("log_bytes_per_day"))],
    // Shown once the API reports it (the rolling 24 h usage is counted by the quota code).
    ...(org.log_bytes_today !== undefined ? [["Log usage today", bytes(org.log_bytes_today)]] : []),
    ["Orders per backtest", count(quota("orders_per_backtest"))],
    ["Files per project", count(quota("files_per_project"))],
    ["Max file size", bytes(quota("max_file_bytes"))],
  ];
  $("quotas").replaceChildren(...rows.map(([k, v]) => h("tr", {}, h("td", { class: "muted" }, k), h("td", { class: "num" }, v))));
  return tier;
}

function renderMembers(members) {
  $("members").replaceChildren(...members.map((m) => {
    const username = m.username ?? m.user?.username ?? m.user;
    // Owners and admins may always stop nodes; the toggle only matters for members.
    const stopToggle = m.role === "member"
      ? h("input", { type: "checkbox", checked: Boolean(m.can_stop_nodes), disabled: !page.is_admin,
        "data-testid": "can-stop-nodes", "aria-label": `${username} can stop nodes`,
        onchange: (e) => setCanStop(m, e.target.checked) })
      : h("span", { class: "muted" }, "always (role)");
    return h("tr", { "data-testid": "member-row", "data-username": username },
      h("td", {}, username, username === page.username ? h("span", { class: "muted" }, " (you)") : ""),
      h("td", {}, page.is_admin && m.role !== "owner"
        ? h("select", { "aria-label": `${username} role`, onchange: (e) => setRole(m, e.target.value) },
          ["member", "admin"].map((r) => h("option", { value: r, selected: m.role === r }, r)))
        : m.role),
      h("td", {}, stopToggle),
      h("td", {}, page.is_admin && m.role !== "owner"
        ? h("button", { class: "danger", onclick: () => removeMember(m), "data-testid": "remove-member" }, "Remove") : ""));
  }));
}

function renderNodes(nodes) {
  $("nodes").replaceChildren(...nodes.map((n) => h("tr", { "data-testid": "org-node", "data-node-id": n.id },
    h("td", {}, n.name), h("td", {}, n.model), h("td", {}, h("span", { class: `badge ${n.status}` }, n.status)),
    h("td", {}, page.is_admin ? h("button", { class: "danger", disabled: n.status === "busy", onclick: () => removeNode(n) }, "Remove") : ""))));
  if (!nodes.length) $("nodes").append(h("tr", {}, h("td", { colspan: 4, class: "muted" }, "No nodes.")));
}

const memberUrl = (m) => `${orgUrl}/members/${m.id}/`;
const setCanStop = act((m, value) => api("PATCH", memberUrl(m), { can_stop_nodes: value }));
const setRole = act((m, role) => api("PATCH", memberUrl(m), { role }));
const removeMember = act(async (m) => {
  if (confirm(`Remove ${m.username ?? m.user} from the organization?`)) await api("DELETE", memberUrl(m));
});
const removeNode = act(async (n) => { if (confirm(`Remove node ${n.name}?`)) await api("DELETE", `/api/nodes/${n.id}/`); });

async function load() {
  const [org, members, nodes] = await Promise.all([
    api("GET", `${orgUrl}/`), api("GET", `${orgUrl}/members/`), api("GET", `/api/nodes/?organization=${page.organization}`),
  ]);
  const tier = renderOrg(org);
  renderMembers(items(members));
  renderNodes(items(nodes));
  return tier;
}

async function loadAdminChoices(currentTier) {
  const [tiers, models] = await Promise.all([
    api("GET", "/api/tiers/").catch(() => []), api("GET", "/api/node-models/").catch(() => []),
  ]);
  $("tier-select").replaceChildren(...items(tiers).map((t) => h("option", { value: t.slug, selected: t.slug === currentTier.slug }, t.name)));
  $("add-node").model.replaceChildren(...items(models).filter((m) => !m.is_micro)
    .map((m) => h("option", { value: m.name }, `${m.name} (${m.cores} cores, ${m.ram_gb} GB, ${m.kind})`)));
}

if (page.is_admin) {
  $("tier-change").addEventListener("click", act(() => api("POST", `${orgUrl}/tier/`, { tier: $("tier-select").value })));
  $("add-node").addEventListener("submit", act(async (e) => {
    e.preventDefault();
    const f = e.target;
    await api("POST", "/api/nodes/", { organization: page.organization, model: f.model.value, name: f.name.value });
    f.name.value = "";
  }));
  $("invite").addEventListener("submit", act(async (e) => {
    e.preventDefault();
    const f = e.target;
    await api("POST", `${orgUrl}/members/`, { username: f.username.value.trim(), role: f.role.value });
    f.username.value = "";
  }));
}

// Node states change live: the table follows the Resources stream (progress frames arrive
// several times a second while a backtest runs, so redraws are coalesced).
const nodes = new Map();
const redrawNodes = debounce(() => renderNodes([...nodes.values()].sort((a, b) => a.id - b.id)), 200);
liveSocket(page.resources_ws, {
  onMessage: (msg) => {
    if (msg.type === "snapshot") { nodes.clear(); msg.nodes.forEach((n) => nodes.set(n.id, n)); }
    else if (msg.type === "node") nodes.set(msg.node.id, msg.node);
    else if (msg.type === "node_removed") nodes.delete(msg.id);
    redrawNodes();
  },
});
load().then((tier) => page.is_admin && loadAdminChoices(tier)).catch((err) => toast(`Could not load the organization: ${err.message}`, "error"));
