"""What a change did to a document's protections: ``clause-lint diff``.

Both versions are checked with the same :class:`~clause_lint.api.Linter` (same packs,
options and severities); per rule the status before and after is classed as

* a **regression** when it got worse in the order present < weak < missing <
  contradicted (present → weak, weak → missing, missing → contradicted, …),
* an **improvement** when it got better,
* **unchanged** otherwise.

For each rule the deciding clause on each side is paired with its counterpart on the
other side, found by normalised text rather than by section label, so a clause that
moved from 7.2 to 8.1 is the same clause (and an unchanged rule), while a clause that
was edited is shown with a word-level diff of its text and both locations.

>>> from clause_lint.diff import diff
>>> report = diff("terms-v1.docx", "terms-v2.docx")          # doctest: +SKIP
>>> [(r.rule, r.before, r.after) for r in report.regressions]  # doctest: +SKIP
[('SFP101', 'present', 'missing')]
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence, Union

from . import __version__
from .errors import ClauseLintError
from .model import Block, Document
from .results import (
    CONTRADICTED,
    MISSING,
    NOT_APPLICABLE,
    PRESENT,
    SEVERITY_RANK,
    WEAK,
    DocumentResult,
    Evidence,
    PackInfo,
    RuleResult,
)

REGRESSION = "regression"
IMPROVEMENT = "improvement"
UNCHANGED = "unchanged"
CHANGES = (REGRESSION, IMPROVEMENT, UNCHANGED)

# How far each status is from what the rule asks for.
STATUS_RANK = {PRESENT: 0, WEAK: 1, MISSING: 2, CONTRADICTED: 3}

# A clause in the other version counts as the same clause, edited, when this share of
# its words survives (difflib ratio over word tokens); below it the clause was
# removed (or added) and the nearest text is not shown as its "new version".
SIMILAR = 0.6
# Words of unchanged text kept around each change when a diff is shown compactly.
CONTEXT_WORDS = 6

# Clause pairings (ClauseChange.change).
SAME = "same"  # the same text at the same section
MOVED = "moved"  # the same text under another section label
EDITED = "edited"  # similar text: words changed
REMOVED = "removed"  # no counterpart in the new version
ADDED = "added"  # no counterpart in the old version


class DiffInputError(ClauseLintError):
    """One side of a diff could not be read or checked; ``path`` names it."""

    def __init__(self, path: str, message: str, code: Optional[str] = None) -> None:
        super().__init__(message, code)
        self.path = path


def classify(before: str, after: str) -> str:
    """``regression``, ``improvement`` or ``unchanged`` for a status change.

    ``not_applicable`` on either side compares as unchanged: :func:`diff_documents`
    avoids it by judging both versions when the pack applies to either.
    """
    if before not in STATUS_RANK or after not in STATUS_RANK:
        return UNCHANGED
    if STATUS_RANK[after] > STATUS_RANK[before]:
        return REGRESSION
    if STATUS_RANK[after] < STATUS_RANK[before]:
        return IMPROVEMENT
    return UNCHANGED


# --------------------------------------------------------------------------- data


@dataclass
class WordDiff:
    """One run of the word-level diff: ``equal``, ``delete`` (old only) or ``insert``."""

    op: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, "text": self.text}


@dataclass
class ClauseRef:
    """A clause (a block with its lead-in) in one version, where a reader finds it."""

    text: str
    section: Optional[str] = None
    page: Optional[int] = None
    line: Optional[int] = None
    paragraph: Optional[int] = None
    start: Optional[int] = None
    end: Optional[int] = None
    block: Optional[int] = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text, "section": self.section, "page": self.page, "line": self.line,
            "paragraph": self.paragraph, "start": self.start, "end": self.end,
        }

    def as_evidence(self, reason: str = "", role: str = "related") -> Evidence:
        """This clause as evidence (for reporters that locate evidence)."""
        return Evidence(text=self.text, reason=reason, role=role, section=self.section, page=self.page,
                        line=self.line, paragraph=self.paragraph, start=self.start, end=self.end, block=self.block)


@dataclass
class ClauseChange:
    """A deciding clause paired with its counterpart in the other version."""

    change: str  # same, moved, edited, removed, added
    old: Optional[ClauseRef]
    new: Optional[ClauseRef]
    words: list[WordDiff] = field(default_factory=list)

    @property
    def text_changed(self) -> bool:
        return any(w.op != "equal" for w in self.words) or self.change in (REMOVED, ADDED)

    def describe(self) -> str:
        """``7.1 removed``, ``moved 7.2 → 8.1``, ``7.1 edited`` — for summaries."""
        old = _where(self.old)
        new = _where(self.new)
        if self.change == REMOVED:
            return f"{old} removed"
        if self.change == ADDED:
            return f"{new} added"
        if self.change == MOVED:
            return f"moved {old} → {new}"
        if self.change == EDITED:
            return f"{old} edited" if old == new else f"{old} edited (now {new})"
        return f"{old} unchanged"

    def to_dict(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "old": self.old.to_dict() if self.old else None,
            "new": self.new.to_dict() if self.new else None,
            "words": [w.to_dict() for w in self.words],
        }


@dataclass
class RevisionRef:
    """A tracked change whose text lies in a deciding clause (``diff FILE.docx``)."""

    kind: str  # insertion or deletion
    text: str
    author: Optional[str] = None
    date: Optional[str] = None
    section: Optional[str] = None
    paragraph: Optional[int] = None

    def describe(self) -> str:
        """``the deletion by J. Doe on 2026-03-02 in 7.2(c)``."""
        out = f"the {self.kind} by {self.author or 'an unknown author'}"
        if self.date:
            out += f" on {self.date[:10]}"
        if self.section:
            out += f" in {self.section}"
        elif self.paragraph is not None:
            out += f" in paragraph {self.paragraph}"
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "author": self.author, "date": self.date,
                "section": self.section, "paragraph": self.paragraph}


@dataclass
class RuleDiff:
    """One rule before and after."""

    rule: str
    pack: str
    name: str
    title: str
    before: str
    after: str
    change: str  # regression, improvement, unchanged
    severity: str  # the rule's severity for the new status
    message: str  # the rule's message for the new status
    evidence_before: Optional[Evidence] = None  # deciding evidence in the old version
    evidence_after: Optional[Evidence] = None  # deciding evidence in the new version
    clauses: list[ClauseChange] = field(default_factory=list)
    revisions: list[RevisionRef] = field(default_factory=list)
    remediation: Optional[str] = None
    result_before: Optional[RuleResult] = None
    result_after: Optional[RuleResult] = None

    @property
    def suppressed(self) -> Any:
        """The new result's :class:`~clause_lint.results.Suppression` (inline comment,
        waiver or baseline in the new version), if any."""
        return self.result_after.suppressed if self.result_after is not None else None

    def fails(self, fail_on: str) -> bool:
        """An unsuppressed regression whose new severity reaches ``fail_on`` (``never``: none do)."""
        if self.change != REGRESSION or fail_on == "never" or self.suppressed is not None:
            return False
        return SEVERITY_RANK.get(self.severity, 0) >= SEVERITY_RANK[fail_on]

    @property
    def transition(self) -> str:
        return f"{self.before} → {self.after}"

    def summary(self) -> str:
        """One line: what changed in the text and what that did to the rule."""
        what = "; ".join(c.describe() for c in self.clauses if c.change != SAME) or "clause text unchanged"
        if self.revisions:
            causes = "; ".join(r.describe() for r in self.revisions)
            verb = _REGRESSION_VERB.get(self.after, "weakens") if self.change == REGRESSION else _VERB[self.change]
            return f"{causes} {verb} {_topic(self)} ({self.rule} {self.transition})"
        return f"{self.rule} {self.name}: {self.transition} ({what})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "pack": self.pack,
            "name": self.name,
            "title": self.title,
            "before": self.before,
            "after": self.after,
            "change": self.change,
            "severity": self.severity,
            "message": self.message,
            "summary": self.summary(),
            "evidence_before": self.evidence_before.to_dict() if self.evidence_before else None,
            "evidence_after": self.evidence_after.to_dict() if self.evidence_after else None,
            "clauses": [c.to_dict() for c in self.clauses],
            "revisions": [r.to_dict() for r in self.revisions],
            "remediation": self.remediation,
            **({"suppressed": self.suppressed.to_dict()} if self.suppressed is not None else {}),
        }


_VERB = {REGRESSION: "weakens", IMPROVEMENT: "strengthens", UNCHANGED: "does not change"}
_REGRESSION_VERB = {MISSING: "removes", WEAK: "weakens", CONTRADICTED: "contradicts"}


def _topic(rd: RuleDiff) -> str:
    return f'the "{rd.title}" protection' if rd.title else f"rule {rd.rule}"


@dataclass
class DiffSide:
    """One version as read: its path (or label) and what the checker said about it."""

    path: str
    format: Optional[str]
    applicable: dict[str, bool] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    label: Optional[str] = None  # "changes rejected" / "changes accepted", or "REF:path"

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "format": self.format, "label": self.label,
                "applicable": dict(sorted(self.applicable.items())), "warnings": list(self.warnings)}


@dataclass
class DiffReport:
    """Every selected rule before and after, in pack order."""

    tool_version: str
    packs: list[PackInfo]
    old: DiffSide
    new: DiffSide
    rules: list[RuleDiff]
    rule_objects: list[Any] = field(default_factory=list)  # clause_lint.rules.Rule, for reporters
    warnings: list[str] = field(default_factory=list)
    # The checker's results for each version (not serialised; the rule diffs hold them
    # rule by rule), so suppressions can be applied to the new one as ``check`` does.
    old_result: Optional[DocumentResult] = None
    new_result: Optional[DocumentResult] = None

    @property
    def regressions(self) -> list[RuleDiff]:
        return [r for r in self.rules if r.change == REGRESSION]

    @property
    def improvements(self) -> list[RuleDiff]:
        return [r for r in self.rules if r.change == IMPROVEMENT]

    @property
    def unchanged(self) -> list[RuleDiff]:
        return [r for r in self.rules if r.change == UNCHANGED]

    def failing(self, fail_on: str) -> list[RuleDiff]:
        return [r for r in self.rules if r.fails(fail_on)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "tool": {"name": "clause-lint", "version": self.tool_version},
            "packs": [{"name": p.name, "version": p.version} for p in self.packs],
            "old": self.old.to_dict(),
            "new": self.new.to_dict(),
            "warnings": list(self.warnings),
            "regressions": [r.to_dict() for r in self.regressions],
            "improvements": [r.to_dict() for r in self.improvements],
            "unchanged": [r.to_dict() for r in self.unchanged],
            "summary": {
                "regressions": len(self.regressions),
                "improvements": len(self.improvements),
                "unchanged": len(self.unchanged),
            },
        }


# --------------------------------------------------------------------------- text


_WORD = re.compile(r"\S+")
_NON_ALNUM = re.compile(r"[\W_]+")


def words(text: str) -> list[str]:
    return _WORD.findall(text or "")


def _norm_words(text: str) -> tuple[str, ...]:
    from .text import normalize_inline

    return tuple(_NON_ALNUM.sub(" ", normalize_inline(text or "").casefold()).split())


def word_diff(old: str, new: str) -> list[WordDiff]:
    """The word-level diff of ``old`` → ``new``, as runs of equal, deleted and inserted words.

    Words compare by their normalised form (case, punctuation and typographic variants
    folded), so re-typed quotes or a different dash are not a change, while the runs
    keep the words as written (deleted words as in ``old``, the rest as in ``new``).
    """
    a, b = words(old), words(new)
    key_a = [" ".join(_norm_words(w)) or w for w in a]
    key_b = [" ".join(_norm_words(w)) or w for w in b]
    out: list[WordDiff] = []

    def add(op: str, ws: Sequence[str]) -> None:
        if not ws:
            return
        if out and out[-1].op == op:
            out[-1].text += " " + " ".join(ws)
        else:
            out.append(WordDiff(op, " ".join(ws)))

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, key_a, key_b, autojunk=False).get_opcodes():
        if tag == "equal":
            add("equal", b[j1:j2])
        else:
            add("delete", a[i1:i2])
            add("insert", b[j1:j2])
    return out


def compact(diff: list[WordDiff], context: int = CONTEXT_WORDS) -> list[WordDiff]:
    """``diff`` with long unchanged runs cut to ``context`` words around each change."""
    if not any(w.op != "equal" for w in diff):
        return diff
    out: list[WordDiff] = []
    for i, w in enumerate(diff):
        if w.op != "equal":
            out.append(w)
            continue
        ws = w.text.split()
        first, last = i == 0, i == len(diff) - 1
        keep_head = 0 if first else context
        keep_tail = 0 if last else context
        if len(ws) <= keep_head + keep_tail + 3:  # cutting fewer words than this hides nothing
            out.append(w)
            continue
        head, tail = ws[:keep_head], ws[len(ws) - keep_tail:] if keep_tail else []
        text = " ".join(head + ["…"] + tail) if head or tail else "…"
        if first:
            text = "… " + " ".join(tail)
        elif last:
            text = " ".join(head) + " …"
        out.append(WordDiff("equal", text))
    return out


# --------------------------------------------------------------------------- pairing


def _clause_text(block: Block) -> str:
    """A block as a lawyer reads it: a list item with the lead-in that governs it."""
    return f"{block.lead_in} {block.text}" if block.lead_in else block.text


def _ref(block: Block) -> ClauseRef:
    return ClauseRef(text=_clause_text(block), section=block.section, page=block.page, line=block.line,
                     paragraph=block.paragraph, start=block.start, end=block.end, block=block.index)


def _where(ref: Optional[ClauseRef]) -> str:
    if ref is None:
        return "?"
    if ref.section:
        return ref.section
    if ref.paragraph is not None:
        return f"paragraph {ref.paragraph}"
    if ref.page is not None:
        return f"page {ref.page}" + (f" line {ref.line}" if ref.line is not None else "")
    if ref.line is not None:
        return f"line {ref.line}"
    return "?"


class _Index:
    """The operative blocks of one version, looked up by normalised clause text."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.blocks = [b for b in document.blocks if b.operative]
        self.by_index = {b.index: b for b in document.blocks}
        self.keys = [_norm_words(_clause_text(b)) for b in self.blocks]
        self.exact: dict[tuple[str, ...], list[Block]] = {}
        for b, k in zip(self.blocks, self.keys):
            self.exact.setdefault(k, []).append(b)

    def block_of(self, ev: Optional[Evidence]) -> Optional[Block]:
        if ev is None:
            return None
        if ev.block is not None and ev.block in self.by_index:
            return self.by_index[ev.block]
        if ev.start is not None:  # evidence read back from JSON has offsets, not block ids
            for b in self.document.blocks:
                if b.start <= ev.start < max(b.end, b.start + 1):
                    return b
        return None

    def counterpart(self, block: Block, source: Optional["_Index"] = None) -> tuple[Optional[Block], float]:
        """The block of this version holding ``block``'s clause, and how alike they are.

        A block whose text also stands unchanged in ``source`` (the version ``block``
        comes from) is that clause's own counterpart, never an edited version of
        ``block``: deleting one of two similar bans must not read as editing the other.
        """
        key = _norm_words(_clause_text(block))
        same = self.exact.get(key)
        if same:
            # Of identical clauses, the one under the same label, else the first.
            for b in same:
                if b.section == block.section:
                    return b, 1.0
            return same[0], 1.0
        best: Optional[Block] = None
        best_ratio = 0.0
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(key)
        for b, k in zip(self.blocks, self.keys):
            if source is not None and k in source.exact:
                continue
            matcher.set_seq1(k)
            if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
                continue
            ratio = matcher.ratio()
            if ratio > best_ratio:
                best, best_ratio = b, ratio
        if best is None or best_ratio < SIMILAR:
            return None, best_ratio
        return best, best_ratio


