"""Reporters: a :class:`~clause_lint.results.Report` in, text out.

``render(report, fmt, options)`` is the one entry point; each format lives in its own
module. Reporters never change the report, and the same report with the same options
always gives the same string (no timestamps, no machine-specific paths unless the
input path already was one).

The helpers here are shared so that every format agrees on what a "finding" is, which
finding "fails" at a given level, where a result points, and how it is fingerprinted.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Iterable, Optional
from urllib.parse import quote

from ..results import (
    CONTRADICTED,
    MISSING,
    NOT_APPLICABLE,
    PRESENT,
    SEVERITY_RANK,
    WEAK,
    DocumentResult,
    Evidence,
    Report,
    RuleResult,
    primary_evidence,
)
from ..text import printable

FORMATS = ("text", "json", "jsonl", "sarif", "junit", "github", "markdown", "html")
FAIL_LEVELS = ("error", "warning", "info", "never")

# Shown instead of a status when a finding is suppressed (waiver, baseline, inline).
WAIVED = "waived"


@dataclass(frozen=True)
class RenderOptions:
    """How to render; every field has a default so ``RenderOptions()`` just works.

    ``fail_on``: a finding *fails* when it is not suppressed and its severity is at
    least this level (``never``: nothing fails). ``root``: directory that SARIF and
    GitHub paths are made relative to (default: the current directory).
    ``show_present``: list rules that passed in the text output. ``verbose``: show
    every piece of evidence, not only the one that decided the status.
    ``inline_errors``: the text output lists documents that could not be read.
    """

    color: bool = False
    fail_on: str = "error"
    root: Optional[str] = None
    show_present: bool = True
    verbose: bool = False
    inline_errors: bool = True  # text: list unreadable documents in place (they also go to stderr)


def render(report: Report, fmt: str, options: Optional[RenderOptions] = None) -> str:
    """Render ``report`` in format ``fmt`` (one of :data:`FORMATS`)."""
    options = options or RenderOptions()
    if options.fail_on not in FAIL_LEVELS:
        raise ValueError(f"unknown fail level {options.fail_on!r}; use one of {', '.join(FAIL_LEVELS)}")
    # Imported here so that importing clause_lint.report (for fingerprint, FORMATS) is cheap.
    if fmt == "text":
        from .text import render_text as fn
    elif fmt == "json":
        from .json_report import render_json as fn
    elif fmt == "jsonl":
        from .jsonl import render_jsonl as fn
    elif fmt == "sarif":
        from .sarif import render_sarif as fn
    elif fmt == "junit":
        from .junit import render_junit as fn
    elif fmt == "github":
        from .github import render_github as fn
    elif fmt == "markdown":
        from .markdown import render_markdown as fn
    elif fmt == "html":
        from .html_report import render_html as fn
    else:
        raise ValueError(f"unknown output format {fmt!r}; use one of {', '.join(FORMATS)}")
    return fn(report, options)


# --------------------------------------------------------------------------- findings


def fail_rank(fail_on: str) -> Optional[int]:
    """Severity rank a finding needs to fail, or ``None`` when nothing fails."""
    if fail_on == "never":
        return None
    return SEVERITY_RANK[fail_on]


def fails(result: RuleResult, fail_on: str) -> bool:
    """True when ``result`` is an unsuppressed finding at or above ``fail_on``."""
    rank = fail_rank(fail_on)
    if rank is None or result.suppressed is not None or not result.is_finding:
        return False
    return SEVERITY_RANK.get(result.severity, 0) >= rank


def count_failing(report: Report, fail_on: str) -> int:
    return sum(1 for d in report.documents for r in d.results if fails(r, fail_on))


def display_status(result: RuleResult) -> str:
    """The status a person should see: ``waived`` wins over the underlying status."""
    return WAIVED if result.suppressed is not None else result.status


STATUS_WORD = {
    PRESENT: "Present",
    WEAK: "Weak",
    MISSING: "Missing",
    CONTRADICTED: "Contradicted",
    NOT_APPLICABLE: "Not applicable",
    WAIVED: "Waived",
}


# Icons for people-facing formats; always shown next to the word, never alone.
STATUS_ICON = {
    PRESENT: "\u2705",  # white heavy check mark
    WEAK: "\u26a0\ufe0f",  # warning sign
    MISSING: "\u274c",  # cross mark
    CONTRADICTED: "\u26d4",  # no entry
    WAIVED: "\U0001f4a4",  # zzz
    NOT_APPLICABLE: "\u2014",  # em dash
}


def status_badge(result: RuleResult) -> str:
    """``⚠️ Weak``; a waived result also says what it was: ``💤 Waived (weak)``."""
    shown = display_status(result)
    text = f"{STATUS_ICON.get(shown, '')} {STATUS_WORD.get(shown, shown)}".strip()
    if shown == WAIVED:
        text += f" ({STATUS_WORD.get(result.status, result.status).lower()})"
    return text


_SUPPRESSED_BY = {"inline": "inline comment", "waiver": "waiver", "baseline": "baseline"}


def suppression_note(result: RuleResult) -> str:
    """``"by waiver: reason"`` for a suppressed result, ``""`` otherwise."""
    s = result.suppressed
    if s is None:
        return ""
    note = "by " + _SUPPRESSED_BY.get(s.by, s.by)
    if s.reason:
        note += f": {one_line(s.reason)}"
    return note


def ordered_evidence(result: RuleResult) -> list[Evidence]:
    """All evidence, the deciding piece first, the rest in engine order."""
    first = primary_evidence(result)
    if first is None:
        return []
    return [first] + [e for e in result.evidence if e is not first]


# A label that names itself: "Section 2", "Exhibit 10.1", "Schedule A" (not "IV", "A.1").
_WORD_LABEL = re.compile(r"(?![ivxlcdm]+\b)[^\W\d_]{2,}", re.IGNORECASE)


def section_label(section: Optional[str]) -> str:
    """``§4.2(b)``; a label that starts with a word stays as it is (``Section 2``, ``Exhibit 10.1``)."""
    sec = one_line(section)
    if not sec or sec.startswith("§") or _WORD_LABEL.match(sec):
        return sec
    return f"§{sec}"


def location_label(ev: Optional[Evidence]) -> str:
    """Compact location: ``§4.2(b) p.3 l.12`` (``¶7`` for a Word paragraph, ``table 2
    r3c1`` for a table cell, ``l.4 char 31234`` on a very long line)."""
    if ev is None:
        return ""
    parts = []
    if ev.section:
        parts.append(section_label(ev.section))
    if ev.page is not None:
        parts.append(f"p.{ev.page}")
    if ev.line is not None:
        parts.append(f"l.{ev.line}" + (f" char {ev.column}" if ev.column is not None else ""))
    elif ev.table is not None:
        # Word numbers no paragraph, least of all in a table: say which cell.
        parts.append(f"table {ev.table} r{ev.row}c{ev.col}")
    elif ev.paragraph is not None:
        parts.append(f"¶{ev.paragraph}")
    return " ".join(parts)


def location_words(ev: Optional[Evidence]) -> str:
    """Location for people: ``section 4.2(b), page 3, line 12``; ``, read by OCR``
    when the quote was recognised from a scan (a lawyer must check it there)."""
    if ev is None:
        return ""
    parts = []
    if ev.section:
        sec = one_line(ev.section).lstrip("§").strip()
        parts.append(sec if _WORD_LABEL.match(sec) else f"section {sec}")
    if ev.page is not None:
        parts.append(f"page {ev.page}")
    if ev.line is not None:
        parts.append(f"line {ev.line}" + (f", character {ev.column}" if ev.column is not None else ""))
    elif ev.table is not None:
        parts.append(f"table {ev.table}, row {ev.row}, cell {ev.col}")
    elif ev.paragraph is not None:
        parts.append(f"paragraph {ev.paragraph}")
    if getattr(ev, "source", None) == "ocr":
        parts.append("read by OCR")
    return ", ".join(parts)


def start_line(ev: Optional[Evidence]) -> int:
    """A 1-based line to point at: the line, else the Word paragraph, else 1.

    Missing clauses have no evidence and point at the document's first line.
    """
    if ev is not None:
        for value in (ev.line, ev.paragraph):
            if value is not None and value >= 1:
                return value
    return 1


# --------------------------------------------------------------------------- rules


def rule_map(report: Report) -> dict[str, Any]:
    """Rule id -> Rule object for the rules the report was run with."""
    return {getattr(r, "id"): r for r in report.rules}


def rule_ids(report: Report) -> list[str]:
    """Every rule id in a stable order: the selected rules, then any only seen in results."""
    ids = [getattr(r, "id") for r in report.rules]
    seen = set(ids)
    for doc in report.documents:
        for res in doc.results:
            if res.rule not in seen:
                seen.add(res.rule)
                ids.append(res.rule)
    return ids


def model_clause(result: RuleResult, rule: Any = None) -> Optional[str]:
    """The model clause language that would fix ``result``."""
    if result.remediation:
        return result.remediation
    if rule is not None:
        fix = getattr(rule, "fix", None) or {}
        return fix.get(result.status) or fix.get(MISSING)
    return None


def reference_of(result: Optional[RuleResult], rule: Any = None) -> tuple[str, Optional[str]]:
    """``(label, url)`` of the standard a rule comes from; url only if http(s)."""
    ref = getattr(rule, "reference", None) or {}
    label_parts = [p for p in (ref.get("section"), ref.get("title")) if p]
    label = " ".join(label_parts)
    url = ref.get("url")
    if result is not None and result.reference:
        if _is_web_url(result.reference):
            url = url or result.reference
        elif not label:
            label = result.reference
    if url and not _is_web_url(url):
        url = None
    return one_line(label), url


def _is_web_url(value: str) -> bool:
    return bool(re.match(r"https?://[^\s<>\"]+$", value or ""))


# --------------------------------------------------------------------------- text hygiene

# C0/C1 controls (not tab/newline), lone surrogates and non-characters: they break XML,
# HTML, terminals (escape-sequence injection) or UTF-8 encoding of the output.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean(text: Optional[str]) -> str:
    """Replace characters no output format can carry safely with U+FFFD."""
    if not text:
        return ""
    return _UNSAFE.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))


def one_line(text: Optional[str]) -> str:
    """``clean`` and fold all whitespace, newlines included, to single spaces."""
    return " ".join(clean(text).split())


def shown_path(path: Optional[str]) -> str:
    """A document path as people-facing formats show it: every character that is not
    printable escaped (``\\n``, ``\\x1b``), so a hostile file name can neither break a
    line, drive a terminal nor be confused with another name. JSON and SARIF keep the
    exact path (their encoders escape it)."""
    return printable(path or "")


def shorten(text: Optional[str], width: int = 160) -> str:
    """One line of at most ``width`` characters, cut at a word with an ellipsis."""
    flat = one_line(text)
    if len(flat) <= width:
        return flat
    cut = flat[: width - 1]
    space = cut.rfind(" ")
    if space > width * 2 // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


def quoted(text: str) -> str:
    """``"text"``, with the passage's own double quotes nested as single ones, so a
    definition reads ``"'Field' means …"`` rather than ``""Field" means …"``."""
    return '"' + text.replace('"', "'") + '"' if text else ""


def plural(n: int, word: str, many: Optional[str] = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


# --------------------------------------------------------------------------- paths


def relative_path(path: str, root: Optional[str]) -> tuple[str, bool]:
    """``(posix_path, is_relative)`` of ``path`` against ``root`` (default: cwd).

    A relative input stays relative to the current directory without consulting
    the file system when no root is given, so the result does not depend on where
    the checkout lives. A path outside the root stays absolute only if it was given
    absolute; otherwise it keeps its ``../`` form.
    """
    if root is None and not os.path.isabs(path):
        return _posix(os.path.normpath(path)), True
    base = os.path.abspath(root or os.getcwd())
    full = os.path.abspath(path)
    try:
        rel = os.path.relpath(full, base)
    except ValueError:  # another drive on Windows
        return _posix(full), False
    if (rel == os.pardir or rel.startswith(os.pardir + os.sep)) and os.path.isabs(path):
        return _posix(full), False
    return _posix(rel), True


def _posix(path: str) -> str:
    return path.replace(os.sep, "/") if os.sep != "/" else path


def artifact_uri(path: str, root: Optional[str]) -> tuple[str, bool]:
    """``(uri, is_relative)``: a percent-encoded relative URI, or a ``file:`` URI."""
    posix, is_rel = relative_path(path, root)
    if is_rel:
        return quote(posix, safe="/"), True
    if not posix.startswith("/"):  # Windows drive path
        posix = "/" + posix
    return "file://" + quote(posix, safe="/:"), False


def root_uri(root: str) -> str:
    """``file:`` URI of an absolute directory, with the trailing slash SARIF wants."""
    posix = _posix(os.path.abspath(root))
    if not posix.startswith("/"):
        posix = "/" + posix
    if not posix.endswith("/"):
        posix += "/"
    return "file://" + quote(posix, safe="/:")


# --------------------------------------------------------------------------- summaries

COUNTED = (PRESENT, WEAK, MISSING, CONTRADICTED, WAIVED, NOT_APPLICABLE)


def document_counts(doc: DocumentResult) -> dict[str, int]:
    """How many rules of ``doc`` have each displayed status (suppressed -> waived)."""
    counts = {s: 0 for s in COUNTED}
    for r in doc.results:
        key = display_status(r)
        counts[key] = counts.get(key, 0) + 1
    return counts


def worst_first(documents: Iterable[DocumentResult]) -> list[DocumentResult]:
    """Documents that could not be read first, then most contradicted, missing, weak."""

    def key(item: tuple[int, DocumentResult]) -> tuple[int, int, int, int, int]:
        index, doc = item
        c = document_counts(doc)
        return (0 if doc.error else 1, -c[CONTRADICTED], -c[MISSING], -c[WEAK], index)

    return [doc for _, doc in sorted(enumerate(documents), key=key)]


def rule_counts(report: Report) -> dict[str, dict[str, int]]:
    """Per rule id, over all documents: how many have each displayed status."""
    out = {rid: {s: 0 for s in COUNTED} for rid in rule_ids(report)}
    for doc in report.documents:
        for r in doc.results:
            out[r.rule][display_status(r)] += 1
    return out


def format_label(doc: DocumentResult) -> str:
    """``PDF, 12 pages`` — what kind of file and how long, for headers."""
    parts = []
    if doc.format:
        parts.append(doc.format.upper() if len(doc.format) <= 4 else doc.format)
    if doc.pages is not None:
        parts.append(plural(doc.pages, "page"))
    return ", ".join(parts)


def pack_label(report: Report) -> str:
    return ", ".join(f"{p.title or p.name} ({p.name} {p.version})" if p.title else f"{p.name} {p.version}" for p in report.packs)


__all__ = [
    "FORMATS",
    "FAIL_LEVELS",
    "RenderOptions",
    "render",
    "fails",
]
