// The adjudication page: excerpts the coders disagree on, their codes side by side, and the lead's
// consensus with a reason. All project text is written with textContent, never as HTML.
"use strict";

const state = { meta: null, items: [], index: 0, view: null, extra: [] };

function renderProgress(p) {
  $("progress").max = Math.max(1, p.total);
  $("progress").value = p.settled;
  $("progress-text").textContent = `${p.settled} of ${p.total} settled`;
}

function render() {
  const v = state.view;
  $("doc-title").textContent = v.document.title;
  $("doc-position").textContent = `${v.source_type || "text"} · excerpt ${v.position} of ${v.of} in ${v.document.id}`;
  const dl = $("doc-fields");
  clear(dl);
  for (const [k, value] of Object.entries(v.document.fields)) { dl.append(el("dt", {}, k), el("dd", {}, value)); }
  for (const [id, list] of [["context-before", v.before], ["context-after", v.after]]) {
    clear($(id));
    for (const c of list) $(id).appendChild(el("p", { className: "ctx" }, c.text));
  }
  $("excerpt").textContent = v.text;
  const chosen = new Set(v.consensus ? v.consensus.codes : v.agreed);
  const table = $("side-by-side");
  clear(table);
  const head = el("tr");
  head.appendChild(el("th", {}, "Code"));
  for (const c of v.coders) head.appendChild(el("th", {}, c));
  head.appendChild(el("th", {}, "Consensus"));
  table.appendChild(head);
  const rows = [...v.codes, ...state.extra.filter((x) => !v.codes.some((c) => c.code === x.code))];
  rows.forEach((c, i) => {
    const tr = el("tr", { className: c.split ? "split" : "", attrs: { "data-code": c.code } });
    tr.appendChild(el("td", {}, `${i < 9 ? `${i + 1}. ` : ""}${c.code} ${c.name}`));
    for (const coder of v.coders) {
      const yes = c.by && c.by[coder];
      tr.appendChild(el("td", { className: `mark ${yes ? "yes" : "no"}`, attrs: { "aria-label": `${coder}: ${yes ? "applies" : "does not apply"}` } }, yes ? "✓" : "—"));
    }
    const td = el("td", { className: "consensus-box" });
    const box = el("input", { attrs: { type: "checkbox", "data-code": c.code, "aria-label": `Consensus: ${c.code} applies` } });
    box.checked = chosen.has(c.code) || (c.extra === true);
    td.appendChild(box);
    tr.appendChild(td);
    table.appendChild(tr);
  });
  const memos = $("memos");
  clear(memos);
  if (!v.memos.length) memos.appendChild(el("li", { className: "muted" }, "No memo."));
  for (const m of v.memos) {
    const li = el("li", { className: "memo" });
    li.append(el("span", { className: "memo-on" }, `${m.coder}${m.code ? ` on ${m.code}` : ""}:`), el("span", { className: "memo-text" }, m.text));
    memos.appendChild(li);
  }
  $("reason").value = v.consensus ? v.consensus.reason : "";
  $("settled-by").textContent = v.consensus ? `Settled by ${v.consensus.lead}.` : "";
  $("excerpt-state").textContent = v.consensus ? "Settled" : "To settle";
  $("excerpt-state").className = v.consensus ? "state done" : "state";
  $("nav-position").textContent = `${state.index + 1} / ${state.items.length}`;
}

async function loadItems(keepId) {
  const data = await api("/api/adjudication/items?show=" + $("f-show").value);
  state.items = data.items;
  renderProgress(data.progress);
  if (!state.items.length) {
    state.view = null;
    $("doc-title").textContent = "No disagreement to settle";
    clear($("side-by-side"));
    $("excerpt").textContent = "";
    $("nav-position").textContent = "";
    return;
  }
  const at = keepId ? state.items.findIndex((it) => it.id === keepId) : -1;
  await show(at >= 0 ? at : 0);
}

async function show(index) {
  if (!state.items.length) return;
  state.index = Math.max(0, Math.min(state.items.length - 1, index));
  state.view = await api("/api/adjudication/excerpt/" + encodeURIComponent(state.items[state.index].id));
  state.extra = [];
  render();
}

async function save() {
  const v = state.view;
  if (!v) return;
  const codes = [...document.querySelectorAll("#side-by-side input[type=checkbox]")].filter((b) => b.checked).map((b) => b.dataset.code);
  try {
    const data = await api("/api/adjudication/consensus", { excerpt_id: v.id, codes, reason: $("reason").value });
    state.view = data.excerpt;
    state.extra = [];
    renderProgress(data.progress);
    render();
    $("excerpt").focus();  // out of the reason box, so n / p move on
    say(`Saved: consensus on ${v.id} (${codes.length ? [...codes].sort().join(", ") : "no code"}).`);
  } catch (e) {
    say(`Not saved: ${e.message}`, true);
  }
}

function onKey(e) {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); save(); return; }
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const tag = (e.target.tagName || "").toLowerCase();
  if (["textarea", "select"].includes(tag) || (tag === "input" && e.target.type !== "checkbox")) return;
  if (/^[1-9]$/.test(e.key)) {
    const box = document.querySelectorAll("#side-by-side input[type=checkbox]")[Number(e.key) - 1];
    if (box) { e.preventDefault(); box.checked = !box.checked; }
    return;
  }
  const actions = { n: () => show(state.index + 1), p: () => show(state.index - 1), r: () => $("reason").focus() };
  if (actions[e.key]) { e.preventDefault(); actions[e.key](); }
}

async function init() {
  state.meta = await api("/api/adjudication/meta");
  $("project").textContent = `· ${state.meta.project} · codebook ${state.meta.codebook.name} v${state.meta.codebook.version}`;
  for (const c of state.meta.codebook.codes) $("add-code").appendChild(el("option", { attrs: { value: c.id } }, `${c.id} · ${c.name}`));
  $("add-code").addEventListener("change", () => {
    const id = $("add-code").value;
    const c = state.meta.codebook.codes.find((x) => x.id === id);
    $("add-code").value = "";
    if (!c || !state.view) return;
    const ticked = new Set([...document.querySelectorAll("#side-by-side input:checked")].map((b) => b.dataset.code));
    state.extra.push({ code: c.id, name: c.name, by: {}, split: false, extra: true });
    const reason = $("reason").value;
    render();
    for (const b of document.querySelectorAll("#side-by-side input[type=checkbox]")) b.checked = ticked.has(b.dataset.code) || b.dataset.code === c.id;
    $("reason").value = reason;
  });
  $("f-show").addEventListener("change", () => loadItems(state.view && state.view.id).catch((e) => say(e.message, true)));
  $("prev").addEventListener("click", () => show(state.index - 1));
  $("next").addEventListener("click", () => show(state.index + 1));
  $("save").addEventListener("click", save);
  document.addEventListener("keydown", onKey);
  await loadItems();
  say("Ready: tick the codes that apply, give a reason, save. n / p move between disagreements.");
}

document.addEventListener("DOMContentLoaded", () => init().catch((e) => say(`Could not load: ${e.message}`, true)));
