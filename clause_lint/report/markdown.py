"""Markdown report for people: a legal team reading it on GitHub, in a wiki or a PR comment.

With several documents it opens with a summary across them (per rule: how many
documents are present/weak/missing/contradicted; the documents worst first). Then,
per document, a status table of every rule and the details of each rule that is not
present: the message, the evidence with section, page and line, and the model clause.

Document text is escaped so that it shows literally (CommonMark backslash escapes for
ASCII punctuation with a meaning, including ``<`` and ``&`` so no HTML gets through).
"""

from __future__ import annotations

import re
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
    STATUS_ICON,
    STATUS_WORD,
    WAIVED,
    RenderOptions,
    clean,
    count_failing,
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
    status_badge,
    suppression_note,
    worst_first,
)

_SPECIAL = re.compile(r"([\\`*_\[\]{}<>|#!~&$^])")
_LIST_NUMBER = re.compile(r"(\d{1,9})[.)](?=\s|$)")

COLUMNS = (PRESENT, WEAK, MISSING, CONTRADICTED, WAIVED, NOT_APPLICABLE)


def md(text: Any) -> str:
    """Escape ``text`` (folded to one line) so Markdown shows it literally."""
    flat = _SPECIAL.sub(r"\\\1", one_line(str(text) if text is not None else ""))
    # At the start of a line "1." or "-" would begin a list and "=" underline a heading.
    m = _LIST_NUMBER.match(flat)
    if m:
        return m.group(1) + "\\" + flat[len(m.group(1)):]
    if flat[:1] in ("-", "+", "="):
        return "\\" + flat
    return flat


