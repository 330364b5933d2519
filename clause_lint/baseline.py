"""Baselines: accept today's findings, fail only on new ones.

``--write-baseline FILE`` records every current finding; ``--baseline FILE`` then
reports findings recorded there as waived (``suppressed.by == "baseline"``), so
only new or changed findings count for the exit code.

A finding is identified by its document (path relative to the baseline file's
folder, POSIX style), its rule and a fingerprint of the normalised text of the
clause that decided it — never its line number — so inserting, renumbering or
reflowing paragraphs elsewhere keeps it suppressed, while rewording the clause
itself brings it back. A *missing* clause has no text: its fingerprint is the rule
and the document alone. The recorded status must match too, so a weak clause that
becomes contradicted under a newer pack resurfaces.

File format (stable, sorted, no timestamps, so it diffs cleanly in review)::

    {"version": 1, "tool": "clause-lint",
     "entries": [{"document": "contracts/acme.docx", "rule": "SFP202",
                  "status": "weak", "fingerprint": "<64 hex>"}]}
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import ConfigError
from .results import MISSING, Report, RuleResult, Suppression
from .suppress import identity

VERSION = 1
MAX_BASELINE_BYTES = 50 * 1024 * 1024


def fingerprint_for(doc_path: str, result: RuleResult, folder: str) -> str:
    """The fingerprint of ``result`` with the document named relative to ``folder``."""
    from .results import fingerprint

    if result.status == MISSING and result.evidence:
        result = replace(result, evidence=[])  # a missing clause has no text to identify it by
    return fingerprint(identity(doc_path, folder), result)


def set_fingerprints(report: Report, folder: str) -> None:
    """Give every result its fingerprint (SARIF ``partialFingerprints`` reads it)."""
    for doc in report.documents:
        for res in doc.results:
            res.fingerprint = fingerprint_for(doc.path, res, folder)


@dataclass
class Baseline:
    path: str
    entries: set[tuple[str, str, str, str]] = field(default_factory=set)  # (document, rule, status, fingerprint)

    @property
    def folder(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))


def load_baseline(path: str) -> Baseline:
    from .config import read_small_text

    shown, text = read_small_text(path, "baseline", MAX_BASELINE_BYTES)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{shown}:{exc.lineno}:{exc.colno}: baseline is not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict) or "entries" not in data:
        raise ConfigError(f"{shown}: not a clause-lint baseline (no 'entries'); write one with --write-baseline")
    if data.get("version") != VERSION:
        raise ConfigError(f"{shown}: baseline version {data.get('version')!r} is not supported (expected {VERSION}); write it again with --write-baseline")
    entries = data["entries"]
    if not isinstance(entries, list):
        raise ConfigError(f"{shown}: 'entries' must be a list")
    out = Baseline(path=path)
    for i, e in enumerate(entries):
        keys = ("document", "rule", "status", "fingerprint")
        if not isinstance(e, dict) or not all(isinstance(e.get(k), str) for k in keys):
            raise ConfigError(f"{shown}: entry {i + 1} needs document, rule, status and fingerprint strings")
        out.entries.add(tuple(e[k] for k in keys))  # type: ignore[arg-type]
    return out


def _recordable(res: RuleResult) -> bool:
    # Findings nobody has accepted yet, plus those an older baseline accepted
    # (rewriting a baseline keeps them); inline comments and waivers already say why.
    return res.is_finding and (res.suppressed is None or res.suppressed.by == "baseline")


def entries_for(report: Report, folder: str) -> list[dict[str, Any]]:
    out = []
    for doc in report.documents:
        if doc.error is not None:
            continue
        ident = identity(doc.path, folder)
        for res in doc.results:
            if _recordable(res):
                out.append({"document": ident, "rule": res.rule, "status": res.status, "fingerprint": fingerprint_for(doc.path, res, folder)})
    out.sort(key=lambda e: (e["document"], e["rule"], e["fingerprint"]))
    return out


def write_baseline(report: Report, path: str) -> int:
    """Write the baseline for ``report`` to ``path``; return how many entries it has."""
    recorder = BaselineRecorder(path)
    recorder.entries.extend(entries_for(report, recorder.folder))
    return recorder.write()


class BaselineRecorder:
    """``--write-baseline`` for a run seen one part at a time (a streamed run keeps
    only these small entries, not the results): :meth:`record` each part — its
    findings are recorded and reported as waived by the new baseline, as loading
    the written file and applying it would — then :meth:`write` once."""

    def __init__(self, path: str) -> None:
        from .config import display_path

        self.path = path
        self.folder = os.path.dirname(os.path.abspath(path))
        self.shown = display_path(path)
        self.entries: list[dict[str, Any]] = []

    def record(self, report: Report) -> None:
        self.entries.extend(entries_for(report, self.folder))
        for doc in report.documents:
            if doc.error is not None:
                continue
            for res in doc.results:
                if res.suppressed is None and res.is_finding:
                    res.suppressed = Suppression(by="baseline", source=self.shown)

    def write(self) -> int:
        from .safefile import write_file

        self.entries.sort(key=lambda e: (e["document"], e["rule"], e["fingerprint"]))
        data = {"version": VERSION, "tool": "clause-lint", "entries": self.entries}
        write_file(self.path, json.dumps(data, indent=2, ensure_ascii=False) + "\n", "baseline", shown=self.shown)
        return len(self.entries)


def apply_baseline(report: Report, baseline: Baseline) -> int:
    """Mark findings recorded in ``baseline`` as suppressed; return how many."""
    from .config import display_path

    count = 0
    for doc in report.documents:
        if doc.error is not None:
            continue
        ident = identity(doc.path, baseline.folder)
        for res in doc.results:
            if res.suppressed is not None or not res.is_finding:
                continue
            key = (ident, res.rule, res.status, fingerprint_for(doc.path, res, baseline.folder))
            if key in baseline.entries:
                res.suppressed = Suppression(by="baseline", source=display_path(baseline.path))
                count += 1
    return count
