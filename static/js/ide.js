// The IDE page: file tree, editor, auto-build, console tabs, Resources panel, Build/Backtest.
import { api, errorMessage, h, items, onApiMessage, pageData } from "./api.js";
import { createEditor } from "./editor.js";
import { mountResources } from "./resources.js";

const page = pageData();
const projectUrl = `/api/projects/${page.project}`;
const fileUrl = (name) => `${projectUrl}/files/${name.split("/").map(encodeURIComponent).join("/")}`;
const BUILD_DELAY_MS = 300;

const $ = (id) => document.getElementById(id);
const files = new Map(); // name -> {state, saved: text the server has}
let current = null;
let editSeq = 0;          // bumped by every edit in any file
let appliedSeq = -1;      // the edit sequence whose build result is on screen
let lastDiagnostics = [];
let buildTimer = null;
let saveChain = Promise.resolve();

// ---------- console ----------
function showTab(name) {
  document.querySelectorAll(".tabs button").forEach((b) => b.classList.toggle("active", b.dataset.tab === name));
  document.querySelectorAll(".ide-console .tab-panel").forEach((p) => p.classList.toggle("hidden", p.id !== `tab-${name}`));
}
document.querySelectorAll(".tabs button").forEach((b) => b.addEventListener("click", () => showTab(b.dataset.tab)));

function logLine(text, level = "log") {
  const t = new Date().toLocaleTimeString();
  $("tab-logs").append(h("div", { class: `log-line ${level}` }, `${t} ${text}`));
  $("tab-logs").scrollTop = $("tab-logs").scrollHeight;
}

onApiMessage(({ method, url, status, body }) => {
  // Autosave and auto-build call the API every few keystrokes: list only their failures.
  const routine = (method === "PUT" && url.includes("/files/")) || url.endsWith("/build/");
  if (routine && status < 400) return;
  const msg = errorMessage(body) || (body && body.message) || "";
  $("tab-api").append(h("div", { class: `log-line ${status >= 400 ? "error" : ""}` },
    `${new Date().toLocaleTimeString()} ${method} ${url} → ${status}${msg ? ` ${msg}` : ""}`));
});

function renderProblems(diagnostics) {
  const panel = $("tab-problems");
  $("problem-count").textContent = String(diagnostics.length);
  panel.replaceChildren(...diagnostics.map((d) => h("div", {
    class: "problem-row", "data-testid": "problem-row", "data-line": d.line, "data-file": d.file, role: "button", tabindex: 0,
    onclick: () => jumpTo(d),
    onkeydown: (e) => { if (e.key === "Enter") jumpTo(d); },
  },
  h("span", { class: `sev-${d.severity}` }, d.severity),
  h("span", {}, `${d.file}:${d.line}:${d.col}`),
  h("span", {}, d.message))));
  if (!diagnostics.length) panel.append(h("div", { class: "muted", "data-testid": "no-problems" }, "No problems."));
}

async function jumpTo(d) {
  if (d.file !== current && files.has(d.file)) openFile(d.file);
  editor.goTo(d.line, d.col);
}

// ---------- editor ----------
const editor = createEditor($("editor"), {
  onChange: (state) => {
    if (!current) return;
    files.get(current).state = state;
    editSeq += 1;
    setSaveState("Unsaved");
    document.body.dataset.build = "pending";
    clearTimeout(buildTimer);
    buildTimer = setTimeout(() => { if (autobuild()) saveAndBuild(); else save(); }, BUILD_DELAY_MS);
  },
  onSave: () => { clearTimeout(buildTimer); autobuild() ? saveAndBuild() : save(); },
});

// Ctrl+S anywhere on the page saves the project instead of opening the browser's dialog.
document.addEventListener("keydown", (e) => {
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s" && !e.defaultPrevented) {
    e.preventDefault();
    clearTimeout(buildTimer);
    autobuild() ? saveAndBuild() : save();
  }
});

const autobuild = () => $("autobuild").checked;
// Auto build is a per-user setting kept on the server (PATCH /api/me/), on unless turned off.
$("autobuild").checked = page.auto_build !== false;
$("autobuild").addEventListener("change", async () => {
  try {
    await api("PATCH", "/api/me/", { settings: { auto_build: autobuild() } });
  } catch (err) { logLine(`Could not save the auto build setting: ${err.message}`, "error"); showTab("logs"); }
});

