"""SARIF 2.1.0 output, valid against the OASIS schema and accepted by GitHub code scanning.

One run; ``tool.driver.rules`` describes every selected rule (with its model clause
as help); one result per finding (weak, missing or contradicted with a severity),
suppressed ones included with a SARIF ``suppressions`` entry so that viewers show
them as waived instead of losing them. Present and not-applicable results are not
findings and are not emitted.

SARIF has no notion of pages or clause numbers, so a location carries them in its
property bag (``page``, ``section``, ``paragraph``); ``region.startLine`` is the
line (or the Word paragraph number) and 1 when a clause is missing altogether.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from ..results import MISSING, DocumentResult, Evidence, Report, RuleResult, result_fingerprint
from . import (
    RenderOptions,
    artifact_uri,
    clean,
    location_words,
    model_clause,
    one_line,
    ordered_evidence,
    reference_of,
    root_uri,
    rule_ids,
    rule_map,
    start_line,
)

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "clauseLint/v1"

LEVEL = {"error": "error", "warning": "warning", "info": "note", "none": "none"}
SUPPRESSION_KIND = {"inline": "inSource", "waiver": "external", "baseline": "external"}


def render_sarif(report: Report, options: RenderOptions) -> str:
    return json.dumps(build_sarif(report, options), indent=2, ensure_ascii=False) + "\n"


def build_sarif(report: Report, options: RenderOptions) -> dict[str, Any]:
    """The SARIF log as plain data (tests and other tools can inspect it)."""
    rules = rule_map(report)
    ids = rule_ids(report)
    index = {rid: i for i, rid in enumerate(ids)}
    descriptors = [_descriptor(rid, rules.get(rid), _first_result(report, rid)) for rid in ids]

    results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    for doc in report.documents:
        uri, relative = artifact_uri(doc.path, options.root)
        artifact = {"uri": uri, "uriBaseId": SRCROOT} if relative else {"uri": uri}
        if doc.error is not None:
            notifications.append({
                "level": "error",
                "message": {"text": f"{one_line(doc.path)}: {one_line(doc.error.message)}"},
                "descriptor": {"id": doc.error.code or "error"},
                "locations": [{"physicalLocation": {"artifactLocation": dict(artifact)}}],
            })
            continue
        for w in doc.warnings:
            notifications.append({
                "level": "warning",
                "message": {"text": f"{one_line(doc.path)}: {one_line(w)}"},
                "locations": [{"physicalLocation": {"artifactLocation": dict(artifact)}}],
            })
        for res in doc.results:
            if res.is_finding:
                results.append(_result(doc, res, artifact, index[res.rule], rules.get(res.rule)))

    invocation: dict[str, Any] = {
        "executionSuccessful": not any(d.error is not None for d in report.documents),
    }
    if notifications:
        invocation["toolExecutionNotifications"] = notifications

    driver: dict[str, Any] = {
        "name": "clause-lint",
        "version": report.tool_version,
        "rules": descriptors,
    }
    run: dict[str, Any] = {"tool": {"driver": driver}, "invocations": [invocation]}
    if options.root is not None:
        # An absolute root is only written when the caller chose one: by default the
        # log names no directory of this machine.
        run["originalUriBaseIds"] = {SRCROOT: {"uri": root_uri(options.root)}}
    run["results"] = results
    run["columnKind"] = "unicodeCodePoints"
    run["properties"] = {"packs": [{"name": p.name, "version": p.version} for p in report.packs]}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _first_result(report: Report, rid: str) -> Optional[RuleResult]:
    for doc in report.documents:
        for r in doc.results:
            if r.rule == rid:
                return r
    return None


def _descriptor(rid: str, rule: Any, sample: Optional[RuleResult]) -> dict[str, Any]:
    """A reportingDescriptor; from the Rule when known, else from a result of it."""
    name = getattr(rule, "name", None) or (sample.name if sample else rid)
    title = getattr(rule, "title", None) or (sample.title if sample else "") or name
    summary = getattr(rule, "summary", "") or ""
    explanation = getattr(rule, "explanation", "") or ""
    pack = getattr(rule, "pack", None) or (sample.pack if sample else "")
    severity = rule.severity_for(MISSING) if rule is not None else (sample.severity if sample else "warning")
    fix = (getattr(rule, "fix", None) or {}).get(MISSING)
    ref_label, ref_url = reference_of(sample, rule)

    d: dict[str, Any] = {
        "id": rid,
        "name": one_line(name),
        "shortDescription": {"text": one_line(title)},
    }
    full = "\n\n".join(clean(p).strip() for p in (summary, explanation) if p and p.strip())
    if full:
        d["fullDescription"] = {"text": full}
    help_text, help_md = _help(title, summary, explanation, fix, ref_label, ref_url)
    d["help"] = {"text": help_text, "markdown": help_md}
    if ref_url:
        d["helpUri"] = ref_url
    d["defaultConfiguration"] = {"level": LEVEL.get(severity, "warning")}
    props: dict[str, Any] = {"pack": pack, "tags": [t for t in (pack, "clause-lint") if t]}
    ref = getattr(rule, "reference", None)
    if ref:
        props["reference"] = {k: clean(str(v)) for k, v in ref.items()}
    d["properties"] = props
    return d


def _help(title: str, summary: str, explanation: str, fix: Optional[str],
          ref_label: str, ref_url: Optional[str]) -> tuple[str, str]:
    text_parts = [one_line(title)]
    md_parts = [f"**{_md(one_line(title))}**"]
    for p in (summary, explanation):
        if p and p.strip():
            text_parts.append(clean(p).strip())
            md_parts.append(_md(clean(p).strip()))
    if fix:
        text_parts.append("Model clause:\n" + clean(fix).strip())
        md_parts.append("Model clause:\n\n" + "\n".join("> " + _md(line) if line.strip() else ">"
                                                         for line in clean(fix).strip().split("\n")))
    if ref_label or ref_url:
        text_parts.append("Reference: " + " ".join(x for x in (ref_label, ref_url) if x))
        if ref_url:
            md_parts.append(f"Reference: [{_md(ref_label or ref_url)}]({ref_url})")
        else:
            md_parts.append(f"Reference: {_md(ref_label)}")
    return "\n\n".join(text_parts), "\n\n".join(md_parts)


def _md(text: str) -> str:
    # Only what could break the help markup; the text is the pack author's prose.
    return text.replace("\\", "\\\\").replace("<", "&lt;").replace("*", "\\*").replace("_", "\\_")


def _message(res: RuleResult, ev: Optional[Evidence]) -> str:
    parts = [one_line(res.message) or f"{res.rule} is {res.status}."]
    if ev is not None:
        reason = one_line(ev.reason)
        where = location_words(ev)
        if reason:
            parts.append(f"Reason: {reason}.")
        if ev.text.strip():
            parts.append(f'Clause{f" ({where})" if where else ""}: "{one_line(ev.text)}"')
    return " ".join(p if p.endswith((".", '"', "!", "?")) else p + "." for p in parts)


def _location(artifact: dict[str, Any], ev: Optional[Evidence]) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": start_line(ev)}
    if ev is not None and ev.text.strip():
        region["snippet"] = {"text": clean(ev.text)}
    loc: dict[str, Any] = {"physicalLocation": {"artifactLocation": dict(artifact), "region": region}}
    if ev is not None:
        props = {k: v for k, v in (("section", one_line(ev.section) or None), ("page", ev.page),
                                   ("line", ev.line), ("paragraph", ev.paragraph)) if v is not None}
        if props:
            loc["properties"] = props
    return loc


def _result(doc: DocumentResult, res: RuleResult, artifact: dict[str, Any], rule_index: int,
            rule: Any) -> dict[str, Any]:
    evidence = ordered_evidence(res)
    first = evidence[0] if evidence else None
    out: dict[str, Any] = {
        "ruleId": res.rule,
        "ruleIndex": rule_index,
        "level": LEVEL.get(res.severity, "warning"),
        "message": {"text": _message(res, first)},
        "locations": [_location(artifact, first)],
    }
    related = []
    for i, ev in enumerate(evidence[1:], start=1):
        loc = _location(artifact, ev)
        loc["id"] = i
        loc["message"] = {"text": f"{ev.role}: {one_line(ev.reason)}" if ev.reason else ev.role}
        related.append(loc)
    if related:
        out["relatedLocations"] = related
    out["partialFingerprints"] = {FINGERPRINT_KEY: result_fingerprint(doc.path, res)}
    if res.suppressed is not None:
        sup: dict[str, Any] = {"kind": SUPPRESSION_KIND.get(res.suppressed.by, "external"), "status": "accepted"}
        if res.suppressed.reason:
            sup["justification"] = one_line(res.suppressed.reason)
        sup["properties"] = {"by": res.suppressed.by}
        out["suppressions"] = [sup]
    fix = model_clause(res, rule)
    props: dict[str, Any] = {"status": res.status, "severity": res.severity, "pack": res.pack}
    if fix:
        props["modelClause"] = clean(fix)
    out["properties"] = props
    return out
