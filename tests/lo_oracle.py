"""LibreOffice as the oracle for Word list labels.

``soffice --headless --convert-to txt:Text`` lays the document out with LibreOffice's
own numbering engine and writes every paragraph on a line, its list label in front
("2.1<TAB>text"). :func:`compare_file` lines clause-lint's paragraphs up with those
lines by their text and compares the labels.

Used by ``tests/test_numbering_oracle.py`` and ``benchmarks/bench_numbering.py``.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

from clause_lint.extract import read_path
from clause_lint.model import LIST_ITEM
from clause_lint.text import normalize_inline

# Paragraphs are looked for this many lines ahead of the last one found: far enough to
# step over unnumbered lines clause-lint does not report (empty ones, text boxes), near
# enough that a short text ("Fees") is not matched to a far later repeat.
WINDOW = 60
MAX_LABEL_CHARS = 24
HEAD_CHARS = 24


def soffice() -> Optional[str]:
    """Path of LibreOffice's ``soffice``, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def render(paths: Sequence[Path], timeout: float = 300) -> dict[Path, list[str]]:
    """LibreOffice's plain-text rendering of each .docx, as lines.

    A private user profile lets several conversions run at once on one machine (a
    shared profile makes a second soffice hand its job to the first and exit).
    """
    exe = soffice()
    if exe is None:
        raise RuntimeError("soffice (LibreOffice) is not installed")
    with tempfile.TemporaryDirectory(prefix="clause-lint-lo-") as tmp:
        profile = Path(tmp, "profile").as_uri()
        out = Path(tmp, "out")

        def convert(batch: Sequence[Path]) -> None:
            subprocess.run(
                [exe, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "txt:Text",
                 "--outdir", str(out), *map(str, batch)],
                check=True, capture_output=True, timeout=timeout,
            )

        convert(paths)
        # A long batch now and then loses a file (LibreOffice restarts its worker):
        # those are converted again one by one.
        for path in paths:
            if not (out / (Path(path).stem + ".txt")).exists():
                convert([path])
        result: dict[Path, list[str]] = {}
        for path in paths:
            txt = out / (Path(path).stem + ".txt")
            if not txt.exists():
                raise RuntimeError(f"LibreOffice did not convert {path}")
            result[Path(path)] = txt.read_text(encoding="utf-8-sig", errors="replace").splitlines()
        return result


@dataclass(frozen=True)
class Item:
    """One paragraph as clause-lint reads it."""

    label: Optional[str]
    text: str
    bullet: bool  # a list item without a label (bullet or no lvlText)


@dataclass
class Comparison:
    numbered: int = 0  # paragraphs with a label on either side
    matched: int = 0
    mismatches: list[tuple[str, str, str]] = field(default_factory=list)  # (clause-lint, LibreOffice, text)
    unaligned: list[str] = field(default_factory=list)  # clause-lint paragraphs not found in LibreOffice's text

    @property
    def share(self) -> float:
        return self.matched / self.numbered if self.numbered else 1.0


def clause_lint_items(path: Path) -> list[Item]:
    """Body paragraphs in order, with their labels; a cell's paragraphs one by one."""
    items: list[Item] = []
    for block in read_path(str(path)).blocks:
        if block.part != "body":
            continue
        if block.table is not None and block.label is None and "\n" in block.text:
            # A cell of several paragraphs keeps their labels in its text: each line
            # must equal LibreOffice's line, label included, or it stays unaligned.
            items.extend(Item(None, line, False) for line in block.text.split("\n"))
            continue
        bullet = block.kind == LIST_ITEM and block.label is None
        items.append(Item(block.label, block.text, bullet))
    return items


def _norm(text: str) -> str:
    return normalize_inline(text)


def _prefix(line: str, text: str) -> Optional[str]:
    """The label in front of ``text`` on LibreOffice's ``line``, "" for none, None if no match."""
    if line == text:
        return ""
    if text and line.endswith(text):
        head = line[: len(line) - len(text)].strip()
        if len(head) <= MAX_LABEL_CHARS:
            return head
    return None


def compare(items: list[Item], lines: list[str]) -> Comparison:
    """Compare clause-lint's labels with the ones in front of the same text in ``lines``."""
    norm_lines = [_norm(line) for line in lines]
    result = Comparison()
    cursor = 0
    for item in items:
        text = _norm(item.text)
        if not text:
            continue
        found: Optional[tuple[int, str]] = None
        window = range(cursor, min(len(norm_lines), cursor + WINDOW))
        for i in window:  # the whole line first, then a line that ends with the text
            if norm_lines[i] == text:
                found = (i, "")
                break
        if found is None or item.label is not None:
            for i in window:
                head = _prefix(norm_lines[i], text)
                if head:
                    if found is None or i <= found[0]:
                        found = (i, head)
                    break
        if found is None and len(text) >= HEAD_CHARS:
            # LibreOffice shows tracked changes unaccepted (deleted text stays in the
            # line), so a changed paragraph is found by its first words after the label.
            for i in window:
                at = norm_lines[i].find(text[:HEAD_CHARS])
                if 0 <= at <= MAX_LABEL_CHARS + 1:
                    found = (i, norm_lines[i][:at].strip())
                    break
        if found is None:
            result.unaligned.append(item.text[:60])
            continue
        cursor = found[0] + 1
        theirs = found[1]
        ours = item.label
        if item.bullet or (ours is None and theirs and not any(ch.isalnum() for ch in theirs)):
            continue  # bullets are not numbered paragraphs
        if not ours and not theirs:
            continue
        result.numbered += 1
        if _norm(ours or "") == theirs:
            result.matched += 1
        else:
            result.mismatches.append((ours or "", theirs, item.text[:60]))
    return result


def compare_file(path: Path, lines: list[str]) -> Comparison:
    return compare(clause_lint_items(path), lines)


def tool_version() -> str:
    exe = soffice()
    if exe is None:
        return "not installed"
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return " ".join(out.split()[:2]) or "unknown"


__all__ = ["Comparison", "Item", "WINDOW", "compare", "compare_file", "clause_lint_items", "render", "soffice",
           "tool_version"]
