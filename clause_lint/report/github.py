"""GitHub Actions workflow commands, which GitHub shows as annotations on a pull request.

``::error file=PATH,line=N,title=SFP101 no-lethal-use (weak)::message``. The command
is error/warning/notice by the finding's severity. Suppressed, present and
not-applicable results produce nothing; a document that could not be read is one
``::error file=PATH::message``.

Escaping follows the Actions runner: in the message ``%``, CR and LF are
percent-encoded; in property values also ``:`` and ``,``. Other control characters are
replaced first, so evidence cannot smuggle terminal escapes into the log.
"""

from __future__ import annotations

from ..results import Report, RuleResult, primary_evidence
from . import (
    RenderOptions,
    clean,
    location_words,
    model_clause,
    one_line,
    quoted,
    relative_path,
    rule_map,
    shorten,
    shown_path,
    start_line,
)

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return clean(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report, options: RenderOptions) -> str:
    rules = rule_map(report)
    lines: list[str] = []
    for doc in report.documents:
        path, _ = relative_path(doc.path, options.root)
        # A newline is percent-encoded exactly (the runner decodes it, so the
        # annotation lands on the real file); other control characters cannot be
        # encoded and are shown escaped.
        file_prop = "file=" + escape_property("\n".join(shown_path(p) for p in path.split("\n")))
        if doc.error is not None:
            lines.append(f"::error {file_prop}::{escape_data(one_line(doc.error.message))}")
            continue
        for w in doc.warnings:
            lines.append(f"::warning {file_prop}::{escape_data(one_line(w))}")
        for res in doc.results:
            if not res.is_finding or res.suppressed is not None:
                continue
            cmd = COMMAND.get(res.severity, "warning")
            ev = primary_evidence(res)
            line = start_line(ev)
            title = f"{res.rule} {one_line(res.name)} ({res.status})"
            props = f"{file_prop},line={line},title={escape_property(title)}"
            lines.append(f"::{cmd} {props}::{escape_data(_message(res, rules.get(res.rule)))}")
    return "".join(line + "\n" for line in lines)


def _message(res: RuleResult, rule: object) -> str:
    """Message, then where and why, then the fix: shown as separate lines in the annotation."""
    parts = [one_line(res.message)]
    ev = primary_evidence(res)
    if ev is not None:
        where = location_words(ev)
        reason = one_line(ev.reason)
        quote = shorten(ev.text, 300)
        detail = (f"{where[0].upper()}{where[1:]}: " if where else "") + quoted(quote)
        if detail:
            parts.append(detail)
        if reason:
            parts.append(f"Reason: {reason}")
    fix = model_clause(res, rule)
    if fix:
        parts.append("Fix: " + one_line(fix))
    return "\n".join(p for p in parts if p)
