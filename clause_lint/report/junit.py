"""JUnit XML: a test suite per document, a test case per rule.

A case *fails* when its finding is unsuppressed and at or above ``--fail-on``;
suppressed (waived) and not-applicable results are *skipped*; a document that could
not be read is one case with an *error*. Findings below the fail level pass, with
their status in ``system-out`` so CI viewers still show them.

ElementTree escapes markup; characters XML 1.0 cannot carry at all (most control
characters) are replaced first, so the file is well-formed whatever the evidence says.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any, Optional

from ..results import NOT_APPLICABLE, PRESENT, DocumentResult, Report, RuleResult
from . import (
    RenderOptions,
    clean,
    fails,
    location_words,
    model_clause,
    one_line,
    ordered_evidence,
    rule_map,
    shown_path,
    suppression_note,
)


def render_junit(report: Report, options: RenderOptions) -> str:
    rules = rule_map(report)
    root = ET.Element("testsuites", {"name": "clause-lint"})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for doc in report.documents:
        suite, counts = _suite(doc, rules, options)
        root.append(suite)
        for k in totals:
            totals[k] += counts[k]
    for k, v in totals.items():
        root.set(k, str(v))
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(doc: DocumentResult, rules: dict, options: RenderOptions) -> tuple[ET.Element, dict[str, int]]:
    path = shown_path(doc.path)
    suite = ET.Element("testsuite", {"name": path})
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    props = [("format", doc.format), ("pages", doc.pages)]
    if any(v is not None for _, v in props) or doc.warnings:
        pe = ET.SubElement(suite, "properties")
        for name, value in props:
            if value is not None:
                ET.SubElement(pe, "property", {"name": name, "value": str(value)})
        for w in doc.warnings:
            ET.SubElement(pe, "property", {"name": "warning", "value": one_line(w)})

    if doc.error is not None:
        case = ET.SubElement(suite, "testcase", {"classname": path, "name": "read document"})
        err = ET.SubElement(case, "error", {"message": one_line(doc.error.message), "type": doc.error.code or "error"})
        err.text = clean(f"{path}: error: {doc.error.message}")
        counts["tests"] += 1
        counts["errors"] += 1
    for res in doc.results:
        counts["tests"] += 1
        case = ET.SubElement(suite, "testcase", {"classname": path, "name": f"{res.rule} {one_line(res.name)}"})
        if res.suppressed is not None:
            ET.SubElement(case, "skipped", {"message": f"{res.status}, waived {suppression_note(res)}"})
            counts["skipped"] += 1
        elif res.status == NOT_APPLICABLE:
            msg = one_line(res.message)
            if not msg.lower().startswith("not applicable"):
                msg = "not applicable" + (f": {msg}" if msg else "")
            ET.SubElement(case, "skipped", {"message": msg})
            counts["skipped"] += 1
        elif fails(res, options.fail_on):
            fail = ET.SubElement(case, "failure", {"message": one_line(f"{res.status}: {res.message}"),
                                                   "type": res.status})
            fail.text = _body(res, rules.get(res.rule))
            counts["failures"] += 1
        elif res.status != PRESENT:
            out = ET.SubElement(case, "system-out")
            out.text = _body(res, rules.get(res.rule), headline=True)
    for k, v in counts.items():
        suite.set(k, str(v))
    return suite, counts


def _body(res: RuleResult, rule: Any, headline: bool = False) -> str:
    """Evidence (with where it stands and why) and the model clause, as plain text."""
    lines: list[str] = []
    if headline:
        lines.append(f"{res.status} ({res.severity}): {one_line(res.message)}")
    for ev in ordered_evidence(res):
        where = location_words(ev)
        lines.append(f"Evidence{f' ({where})' if where else ''}: {one_line(ev.text)}")
        if ev.reason:
            lines.append(f"Reason: {one_line(ev.reason)}")
    fix: Optional[str] = model_clause(res, rule)
    if fix:
        lines.append("Model clause: " + clean(fix).strip())
    return clean("\n".join(lines))
