// clause-lint serve: the page. Plain JavaScript, no libraries, nothing from other sites.
// Every piece of document text goes into the page as a text node (textContent),
// never as HTML, so a contract containing <script> shows as text.
"use strict";

const STATUS_WORD = {present: "Present", weak: "Weak", missing: "Missing", contradicted: "Contradicted",
                     not_applicable: "Not applicable", waived: "Waived"};
const COUNT_ORDER = ["contradicted", "missing", "weak", "present", "not_applicable", "waived"];
const PARALLEL = 3;  // uploads at once; the server queues the rest of its own accord
const docs = [];     // one entry per file: {id, name, file, review, error}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function shown(result) { return result.suppressed ? "waived" : result.status; }
function badge(status) { return el("span", {class: "badge s-" + status}, STATUS_WORD[status] || status); }
function say(text, isError) {
  const m = document.getElementById("message");
  m.textContent = text;
  m.className = "message" + (isError ? " error" : "");
}

function where(ev) {
  const bits = [];
  if (ev.section) bits.push("section " + ev.section);
  if (ev.page !== null && ev.page !== undefined) bits.push("page " + ev.page);
  if (ev.line !== null && ev.line !== undefined) bits.push("line " + ev.line);
  if (ev.paragraph !== null && ev.paragraph !== undefined) bits.push("paragraph " + ev.paragraph);
  return bits.join(" · ");
}

function counts(results) {
  const out = {};
  for (const r of results) out[shown(r)] = (out[shown(r)] || 0) + 1;
  return out;
}

// Worst first: errors, then contradicted, missing and weak counts.
function badness(d) {
  if (d.error) return [1e9];
  if (!d.review) return [-1];
  const c = counts(d.review.report.documents[0].results);
  return [(c.contradicted || 0) * 1e6 + (c.missing || 0) * 1e3 + (c.weak || 0)];
}

// ------------------------------------------------------------------ options

async function api(path, options) {
  const reply = await fetch(path, Object.assign({credentials: "same-origin"}, options || {}));
  if (!reply.ok) {
    let message = reply.status + " " + reply.statusText;
    try { const body = await reply.json(); message = body.error.message; } catch (e) { /* not JSON */ }
    const err = new Error(message);
    err.status = reply.status;
    throw err;
  }
  return reply;
}

async function loadPacks() {
  const box = document.getElementById("packs");
  try {
    const packs = await (await api("/api/v1/packs")).json();
    box.replaceChildren(el("legend", {}, "Rule packs"));
    for (const p of packs) {
      box.append(el("label", {class: "check"},
        el("input", {type: "checkbox", name: "pack", value: p.name, checked: p.default}),
        " " + p.title + " ", el("span", {class: "muted"}, "(" + p.name + " " + p.version + ", " + p.rules.length + " rules)")));
    }
  } catch (e) {
    box.replaceChildren(el("legend", {}, "Rule packs"), el("span", {class: "docerror"}, e.message));
  }
}

function formFor(file) {
  const form = new FormData();
  form.append("file", file, file.name);
  for (const box of document.querySelectorAll("input[name=pack]:checked")) form.append("pack", box.value);
  form.append("assume_applicable", document.getElementById("assume").checked ? "true" : "false");
  return form;
}

// ------------------------------------------------------------------ checking