def _pair(old_block: Optional[Block], new_block: Optional[Block]) -> ClauseChange:
    old = _ref(old_block) if old_block is not None else None
    new = _ref(new_block) if new_block is not None else None
    if old is None and new is not None:
        return ClauseChange(ADDED, None, new, [WordDiff("insert", new.text)])
    if new is None and old is not None:
        return ClauseChange(REMOVED, old, None, [WordDiff("delete", old.text)])
    assert old is not None and new is not None
    wd = word_diff(old.text, new.text)
    if any(w.op != "equal" for w in wd):
        return ClauseChange(EDITED, old, new, wd)
    return ClauseChange(SAME if old.section == new.section else MOVED, old, new, wd)


def clause_changes(
    old_index: _Index, new_index: _Index, before: Optional[Evidence], after: Optional[Evidence]
) -> list[ClauseChange]:
    """The deciding clause of each side paired with its counterpart on the other side."""
    out: list[ClauseChange] = []
    seen: set[tuple[Optional[int], Optional[int]]] = set()
    old_block = old_index.block_of(before)
    if old_block is not None:
        match, _ = new_index.counterpart(old_block, old_index)
        seen.add((old_block.index, match.index if match else None))
        out.append(_pair(old_block, match))
    new_block = new_index.block_of(after)
    if new_block is not None:
        match, _ = old_index.counterpart(new_block, new_index)
        key = (match.index if match else None, new_block.index)
        if key not in seen:
            out.append(_pair(match, new_block))
    return out


