"""Suppressions: inline comments in a document, and a reviewed waiver file.

A suppressed finding keeps its status and gains ``RuleResult.suppressed``; reporters
show it as *waived* and it no longer counts for the exit code. Only findings (weak,
missing, contradicted with a severity) are ever suppressed.

Inline, in .md/.html (``<!-- … -->``) and .txt (``#`` or ``//`` at line start)::

    clause-lint: disable SFP202, SFP301 -- reason     until `enable` or the end of file
    clause-lint: enable SFP202                         ends an open `disable`
    clause-lint: disable-next-line SFP202 -- reason    the next paragraph only
    clause-lint: disable-file SFP202 -- reason         the whole document

``all`` stands for every rule. A result is covered when the line of its deciding
evidence is inside a disabled range; a *missing* clause has no line, so only
``disable-file`` covers it.

Waiver file (``clause-lint-waivers.yaml``)::

    waivers:
      - document: "vendors/acme/*.pdf"   # glob, relative to the waiver file's folder
        rule: SFP202                     # rule id or name
        reason: Acme is contractually barred from third-party benchmarks.
        approved_by: J. Doe (Legal)
        expires: 2026-06-30              # YYYY-MM-DD; on that day it stops applying
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional

from . import yamlsafe
from .errors import ConfigError
from .results import MISSING, DocumentResult, Report, RuleResult, Suppression

INLINE_FORMATS = ("md", "txt", "html")
VERBS = ("disable", "enable", "disable-next-line", "disable-file")
ALL = "all"

_DIRECTIVE = re.compile(r"^\s*clause-lint\s*:\s*(?P<body>.*)$", re.IGNORECASE | re.DOTALL)
# "-- reason"; an em or en dash (as word processors turn "--" into) works too.
_REASON_SPLIT = re.compile(r"(?:^|\s+)(?:--|\u2014|\u2013)(?:\s+|$)")


@dataclass
class Notice:
    """A warning for stderr; ``strict`` ones fail the run under ``--strict-waivers``."""

    message: str
    strict: bool = False
    kind: str = ""  # "expired" or "unused" for waiver notices


# =========================================================================== inline


@dataclass
class InlineRule:
    """One inline suppression: ``rules`` (ids; empty = all) over lines [start, end]."""

    rules: frozenset[str]
    reason: Optional[str]
    line: int  # where the comment is
    start: int = 0
    end: Optional[int] = None  # None: to the end of the document
    whole_file: bool = False
    excluded: frozenset[str] = frozenset()  # re-enabled inside a `disable all`

    def covers(self, result: RuleResult) -> bool:
        if self.rules and result.rule not in self.rules:
            return False
        if result.rule in self.excluded:
            return False
        if self.whole_file:
            return True
        if result.status == MISSING:
            return False  # no line to be inside of: only disable-file reaches it
        from .results import primary_evidence

        ev = primary_evidence(result)
        if ev is None or ev.line is None:
            return False
        return self.start <= ev.line and (self.end is None or ev.line <= self.end)


def parse_inline(
    comments: Iterable[dict[str, Any]],
    block_lines: Iterable[int],
    known: dict[str, str],
    exact: bool = True,
) -> tuple[list[InlineRule], list[str]]:
    """Turn a document's comments into suppressions.

    ``comments``: ``[{"line": n, "text": "..."}]`` as the text readers record them.
    ``block_lines``: the first line of every body paragraph (for ``disable-next-line``).
    ``known``: rule id or name -> rule id; ``exact``: ``known`` holds every rule of
    the packs, so an id not in it is a mistake worth a warning (when only some rules
    run, it may be one of the others). Returns the suppressions and warnings
    (``line N: ...``) about comments that could not be understood.
    """
    starts = sorted(set(block_lines))
    rules: list[InlineRule] = []
    warnings: list[str] = []
    open_ranges: list[InlineRule] = []
    for comment in sorted(comments, key=lambda c: c.get("line") or 0):
        m = _DIRECTIVE.match(str(comment.get("text") or ""))
        if not m:
            continue
        line = int(comment.get("line") or 1)
        body = " ".join(m.group("body").split())
        parts = _REASON_SPLIT.split(body, maxsplit=1)
        head = parts[0].strip()
        reason = parts[1].strip() if len(parts) > 1 and parts[1].strip() else None
        verb, _, id_text = head.partition(" ")
        verb = verb.lower()
        if verb not in VERBS:
            warnings.append(f"line {line}: unknown clause-lint comment {verb!r}; use {', '.join(VERBS)}")
            continue
        ids = [x for x in re.split(r"[,\s]+", id_text) if x]
        if not ids:
            warnings.append(f"line {line}: clause-lint {verb} needs rule ids or 'all'")
            continue
        resolved: set[str] = set()
        every = False
        for ident in ids:
            if ident.lower() == ALL:
                every = True
            elif ident in known or ident.upper() in known:
                resolved.add(known.get(ident) or known[ident.upper()])
            elif exact:
                warnings.append(f"line {line}: unknown rule {ident!r} in clause-lint comment")
        if not every and not resolved:
            continue
        selected = frozenset() if every else frozenset(resolved)
        if verb == "enable":
            open_ranges, touched = _enable(open_ranges, selected, line, rules)
            if not touched:
                warnings.append(f"line {line}: clause-lint enable without a matching disable")
            continue
        if reason is None:
            warnings.append(f"line {line}: clause-lint {verb} without a reason (add '-- why')")
        if verb == "disable":
            r = InlineRule(selected, reason, line, start=line)
            open_ranges.append(r)
        elif verb == "disable-file":
            r = InlineRule(selected, reason, line, whole_file=True)
        else:  # disable-next-line: the paragraph that starts next
            target = next((s for s in starts if s > line), None)
            if target is None:
                warnings.append(f"line {line}: clause-lint disable-next-line has no paragraph after it")
                continue
            r = InlineRule(selected, reason, line, start=target, end=target)
        rules.append(r)
    return rules, warnings


def _enable(
    open_ranges: list[InlineRule], selected: frozenset[str], line: int, rules: list[InlineRule]
) -> tuple[list[InlineRule], bool]:
    """Close what ``enable`` (``selected``; empty = all) ends at ``line``.

    A range for several rules is closed and reopened for the rules still disabled,
    so ``disable A, B`` … ``enable A`` leaves B off; ``disable all`` … ``enable A``
    goes on as "all but A"."""
    still_open: list[InlineRule] = []
    touched = False
    for r in open_ranges:
        if selected and r.rules and not (r.rules & selected):
            still_open.append(r)
            continue
        if selected and not r.rules and selected <= r.excluded:
            still_open.append(r)
            continue
        touched = True
        r.end = line
        rest: Optional[InlineRule] = None
        if selected and r.rules and r.rules - selected:
            rest = InlineRule(r.rules - selected, r.reason, r.line, start=line)
        elif selected and not r.rules:
            rest = InlineRule(frozenset(), r.reason, r.line, start=line, excluded=r.excluded | selected)
        if rest is not None:
            rules.append(rest)
            still_open.append(rest)
    return still_open, touched


def _might_have_directives(data: bytes) -> bool:
    low = data.lower()
    return any(token in low for token in (b"clause-lint", "clause-lint".encode("utf-16-le"), "clause-lint".encode("utf-16-be")))


def inline_for(
    doc: DocumentResult, known: dict[str, str], limits: Any = None, exact: bool = True,
    contents: Optional[Mapping[str, bytes]] = None,
) -> tuple[list[InlineRule], list[str]]:
    """Inline suppressions of one text document, read again from its file.

    Reading again (only files that contain the word ``clause-lint`` at all) keeps
    linting and any result cache unaware of suppressions. With ``contents`` (path ->
    bytes; uploads to ``clause-lint serve``, whose names are not paths) the bytes come
    from there and nothing is read from disk.
    """
    if doc.error is not None or doc.format not in INLINE_FORMATS:
        return [], []
    if contents is not None:
        data = contents.get(doc.path)
        if data is None:
            return [], []
    else:
        try:
            with open(doc.path, "rb") as fh:
                data = fh.read()
        except OSError:
            return [], []
    if not _might_have_directives(data):
        return [], []
    from .extract import read_bytes
    from .limits import DEFAULT_LIMITS
    from .model import BODY

    try:
        extracted = read_bytes(data, doc.path, limits or DEFAULT_LIMITS)
    except Exception:  # it was readable a moment ago; without comments nothing is suppressed
        return [], []
    comments = extracted.metadata.get("comments") or []
    lines = [b.line for b in extracted.blocks if b.line is not None and b.part == BODY]
    return parse_inline(comments, lines, known, exact)


# =========================================================================== waivers

WAIVER_KEYS = ("document", "rule", "reason", "approved_by", "expires")


@dataclass
class Waiver:
    document: str
    rule: str
    reason: str
    line: int
    approved_by: Optional[str] = None
    expires: Optional[_dt.date] = None
    used: int = 0  # findings it matched in this run
    doc_seen: bool = False  # its pattern matched a document that ran its rule


@dataclass
class WaiverFile:
    path: str
    waivers: list[Waiver] = field(default_factory=list)

    @property
    def folder(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))


def load_waivers(path: str) -> WaiverFile:
    """Read and validate a waiver file; every problem is a ConfigError with FILE:LINE:COL."""
    from .config import read_small_text

    shown, text = read_small_text(path, "waiver file", yamlsafe.MAX_YAML_BYTES)
    try:
        data = yamlsafe.load(text)
    except yamlsafe.YamlError as exc:
        raise ConfigError(f"{shown}:{exc.line}:{exc.col}: {exc.message}") from None

    def fail(node: Any, message: str, key: Optional[str] = None) -> ConfigError:
        line, col = yamlsafe.pos_of(node, key)
        return ConfigError(f"{shown}:{line}:{col}: {message}")

    out = WaiverFile(path=path)
    if data is None:
        return out
    entries = data
    if isinstance(data, dict):
        extra = [k for k in data if k != "waivers"]
        if extra:
            raise fail(data, f"unknown key {extra[0]!r}; a waiver file has one key, 'waivers'", extra[0])
        entries = data.get("waivers")
        if entries is None:
            return out
    if not isinstance(entries, list):
        raise fail(entries if entries is not data else data, "'waivers' must be a list of entries (- document: …)")
    for i, entry in enumerate(entries):
        where = yamlsafe.PosDict()
        where.pos = entries.item_pos[i] if isinstance(entries, yamlsafe.PosList) else (1, 1)
        if not isinstance(entry, dict):
            raise fail(where, "each waiver must be a mapping with document, rule and reason")
        for key in entry:
            if key not in WAIVER_KEYS:
                raise fail(entry, f"unknown key {key!r} in waiver; use {', '.join(WAIVER_KEYS)}", key)
        for key in ("document", "rule"):
            value = entry.get(key)
            if not isinstance(value, str) or not value.strip():
                raise fail(entry, f"waiver needs '{key}' (a non-empty string)", key if key in entry else None)
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise fail(entry, f"waiver for {entry['rule']} on {entry['document']} has no reason; every waiver must say why", "reason" if "reason" in entry else None)
        approved = entry.get("approved_by")
        if approved is not None and (not isinstance(approved, str) or not approved.strip()):
            raise fail(entry, "approved_by must be a name", "approved_by")
        expires = entry.get("expires")
        if expires is not None:
            expires = _parse_date(expires)
            if expires is None:
                raise fail(entry, f"expires must be a date written YYYY-MM-DD, not {entry.get('expires')!r}", "expires")
        out.waivers.append(
            Waiver(
                document=entry["document"].strip(),
                rule=entry["rule"].strip(),
                reason=" ".join(reason.split()),
                line=yamlsafe.pos_of(entry)[0],
                approved_by=approved.strip() if isinstance(approved, str) else None,
                expires=expires,
            )
        )
    return out


def _parse_date(value: Any) -> Optional[_dt.date]:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def check_waiver_rules(waivers: WaiverFile, known: Iterable[str]) -> None:
    """Fail (ConfigError) on a waiver naming a rule no loaded pack has."""
    from .config import display_path

    names = set(known)
    for w in waivers.waivers:
        if w.rule not in names:
            raise ConfigError(f"{display_path(waivers.path)}:{w.line}:1: unknown rule {w.rule!r} in waiver (see `clause-lint rules`)")


def glob_match(pattern: str, path: str) -> bool:
    """Match a POSIX ``path`` against a glob: ``*`` and ``?`` stay inside one folder,
    ``**`` crosses folders; a pattern without ``/`` also matches the file name alone."""
    pattern = pattern.replace("\\", "/")
    while pattern.startswith("./"):
        pattern = pattern[2:]
    regex = _glob_regex(pattern)
    if regex.fullmatch(path):
        return True
    return "/" not in pattern and regex.fullmatch(path.rsplit("/", 1)[-1]) is not None


def _glob_regex(pattern: str) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            j = pattern.find("]", i + 2)
            if j == -1:
                out.append(re.escape(c))
                i += 1
            else:
                inner = pattern[i + 1 : j]
                if inner.startswith("!"):
                    inner = "^" + inner[1:]
                out.append("[" + inner.replace("\\", "\\\\") + "]")
                i = j + 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out))


def identity(doc_path: str, folder: str) -> str:
    """A document's path relative to ``folder``, POSIX style (``../`` when outside)."""
    full = os.path.abspath(doc_path)
    try:
        rel = os.path.relpath(full, folder)
    except ValueError:  # another drive on Windows
        rel = full
    return rel.replace(os.sep, "/")