def code(text: str) -> str:
    """Inline code span that cannot be closed by backticks inside ``text``."""
    flat = one_line(text)
    longest = max((len(m) for m in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def quote_block(text: str) -> list[str]:
    """A block quote keeping the paragraphs of ``text``."""
    paras = [md(p) for p in clean(text).split("\n") if p.strip()]
    out: list[str] = []
    for i, p in enumerate(paras):
        if i:
            out.append(">")
        out.append(f"> {p}")
    return out


def render_markdown(report: Report, options: RenderOptions) -> str:
    rules = rule_map(report)
    out: list[str] = ["# Contract clause report", ""]
    packs = pack_label(report)
    out.append(f"Checked against {md(packs) if packs else 'no rule pack'} with clause-lint {md(report.tool_version)}.")
    out.append("")
    if len(report.documents) > 1:
        out.extend(_summary(report, rules, options))
    for doc in report.documents:
        out.extend(_document(doc, rules, not_checked_reason(doc, report.packs)))
    return "\n".join(out).rstrip("\n") + "\n"


def _summary(report: Report, rules: dict, options: RenderOptions) -> list[str]:
    s = report.summary()
    out = ["## Summary", ""]
    st = s["statuses"]
    line = (f"{plural(s['documents'], 'document')}"
            + (f", {plural(s['not_checked'], 'document')} not checked (out of scope)" if s.get("not_checked") else "")
            + (f", {plural(s['errors'], 'document')} could not be read" if s["errors"] else "")
            + f". Across all documents: {st[PRESENT]} present, {st[WEAK]} weak, {st[MISSING]} missing, "
            f"{st[CONTRADICTED]} contradicted")
    if s["suppressed"]:
        line += f"; {s['suppressed']} waived"
    line += "."
    if options.fail_on != "never":
        line += f" {plural(count_failing(report, options.fail_on), 'finding')} at or above '{options.fail_on}'."
    out += [line, "", "### By rule", ""]
    header = "| Rule | Requirement | " + " | ".join(f"{STATUS_ICON[c]} {STATUS_WORD[c]}" for c in COLUMNS) + " |"
    out += [header, "| --- | --- |" + " ---: |" * len(COLUMNS)]
    counts = rule_counts(report)
    for rid in rule_ids(report):
        rule = rules.get(rid)
        title = getattr(rule, "title", None) or _title_from_results(report, rid)
        name = getattr(rule, "name", None) or ""
        cells = " | ".join(str(counts[rid][c]) for c in COLUMNS)
        out.append(f"| {md(rid)} {md(name)} | {md(title)} | {cells} |")
    out += ["", "### Documents, worst first", ""]
    out += ["| Document | ⛔ Contradicted | ❌ Missing | ⚠️ Weak | ✅ Present | 💤 Waived | Note |",
            "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for doc in worst_first(report.documents):
        if doc.error is not None:
            out.append(f"| {md(shown_path(doc.path))} | | | | | | Could not be read: {md(doc.error.message)} |")
            continue
        why = not_checked_reason(doc, report.packs)
        if why is not None:
            # Not 0/0/0/0/0: that would read as a clean document.
            out.append(f"| {md(shown_path(doc.path))} | \u2014 | \u2014 | \u2014 | \u2014 | \u2014 | **Not checked:** {md(why)} |")
            continue
        c = document_counts(doc)
        out.append(f"| {md(shown_path(doc.path))} | {c[CONTRADICTED]} | {c[MISSING]} | {c[WEAK]} | {c[PRESENT]} | "
                   f"{c[WAIVED]} | {md('; '.join(doc.warnings))} |")
    out.append("")
    return out


def _title_from_results(report: Report, rid: str) -> str:
    for d in report.documents:
        for r in d.results:
            if r.rule == rid:
                return r.title
    return ""


def _document(doc: DocumentResult, rules: dict, not_checked: Any = None) -> list[str]:
    out = [f"## {md(shown_path(doc.path))}", ""]
    meta = format_label(doc)
    if meta:
        out += [md(meta), ""]
    if doc.error is not None:
        out += [f"**Could not be read:** {md(doc.error.message)} ({code(doc.error.code)})", ""]
        return out
    for w in doc.warnings:
        out.append(f"> **Note:** {md(w)}")
    if doc.warnings:
        out.append("")
    if not_checked is not None:
        return out + [f"**Not checked:** {md(not_checked)}. Run with `--assume-applicable` to check it anyway.", ""]
    if not doc.results:
        return out + ["No rules were checked.", ""]
    out += ["| Rule | Requirement | Status |", "| --- | --- | --- |"]
    for res in doc.results:
        out.append(f"| {md(res.rule)} {md(res.name)} | {md(res.title)} | {status_badge(res)} |")
    out.append("")
    details = [r for r in doc.results if r.status in (WEAK, MISSING, CONTRADICTED)]
    if details:
        out += ["### Details", ""]
        for res in details:
            out.extend(_details(res, rules.get(res.rule)))
    return out


def _details(res: RuleResult, rule: Any) -> list[str]:
    out = [f"#### {status_badge(res)}: {md(res.rule)} {md(res.name)} — {md(res.title)}", ""]
    if res.suppressed is not None:
        out += [f"*Waived {md(suppression_note(res))}.*", ""]
    if res.message:
        out += [md(res.message), ""]
    evidence = ordered_evidence(res)
    for i, ev in enumerate(evidence):
        where = location_words(ev)
        label = "Evidence" if i == 0 else f"Also relevant ({md(ev.role)})"
        out.append(f"**{label}**{f' ({md(where)})' if where else ''}:")
        out.append("")
        if ev.text.strip():
            # Line breaks inside a clause are the layout's, not the author's: one paragraph.
            out.append(f"> {md(ev.text)}")
            out.append("")
        if ev.reason:
            out += [f"Why: {md(ev.reason)}", ""]
    if not evidence and res.status == MISSING:
        out += ["Nothing in the document addresses this requirement.", ""]
    fix = model_clause(res, rule)
    if fix:
        out += ["**Model clause:**", ""] + quote_block(fix) + [""]
    label, url = reference_of(res, rule)
    if url:
        out += [f"Reference: [{md(label or url)}](<{url}>)", ""]
    elif label:
        out += [f"Reference: {md(label)}", ""]
    return out