# --------------------------------------------------------------------------- diff


def _deciding(result: Optional[RuleResult]) -> Optional[Evidence]:
    if result is None or result.status in (MISSING, NOT_APPLICABLE):
        return None
    from .results import primary_evidence

    return primary_evidence(result)


def diff_documents(
    linter: Any,
    old_doc: Document,
    new_doc: Document,
    old_result: Optional[DocumentResult] = None,
    new_result: Optional[DocumentResult] = None,
) -> DiffReport:
    """Compare two read documents with ``linter`` (a :class:`~clause_lint.api.Linter`).

    When a pack applies to one version only (the new draft no longer mentions faces,
    say), both are judged as if it applied: dropping the subject must not hide what
    the change took away. Results already computed may be passed in.
    """
    old_result = old_result or linter.check_document(old_doc)
    new_result = new_result or linter.check_document(new_doc)
    warnings: list[str] = []
    differs = [p for p in old_result.applicable if old_result.applicable.get(p) != new_result.applicable.get(p)]
    if differs:
        packs = ", ".join(sorted(differs))
        warnings.append(f"pack {packs} applies to one version only; both were judged as if it applied")
        redo = {p for p in differs}
        if not all(old_result.applicable.get(p) for p in redo):
            old_result = _rejudge(linter, old_doc, old_result, redo)
        if not all(new_result.applicable.get(p) for p in redo):
            new_result = _rejudge(linter, new_doc, new_result, redo)

    old_index, new_index = _Index(old_doc), _Index(new_doc)
    before = {(r.pack, r.rule): r for r in old_result.results}
    rules: list[RuleDiff] = []
    for after_res in new_result.results:
        before_res = before.get((after_res.pack, after_res.rule))
        if before_res is None:
            continue
        ev_before, ev_after = _deciding(before_res), _deciding(after_res)
        rules.append(RuleDiff(
            rule=after_res.rule,
            pack=after_res.pack,
            name=after_res.name,
            title=after_res.title,
            before=before_res.status,
            after=after_res.status,
            change=classify(before_res.status, after_res.status),
            severity=after_res.severity,
            message=after_res.message,
            evidence_before=ev_before,
            evidence_after=ev_after,
            clauses=clause_changes(old_index, new_index, ev_before, ev_after),
            remediation=after_res.remediation,
            result_before=before_res,
            result_after=after_res,
        ))
    report_of = linter.report([])
    return DiffReport(
        tool_version=__version__,
        packs=report_of.packs,
        old=DiffSide(old_result.path, old_result.format, dict(old_result.applicable), list(old_result.warnings)),
        new=DiffSide(new_result.path, new_result.format, dict(new_result.applicable), list(new_result.warnings)),
        rules=rules,
        rule_objects=list(linter.rules),
        warnings=warnings,
        old_result=old_result,
        new_result=new_result,
    )


