"""Terminal output: one block per document, one entry per rule, a summary line.

Written to be read by a lawyer in a terminal or a CI log: the status word comes
first, then the rule, then where in the document to look, the reason, the clause
text quoted, and for anything short of ``present`` the model clause that would fix it.
"""

from __future__ import annotations

import textwrap

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
    pack_subject,
    primary_evidence,
)
from . import (
    RenderOptions,
    count_failing,
    format_label,
    location_label,
    model_clause,
    one_line,
    ordered_evidence,
    plural,
    quoted,
    rule_map,
    shorten,
    shown_path,
    suppression_note,
)

WIDTH = 100  # fixed, not the terminal's: the same report gives the same bytes
BADGE_WIDTH = 12  # len("CONTRADICTED")
INDENT = " " * (2 + BADGE_WIDTH + 2)

BADGE = {
    PRESENT: "PRESENT",
    WEAK: "WEAK",
    MISSING: "MISSING",
    CONTRADICTED: "CONTRADICTED",
    NOT_APPLICABLE: "N/A",
}

_RESET = "\x1b[0m"
COLOUR = {
    PRESENT: "\x1b[32m",  # green
    WEAK: "\x1b[33m",  # yellow
    MISSING: "\x1b[31m",  # red
    CONTRADICTED: "\x1b[1;31m",  # bold red
    NOT_APPLICABLE: "\x1b[2m",  # dim
    "waived": "\x1b[36m",  # cyan
    "error": "\x1b[1;31m",
    "warning": "\x1b[33m",
    "header": "\x1b[1m",
    "dim": "\x1b[2m",
}


class _Painter:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, key: str, text: str) -> str:
        if not self.enabled or not text:
            return text
        return f"{COLOUR[key]}{text}{_RESET}"


def render_text(report: Report, options: RenderOptions) -> str:
    paint = _Painter(options.color)
    rules = rule_map(report)
    out: list[str] = []
    for doc in report.documents:
        if doc.error is not None and not options.inline_errors:
            continue
        out.extend(_document(doc, rules, options, paint, report))
        out.append("")
    out.append(_summary(report, options))
    return "\n".join(out) + "\n"


def _document(doc: DocumentResult, rules: dict, options: RenderOptions, paint: _Painter, report: Report) -> list[str]:
    path = shown_path(doc.path)
    if doc.error is not None:
        return [f"{path}: {paint('error', 'error')}: {one_line(doc.error.message)}"]
    meta = format_label(doc)
    why = not_checked_reason(doc, report.packs)
    if why is not None:
        # Out of scope: one line, not a block of "N/A" per rule.
        return [f"{paint('header', path)}{f' ({meta})' if meta else ''}: {paint(NOT_APPLICABLE, 'not checked')}: "
                f"{one_line(why)} (--assume-applicable checks it anyway)"]
    lines = [paint("header", path) + (f" ({meta})" if meta else "")]
    for w in doc.warnings:
        lines.append(f"{path}: {paint('warning', 'warning')}: {one_line(w)}")
    skipped = {name for name, applies in doc.applicable.items() if not applies}
    for name in sorted(skipped):
        pack = next((p for p in report.packs if p.name == name), None)
        lines.append(f"  {paint(NOT_APPLICABLE, 'NOT CHECKED'.ljust(BADGE_WIDTH))}  "
                     + one_line(f"{pack.title or name if pack else name}: not about {pack_subject(pack) if pack else 'its subject'}"))
    for res in doc.results:
        if res.status == PRESENT and res.suppressed is None and not options.show_present:
            continue
        if res.status == NOT_APPLICABLE and res.pack in skipped:
            continue
        lines.extend(_result(res, rules.get(res.rule), options, paint))
    return lines


