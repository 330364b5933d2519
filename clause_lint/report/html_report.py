"""A self-contained HTML report for people: one file, inline CSS, no scripts, nothing fetched.

Same content as the Markdown report (summary across documents when there are several,
then per document a status table and a card per rule that is not present). Every
status is shown as an icon *and* a word, so it reads without colour and in print;
icons are inline SVG, not emoji (which need an emoji font). A document no pack
applied to is marked "Not checked" with the reason, never shown as zero findings.
``@media print`` drops backgrounds, lets wide tables wrap rather than be clipped,
and keeps each card on one page. All document text
goes through :func:`html.escape`; links are only written for http(s) URLs.
"""

from __future__ import annotations

from html import escape
from typing import Any

from ..results import (
    CONTRADICTED,
    MISSING,
    NOT_APPLICABLE,
    PRESENT,
    WEAK,
    DocumentResult,
    Report,
    RuleResult,
    not_checked_reason,
)
from . import (
    STATUS_WORD,
    WAIVED,
    RenderOptions,
    clean,
    count_failing,
    display_status,
    document_counts,
    format_label,
    location_words,
    model_clause,
    one_line,
    ordered_evidence,
    pack_label,
    plural,
    reference_of,
    rule_counts,
    rule_ids,
    rule_map,
    shown_path,
    suppression_note,
    worst_first,
)

COLUMNS = (PRESENT, WEAK, MISSING, CONTRADICTED, WAIVED, NOT_APPLICABLE)
NOT_CHECKED = "not_checked"

# Status icons drawn inline (SVG in the text colour), not emoji: emoji need an emoji
# font, which headless browsers, servers and many printers do not have.
_ICON_PATHS = {
    PRESENT: '<path d="M3 8.5l3.2 3.2L13 4.8"/>',
    WEAK: '<path d="M8 1.8L15 14H1z"/><path d="M8 6.2v3.6M8 12v.1"/>',
    MISSING: '<path d="M4 4l8 8M12 4l-8 8"/>',
    CONTRADICTED: '<circle cx="8" cy="8" r="6.3"/><path d="M4.6 8h6.8"/>',
    WAIVED: '<path d="M4 4h8L4 12h8"/>',
    NOT_APPLICABLE: '<path d="M4 8h8"/>',
    NOT_CHECKED: '<circle cx="8" cy="8" r="6.3"/><path d="M3.6 12.4l8.8-8.8"/>',
}
_WORD = {**STATUS_WORD, NOT_CHECKED: "Not checked"}


def icon(status: str) -> str:
    """The status icon as inline SVG (decorative: the word always goes with it)."""
    return ('<svg class="icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">'
            f"{_ICON_PATHS.get(status, '')}</svg>")

CSS = """
:root { color-scheme: light; }
body { font: 16px/1.5 Georgia, "Times New Roman", serif; color: #1b1b1b; background: #fff;
       margin: 0 auto; max-width: 66rem; padding: 1.5rem; }
h1, h2, h3, h4, th, .badge, .meta, .small { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; }
h1 { font-size: 1.7rem; margin-bottom: .25rem; }
h2 { font-size: 1.35rem; margin-top: 2.5rem; border-bottom: 2px solid #444; padding-bottom: .2rem;
     overflow-wrap: anywhere; }
h3 { font-size: 1.1rem; margin-top: 1.5rem; }
h4 { font-size: 1rem; margin: 0 0 .5rem 0; }
.meta, .small { color: #555; font-size: .9rem; }
table { border-collapse: collapse; width: 100%; margin: .75rem 0; }
th, td { border: 1px solid #bbb; padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #f1f1f1; font-size: .9rem; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; white-space: nowrap; font-weight: 600; font-size: .9rem;
         padding: .05rem .45rem; border-radius: .3rem; border: 1px solid currentColor; }
.s-present { color: #135f26; background: #e6f4ea; }
.s-weak { color: #7a4b00; background: #fff4d6; }
.s-missing { color: #9b1c1c; background: #fde8e8; }
.s-contradicted { color: #fff; background: #8b0000; border-color: #8b0000; }
.s-waived { color: #3d4f66; background: #e8eef6; }
.s-not_applicable { color: #555; background: #f3f3f3; }
.s-not_checked { color: #3d3d3d; background: #ececec; border-style: dashed; }
.badge .icon { width: 1em; height: 1em; vertical-align: -.15em; fill: none; stroke: currentColor;
               stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; }
code.option { white-space: nowrap; }
p.not-checked { border: 1px dashed #888; padding: .5rem .75rem; border-radius: .3rem; }
th.count, td.num { width: 1%; }
th.count { text-align: center; }
th.count .badge { font-size: .78rem; padding: .05rem .3rem; }
td.num { padding-right: .9rem; }
td.path { overflow-wrap: anywhere; min-width: 14rem; }
.card { border: 1px solid #bbb; border-left: .4rem solid #888; border-radius: .3rem;
        padding: .75rem 1rem; margin: 1rem 0; break-inside: avoid; page-break-inside: avoid; }
.card.s-weak, .card.s-missing, .card.s-contradicted, .card.s-waived { background: #fff; color: inherit; }
.card.s-weak { border-left-color: #c98a00; }
.card.s-missing { border-left-color: #c62828; }
.card.s-contradicted { border-left-color: #8b0000; }
.card.s-waived { border-left-color: #5b7190; }
blockquote { margin: .5rem 0; padding: .4rem .8rem; border-left: 3px solid #999; background: #fafafa;
             white-space: pre-wrap; overflow-wrap: anywhere; }
blockquote.model { border-left-color: #135f26; background: #f4faf5; }
.label { font-weight: 600; font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; }
.error { border: 2px solid #9b1c1c; padding: .5rem .75rem; border-radius: .3rem; }
.note { border-left: 3px solid #c98a00; padding-left: .6rem; }
@page { margin: 15mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  table { table-layout: auto; width: 100%; font-size: 9pt; }
  th .badge { white-space: normal; }
  blockquote { white-space: pre-wrap; }
  .badge, th, blockquote, blockquote.model, .s-present, .s-weak, .s-missing, .s-waived,
  .s-not_applicable { background: none !important; color: #000 !important; }
  .s-contradicted { background: none !important; color: #000 !important; border-width: 2px; }
  .card { break-inside: avoid; page-break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  a { color: #000; text-decoration: underline; }
}
""".strip()