def _rejudge(linter: Any, document: Document, result: DocumentResult, packs: set[str]) -> DocumentResult:
    """``result`` with the rules of ``packs`` judged as if those packs applied."""
    forced = linter.engine.check(document, assume_applicable=True, rule_filter=linter.rule_ids)
    by_key = {(r.pack, r.rule): r for r in forced.results}
    result.results = [by_key.get((r.pack, r.rule), r) if r.pack in packs else r for r in result.results]
    for p in packs:
        result.applicable[p] = True
    return result


Source = Union[str, "os.PathLike[str]", Document, tuple[str, bytes]]


def _load(linter: Any, source: Source) -> tuple[Document, DocumentResult]:
    """Read and check one version; :class:`DiffInputError` when it cannot be read."""
    if isinstance(source, Document):
        return source, linter.check_document(source)
    if isinstance(source, tuple):
        path, data = source
        result, document = linter.check_with_document(path, data)
    else:
        path = os.fspath(source)
        result, document = linter.check_with_document(path)
    if result.error is not None or document is None:
        err = result.error
        raise DiffInputError(path, err.message if err else "could not be read", err.code if err else None)
    return document, result


def diff(
    old: Source,
    new: Source,
    packs: Sequence[str] = ("safe-face-pledge",),
    *,
    linter: Any = None,
    **options: Any,
) -> DiffReport:
    """Check ``old`` and ``new`` with the same packs and options and compare them.

    ``old`` and ``new`` are paths, ``(name, bytes)`` pairs (a file's content at a git
    revision, say) or :class:`~clause_lint.model.Document` objects. ``options`` are
    those of :class:`~clause_lint.api.Options` (``assume_applicable``, ``select``,
    ``ignore``, ``limits``); a ready ``linter`` may be passed instead. Raises
    :class:`DiffInputError` (naming the file) when a version cannot be read.
    """
    if linter is None:
        from .api import Linter, Options

        linter = Linter(packs, Options(packs=packs, **options))
    old_doc, old_result = _load(linter, old)
    new_doc, new_result = _load(linter, new)
    return diff_documents(linter, old_doc, new_doc, old_result, new_result)