function setSaveState(text, cls = "muted") {
  $("save-state").textContent = text;
  $("save-state").className = `save-state ${cls}`;
}

/** Save every changed file, one request after another so older text never lands last. */
function save() {
  const run = saveChain.then(async () => {
    for (const [name, f] of files) {
      const text = f.state.doc.toString();
      if (text === f.saved) continue;
      setSaveState("Saving…");
      await api("PUT", fileUrl(name), { content: text });
      f.saved = text;
    }
    const dirty = [...files.values()].some((f) => f.state.doc.toString() !== f.saved);
    setSaveState(dirty ? "Unsaved" : "Saved");
  });
  saveChain = run.catch(() => {}); // a refused save (quota, size) must not block the next one
  run.catch((err) => setSaveState(`Not saved: ${err.message}`, "error"));
  return run;
}

/**
 * Save, build, and show the diagnostics unless the text changed meanwhile: a build result
 * for stale text is dropped, the newer edit's own build will answer.
 */
async function saveAndBuild({ force = false } = {}) {
  const seq = editSeq;
  try {
    await save();
  } catch { return null; }
  const started = performance.now();
  let result;
  try {
    result = await api("POST", `${projectUrl}/build/`);
  } catch (err) {
    logLine(`Build request failed: ${err.message}`, "error");
    return null;
  }
  if (seq !== editSeq || seq < appliedSeq) return null; // stale: newer text is on screen
  if (!force && seq === appliedSeq) return result;
  appliedSeq = seq;
  applyDiagnostics(result.diagnostics ?? []);
  const errors = (result.diagnostics ?? []).filter((d) => d.severity === "error").length;
  logLine(result.success ? `Build succeeded (${Math.round(performance.now() - started)} ms)`
    : `Build failed: ${errors} error(s)`, result.success ? "log" : "error");
  return result;
}

function applyDiagnostics(diagnostics) {
  lastDiagnostics = diagnostics;
  for (const [name, f] of files) {
    if (name === current) continue;
    f.pendingDiagnostics = diagnostics.filter((d) => d.file === name);
  }
  if (current) editor.showDiagnostics(diagnostics.filter((d) => d.file === current));
  renderProblems(diagnostics);
  document.body.dataset.build = diagnostics.some((d) => d.severity === "error") ? "errors" : "clean";
  document.body.dataset.buildSeq = String(appliedSeq);
  // When the diagnostics reached the screen (performance.now() clock); the browser test
  // measures the keystroke -> diagnostics round-trip with it.
  document.body.dataset.buildShownAt = String(performance.now());
}

// ---------- files ----------
function renderTree() {
  const names = [...files.keys()].sort((a, b) => (a === "main.py" ? -1 : b === "main.py" ? 1 : a.localeCompare(b)));
  $("file-list").replaceChildren(...names.map((name) => h("li", { class: name === current ? "active" : "", "data-file": name },
    h("span", { class: "file-name", title: name, onclick: () => openFile(name), "data-testid": "file-name" }, name),
    h("button", { title: `Rename ${name}`, "data-testid": "rename-file", onclick: () => renameFile(name) }, "✎"),
    h("button", { title: `Delete ${name}`, "data-testid": "delete-file", onclick: () => deleteFile(name) }, "✕"))));
}

function openFile(name) {
  if (current && files.has(current)) files.get(current).state = editor.view.state;
  current = name;
  const f = files.get(name);
  editor.setState(f.state);
  if (f.pendingDiagnostics) {
    editor.showDiagnostics(f.pendingDiagnostics);
    f.state = editor.view.state;
    delete f.pendingDiagnostics;
  }
  renderTree();
}

function addFile(name, content) {
  files.set(name, { state: editor.newState(content), saved: content });
}

async function newFile() {
  const name = prompt("New file name", "helpers.py");
  if (!name) return;
  if (files.has(name)) { logLine(`${name} already exists`, "error"); return; }
  try {
    await api("PUT", fileUrl(name), { content: "" });
    addFile(name, "");
    openFile(name);
  } catch (err) { logLine(`Could not create ${name}: ${err.message}`, "error"); showTab("logs"); }
}

