// The Resources panel: every node of the organization, live over the websocket (never polled).
// Used by the IDE page, the Resources page and the organization page.
import { api, errorMessage, h, items, liveSocket } from "./api.js";

/** The id and name of whoever runs the node, whatever shape the event gives. */
function nodeUser(node) {
  const u = node.user ?? node.user_name ?? node.username;
  if (u && typeof u === "object") return { id: u.id ?? null, name: u.username ?? u.name ?? "" };
  return { id: node.user_id ?? (typeof u === "number" ? u : null), name: typeof u === "string" ? u : "" };
}

function label(value, ...keys) {
  if (value && typeof value === "object") {
    for (const k of keys) if (value[k] !== undefined && value[k] !== null) return value[k];
    return value.id ?? "";
  }
  return value ?? "";
}

/**
 * Mount the panel into `root`. `page` carries the viewer facts rendered by the view
 * (user, username, may_stop_others, resources_ws). Returns {nodes(), onChange(fn)}.
 */
export function mountResources(root, page) {
  const nodes = new Map();
  const reasons = new Map(); // node id -> why the last stop was refused
  const changeListeners = new Set();
  const list = h("div", { class: "resources-list", "data-testid": "resources-list" });
  const status = h("div", { class: "muted small", "data-testid": "resources-status" }, "Connecting…");
  root.append(list, status);

  const mine = (node) => {
    const u = nodeUser(node);
    return (u.id !== null && u.id === page.user) || (u.name && u.name === page.username);
  };

  const canStop = (node) => {
    if (node.status !== "busy") return false;
    if (typeof node.can_stop === "boolean") return node.can_stop;
    return mine(node) || Boolean(page.may_stop_others);
  };

  async function stop(node) {
    reasons.delete(node.id);
    try {
      await api("POST", `/api/nodes/${node.id}/stop/`);
    } catch (err) {
      reasons.set(node.id, err.status === 403
        ? `You may not stop this node: ${errorMessage(err.body) || "it runs another member's backtest; an admin can grant \"can stop nodes\""}`
        : errorMessage(err.body) || err.message);
    }
    render();
  }

  function card(node) {
    const user = nodeUser(node);
    const busy = node.status === "busy";
    const pct = Math.round(100 * Number(node.progress ?? 0));
    const project = node.project_name ?? label(node.project, "name");
    const backtest = node.backtest_name ?? label(node.backtest, "name");
    const backtestId = typeof node.backtest === "object" ? node.backtest?.id : node.backtest;
    const stopBtn = h("button", {
      class: "danger", "data-testid": "stop-node", disabled: !canStop(node),
      title: canStop(node) ? "Stop the backtest on this node"
        : busy ? "Only the member running it, admins, or members allowed to stop nodes can stop it" : "Idle",
      onclick: () => stop(node),
    }, "Stop");
    const model = label(node.model, "name");
    return h("div", { class: `node-card ${node.status}`, "data-testid": "node-card", "data-node-id": node.id, "data-status": node.status },
      h("div", { class: "node-head" },
        h("span", { class: "node-name" }, node.name ?? `Node ${node.id}`),
        String(node.name ?? "").includes(model) ? null : h("span", { class: "badge" }, model),
        h("span", { class: `badge ${node.status}`, "data-testid": "node-status" }, node.status),
        h("span", { class: "spacer" }),
        stopBtn),
      busy ? h("div", { class: "node-detail" },
        user.name ? `${user.name}` : "", project ? ` · ${project}` : "",
        backtest ? [" · ", backtestId ? h("a", { href: `/backtests/${backtestId}/` }, backtest) : backtest] : "") : null,
      busy ? h("div", { class: "progress", title: `${pct}%` }, h("div", { style: `width:${pct}%` })) : null,
      reasons.has(node.id) ? h("div", { class: "stop-reason", role: "alert", "data-testid": "stop-reason" }, reasons.get(node.id)) : null,
    );
  }

  function render() {
    const sorted = [...nodes.values()].sort((a, b) => a.id - b.id);
    list.replaceChildren(...sorted.map(card));
    if (!sorted.length) list.append(h("div", { class: "muted" }, "No nodes. An admin can add nodes on the organization page."));
    for (const fn of changeListeners) fn(sorted);
  }

  function upsert(node) {
    if (!node || node.id === undefined) return;
    if (node.deleted || node.removed) nodes.delete(node.id);
    else nodes.set(node.id, { ...(nodes.get(node.id) ?? {}), ...node });
    if (node.status !== "busy") reasons.delete(node.id);
  }

  // Frames (nodes/events.py): {type: "snapshot", nodes}, {type: "node", node}, {type: "node_removed", id}.
  function onMessage(msg) {
    if (msg.type === "snapshot") { // first frame of every (re)connect: replaces what we had
      nodes.clear();
      items(msg.nodes).forEach(upsert);
    } else if (msg.type === "node_removed") {
      nodes.delete(msg.id);
    } else if (msg.node) {
      upsert(msg.node);
    }
    render();
  }

  async function load() {
    try {
      const data = await api("GET", `/api/nodes/?organization=${page.organization}`);
      nodes.clear();
      items(data).forEach(upsert);
      render();
    } catch (err) {
      status.textContent = `Could not load nodes: ${err.message}`;
    }
  }

  load();
  liveSocket(page.resources_ws, {
    onOpen: () => { status.textContent = "Live"; status.dataset.state = "live"; },
    onClose: () => { status.textContent = "Reconnecting…"; status.dataset.state = "closed"; },
    onMessage,
  });
  return {
    nodes: () => [...nodes.values()],
    onChange: (fn) => changeListeners.add(fn),
    reload: load,
  };
}