def apply_waivers(report: Report, waivers: WaiverFile, today: Optional[_dt.date] = None) -> list[Notice]:
    """Apply ``waivers`` to ``report``; return the expired and unused ones as notices.

    The same as :func:`waive` on each part of a run followed by :func:`waiver_notices`
    once at its end, which is how a streamed run (``--format jsonl``) uses them.
    """
    waive(report, waivers, today)
    return waiver_notices(waivers, today)


def _active(w: Waiver, today: _dt.date) -> bool:
    return w.expires is None or w.expires > today


def waive(report: Report, waivers: WaiverFile, today: Optional[_dt.date] = None) -> None:
    """Suppress the findings of ``report`` that an unexpired waiver covers, counting
    on each waiver what it matched (any number of calls, one per part of a run)."""
    from .config import display_path

    today = today or _dt.date.today()
    shown = display_path(waivers.path)
    active = [w for w in waivers.waivers if _active(w, today)]
    for doc in report.documents:
        if doc.error is not None:
            continue
        ident = identity(doc.path, waivers.folder)
        for w in active:
            if not glob_match(w.document, ident):
                continue
            for res in doc.results:
                if w.rule not in (res.rule, res.name):
                    continue
                w.doc_seen = True
                if not res.is_finding:
                    continue
                w.used += 1
                if res.suppressed is None:
                    res.suppressed = Suppression(
                        by="waiver",
                        reason=w.reason,
                        source=f"{shown}:{w.line}",
                        approved_by=w.approved_by,
                        expires=w.expires.isoformat() if w.expires else None,
                    )