async function checkFiles(files) {
  const batch = Array.from(files).map((file) => {
    const d = {id: "d" + (docs.length + 1), name: file.name, file: file, review: null, error: null};
    docs.push(d);
    return d;
  });
  if (!batch.length) return;
  const results = document.getElementById("results");
  for (const d of batch) {
    d.node = el("section", {class: "card", id: d.id, "aria-busy": "true"},
                el("h2", {class: "doc-title"}, d.name), el("p", {class: "muted"}, "Checking…"));
    results.append(d.node);
  }
  let done = 0;
  say("Checking " + batch.length + " document(s)…");
  const queue = batch.slice();
  async function worker() {
    while (queue.length) {
      const d = queue.shift();
      try {
        d.review = await (await api("/api/v1/review", {method: "POST", body: formFor(d.file)})).json();
      } catch (e) {
        d.error = e.message;
      }
      done += 1;
      renderDocument(d);
      renderOverview();
      say("Checked " + done + " of " + batch.length + " document(s).");
    }
  }
  await Promise.all(Array.from({length: Math.min(PARALLEL, batch.length)}, worker));
  const failed = batch.filter((d) => d.error).length;
  say("Checked " + batch.length + " document(s)" + (failed ? "; " + failed + " could not be read." : "."), failed > 0);
}

// ------------------------------------------------------------------ one document

function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], {type: type}));
  const a = el("a", {href: url, download: name});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}

function stem(name) { return name.replace(/\.[^.]*$/, "") || "document"; }