def e(text: Any) -> str:
    """Escape for HTML text and attributes, after removing characters HTML cannot carry."""
    return escape(clean("" if text is None else str(text)), quote=True)


def e1(text: Any) -> str:
    """Like :func:`e`, folded to one line."""
    return escape(one_line("" if text is None else str(text)), quote=True)


def badge(res: RuleResult) -> str:
    shown = display_status(res)
    word = _WORD.get(shown, shown)
    if shown == WAIVED:
        word += f" ({STATUS_WORD.get(res.status, res.status).lower()})"
    return f'<span class="badge s-{shown}">{icon(shown)} {e(word)}</span>'


def _count_badge(status: str) -> str:
    return f'<span class="badge s-{status}">{icon(status)} {e(_WORD[status])}</span>'


def render_html(report: Report, options: RenderOptions) -> str:
    rules = rule_map(report)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Contract clause report</title>",
        f"<style>\n{CSS}\n</style>",
        "</head>",
        "<body>",
        "<header>",
        "<h1>Contract clause report</h1>",
    ]
    packs = pack_label(report)
    parts.append(f'<p class="meta">Checked against {e1(packs) if packs else "no rule pack"} '
                 f"with clause-lint {e1(report.tool_version)}.</p>")
    parts.append("</header>")
    anchors = {id(doc): f"doc-{i}" for i, doc in enumerate(report.documents, start=1)}
    if len(report.documents) > 1:
        parts.extend(_summary(report, rules, options, anchors))
    for doc in report.documents:
        parts.extend(_document(doc, rules, anchors[id(doc)], not_checked_reason(doc, report.packs)))
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _summary(report: Report, rules: dict, options: RenderOptions, anchors: dict) -> list[str]:
    s = report.summary()
    st = s["statuses"]
    out = ['<section class="summary">', "<h2>Summary</h2>"]
    text = f"{plural(s['documents'], 'document')}"
    if s.get("not_checked"):
        text += f", {plural(s['not_checked'], 'document')} not checked (out of scope)"
    if s["errors"]:
        text += f", {plural(s['errors'], 'document')} could not be read"
    text += (f". Across all documents: {st[PRESENT]} present, {st[WEAK]} weak, {st[MISSING]} missing, "
             f"{st[CONTRADICTED]} contradicted")
    if s["suppressed"]:
        text += f"; {s['suppressed']} waived"
    text += "."
    if options.fail_on != "never":
        text += f" {plural(count_failing(report, options.fail_on), 'finding')} at or above \u2018{options.fail_on}\u2019."
    out.append(f"<p>{e(text)}</p>")

    out += ["<h3>By rule</h3>", "<table>", "<thead><tr><th>Rule</th><th>Requirement</th>"
            + "".join(f'<th class="count">{_count_badge(c)}</th>' for c in COLUMNS) + "</tr></thead>", "<tbody>"]
    counts = rule_counts(report)
    for rid in rule_ids(report):
        rule = rules.get(rid)
        title = getattr(rule, "title", None) or _title_from_results(report, rid)
        name = getattr(rule, "name", None) or ""
        cells = "".join(f'<td class="num">{counts[rid][c]}</td>' for c in COLUMNS)
        out.append(f"<tr><td><strong>{e1(rid)}</strong> {e1(name)}</td><td>{e1(title)}</td>{cells}</tr>")
    out += ["</tbody>", "</table>"]

    out += ["<h3>Documents, worst first</h3>", "<table>",
            "<thead><tr><th>Document</th>" + "".join(f'<th class="count">{_count_badge(c)}</th>'
                                                   for c in (CONTRADICTED, MISSING, WEAK, PRESENT, WAIVED))
            + "<th>Note</th></tr></thead>", "<tbody>"]
    for doc in worst_first(report.documents):
        link = f'<a href="#{anchors[id(doc)]}">{e1(shown_path(doc.path))}</a>'
        if doc.error is not None:
            out.append(f'<tr><td class="path">{link}</td><td colspan="5"></td>'
                       f"<td>Could not be read: {e1(doc.error.message)}</td></tr>")
            continue
        why = not_checked_reason(doc, report.packs)
        if why is not None:
            # Not 0/0/0/0/0: that would read as a clean document.
            out.append(f'<tr class="not-checked"><td class="path">{link}</td>'
                       f'<td colspan="6">{_count_badge(NOT_CHECKED)} {e1(why)}</td></tr>')
            continue
        c = document_counts(doc)
        cells = "".join(f'<td class="num">{c[k]}</td>' for k in (CONTRADICTED, MISSING, WEAK, PRESENT, WAIVED))
        out.append(f'<tr><td class="path">{link}</td>{cells}<td>{e1("; ".join(doc.warnings))}</td></tr>')
    out += ["</tbody>", "</table>", "</section>"]
    return out


