// Shared by the review and adjudication pages (loaded first): DOM helpers, the API call with the page's
// token, and the status line. All project text is written with textContent, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const TOKEN = document.querySelector('meta[name="suggest-token"]').content;

function el(tag, opts = {}, text) {
  const node = document.createElement(tag);
  if (opts.className) node.className = opts.className;
  for (const [k, v] of Object.entries(opts.attrs || {})) node.setAttribute(k, v);
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}
function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

async function api(path, body) {
  const init = body === undefined ? {} : {
    method: "POST", body: JSON.stringify(body),
    headers: { "Content-Type": "application/json", "X-Suggest-Token": TOKEN },
  };
  const resp = await fetch(path, init);
  let data = null;
  try { data = await resp.json(); } catch (e) { data = null; }
  if (!resp.ok) throw new Error((data && data.error) || `the server answered ${resp.status}`);
  return data;
}

function say(message, isError = false) {
  const s = $("status");
  s.textContent = message;
  s.classList.toggle("error", isError);
  s.setAttribute("role", isError ? "alert" : "status");
}