async function downloadAnnotated(d, button) {
  button.disabled = true;
  const before = button.textContent;
  button.textContent = "Preparing…";
  try {
    const reply = await api("/api/v1/annotate", {method: "POST", body: formFor(d.file)});
    download(stem(d.name) + ".reviewed.docx", await reply.blob(),
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  } catch (e) {
    say(d.name + ": " + e.message, true);
  } finally {
    button.disabled = false;
    button.textContent = before;
  }
}

function renderDocument(d) {
  const node = d.node;
  node.removeAttribute("aria-busy");
  if (d.error) {
    node.replaceChildren(el("h2", {class: "doc-title"}, d.name), el("p", {class: "docerror"}, d.error));
    return;
  }
  const report = d.review.report;
  const doc = report.documents[0];
  const rules = d.review.rules;
  const c = counts(doc.results);
  const r = d.review.renderings;
  const isDocx = d.review.document.format === "docx";
  const annotate = el("button", {type: "button", class: "button", "data-download": "docx"}, "Annotated .docx");
  annotate.addEventListener("click", () => downloadAnnotated(d, annotate));
  const downloads = el("div", {class: "downloads"},
    isDocx ? annotate : null,
    el("button", {type: "button", class: "button", onclick: () => download(stem(d.name) + ".clause-lint.json", r.json, "application/json")}, "JSON"),
    el("button", {type: "button", class: "button", onclick: () => download(stem(d.name) + ".sarif", r.sarif, "application/sarif+json")}, "SARIF"),
    el("button", {type: "button", class: "button", onclick: () => download(stem(d.name) + ".report.html", r.html, "text/html")}, "HTML report"));

  const applicable = Object.entries(doc.applicable).filter(([, v]) => !v).map(([k]) => k);
  const head = el("div", {class: "section-head"}, el("h2", {class: "doc-title"}, d.name), downloads);
  const summary = el("div", {class: "counts"},
    COUNT_ORDER.filter((s) => c[s]).map((s) => el("span", {class: "badge s-" + s}, c[s] + " " + STATUS_WORD[s].toLowerCase())));
  const notes = [];
  if (applicable.length) {
    notes.push(el("p", {class: "muted"}, "Not about the subject of " + applicable.join(", ") +
      ": rules not checked. Tick “Assume applicable” to check them anyway."));
  }
  for (const w of doc.warnings) notes.push(el("p", {class: "muted"}, "Warning: " + w));

  // Evidence ids, so findings can link to their passage in the text.
  const marks = [];
  doc.results.forEach((res, i) => res.evidence.forEach((ev, j) => {
    if (typeof ev.start === "number" && typeof ev.end === "number" && ev.end > ev.start) {
      marks.push({id: d.id + "-e" + i + "-" + j, start: ev.start, end: ev.end, role: ev.role, rule: res.rule});
    }
  }));
  const markIds = new Set(marks.map((m) => m.id));

  const table = el("table", {class: "grid status-table"},
    el("thead", {}, el("tr", {}, ["Rule", "Requirement", "Status", "Severity", "Where"].map((h) => el("th", {}, h)))),
    el("tbody", {}, doc.results.map((res, i) => {
      const ev = res.evidence[0];
      const first = ev && markIds.has(d.id + "-e" + i + "-0") ? el("a", {href: "#" + d.id + "-e" + i + "-0"}, where(ev) || "see text") : (ev ? where(ev) : "");
      return el("tr", {},
        el("td", {}, el("a", {href: "#" + d.id + "-r" + i}, res.rule)),
        el("td", {}, res.title),
        el("td", {}, badge(shown(res))),
        el("td", {}, res.severity),
        el("td", {class: "where"}, first));
    })));

  const findings = doc.results.map((res, i) => {
    const status = shown(res);
    const fix = (rules[res.rule] && rules[res.rule].fix && rules[res.rule].fix[res.status]) || (res.status !== "present" ? res.remediation : null);
    const evidence = res.evidence.map((ev, j) => {
      const id = d.id + "-e" + i + "-" + j;
      return el("div", {class: "evidence"},
        el("blockquote", {}, ev.text),
        el("div", {class: "where"}, (ev.role ? ev.role + " · " : "") + (where(ev) || "location unknown"),
           markIds.has(id) ? [" · ", el("a", {href: "#" + id, class: "jump", "data-mark": id}, "show in text")] : null),
        ev.reason ? el("p", {}, el("strong", {}, "Reason: "), ev.reason) : null);
    });
    let model = null;
    if (fix && status !== "present" && status !== "not_applicable") {
      const copy = el("button", {type: "button", class: "button copy"}, "Copy");
      copy.addEventListener("click", async () => {
        try { await navigator.clipboard.writeText(fix); copy.textContent = "Copied"; }
        catch (e) { copy.textContent = "Select and copy"; }
        setTimeout(() => { copy.textContent = "Copy"; }, 1500);
      });
      model = el("div", {class: "model"}, copy, el("div", {class: "label"}, "Model clause"), el("p", {}, fix));
    }
    return el("div", {class: "finding f-" + status, id: d.id + "-r" + i},
      el("h4", {}, res.rule + " " + res.title + " ", badge(status)),
      el("p", {}, res.message),
      res.suppressed ? el("p", {class: "muted"}, "Waived (" + res.suppressed.by + "): " + (res.suppressed.reason || "")) : null,
      evidence, model);
  });

  // Findings that need attention first and open; clauses found present folded away.
  const attention = findings.filter((f, i) => !["present", "not_applicable"].includes(shown(doc.results[i])));
  const rest = findings.filter((f, i) => ["present", "not_applicable"].includes(shown(doc.results[i])));
  node.replaceChildren(head, summary, ...notes, el("h3", {}, "Rules"), table,
    el("h3", {}, "Findings"), ...(attention.length ? attention : [el("p", {class: "muted"}, "Nothing needs attention.")]),
    rest.length ? el("details", {}, el("summary", {}, "Present or not applicable (" + rest.length + ")"), rest) : null,
    el("h3", {}, "Document text"), el("p", {class: "muted"}, "Evidence passages are highlighted: green supports, amber weakens, purple contradicts."),
    renderText(d.review.document, marks));
  for (const a of node.querySelectorAll("a.jump")) {
    a.addEventListener("click", () => {
      const m = document.getElementById(a.dataset.mark);
      if (m) { m.classList.add("flash"); setTimeout(() => m.classList.remove("flash"), 1600); }
    });
  }
}

// The document's text, block by block, with evidence ranges wrapped in <mark>.
function renderText(document_, marks) {
  const text = document_.text;
  const box = el("div", {class: "doctext"});
  const placed = new Set();
  for (const b of document_.blocks) {
    const inside = marks.filter((m) => m.start < b.end && m.end > b.start);
    const cuts = new Set([b.start, b.end]);
    for (const m of inside) { cuts.add(Math.max(m.start, b.start)); cuts.add(Math.min(m.end, b.end)); }
    const points = Array.from(cuts).sort((x, y) => x - y);
    const p = el("p", {class: b.kind === "heading" ? "heading" : null},
                 b.label ? el("span", {class: "lbl"}, b.label) : null);
    for (let k = 0; k + 1 < points.length; k++) {
      const [s, e] = [points[k], points[k + 1]];
      const piece = text.slice(s, e);
      const cover = inside.filter((m) => m.start <= s && m.end >= e);
      if (!cover.length) { p.append(piece); continue; }
      const role = cover.some((m) => m.role === "contradicts") ? "contradicts" : cover.some((m) => m.role === "weakens") ? "weakens" : "supports";
      const mark = el("mark", {class: "r-" + role, title: cover.map((m) => m.rule + " " + m.role).join(", ")}, piece);
      const first = cover.find((m) => !placed.has(m.id));
      if (first) { mark.id = first.id; placed.add(first.id); }
      p.append(mark);
    }
    box.append(p);
  }
  return box;
}

// ------------------------------------------------------------------ across documents

function renderOverview() {
  const ready = docs.filter((d) => d.review || d.error);
  const section = document.getElementById("overview");
  section.hidden = ready.length === 0;
  const sorted = ready.slice().sort((a, b) => badness(b)[0] - badness(a)[0] || a.name.localeCompare(b.name));
  const head = el("thead", {}, el("tr", {}, el("th", {}, "Document"),
    COUNT_ORDER.map((s) => el("th", {}, STATUS_WORD[s])), el("th", {}, "Error")));
  const body = el("tbody", {}, sorted.map((d) => {
    const c = d.review ? counts(d.review.report.documents[0].results) : {};
    return el("tr", {}, el("td", {}, el("a", {href: "#" + d.id}, d.name)),
      COUNT_ORDER.map((s) => el("td", {class: "num"}, c[s] ? el("span", {class: "badge s-" + s}, String(c[s])) : "0")),
      el("td", {class: "docerror"}, d.error || ""));
  }));
  document.getElementById("overview-table").replaceChildren(head, body);
  return sorted;
}

function csvCell(value) {
  const s = String(value === null || value === undefined ? "" : value);
  // A leading =, +, - or @ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(s) ? "'" + s : s;
  return /[",\n\r]/.test(safe) ? '"' + safe.replace(/"/g, '""') + '"' : safe;
}

function exportCsv() {
  const rows = [["document", "rule", "title", "status", "severity", "section", "page", "line", "message", "error"]];
  for (const d of renderOverview()) {
    if (d.error) { rows.push([d.name, "", "", "", "", "", "", "", "", d.error]); continue; }
    for (const r of d.review.report.documents[0].results) {
      const ev = r.evidence[0] || {};
      rows.push([d.name, r.rule, r.title, shown(r), r.severity, ev.section, ev.page, ev.line, r.message, ""]);
    }
  }
  download("clause-lint-results.csv", rows.map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n", "text/csv");
}

// ------------------------------------------------------------------ wiring

document.addEventListener("DOMContentLoaded", () => {
  loadPacks();
  const drop = document.getElementById("drop");
  const input = document.getElementById("files");
  input.addEventListener("change", () => { checkFiles(input.files); input.value = ""; });
  for (const name of ["dragenter", "dragover"]) {
    drop.addEventListener(name, (e) => { e.preventDefault(); drop.classList.add("over"); });
  }
  for (const name of ["dragleave", "drop"]) {
    drop.addEventListener(name, (e) => { e.preventDefault(); drop.classList.remove("over"); });
  }
  drop.addEventListener("drop", (e) => checkFiles(e.dataTransfer.files));
  document.getElementById("csv").addEventListener("click", exportCsv);
  // A printed review shows everything, folded findings included.
  window.addEventListener("beforeprint", () => { for (const d of document.querySelectorAll("details")) d.open = true; });
});