def waiver_notices(waivers: WaiverFile, today: Optional[_dt.date] = None) -> list[Notice]:
    """Warnings once the run is over: expired waivers, then unused ones (from the
    counters :func:`waive` kept, so no result needs to be held)."""
    from .config import display_path

    today = today or _dt.date.today()
    shown = display_path(waivers.path)
    notices: list[Notice] = []
    for w in waivers.waivers:
        if not _active(w, today):
            notices.append(Notice(f"{shown}:{w.line}: warning: waiver for {w.rule} on {w.document} expired {w.expires.isoformat()}", strict=True, kind="expired"))  # type: ignore[union-attr]
    for w in waivers.waivers:
        # Like an unused `noqa`: a waiver whose document was checked but which
        # covered nothing is stale (the clause was fixed, or the rule renamed).
        if _active(w, today) and w.doc_seen and not w.used:
            notices.append(Notice(f"{shown}:{w.line}: warning: waiver for {w.rule} on {w.document} matched no finding; remove it", strict=True, kind="unused"))
    return notices


# =========================================================================== all together


def known_rules(rules: Iterable[Any]) -> dict[str, str]:
    """Rule id and name -> rule id, for rule objects with ``id`` and ``name``."""
    out: dict[str, str] = {}
    for r in rules:
        out[r.id] = r.id
        out[r.name] = r.id
    return out


def apply_inline(
    report: Report, known: dict[str, str], limits: Any = None, exact: bool = True,
    contents: Optional[Mapping[str, bytes]] = None,
) -> None:
    for doc in report.documents:
        rules, warnings = inline_for(doc, known, limits, exact, contents)
        for w in warnings:
            message = f"clause-lint comment, {w}"
            if message not in doc.warnings:
                doc.warnings.append(message)
        if not rules:
            continue
        for res in doc.results:
            if res.suppressed is not None or not res.is_finding:
                continue
            for rule in rules:
                if rule.covers(res):
                    res.suppressed = Suppression(by="inline", reason=rule.reason, source=f"{doc.path}:{rule.line}")
                    break