def _result(res: RuleResult, rule: object, options: RenderOptions, paint: _Painter) -> list[str]:
    first = primary_evidence(res)
    where = location_label(first)
    head_rule = f"{res.rule} {one_line(res.name)}"
    if res.suppressed is not None:
        badge = f"WAIVED ({suppression_note(res)})"
        head = f"  {paint('waived', badge)}  {head_rule}"
    else:
        badge = BADGE.get(res.status, res.status.upper())
        head = f"  {paint(res.status, badge.ljust(BADGE_WIDTH))}  {head_rule}"
    if where:
        head += f"  {paint('dim', where)}"
    lines = [head]

    message = one_line(res.message)
    if res.suppressed is not None:
        message = f"Was {BADGE.get(res.status, res.status).lower()}: {message}"
    if message:
        lines.extend(_wrap(message, INDENT))

    evidence = ordered_evidence(res) if options.verbose else ([first] if first else [])
    for i, ev in enumerate(evidence):
        quote = shorten(ev.text)
        if quote and getattr(ev, "source", None) == "ocr":
            quote += " [read by OCR]"
        if i == 0:
            piece = quoted(quote)
        else:
            # Further evidence says where it stands and what role it plays.
            where_ev = location_label(ev)
            piece = f"Also{f' {where_ev}' if where_ev else ''} ({ev.role})" + (f": {quoted(quote)}" if quote else "")
        if piece:
            lines.extend(_wrap(piece, INDENT))
        reason = one_line(ev.reason)
        if reason:
            lines.extend(_wrap(f"Why: {reason}", INDENT))
        reading = provision_reading(ev)
        if reading and i == 0:
            lines.extend(_wrap(f"Read as: {one_line(reading)}", INDENT))

    if res.status in (WEAK, MISSING, CONTRADICTED) and res.suppressed is None:
        fix = model_clause(res, rule)
        if fix:
            lines.extend(_wrap_fix(fix))
    return lines


def provision_reading(ev) -> str:
    """The deciding provision as a lawyer would restate it: "prohibition 'shall not';
    actor: Customer; action: use; purpose: in any weapon system"."""
    prov = getattr(ev, "provision", None)
    if not prov:
        return ""
    head = f"{prov.get('modality')} '{prov.get('cue')}'" if prov.get("cue") else str(prov.get("modality"))
    if not prov.get("binding", True):
        head += " (not binding)"
    roles = "; ".join(f"{k}: {shorten(v, 60)}" for k, v in (prov.get("roles") or {}).items())
    return f"{head}; {roles}" if roles else head


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, width=WIDTH, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False) or [indent.rstrip()]


def _wrap_fix(fix: str) -> list[str]:
    """``Fix: `` then the model clause, paragraphs kept, continuation lines aligned."""
    lead = INDENT + "Fix: "
    hang = " " * len(lead)
    lines: list[str] = []
    paragraphs = [one_line(p) for p in fix.split("\n") if p.strip()]
    for i, para in enumerate(paragraphs):
        lines.extend(textwrap.wrap(para, width=WIDTH, initial_indent=lead if i == 0 else hang,
                                   subsequent_indent=hang, break_long_words=False,
                                   break_on_hyphens=False))
    return lines


def _summary(report: Report, options: RenderOptions) -> str:
    s = report.summary()
    st = s["statuses"]
    total = sum(st.values())
    parts = [f"{st[PRESENT]} present", f"{st[WEAK]} weak", f"{st[MISSING]} missing", f"{st[CONTRADICTED]} contradicted"]
    if st.get(NOT_APPLICABLE):
        parts.append(f"{st[NOT_APPLICABLE]} not applicable")
    line = f"{plural(s['documents'], 'document')}, {plural(total, 'rule')}: {', '.join(parts)}"
    if s["suppressed"]:
        line += f" ({s['suppressed']} waived)"
    if s.get("not_checked"):
        line += f"; {plural(s['not_checked'], 'document')} not checked (out of scope)"
    line += f"; {plural(s['errors'], 'error')}"
    if options.fail_on == "never":
        findings = sum(1 for d in report.documents for r in d.results if r.is_finding and r.suppressed is None)
        line += f"; {plural(findings, 'finding')}, none failing (fail level 'never')"
    else:
        line += f"; {plural(count_failing(report, options.fail_on), 'finding')} at or above '{options.fail_on}'"
    return line