async function renameFile(name) {
  const to = prompt(`Rename ${name} to`, name);
  if (!to || to === name) return;
  if (files.has(to)) { logLine(`${to} already exists`, "error"); return; }
  await save();
  const f = files.get(name);
  try {
    await api("PATCH", fileUrl(name), { name: to });
  } catch (err) { logLine(`Could not rename ${name}: ${err.message}`, "error"); showTab("logs"); return; }
  files.delete(name);
  files.set(to, { ...f, saved: f.state.doc.toString() });
  if (current === name) current = to;
  openFile(current);
  if (autobuild()) { editSeq += 1; saveAndBuild(); }
}

async function deleteFile(name) {
  if (!confirm(`Delete ${name}?`)) return;
  try { await api("DELETE", fileUrl(name)); } catch (err) { logLine(`Could not delete ${name}: ${err.message}`, "error"); showTab("logs"); return; }
  files.delete(name);
  if (current === name) { current = null; const first = [...files.keys()][0]; if (first) openFile(first); else editor.setState(editor.newState("")); }
  renderTree();
  if (autobuild()) { editSeq += 1; saveAndBuild(); }
}

$("new-file").addEventListener("click", newFile);

async function loadProject() {
  const project = await api("GET", `${projectUrl}/`);
  let list = project.files;
  if (!Array.isArray(list) || (list.length && list[0].content === undefined)) list = items(await api("GET", `${projectUrl}/files/`));
  for (const f of list) addFile(f.name, f.content ?? "");
  const first = files.has("main.py") ? "main.py" : [...files.keys()].sort()[0];
  if (first) openFile(first);
  renderTree();
  renderProblems([]);
  document.body.dataset.ready = "1";
  if (autobuild()) saveAndBuild({ force: true });
}

// ---------- build & backtest ----------
$("build").addEventListener("click", async () => {
  clearTimeout(buildTimer);
  const r = await saveAndBuild({ force: true });
  if (r && !r.success) showTab("problems");
});

const notice = $("launch-notice");
function showNotice(content, kind = "") {
  notice.replaceChildren(h("div", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, content));
}

$("backtest").addEventListener("click", async () => {
  clearTimeout(buildTimer);
  $("backtest").disabled = true;
  try {
    const build = await saveAndBuild({ force: true });
    if (build && !build.success) { showTab("problems"); showNotice("Fix the build errors in Problems before backtesting.", "error"); return; }
    const body = { project: page.project };
    if ($("pin-node").checked && $("node-select").value) body.node = Number($("node-select").value);
    const bt = await api("POST", "/api/backtests/", body);
    const message = bt.message ?? `New backtest: ${page.project_name} is in the queue`;
    showNotice(message);
    logLine(message);
    // The results page shows the message again and the B-MICRO countdown.
    sessionStorage.setItem(`quantdesk.launch.${bt.id}`, JSON.stringify({ message, at: Date.now() }));
    setTimeout(() => { location.href = `/backtests/${bt.id}/`; }, 600);
  } catch (err) {
    if (err.status === 409) {
      const reason = errorMessage(err.body) || "no idle backtesting node";
      showNotice(h("span", {}, `${reason[0].toUpperCase()}${reason.slice(1)}. `,
        "See the Resources panel: stop a running backtest there, or wait until one finishes."), "error");
      document.getElementById("resources").scrollIntoView({ behavior: "smooth" });
    } else if (err.status === 400 && err.body?.diagnostics) {
      appliedSeq = editSeq;
      applyDiagnostics(err.body.diagnostics);
      showTab("problems");
      showNotice("The build failed; see Problems.", "error");
    } else {
      showNotice(`Backtest not started: ${err.message}`, "error");
    }
  } finally {
    $("backtest").disabled = false;
  }
});

// ---------- resources + node pin ----------
const resources = mountResources($("resources"), page);
resources.onChange((nodes) => {
  const select = $("node-select");
  const chosen = select.value;
  select.replaceChildren(...nodes.map((n) => h("option", { value: n.id, selected: String(n.id) === chosen },
    `${n.name} (${typeof n.model === "object" ? n.model?.name : n.model}) ${n.status}`)));
});
$("pin-node").addEventListener("change", () => $("node-select").classList.toggle("hidden", !$("pin-node").checked));

loadProject().catch((err) => showNotice(`Could not load the project: ${err.message}`, "error"));