# --------------------------------------------------------------------------- one redlined .docx

REJECTED_LABEL = "changes rejected"
ACCEPTED_LABEL = "changes accepted"


def diff_redline(path: str, packs: Sequence[str] = ("safe-face-pledge",), *, data: Optional[bytes] = None,
                 linter: Any = None, **options: Any) -> DiffReport:
    """Compare a .docx with tracked changes against itself: every change rejected
    (before) and every change accepted (after).

    Each changed rule names the revisions whose text lies in its deciding clause —
    a deletion in the clause as it read before, an insertion in the clause as it
    reads after — with their author and date (:attr:`RuleDiff.revisions`).
    """
    if linter is None:
        from .api import Linter, Options

        linter = Linter(packs, Options(packs=packs, **options))
    old_doc, old_result = _load_view(linter, path, data, "reject")
    new_doc, new_result = _load_view(linter, path, data, "accept")
    report = diff_documents(linter, old_doc, new_doc, old_result, new_result)
    report.old.label = f"{path} ({REJECTED_LABEL})"
    report.new.label = f"{path} ({ACCEPTED_LABEL})"
    if not new_doc.revisions:
        report.warnings.append("the document has no tracked changes: both views are the same text")
    attribute_revisions(report, old_doc, new_doc)
    return report


def _load_view(linter: Any, path: str, data: Optional[bytes], view: str) -> tuple[Document, DocumentResult]:
    result, document = linter.check_with_document(path, data, tracked_changes=view)
    if result.error is not None or document is None:
        err = result.error
        raise DiffInputError(path, err.message if err else "could not be read", err.code if err else None)
    if document.format != "docx":
        raise DiffInputError(
            path, f"a {document.format.upper()} file has no tracked changes; give OLD and NEW to compare two versions",
            "unsupported-format",
        )
    return document, result


