"""Output of ``clause-lint diff``: a :class:`~clause_lint.diff.DiffReport` in, text out.

* ``text`` — for a terminal: regressions first (the word diff git-style,
  ``[-shall-]{+should+}``, coloured on a terminal), then improvements, then one line
  of unchanged rules and the clauses that only moved;
* ``json`` — :meth:`DiffReport.to_dict`, keys sorted: byte-stable;
* ``markdown`` — a pull-request comment: a table of changed rules, each regression
  with the clause before and after, the changed words and the model clause;
* ``sarif`` — SARIF 2.1.0 with one result per regression, located in the NEW version
  (where a reviewer can act on it), with the old clause as a related location.

Like every reporter this never changes the report and gives the same bytes for the
same report and options.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any, Optional

from ..diff import EDITED, MOVED, REGRESSION, SAME, ClauseChange, DiffReport, RuleDiff, WordDiff, compact
from ..results import Evidence
from . import (
    STATUS_ICON,
    STATUS_WORD,
    RenderOptions,
    artifact_uri,
    clean,
    location_label,
    location_words,
    one_line,
    plural,
    shorten,
    suppression_note,
)

DIFF_FORMATS = ("text", "json", "markdown", "sarif")


def render_diff(report: DiffReport, fmt: str, options: Optional[RenderOptions] = None) -> str:
    """Render ``report`` in ``fmt`` (one of :data:`DIFF_FORMATS`)."""
    options = options or RenderOptions()
    if fmt == "text":
        return _text(report, options)
    if fmt == "json":
        return json.dumps(report.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return _markdown(report, options)
    if fmt == "sarif":
        return json.dumps(build_diff_sarif(report, options), indent=2, ensure_ascii=False) + "\n"
    raise ValueError(f"unknown diff format {fmt!r}; use one of {', '.join(DIFF_FORMATS)}")


def _side_name(side: Any) -> str:
    return one_line(side.label or side.path)


def _fail_note(report: DiffReport, fail_on: str) -> str:
    if fail_on == "never":
        return ""
    n = len(report.failing(fail_on))
    return f"{plural(n, 'regression')} at or above '{fail_on}'"


# --------------------------------------------------------------------------- text

_RED, _GREEN, _BOLD, _DIM, _RESET = "\x1b[31m", "\x1b[32m", "\x1b[1m", "\x1b[2m", "\x1b[0m"
WIDTH = 100  # fixed, as in the check report: the same diff gives the same bytes anywhere


def _wrap(indent: str, text: str, hang: int = 2) -> list[str]:
    """``text`` wrapped at :data:`WIDTH` with a hanging indent; words are never split,
    so the colour codes and [-…-]{+…+} marks stay whole."""
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + " " * hang,
                         break_long_words=False, break_on_hyphens=False) or [indent]


def _words_text(ws: list[WordDiff], color: bool) -> str:
    out = []
    for w in compact(ws):
        text = one_line(w.text)
        if w.op == "delete":
            out.append(f"{_RED}[-{text}-]{_RESET}" if color else f"[-{text}-]")
        elif w.op == "insert":
            out.append(f"{_GREEN}{{+{text}+}}{_RESET}" if color else f"{{+{text}+}}")
        else:
            out.append(text)
    return " ".join(out)


def _clause_lines(c: ClauseChange, color: bool, indent: str) -> list[str]:
    out = _wrap(indent, c.describe())
    if c.change in (SAME, MOVED):
        return out
    return out + _wrap(indent + "  ", _words_text(c.words, color), 0)


def _evidence_line(label: str, ev: Optional[Evidence], status: str, indent: str) -> list[str]:
    if ev is None:
        return _wrap(indent, f"{label}: {status}")
    where = location_label(ev)
    return _wrap(indent, f"{label}: {status}{f' ({where})' if where else ''} — {one_line(ev.reason)}", 8)


def _rule_text(rd: RuleDiff, color: bool, fail_on: str) -> list[str]:
    mark = "✗" if rd.change == REGRESSION else "✓"
    head = f"  {mark} {rd.rule} {rd.name}  {rd.before} → {rd.after}"
    if rd.change == REGRESSION:
        head += f"  [{rd.severity}{', fails' if rd.fails(fail_on) else ''}]"
        if rd.suppressed is not None:
            head += f"  waived {suppression_note(rd.result_after)}"
    if color:
        head = f"{_BOLD}{head}{_RESET}"
    out = [head]
    ind = "      "
    for rev in rd.revisions:
        out += _wrap(ind, f"cause: {rev.describe()}: “{shorten(rev.text, 80)}”", 7)
    out += _evidence_line("before", rd.evidence_before, rd.before, ind)
    out += _evidence_line("after ", rd.evidence_after, rd.after, ind)
    for c in rd.clauses:
        out.extend(_clause_lines(c, color, ind))
    if not any(c.text_changed for c in rd.clauses):
        out += _wrap(ind, "the deciding clause reads the same: the verdict changed because of other text "
                          "(a definition, a lead-in, a heading or another clause)")
    if rd.change == REGRESSION and rd.remediation:
        out += _wrap(ind, f"model clause: {one_line(rd.remediation)}", 14)
    return out


def _text(report: DiffReport, options: RenderOptions) -> str:
    color = options.color
    out = _wrap("", f"clause-lint diff: {_side_name(report.old)} → {_side_name(report.new)}")
    out.append("packs: " + ", ".join(f"{p.name} {p.version}" for p in report.packs))
    for w in report.warnings:
        out.append(f"note: {one_line(w)}")
    for side in (report.old, report.new):
        for w in side.warnings:
            out.append(f"{_side_name(side)}: warning: {one_line(w)}")
    for title, group in (("Regressions", report.regressions), ("Improvements", report.improvements)):
        out += ["", f"{title} ({len(group)})" + (":" if group else "")]
        for rd in group:
            out.extend(_rule_text(rd, color, options.fail_on))
    unchanged = report.unchanged
    out += ["", f"Unchanged ({len(unchanged)})" + (":" if unchanged else "")]
    if unchanged:
        out += _wrap("  ", ", ".join(f"{r.rule} {r.after}" for r in unchanged))
        for rd in unchanged:
            for c in rd.clauses:
                if c.change != SAME:
                    out.append(f"  {rd.rule}: {c.describe()}")
    s = f"{plural(len(report.regressions), 'regression')}, {plural(len(report.improvements), 'improvement')}, {len(unchanged)} unchanged"
    note = _fail_note(report, options.fail_on)
    out += ["", s + (f"; {note}." if note else ".")]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- markdown


def _md_words(ws: list[WordDiff]) -> str:
    from .markdown import md

    out = []
    for w in compact(ws):
        if w.op == "delete":
            out.append(f"~~{md(w.text)}~~")
        elif w.op == "insert":
            out.append(f"**{md(w.text)}**")
        else:
            out.append(md(w.text))
    return " ".join(out)


def _badge(status: str) -> str:
    return f"{STATUS_ICON.get(status, '')} {STATUS_WORD.get(status, status)}".strip()


def _markdown(report: DiffReport, options: RenderOptions) -> str:
    from .markdown import code, md, quote_block

    out = ["### clause-lint: what this change does to the document's protections", ""]
    out.append(f"{code(_side_name(report.old))} → {code(_side_name(report.new))} · "
               + ", ".join(f"{md(p.name)} {md(p.version)}" for p in report.packs))
    out.append("")
    line = (f"**{plural(len(report.regressions), 'regression')}**, {plural(len(report.improvements), 'improvement')}, "
            f"{len(report.unchanged)} unchanged")
    note = _fail_note(report, options.fail_on)
    out += [line + (f" — {note}." if note else "."), ""]
    for w in report.warnings:
        out += [f"> **Note:** {md(w)}", ""]
    changed = report.regressions + report.improvements
    if changed:
        out += ["| | Rule | Before | After | Clause |", "| --- | --- | --- | --- | --- |"]
        for rd in changed:
            icon = "🔻" if rd.change == REGRESSION else "🔺"
            what = "; ".join(c.describe() for c in rd.clauses if c.change != SAME) or "text unchanged"
            out.append(f"| {icon} | {md(rd.rule)} {md(rd.title)} | {_badge(rd.before)} | {_badge(rd.after)} | {md(what)} |")
        out.append("")
    for rd in changed:
        kind = "Regression" if rd.change == REGRESSION else "Improvement"
        out += [f"#### {kind}: {md(rd.rule)} {md(rd.title)} — {md(rd.before)} → {md(rd.after)}", ""]
        if rd.suppressed is not None:
            out += [f"*Waived {md(suppression_note(rd.result_after))}.*", ""]
        if rd.message:
            out += [md(rd.message), ""]
        for rev in rd.revisions:
            out += [f"- Caused by {md(rev.describe())}: “{md(shorten(rev.text, 120))}”"]
        if rd.revisions:
            out.append("")
        for c in rd.clauses:
            if c.old is not None:
                out += [f"**Before** ({md(location_words(c.old.as_evidence()))}):", ""] + quote_block(c.old.text) + [""]
            if c.new is not None:
                out += [f"**After** ({md(location_words(c.new.as_evidence()))}):", ""] + quote_block(c.new.text) + [""]
            if c.change == EDITED:  # a removed or added clause is quoted in full above
                out += [f"**Changed words:** {_md_words(c.words)}", ""]
        if not any(c.text_changed for c in rd.clauses):
            out += ["The deciding clause reads the same; the verdict changed because of other text.", ""]
        if rd.change == REGRESSION and rd.remediation:
            out += ["**Model clause:**", ""] + quote_block(rd.remediation) + [""]
    unchanged = report.unchanged
    if unchanged:
        out += [f"<details><summary>{plural(len(unchanged), 'unchanged rule')}</summary>", ""]
        out += ["| Rule | Status | Note |", "| --- | --- | --- |"]
        for rd in unchanged:
            note = "; ".join(c.describe() for c in rd.clauses if c.change != SAME)
            out.append(f"| {md(rd.rule)} {md(rd.title)} | {_badge(rd.after)} | {md(note)} |")
        out += ["", "</details>", ""]
    return "\n".join(out).rstrip("\n") + "\n"


# --------------------------------------------------------------------------- sarif


def build_diff_sarif(report: DiffReport, options: RenderOptions) -> dict[str, Any]:
    """SARIF 2.1.0: every rule described; one result per regression, in NEW."""
    from .sarif import FINGERPRINT_KEY, LEVEL, SCHEMA_URI, SRCROOT, _descriptor, _location
    from ..results import result_fingerprint
    from . import root_uri

    rules = {getattr(r, "id"): r for r in report.rule_objects}
    ids = [rd.rule for rd in report.rules]
    index = {rid: i for i, rid in enumerate(ids)}
    descriptors = [_descriptor(rd.rule, rules.get(rd.rule), rd.result_after) for rd in report.rules]

    def artifact(path: str) -> dict[str, Any]:
        uri, relative = artifact_uri(path, options.root)
        return {"uri": uri, "uriBaseId": SRCROOT} if relative else {"uri": uri}

    new_art, old_art = artifact(report.new.path), artifact(report.old.path)
    results = []
    for rd in report.regressions:
        where = rd.evidence_after or next((c.new.as_evidence() for c in rd.clauses if c.new is not None), None)
        loc = _location(new_art, where)
        text = f"{rd.rule} {rd.name}: {rd.before} → {rd.after}. {one_line(rd.message)}"
        cause = "; ".join(c.describe() for c in rd.clauses if c.change != SAME)
        if rd.revisions:
            text += " " + rd.summary() + "."
        elif cause:
            text += f" ({cause})."
        out: dict[str, Any] = {
            "ruleId": rd.rule,
            "ruleIndex": index[rd.rule],
            "level": LEVEL.get(rd.severity, "warning"),
            "message": {"text": clean(text)},
            "locations": [loc],
        }
        old_ev = rd.evidence_before or next((c.old.as_evidence() for c in rd.clauses if c.old is not None), None)
        if old_ev is not None:
            related = _location(old_art, old_ev)
            related["id"] = 1
            related["message"] = {"text": f"before ({rd.before}): {one_line(old_ev.reason) or 'the clause in the old version'}"}
            out["relatedLocations"] = [related]
        if rd.suppressed is not None:
            from .sarif import SUPPRESSION_KIND

            sup: dict[str, Any] = {"kind": SUPPRESSION_KIND.get(rd.suppressed.by, "external"), "status": "accepted"}
            if rd.suppressed.reason:
                sup["justification"] = one_line(rd.suppressed.reason)
            out["suppressions"] = [sup]
        if rd.result_after is not None:
            out["partialFingerprints"] = {FINGERPRINT_KEY: result_fingerprint(report.new.path, rd.result_after)}
        props: dict[str, Any] = {"before": rd.before, "after": rd.after, "severity": rd.severity, "pack": rd.pack}
        if rd.remediation:
            props["modelClause"] = clean(rd.remediation)
        out["properties"] = props
        results.append(out)
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "clause-lint", "version": report.tool_version, "rules": descriptors}},
        "invocations": [{"executionSuccessful": True}],
    }
    if options.root is not None:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": root_uri(options.root)}}
    run["results"] = results
    run["columnKind"] = "unicodeCodePoints"
    run["properties"] = {
        "packs": [{"name": p.name, "version": p.version} for p in report.packs],
        "diff": {"old": one_line(report.old.path), "new": one_line(report.new.path),
                 "regressions": len(report.regressions), "improvements": len(report.improvements)},
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