def _title_from_results(report: Report, rid: str) -> str:
    for d in report.documents:
        for r in d.results:
            if r.rule == rid:
                return r.title
    return ""


def _document(doc: DocumentResult, rules: dict, anchor: str, not_checked: Any = None) -> list[str]:
    out = [f'<section class="document" id="{anchor}">', f"<h2>{e1(shown_path(doc.path))}</h2>"]
    meta = format_label(doc)
    if meta:
        out.append(f'<p class="meta">{e1(meta)}</p>')
    if doc.error is not None:
        out += [f'<p class="error"><span class="label">Could not be read:</span> {e1(doc.error.message)} '
                f'<span class="small">({e1(doc.error.code)})</span></p>', "</section>"]
        return out
    for w in doc.warnings:
        out.append(f'<p class="note"><span class="label">Note:</span> {e1(w)}</p>')
    if not_checked is not None:
        return out + [f'<p class="not-checked">{_count_badge(NOT_CHECKED)} {e1(not_checked)}. '
                      '<span class="small">Run with <code class="option">--assume-applicable</code> to check it anyway.</span></p>', "</section>"]
    if not doc.results:
        return out + ["<p>No rules were checked.</p>", "</section>"]
    out += ["<table>", "<thead><tr><th>Rule</th><th>Requirement</th><th>Status</th></tr></thead>", "<tbody>"]
    for i, res in enumerate(doc.results):
        label = f"<strong>{e1(res.rule)}</strong> {e1(res.name)}"
        if res.status in (WEAK, MISSING, CONTRADICTED):
            label = f'<a href="#{anchor}-r{i}">{label}</a>'
        out.append(f"<tr><td>{label}</td><td>{e1(res.title)}</td><td>{badge(res)}</td></tr>")
    out += ["</tbody>", "</table>"]
    details = [(i, r) for i, r in enumerate(doc.results) if r.status in (WEAK, MISSING, CONTRADICTED)]
    if details:
        out.append("<h3>Details</h3>")
    for i, res in details:
        out.extend(_card(res, rules.get(res.rule), f"{anchor}-r{i}"))
    out.append("</section>")
    return out


def _card(res: RuleResult, rule: Any, anchor: str) -> list[str]:
    shown = display_status(res)
    out = [f'<article class="card s-{shown}" id="{anchor}">',
           f"<h4>{badge(res)} {e1(res.rule)} {e1(res.name)} \u2014 {e1(res.title)}</h4>"]
    if res.suppressed is not None:
        out.append(f"<p><em>Waived {e1(suppression_note(res))}.</em></p>")
    if res.message:
        out.append(f"<p>{e1(res.message)}</p>")
    evidence = ordered_evidence(res)
    for i, ev in enumerate(evidence):
        where = location_words(ev)
        label = "Evidence" if i == 0 else f"Also relevant ({ev.role})"
        out.append(f'<p><span class="label">{e(label)}</span>{f" ({e1(where)})" if where else ""}:</p>')
        if ev.text.strip():
            # Line breaks inside a clause are the layout's, not the author's: one paragraph.
            out.append(f"<blockquote>{e1(ev.text)}</blockquote>")
        if ev.reason:
            out.append(f'<p class="small">Why: {e1(ev.reason)}</p>')
    if not evidence and res.status == MISSING:
        out.append("<p>Nothing in the document addresses this requirement.</p>")
    fix = model_clause(res, rule)
    if fix:
        out += ['<p><span class="label">Model clause:</span></p>',
                f'<blockquote class="model">{e(fix.strip())}</blockquote>']
    ref_label, url = reference_of(res, rule)
    if url:
        out.append(f'<p class="small">Reference: <a href="{e(url)}">{e1(ref_label or url)}</a></p>')
    elif ref_label:
        out.append(f'<p class="small">Reference: {e1(ref_label)}</p>')
    out.append("</article>")
    return out
