"""The library's public API, used by the CLI, the tests and batch runners alike.

>>> from clause_lint import lint
>>> report = lint(["contract.docx"])                       # doctest: +SKIP
>>> [(r.rule, r.status) for r in report.documents[0].results]  # doctest: +SKIP
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional, Sequence

from . import __version__, guard
from .errors import ClauseLintError, CorruptFile, LimitExceeded
from .extract import EXTENSIONS, one_line, read_bytes, read_path
from .limits import DEFAULT_LIMITS, Limits
from .model import Document
from .results import DocumentError, DocumentResult, PackInfo, Report
from .rules import Pack, load_packs
from .structure import build

DEFAULT_PACKS = ("safe-face-pledge",)


def load_document(
    path: str,
    data: Optional[bytes] = None,
    limits: Limits = DEFAULT_LIMITS,
    budget: Optional[guard.Budget] = None,
    tracked_changes: str = "accept",
) -> Document:
    """Read one file (or ``data`` named ``path``) into a :class:`Document`.

    ``budget`` (from :func:`document_budget`) is told which stage is running; without
    one no time budget applies. ``tracked_changes="reject"`` reads a .docx as it was
    before its tracked changes.
    """
    if budget is not None:
        budget.enter("reading")
    extracted = (read_bytes(data, path, limits, tracked_changes) if data is not None
                 else read_path(path, limits, tracked_changes))
    if budget is not None:
        budget.enter("structure")
    return build(extracted, path)


@contextmanager
def document_budget(limits: Limits = DEFAULT_LIMITS) -> Iterator[guard.Budget]:
    """The time budget of one document (``limits.max_seconds``), with every way the
    work on it can fail turned into a :class:`ClauseLintError` with its code.

    Used by ``check`` (:meth:`Linter.check`) and ``extract`` alike, so both stop a
    pathological file the same way: ``timed out after N s while STAGE``, ``out of
    memory while STAGE``, or an internal error that costs this document only.
    """
    budget = guard.Budget(getattr(limits, "max_seconds", None))
    try:
        with budget:
            yield budget
    except guard.TimedOut as exc:
        raise ClauseLintError(exc.message, code="timeout") from None
    except ClauseLintError:
        raise
    except MemoryError:
        raise LimitExceeded(f"out of memory while {budget.stage}") from None
    except RecursionError:
        raise CorruptFile(f"structure nested too deeply (while {budget.stage})") from None
    except Exception as exc:  # a bug must cost one file, not the run
        detail = one_line(" ".join(str(exc).split()), 200)
        raise ClauseLintError(
            f"internal error while {budget.stage} ({type(exc).__name__}: {detail}); please report it", code="internal"
        ) from None


@dataclass
class Options:
    packs: Sequence[str] = DEFAULT_PACKS
    assume_applicable: bool = False
    select: Optional[set[str]] = None  # rule ids or names; None = all
    ignore: set[str] = field(default_factory=set)
    limits: Limits = DEFAULT_LIMITS
    # Cache folder for loaded packs (clause_lint.cache.PackCache); None: load afresh.
    cache_dir: Optional[str] = None


class Linter:
    """Packs loaded and compiled once; :meth:`check` per document."""

    def __init__(self, packs: Sequence[str] | Sequence[Pack] = DEFAULT_PACKS, options: Optional[Options] = None) -> None:
        self.options = options or Options()
        loaded = list(packs) if packs and isinstance(packs[0], Pack) else load_packs(packs, self.options.cache_dir)  # type: ignore[arg-type]
        self.packs: list[Pack] = loaded  # type: ignore[assignment]
        from .engine import Engine  # here, not at the top: `extract` reads documents without spaCy

        self.engine = Engine(self.packs)
        self.rules = [r for p in self.packs for r in p.rules if self._selected(r.id, r.name)]
        self.rule_ids = {r.id for r in self.rules}

    def _selected(self, rule_id: str, name: str) -> bool:
        sel, ign = self.options.select, self.options.ignore
        if sel is not None and not ({rule_id, name} & sel or any(rule_id.startswith(s) for s in sel)):
            return False
        return not ({rule_id, name} & ign or any(rule_id.startswith(s) for s in ign if s and s[-1].isalpha()))

    def check_document(self, document: Document) -> DocumentResult:
        result = self.engine.check(
            document, assume_applicable=self.options.assume_applicable, rule_filter=self.rule_ids
        )
        mark_ocr(result, document)
        place_evidence(result, document)
        return result

    def check(self, path: str, data: Optional[bytes] = None) -> DocumentResult:
        """Lint one file. Unreadable input becomes ``DocumentResult.error``, never an exception."""
        return self.check_with_document(path, data)[0]

    def check_with_document(
        self, path: str, data: Optional[bytes] = None, tracked_changes: str = "accept"
    ) -> tuple[DocumentResult, Optional[Document]]:
        """:meth:`check`, also returning the :class:`Document` read (``None`` when it
        could not be read), for callers that look at the text (``clause-lint serve``,
        ``clause_lint.diff``). ``tracked_changes="reject"`` checks a .docx as it was
        before its tracked changes."""
        # One time budget covers reading, structure and checking: a pathological file
        # (or a catastrophic pattern in a user pack) costs this document, not the run.
        try:
            with document_budget(self.options.limits) as budget:
                document = load_document(path, data, self.options.limits, budget, tracked_changes)
                budget.enter("checking")
                return self.check_document(document), document
        except ClauseLintError as exc:
            return self._failed(path, exc.code, exc.message), None

    @staticmethod
    def _failed(path: str, code: str, message: str) -> DocumentResult:
        return DocumentResult(path=path, format=_format_guess(path), error=DocumentError(code, message))

    def report(self, results: list[DocumentResult]) -> Report:
        return Report(
            tool_version=__version__,
            packs=[PackInfo(p.name, p.version, p.title, (p.applicability or {}).get("description", "")) for p in self.packs],
            documents=results,
            rules=self.rules,
        )


def mark_ocr(result: DocumentResult, document: Document) -> None:
    """Say which results rest on recognised text: the document, and each piece of
    evidence on a page that was read by OCR (a lawyer must know a quote came from
    recognition, not from the file)."""
    pages = set(document.metadata.get("ocr_pages") or ())
    if not pages:
        return
    result.source = "ocr"
    result.ocr_pages = sorted(pages)
    for rule_result in result.results:
        for ev in rule_result.evidence:
            if ev.page in pages:
                ev.source = "ocr"


# A line longer than this gets a character position: "line 4" alone is not a place.
LONG_LINE = 1000


def place_evidence(result: DocumentResult, document: Document) -> None:
    """Give each piece of evidence the table cell it stands in, and on a very long line
    its character position, from the block the engine found it in."""
    for res in result.results:
        for ev in res.evidence:
            if ev.block is None or not 0 <= ev.block < len(document.blocks):
                continue
            block = document.blocks[ev.block]
            if block.table is not None:
                ev.table, ev.row, ev.col = block.table, block.row, block.col
            if ev.line is not None and ev.start is not None and block.end - block.start > LONG_LINE:
                line_start = document.text.rfind("\n", 0, ev.start) + 1
                ev.column = ev.start - max(line_start, block.start) + 1


def lint(paths: Iterable[str], packs: Sequence[str] = DEFAULT_PACKS, **options: object) -> Report:
    """Lint files and return a :class:`Report` (folders are not expanded here)."""
    linter = Linter(packs, Options(packs=packs, **options))  # type: ignore[arg-type]
    return linter.report([linter.check(p) for p in paths])


def _format_guess(path: str) -> Optional[str]:
    return EXTENSIONS.get(os.path.splitext(path)[1].lower())
