// The review page. All text from the project is written with textContent, never as HTML.
"use strict";

const state = { meta: null, items: [], index: 0, view: null, selected: 0, busy: false };

// --- highlighting: wrap matches in text nodes with <mark>, building nodes (no HTML strings) ---
function highlight(root, terms) {
  const words = terms.filter((t) => t && t.trim()).map((t) => t.trim().replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  if (!words.length) return;
  words.sort((a, b) => b.length - a.length);
  const re = new RegExp(`\\b(${words.join("|")})\\b`, "gi");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  while (walker.nextNode()) nodes.push(walker.currentNode);
  for (const node of nodes) {
    const text = node.nodeValue;
    re.lastIndex = 0;
    if (!re.test(text)) continue;
    re.lastIndex = 0;
    const frag = document.createDocumentFragment();
    let last = 0, m;
    while ((m = re.exec(text)) !== null) {
      if (m.index > last) frag.appendChild(document.createTextNode(text.slice(last, m.index)));
      frag.appendChild(el("mark", {}, m[0]));
      last = m.index + m[0].length;
    }
    if (last < text.length) frag.appendChild(document.createTextNode(text.slice(last)));
    node.parentNode.replaceChild(frag, node);
  }
}

// --- rendering ---
function renderProgress(p) {
  $("progress").max = Math.max(1, p.total);
  $("progress").value = p.reviewed;
  $("progress-text").textContent = `${p.reviewed} of ${p.total} reviewed`;
  const a = p.assigned;  // with an assignment (`suggest assign`): progress against it
  $("assigned-text").hidden = !a;
  $("assigned-text").textContent = a ? `your assignment: ${a.reviewed} of ${a.total}` : "";
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
function niceDate(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/.exec(value);
  if (!m) return value;
  return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}` + (m[4] ? `, ${m[4]}:${m[5]}` : "");
}

function renderContext(box, list) {
  clear(box);
  for (const c of list) box.appendChild(el("p", { className: "ctx" }, c.text));
}

function renderExcerpt() {
  const v = state.view;
  const hide = $("hide-scores").checked;
  $("doc-title").textContent = v.document.title;
  $("doc-position").textContent = `${v.source_type || v.document.source_type || "text"} · excerpt ${v.position} of ${v.of} in ${v.document.id}`;
  const dl = $("doc-fields");
  clear(dl);
  const labels = { sender: "From", to: "To", cc: "Cc", date: "Date", subject: "Subject" };
  for (const [k, value] of Object.entries(v.document.fields)) {
    dl.appendChild(el("dt", {}, labels[k] || k));
    dl.appendChild(el("dd", {}, k === "date" ? niceDate(value) : value));
  }
  $("queued").hidden = !v.queued;
  $("queued").textContent = v.queued ? `Picked for you: ${v.queued}` : "";
  renderContext($("context-before"), v.before);
  renderContext($("context-after"), v.after);
  const ex = $("excerpt");
  ex.textContent = v.text;
  const sel = v.suggestions[state.selected];
  if (sel && !hide) highlight(ex, sel.terms);
  renderSuggestions(hide);
  renderGroups();
  renderAdded();
  $("excerpt-state").textContent = v.reviewed ? "Reviewed" : "To review";
  $("excerpt-state").className = v.reviewed ? "state done" : "state";
  const pos = state.items.findIndex((it) => it.id === v.id);
  $("nav-position").textContent = pos >= 0 ? `${pos + 1} / ${state.items.length}` : "";
  document.dispatchEvent(new CustomEvent("suggest:excerpt", { detail: v }));  // memo.js listens
}

function decisionLabel(d) {
  return { accept: "Accepted", reject: "Rejected", add: "Added" }[d] || "Not decided";
}

// How often coders kept this code's suggestions on other excerpts; hidden with the scores.
function trackRecord(s) {
  const r = s.record || { accepted: 0, decided: 0 };
  const text = r.decided ? `accepted ${r.accepted} of ${r.decided}` : "no track record yet";
  return el("span", { className: "track-record", attrs: { title: `How often coders in this project accepted the model's ${s.code} suggestions on other excerpts` } }, text);
}

function renderSuggestions(hide) {
  const v = state.view;
  const list = $("suggestions");
  clear(list);
  $("no-suggestions").hidden = v.suggestions.length > 0;
  $("confirm-none").setAttribute("aria-pressed", v.no_code === "accept" ? "true" : "false");
  v.suggestions.forEach((s, i) => {
    const li = el("li", { className: "sugg" + (i === state.selected ? " selected" : "") + (s.decision ? ` ${s.decision}` : "") });
    if (i === state.selected) li.setAttribute("aria-current", "true");
    const head = el("div", { className: "sugg-head" });
    head.appendChild(el("span", { className: "key" }, i < 9 ? String(i + 1) : ""));
    head.appendChild(el("span", { className: "code-id" }, s.code));
    head.appendChild(el("span", { className: "code-name" }, s.name));
    if (s.domain) head.appendChild(el("span", { className: `domain d-${s.domain}` }, s.domain));
    li.appendChild(head);
    if (!hide) head.appendChild(trackRecord(s));
    if (!hide) {
      const bar = el("div", { className: "score", attrs: { title: `score ${s.score.toFixed(2)}, threshold ${s.threshold.toFixed(2)}` } });
      const fill = el("div", { className: "fill" });
      fill.style.width = `${Math.round(Math.min(1, s.score) * 100)}%`;
      const tick = el("div", { className: "tick" });
      tick.style.left = `${Math.round(Math.min(1, s.threshold) * 100)}%`;
      bar.append(fill, tick);
      const row = el("div", { className: "score-row" });
      row.append(bar, el("span", { className: "score-num" }, s.score.toFixed(2)));
      li.appendChild(row);
    }
    li.appendChild(el("p", { className: "definition" }, s.definition));
    if (!hide && (s.terms.length || s.similar.length)) {
      const det = el("details", { className: "evidence" });
      det.appendChild(el("summary", {}, "Why: " + (s.terms.length ? s.terms.join(", ") : "similar coded excerpts")));
      const ul = el("ul");
      for (const sim of s.similar) {
        const item = el("li");
        item.appendChild(el("span", { className: "sim" }, sim.similarity === null ? "" : sim.similarity.toFixed(2)));
        item.appendChild(el("span", {}, sim.text));
        ul.appendChild(item);
      }
      det.appendChild(ul);
      li.appendChild(det);
    }
    const acts = el("div", { className: "decide" });
    const acc = el("button", { className: "accept", attrs: { type: "button", "aria-pressed": String(s.decision === "accept") } }, "Accept");
    acc.appendChild(el("kbd", {}, "a"));
    const rej = el("button", { className: "reject", attrs: { type: "button", "aria-pressed": String(s.decision === "reject") } }, "Reject");
    rej.appendChild(el("kbd", {}, "r"));
    acc.setAttribute("aria-label", `Accept ${s.code} ${s.name}`);
    rej.setAttribute("aria-label", `Reject ${s.code} ${s.name}`);
    acc.addEventListener("click", () => { state.selected = i; decide(s.code, "accept"); });
    rej.addEventListener("click", () => { state.selected = i; decide(s.code, "reject"); });
    acts.append(acc, rej, el("span", { className: "verdict" }, decisionLabel(s.decision)));
    li.appendChild(acts);
    li.addEventListener("click", (e) => { if (e.target === li || e.target.closest(".sugg-head")) { state.selected = i; renderExcerpt(); } });
    list.appendChild(li);
  });
}

// --- single-choice groups: the group's codes offered as one choice ---
function groupState(g) {
  const v = state.view;
  const sugg = new Map(v.suggestions.map((s) => [s.code, s]));
  const added = new Map(v.added.map((a) => [a.code, a]));
  const positive = (c) => (sugg.get(c) && sugg.get(c).decision === "accept") || (added.get(c) && added.get(c).decision === "add");
  return { sugg, added, chosen: g.codes.find(positive) || null };
}

function renderGroups() {
  const box = $("groups");
  clear(box);
  const names = new Map(state.meta.codebook.codes.map((c) => [c.id, c.name]));
  for (const g of state.meta.codebook.groups || []) {
    const { sugg, chosen } = groupState(g);
    const fs = el("fieldset", { className: "group-choice", attrs: { "data-group": g.id } });
    fs.appendChild(el("legend", {}, `${g.name}: ${g.kind === "exactly-one" ? "choose one" : "choose one, or none"}`));
    const row = el("div", { className: "choices", attrs: { role: "radiogroup", "aria-label": g.name } });
    for (const code of g.codes) {
      const b = el("button", { attrs: { type: "button", role: "radio", "aria-checked": String(code === chosen), "data-code": code } },
        `${code} ${names.get(code) || ""}`);
      if (sugg.has(code)) b.appendChild(el("span", { className: "suggested" }, "suggested"));
      b.addEventListener("click", () => chooseInGroup(g, code));
      row.appendChild(b);
    }
    fs.appendChild(row);
    box.appendChild(fs);
  }
}

// Choosing a code of a group accepts (or adds) it and rejects the group's other suggested or added codes.
async function chooseInGroup(g, code) {
  const { sugg, added } = groupState(g);
  const steps = [[code, sugg.has(code) ? "accept" : "add"]];
  for (const other of g.codes) {
    if (other === code) continue;
    const s = sugg.get(other), a = added.get(other);
    if ((s && s.decision !== "reject") || (a && a.decision === "add")) steps.push([other, "reject"]);
  }
  for (const [c, action] of steps) await decide(c, action);
}

function renderAdded() {
  const ul = $("added");
  clear(ul);
  const added = state.view.added;
  if (!added.length) { ul.appendChild(el("li", { className: "muted" }, "None yet.")); return; }
  for (const a of added) {
    const li = el("li", { className: `added-item ${a.decision}` });
    li.append(el("span", { className: "code-id" }, a.code), el("span", { className: "code-name" }, a.name));
    if (a.decision === "add") {
      const rm = el("button", { className: "ghost small", attrs: { type: "button", "aria-label": `Remove ${a.code}` } }, "Remove");
      rm.addEventListener("click", () => decide(a.code, "reject"));
      li.appendChild(rm);
    } else {
      li.appendChild(el("span", { className: "verdict" }, "Removed"));
    }
    ul.appendChild(li);
  }
}

// --- loading ---
function filterQuery() {
  const params = new URLSearchParams();
  for (const [id, name] of [["f-document", "document"], ["f-source", "source_type"], ["f-code", "code"],
    ["f-min", "min_score"], ["f-max", "max_score"], ["f-status", "status"]]) {
    if ($(id).value !== "") params.set(name, $(id).value);
  }
  return params.toString();
}

// Responses can arrive out of order (a filter changed while the first list loads, keys pressed
// quickly): each load and show takes a ticket, and only the newest one may render.
const tickets = { items: 0, excerpt: 0 };

async function loadItems(keepId) {
  const ticket = ++tickets.items;
  const data = await api("/api/items?" + filterQuery());
  if (ticket !== tickets.items) return;
  state.items = data.items;
  renderProgress(data.progress);
  $("item-count").textContent = `${data.items.length} excerpt${data.items.length === 1 ? "" : "s"}`;
  const at = keepId ? state.items.findIndex((it) => it.id === keepId) : -1;
  const open = state.items.findIndex((it) => !it.reviewed);  // resume at the first undecided excerpt
  state.index = at >= 0 ? at : Math.max(open, 0);
  if (!state.items.length) { showEmpty(); return; }
  await show(state.index);
}

function showEmpty() {
  state.view = null;
  $("doc-title").textContent = "No excerpts match these filters";
  for (const id of ["doc-position", "nav-position", "excerpt-state"]) $(id).textContent = "";
  for (const id of ["doc-fields", "context-before", "context-after", "excerpt", "suggestions"]) clear($(id));
  $("no-suggestions").hidden = true;
}

async function show(index, select = null) {
  if (!state.items.length) return;
  state.index = Math.max(0, Math.min(state.items.length - 1, index));
  const ticket = ++tickets.excerpt;
  const view = await api("/api/excerpt/" + encodeURIComponent(state.items[state.index].id));
  if (ticket !== tickets.excerpt) return;
  state.view = view;
  state.selected = select !== null ? select : firstUndecided();
  renderExcerpt();
}

function firstUndecided() {
  const i = state.view.suggestions.findIndex((s) => !s.decision);
  return i >= 0 ? i : 0;
}

// --- actions ---
async function decide(code, action) {
  if (!state.view || state.busy) return;
  state.busy = true;
  try {
    const data = await api("/api/decide", { excerpt_id: state.view.id, code, action, scores_hidden: $("hide-scores").checked });
    state.view = data.excerpt;
    renderProgress(data.progress);
    const item = state.items.find((it) => it.id === state.view.id);
    if (item) item.reviewed = state.view.reviewed;
    if (action !== "add") state.selected = firstUndecided();
    renderExcerpt();
    say(`Saved: ${code ? `${decisionLabel(action).toLowerCase()} ${code}` : "no code applies"} on ${state.view.id}.`);
  } catch (e) {
    say(`Not saved: ${e.message}`, true);
  } finally {
    state.busy = false;
  }
}

async function undo() {
  if (state.busy) return;
  state.busy = true;
  try {
    const data = await api("/api/undo", {});
    renderProgress(data.progress);
    if (!data.undone) { say("Nothing to undo."); return; }
    const at = state.items.findIndex((it) => it.id === data.undone.excerpt_id);
    if (at >= 0) state.index = at;
    state.view = data.excerpt;
    const si = state.view.suggestions.findIndex((s) => s.code === data.undone.code);
    state.selected = si >= 0 ? si : 0;
    renderExcerpt();
    say(`Saved: undid ${data.undone.action} ${data.undone.code || "no code applies"} on ${data.undone.excerpt_id}.`);
  } catch (e) {
    say(`Undo not saved: ${e.message}`, true);
  } finally {
    state.busy = false;
  }
}

function select(i) {
  if (!state.view || i < 0 || i >= state.view.suggestions.length) return;
  state.selected = i;
  renderExcerpt();
}

function acceptSelected() {
  if (!state.view) return;
  const s = state.view.suggestions[state.selected];
  if (s) decide(s.code, "accept");
  else if (!state.view.suggestions.length) decide("", "accept");
}

// --- codebook search ---
function openSearch() {
  if (!state.view) return;
  $("search-input").value = "";
  renderResults();
  $("search-dialog").showModal();
  $("search-input").focus();
}

function matches() {
  const q = $("search-input").value.trim().toLowerCase();
  const have = new Set([...state.view.suggestions.map((s) => s.code),
    ...state.view.added.filter((a) => a.decision === "add").map((a) => a.code)]);
  return state.meta.codebook.codes.filter((c) => !have.has(c.id) && (!q ||
    `${c.id} ${c.name} ${c.domain} ${c.definition}`.toLowerCase().includes(q)));
}

function renderResults(active = 0) {
  const ul = $("search-results");
  clear(ul);
  matches().forEach((c, i) => {
    const li = el("li", { className: "result" + (i === active ? " active" : ""), attrs: { role: "option", "aria-selected": String(i === active), "data-code": c.id } });
    const head = el("div", { className: "sugg-head" });
    head.append(el("span", { className: "code-id" }, c.id), el("span", { className: "code-name" }, c.name));
    if (c.domain) head.appendChild(el("span", { className: `domain d-${c.domain}` }, c.domain));
    li.append(head, el("p", { className: "definition" }, c.definition));
    li.addEventListener("click", () => addCode(c.id));
    ul.appendChild(li);
  });
  if (!ul.children.length) ul.appendChild(el("li", { className: "muted" }, "No code matches."));
}

function addCode(code) {
  $("search-dialog").close();
  decide(code, "add");
}

function searchKeys(e) {
  if (e.key === "Escape") { e.preventDefault(); $("search-dialog").close(); return; }
  const items = [...$("search-results").querySelectorAll(".result")];
  let active = items.findIndex((li) => li.classList.contains("active"));
  if (e.key === "ArrowDown" || e.key === "ArrowUp") {
    e.preventDefault();
    active = Math.max(0, Math.min(items.length - 1, active + (e.key === "ArrowDown" ? 1 : -1)));
    renderResults(active);
    const now = $("search-results").querySelectorAll(".result")[active];
    if (now) now.scrollIntoView({ block: "nearest" });
  } else if (e.key === "Enter") {
    e.preventDefault();
    if (items[active]) addCode(items[active].dataset.code);
  }
}

// --- keyboard ---
function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (document.querySelector("dialog[open]")) return;
  const tag = (e.target.tagName || "").toLowerCase();
  if (["input", "select", "textarea"].includes(tag) && e.target.type !== "checkbox") return;
  const k = e.key;
  const actions = {
    a: acceptSelected, r: () => { const s = state.view && state.view.suggestions[state.selected]; if (s) decide(s.code, "reject"); },
    n: () => show(state.index + 1), ArrowRight: () => show(state.index + 1),
    p: () => show(state.index - 1), ArrowLeft: () => show(state.index - 1),
    u: undo, "/": openSearch, "?": () => $("help-dialog").showModal(),
    h: () => { $("hide-scores").click(); },
    ArrowDown: () => select(state.selected + 1), j: () => select(state.selected + 1),
    ArrowUp: () => select(state.selected - 1), k: () => select(state.selected - 1),
  };
  if (/^[1-9]$/.test(k)) { e.preventDefault(); select(Number(k) - 1); return; }
  if (actions[k]) { e.preventDefault(); actions[k](); }
}

