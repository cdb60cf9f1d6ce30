// Shared helpers for every page: the REST API (session + CSRF), websockets that reconnect,
// toasts, and tiny DOM/formatting utilities. Pages hold no business rules: they ask the API.

const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

/** Error thrown for a non-2xx answer; `status` and the parsed `body` let pages explain it. */
export class ApiError extends Error {
  constructor(status, body) {
    super(errorMessage(body) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** The human sentence inside the API's error shapes ({error}, {detail}, {field: [..]}). */
export function errorMessage(body) {
  if (!body) return "";
  if (typeof body === "string") return body;
  if (body.error) return typeof body.error === "string" ? body.error : JSON.stringify(body.error);
  if (body.detail) return String(body.detail);
  if (body.message) return String(body.message);
  const parts = Object.entries(body)
    .filter(([k]) => k !== "diagnostics")
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(" ") : v}`);
  return parts.join("; ");
}

const listeners = new Set();
/** Subscribe to every API call's outcome (the IDE's "API messages" tab). */
export function onApiMessage(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Call the JSON API; resolves with the parsed body, rejects with ApiError. */
export async function api(method, url, body) {
  const opts = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (method !== "GET") opts.headers["X-CSRFToken"] = csrfToken();
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const resp = await fetch(url, opts);
  const text = await resp.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = text; }
  }
  if (method !== "GET") {
    for (const fn of listeners) fn({ method, url, status: resp.status, body: data });
  }
  if (!resp.ok) throw new ApiError(resp.status, data);
  return data;
}

/** Lists may come paginated ({results}) or bare; pages want the array. */
export const items = (data) => (Array.isArray(data) ? data : data?.results ?? []);

/**
 * A websocket to `path` that reconnects with back-off. `onMessage` gets parsed JSON,
 * `onOpen` runs on every (re)connect so the page can reset state: the server first sends
 * its stored snapshot, then the live tail. `path` may be a function, called at each
 * (re)connect, so a page can resume where it was (e.g. `?after=<last seq>`).
 */
export function liveSocket(path, { onMessage, onOpen, onClose } = {}) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  let ws;
  let delay = 500;
  let closed = false;
  const connect = () => {
    ws = new WebSocket(`${scheme}://${location.host}${typeof path === "function" ? path() : path}`);
    ws.onopen = () => { delay = 500; onOpen?.(); };
    ws.onmessage = (e) => {
      let msg;
      try { msg = JSON.parse(e.data); } catch { return; }
      onMessage?.(msg);
    };
    ws.onclose = (e) => {
      onClose?.(e);
      // 4xxx codes are refusals (not a member, unknown id): retrying would not help.
      if (closed || (e.code >= 4000 && e.code < 5000)) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 8000);
    };
  };
  connect();
  return { close() { closed = true; ws?.close(); }, get socket() { return ws; } };
}

/** Create an element: h("td", {class: "x", onclick}, "text", childNode...). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Show a short message in the corner; kind = "info" | "error" | "success". */
export function toast(message, kind = "info", ms = 5000) {
  const box = document.getElementById("toasts");
  if (!box) return;
  const el = h("div", { class: `toast ${kind}`, role: kind === "error" ? "alert" : "status" }, message);
  box.append(el);
  setTimeout(() => el.remove(), ms);
}

/** Page configuration rendered by the view with json_script. */
export const pageData = (id = "page-data") => JSON.parse(document.getElementById(id)?.textContent ?? "{}");

export function formatDate(value) {
  if (!value) return "";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : d.toLocaleString();
}

/** Save text as a file the browser downloads (logs, orders CSV). */
export function download(filename, text, type = "text/plain") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h("a", { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Quote one CSV cell. */
export const csvCell = (v) => {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

export const debounce = (fn, ms) => {
  let t;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
};