def attribute_revisions(report: DiffReport, old_doc: Document, new_doc: Document) -> None:
    """Set :attr:`RuleDiff.revisions` of every changed rule from the documents' revisions.

    The reader lists the same revisions in the same order in both views; a deletion
    is located in the rejected view (where its text is), an insertion in the accepted
    one. A revision counts when it lies in a deciding clause (or its lead-in) and, if
    the clause's words changed, its words are among the changed ones.
    """
    pairs = list(zip(old_doc.revisions, new_doc.revisions)) if len(old_doc.revisions) == len(new_doc.revisions) else []
    old_blocks = {b.index: b for b in old_doc.blocks}
    new_blocks = {b.index: b for b in new_doc.blocks}

    def with_lead_in(index: Optional[int], blocks: dict[int, Block]) -> set[int]:
        out: set[int] = set()
        while index is not None and index not in out and index in blocks:
            out.add(index)
            index = blocks[index].lead_in_block
        return out

    for rd in report.rules:
        if rd.change == UNCHANGED:
            continue
        found: list[RevisionRef] = []
        for clause in rd.clauses:
            old_in = with_lead_in(clause.old.block if clause.old else None, old_blocks)
            new_in = with_lead_in(clause.new.block if clause.new else None, new_blocks)
            changed_words = {w for run in clause.words if run.op != "equal" for w in _norm_words(run.text)}
            hits: list[RevisionRef] = []
            for old_rev, new_rev in pairs:
                rev = old_rev if old_rev.kind == "deletion" else new_rev
                inside = old_in if old_rev.kind == "deletion" else new_in
                if rev.block is None or rev.block not in inside:
                    continue
                ref = RevisionRef(rev.kind, rev.text, rev.author, rev.date, rev.section, rev.paragraph)
                hits.append(ref)
            relevant = [h for h in hits if changed_words & set(_norm_words(h.text))]
            for ref in relevant or hits:
                if ref not in found:
                    found.append(ref)
        rd.revisions = found
