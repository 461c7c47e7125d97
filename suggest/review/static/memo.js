// Memos on the review page: key m (or the Memo button) opens a note on the excerpt, or on one of
// your code decisions. Loaded after review.js and shares its helpers ($, el, clear, api, say, state).
// A memo is saved the moment "Saved: memo" shows; memos are kept, never overwritten.
"use strict";

function renderMemos(view) {
  const ul = $("memos");
  clear(ul);
  if (!view || !view.memos.length) { ul.appendChild(el("li", { className: "muted" }, "No memo yet.")); return; }
  for (const m of view.memos) {
    const li = el("li", { className: "memo" });
    li.appendChild(el("span", { className: "memo-on" }, m.code ? `On ${m.code}:` : "On the excerpt:"));
    li.appendChild(el("span", { className: "memo-text" }, m.text));
    ul.appendChild(li);
  }
}

function memoTargets(view) {
  const decided = [...view.suggestions.filter((s) => s.decision), ...view.added];
  return [["", "the excerpt"], ...decided.map((d) => [d.code, `my decision on ${d.code} ${d.name}`])];
}

function openMemo() {
  const view = state.view;
  if (!view) return;
  const target = $("memo-target");
  clear(target);
  for (const [code, label] of memoTargets(view)) target.appendChild(el("option", { attrs: { value: code } }, label));
  const selected = view.suggestions[state.selected];
  if (selected && selected.decision) target.value = selected.code;
  fillMemoText();
  $("memo-dialog").showModal();
  $("memo-text").focus();
}

function fillMemoText() {
  const code = $("memo-target").value;
  const current = state.view.memos.find((m) => m.code === code);
  $("memo-text").value = current ? current.text : "";
}

async function saveMemo() {
  const view = state.view;
  const code = $("memo-target").value;
  try {
    const data = await api("/api/memo", { excerpt_id: view.id, code, text: $("memo-text").value });
    $("memo-dialog").close();
    if (state.view && state.view.id === data.excerpt.id) { state.view = data.excerpt; renderMemos(state.view); }
    say(`Saved: memo on ${code ? `${code} of ` : ""}${view.id}.`);
  } catch (e) {
    say(`Memo not saved: ${e.message}`, true);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.addEventListener("suggest:excerpt", (e) => renderMemos(e.detail));
  $("memo-button").addEventListener("click", openMemo);
  $("memo-target").addEventListener("change", fillMemoText);
  $("memo-save").addEventListener("click", saveMemo);
  $("memo-close").addEventListener("click", () => $("memo-dialog").close());
  $("memo-text").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); saveMemo(); }
  });
  document.addEventListener("keydown", (e) => {
    if (e.key !== "m" || e.ctrlKey || e.metaKey || e.altKey || document.querySelector("dialog[open]")) return;
    const tag = (e.target.tagName || "").toLowerCase();
    if (["input", "select", "textarea"].includes(tag) && e.target.type !== "checkbox") return;
    e.preventDefault();
    openMemo();
  });
});
