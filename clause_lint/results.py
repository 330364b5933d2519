"""Results of linting: what the engine produces and every reporter consumes.

Reporters turn a :class:`Report` into bytes and never change it. ``to_dict`` gives
the documented JSON shape (see README, "JSON output"); it is the single source of
that shape so that every machine format agrees on names.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from typing import Any, Optional

from .text import normalize_inline

PRESENT = "present"
WEAK = "weak"
MISSING = "missing"
CONTRADICTED = "contradicted"
NOT_APPLICABLE = "not_applicable"
STATUSES = (PRESENT, WEAK, MISSING, CONTRADICTED)
ALL_STATUSES = STATUSES + (NOT_APPLICABLE,)

# Severity levels, most severe first. "none" means the result is not a finding.
ERROR = "error"
WARNING = "warning"
INFO = "info"
NONE = "none"
SEVERITIES = (ERROR, WARNING, INFO, NONE)
SEVERITY_RANK = {ERROR: 3, WARNING: 2, INFO: 1, NONE: 0}


@dataclass
class Evidence:
    text: str
    reason: str
    role: str  # "supports" (present), "weakens", "contradicts", "related"
    section: Optional[str] = None
    page: Optional[int] = None
    line: Optional[int] = None
    paragraph: Optional[int] = None
    start: Optional[int] = None
    end: Optional[int] = None
    block: Optional[int] = None
    # The reading of the deciding provision: modality, cue and its roles
    # ({"modality": "prohibition", "cue": "shall not", "roles": {"actor": …}}).
    provision: Optional[dict[str, Any]] = None
    # "ocr" when the text was recognised from a scan (a quote a lawyer must check
    # against the image); None for text read from the file.
    source: Optional[str] = None
    # Where a passage in a table stands (1-based, as ``extract`` shows it), and for a
    # passage on a very long line, its character position on that line: a "line 4" of
    # 55,000 characters does not say where to look.
    table: Optional[int] = None
    row: Optional[int] = None
    col: Optional[int] = None
    column: Optional[int] = None

    def to_dict(self) -> dict[str, Any]:
        out = {
            "text": self.text,
            "reason": self.reason,
            "role": self.role,
            "section": self.section,
            "page": self.page,
            "line": self.line,
            "paragraph": self.paragraph,
            "start": self.start,
            "end": self.end,
        }
        if self.provision is not None:
            out["provision"] = self.provision
        if self.source is not None:
            out["source"] = self.source
        for key in ("table", "row", "col", "column"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Evidence":
        """Inverse of :meth:`to_dict`; also reads ``block``, which to_dict leaves out."""
        return cls(**{k: d[k] for k in _EVIDENCE_KEYS if k in d})


_EVIDENCE_KEYS = ("text", "reason", "role", "section", "page", "line", "paragraph", "start", "end", "block", "provision",
                  "source", "table", "row", "col", "column")


@dataclass
class Suppression:
    by: str  # "inline", "waiver" or "baseline"
    reason: Optional[str] = None
    # Where the suppression was written ("FILE:LINE") and, for waivers, who approved
    # it and until when; shown in JSON only when set, so the basic shape stays.
    source: Optional[str] = None
    approved_by: Optional[str] = None
    expires: Optional[str] = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"by": self.by, "reason": self.reason}
        for key in ("source", "approved_by", "expires"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Suppression":
        return cls(by=d["by"], reason=d.get("reason"))


@dataclass
class RuleResult:
    rule: str
    pack: str
    name: str
    title: str
    status: str
    severity: str
    message: str
    evidence: list[Evidence] = field(default_factory=list)
    remediation: Optional[str] = None
    reference: Optional[str] = None
    suppressed: Optional[Suppression] = None
    fingerprint: Optional[str] = None

    @property
    def is_finding(self) -> bool:
        """A result that asks for action: not present, not n/a, with a severity."""
        return self.status in (WEAK, MISSING, CONTRADICTED) and self.severity != NONE

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "pack": self.pack,
            "name": self.name,
            "title": self.title,
            "status": self.status,
            "severity": self.severity,
            "message": self.message,
            "evidence": [e.to_dict() for e in self.evidence],
            "remediation": self.remediation,
            "reference": self.reference,
            "fingerprint": self.fingerprint,
        }
        if self.suppressed is not None:
            out["suppressed"] = self.suppressed.to_dict()
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "RuleResult":
        """Inverse of :meth:`to_dict`."""
        return cls(
            rule=d["rule"], pack=d["pack"], name=d["name"], title=d["title"], status=d["status"],
            severity=d["severity"], message=d["message"],
            evidence=[Evidence.from_dict(e) for e in d.get("evidence") or []],
            remediation=d.get("remediation"), reference=d.get("reference"),
            suppressed=Suppression.from_dict(d["suppressed"]) if d.get("suppressed") else None,
            fingerprint=d.get("fingerprint"),
        )


@dataclass
class DocumentError:
    code: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "DocumentError":
        return cls(code=d["code"], message=d["message"])


@dataclass
class DocumentResult:
    path: str
    format: Optional[str]
    error: Optional[DocumentError] = None
    applicable: dict[str, bool] = field(default_factory=dict)
    # pack -> {"applicable", "reason", "evidence": {"text", "section", "page", "line"}}:
    # why the document is or is not about the pack's subject
    scope: dict[str, dict[str, Any]] = field(default_factory=dict)
    results: list[RuleResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pages: Optional[int] = None
    numbering_resolved: Optional[bool] = None
    # "ocr" when some of the text was recognised from scanned pages (ocr_pages);
    # None when it was all read from the file.
    source: Optional[str] = None
    ocr_pages: list[int] = field(default_factory=list)

    @property
    def checked(self) -> bool:
        """False when the file could not be read or no pack applied to it (every rule
        ``not_applicable``): such a document is not clean, it was not looked at."""
        if self.error is not None:
            return False
        return not self.applicable or any(self.applicable.values())

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "format": self.format}
        if self.source is not None:
            out["source"] = self.source
            out["ocr_pages"] = list(self.ocr_pages)
        out.update({
            "error": self.error.to_dict() if self.error else None,
            "applicable": dict(sorted(self.applicable.items())),
            "scope": dict(sorted(self.scope.items())),
            "warnings": list(self.warnings),
            "checked": self.checked,
            "results": [r.to_dict() for r in self.results],
        })
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "DocumentResult":
        """Inverse of :meth:`to_dict`; also reads ``pages`` and ``numbering_resolved``
        (which to_dict leaves out) when present."""
        return cls(
            path=d["path"], format=d.get("format"),
            error=DocumentError.from_dict(d["error"]) if d.get("error") else None,
            applicable={str(k): bool(v) for k, v in (d.get("applicable") or {}).items()},
            scope={str(k): dict(v) for k, v in (d.get("scope") or {}).items()},
            results=[RuleResult.from_dict(r) for r in d.get("results") or []],
            warnings=list(d.get("warnings") or []),
            pages=d.get("pages"), numbering_resolved=d.get("numbering_resolved"),
            source=d.get("source"), ocr_pages=[int(n) for n in d.get("ocr_pages") or []],
        )


@dataclass
class PackInfo:
    name: str
    version: str
    title: str = ""
    # When the pack applies: its applicability description ("the document concerns
    # facial analysis technology (…)"), shown for documents it was not applied to.
    scope: str = ""


# "the document concerns facial analysis technology (face detection, …)" -> the subject.
_SUBJECT = re.compile(r"^(?:the\s+)?(?:document|contract|agreement)\s+(?:concerns|is about|covers|relates to|deals with)\s+(.+?)\s*(?:\(|,|;|$)", re.I)


def pack_subject(pack: PackInfo) -> str:
    """What a pack is about, in a few words: ``facial analysis technology``."""
    m = _SUBJECT.match(" ".join(pack.scope.split()))
    return m.group(1) if m else f"the subject of {pack.title or pack.name}"


def not_checked_reason(doc: DocumentResult, packs: list[PackInfo]) -> Optional[str]:
    """Why ``doc`` was not checked, when no pack applied to it; ``None`` otherwise.

    ``not about facial analysis technology — Safe Face Pledge applies when the
    document concerns facial analysis technology (…)``.
    """
    if doc.error is not None or doc.checked:
        return None
    out = []
    by_name = {p.name: p for p in packs}
    # The engine's own explanation, where it gives one (DocumentResult.scope), else the
    # pack's applicability description.
    explained = getattr(doc, "scope", None) or {}
    for name in sorted(doc.applicable):
        pack = by_name.get(name) or PackInfo(name, "")
        info = explained.get(name) if isinstance(explained, dict) else None
        reason = " ".join(str((info or {}).get("reason") or "").split())
        if reason:
            why = reason
        elif pack.scope:
            why = f"{pack.title or pack.name} applies when {pack.scope}"
        else:
            why = f"{pack.title or pack.name} does not apply to it"
        out.append(f"not about {pack_subject(pack)} \u2014 {why}")
    return "; ".join(out)


@dataclass
class Report:
    tool_version: str
    packs: list[PackInfo]
    documents: list[DocumentResult]
    rules: list[Any] = field(default_factory=list)  # clause_lint.rules.Rule, for reporters

    def summary(self) -> dict[str, Any]:
        tally = Tally()
        for doc in self.documents:
            tally.add(doc)
        return tally.summary()

    def document_dict(self, doc: DocumentResult) -> dict[str, Any]:
        """One document as the JSON output shows it (``not_checked`` needs the packs)."""
        item = doc.to_dict()
        why = not_checked_reason(doc, self.packs)
        if why is not None:
            item["not_checked"] = why
        return item

    def to_dict(self) -> dict[str, Any]:
        return {
            "tool": {"name": "clause-lint", "version": self.tool_version},
            "packs": [{"name": p.name, "version": p.version} for p in self.packs],
            "documents": [self.document_dict(d) for d in self.documents],
            "summary": self.summary(),
        }


class Tally:
    """The counts of ``Report.summary``, kept one document at a time, so a run that
    streams its results (``--format jsonl``) can give them without holding any."""

    def __init__(self) -> None:
        self.documents = 0
        self.errors = 0
        self.not_checked = 0
        self.suppressed = 0
        self.statuses = {s: 0 for s in ALL_STATUSES}

    def add(self, doc: DocumentResult) -> None:
        self.documents += 1
        if doc.error is not None:
            self.errors += 1
        elif not doc.checked:
            self.not_checked += 1
        for r in doc.results:
            self.statuses[r.status] = self.statuses.get(r.status, 0) + 1
            if r.suppressed is not None:
                self.suppressed += 1

    def summary(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "errors": self.errors,
            "not_checked": self.not_checked,
            "statuses": dict(self.statuses),
            "suppressed": self.suppressed,
        }


# --------------------------------------------------------------------------- fingerprints
# Beside the results they identify: the baseline, waivers, SARIF and the diff all
# name a finding by its fingerprint.

_ROLE_FOR_STATUS = {WEAK: "weakens", CONTRADICTED: "contradicts", PRESENT: "supports"}


def primary_evidence(result: RuleResult) -> Optional[Evidence]:
    """The evidence that decided the status (first of its role), else the first one."""
    if not result.evidence:
        return None
    role = _ROLE_FOR_STATUS.get(result.status)
    for ev in result.evidence:
        if ev.role == role:
            return ev
    return result.evidence[0]




_NON_ALNUM = re.compile(r"[\W_]+")


def normalise_for_fingerprint(text: Optional[str]) -> str:
    """Lower-case, typographic variants folded, every run of non-alphanumerics one space."""
    return _NON_ALNUM.sub(" ", normalize_inline(text or "").casefold()).strip()


def fingerprint(doc_path: str, result: RuleResult) -> str:
    """A stable id for ``result`` in ``doc_path`` that survives edits elsewhere.

    Built from the path, the rule and the normalised text of the deciding evidence
    (not its line number), so renumbering or reflowing a document keeps it, while
    a changed clause gets a new one. 64 hex digits of SHA-256.
    """
    ev = primary_evidence(result)
    path = os.path.normpath(doc_path).replace(os.sep, "/") if doc_path else ""
    payload = "\x1f".join(("clause-lint/v1", path, result.rule, normalise_for_fingerprint(ev.text if ev else "")))
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def result_fingerprint(doc_path: str, result: RuleResult) -> str:
    return result.fingerprint or fingerprint(doc_path, result)