async function init() {
  $("hide-scores").checked = localStorage.getItem("suggest-hide-scores") === "1";
  state.meta = await api("/api/meta");
  $("project").textContent = `· ${state.meta.project} · codebook ${state.meta.codebook.name} v${state.meta.codebook.version}`;
  const fill = (id, values, label = (v) => v) => { for (const v of values) $(id).appendChild(el("option", { attrs: { value: v } }, label(v))); };
  fill("f-document", state.meta.documents);
  fill("f-source", state.meta.source_types);
  const names = Object.fromEntries(state.meta.codebook.codes.map((c) => [c.id, `${c.id} · ${c.name}`]));
  fill("f-code", state.meta.codebook.codes.map((c) => c.id), (v) => names[v]);
  $("filters").addEventListener("change", () => loadItems(state.view && state.view.id).catch((e) => say(e.message, true)));
  $("filters").addEventListener("submit", (e) => e.preventDefault());
  $("hide-scores").addEventListener("change", () => {
    localStorage.setItem("suggest-hide-scores", $("hide-scores").checked ? "1" : "0");
    document.body.classList.toggle("blind", $("hide-scores").checked);
    if (state.view) renderExcerpt();
  });
  document.body.classList.toggle("blind", $("hide-scores").checked);
  $("prev").addEventListener("click", () => show(state.index - 1));
  $("next").addEventListener("click", () => show(state.index + 1));
  $("undo-button").addEventListener("click", undo);
  $("add-button").addEventListener("click", openSearch);
  $("confirm-none").addEventListener("click", () => decide("", "accept"));
  $("help-button").addEventListener("click", () => $("help-dialog").showModal());
  $("search-close").addEventListener("click", () => $("search-dialog").close());
  $("search-input").addEventListener("input", () => renderResults());
  $("search-input").addEventListener("keydown", searchKeys);
  document.addEventListener("keydown", onKey);
  await loadItems();
  say("Ready. Press ? for keyboard shortcuts.");
}

document.addEventListener("DOMContentLoaded", () => init().catch((e) => say(`Could not load the review: ${e.message}`, true)));
