"""Text recognition for scanned PDF pages: Tesseract, run as a program.

A page is rendered by PDFium (pypdfium2, already the PDF engine) in grey at
:data:`DPI`, handed to ``tesseract`` on stdin as a PGM image, and its TSV output —
every word with its box, grouped by Tesseract into blocks, paragraphs and lines —
comes back as lines of text with their positions in points. The PDF reader then lays
those lines out exactly as it lays out a text layer (columns, headers and footers,
paragraphs, page and line numbers), so recognised text keeps its pages and lines.

Why the program and not a Python binding: one call per page is all that is needed,
and running it ourselves lets the image go through a pipe (no temporary files), the
output be parsed in one place, and the process be killed when the document's time
budget ends (``subprocess.run`` kills its child when the budget's exception arrives).
pytesseract does the same through temporary files and leaves the child running when
interrupted; tesserocr needs a compiler and Tesseract's headers to install.

Tesseract is found on ``PATH`` (``CLAUSE_LINT_TESSERACT`` names another program).
It is asked for one thread (``OMP_THREAD_LIMIT=1``): clause-lint already spreads
documents over the cores, and one thread makes the result the same on every run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from ..errors import ClauseLintError

MODES = ("auto", "never", "always")
DPI = 300
# Longest side of a rendered page in pixels: a legal page at 300 dpi is ~4,200; a
# 200-inch page would otherwise be a 3.6-gigapixel image.
MAX_SIDE_PX = 6000
LANGUAGE = "eng"
# Page segmentation mode 4, "a single column of text of variable sizes": the
# default (3, fully automatic) drops clause numbers hanging in the left margin
# ("3.1", "(a)") as a column of their own, and a contract's numbers are its
# structure. Columns still come apart: words across a gutter are separate runs
# (RUN_GAP), and the PDF layout code finds the gutter as it does in a text layer.
PAGE_SEGMENTATION = "4"
# Confidence (0-100) under which a word without a letter or digit is a speck.
SPECK_CONFIDENCE = 50
# Words further apart than this many line heights are separate runs (table cells,
# columns), as the layout code expects from a text layer.
RUN_GAP = 1.5
INSTALL_HINT = ("install Tesseract to read scans (Debian/Ubuntu: apt-get install tesseract-ocr tesseract-ocr-eng; "
                "macOS: brew install tesseract)")


@dataclass(frozen=True)
class Engine:
    path: str
    version: str  # "tesseract 5.3.0"
    languages: tuple[str, ...]


@dataclass
class Run:
    """Words of one recognised line that stand together, in points from the page's top left."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # height of the whole line, a stand-in for the font size


@dataclass
class Recognised:
    width: float  # page size in points, as rendered
    height: float
    runs: list[Run]


@lru_cache(maxsize=1)
def engine() -> Optional[Engine]:
    """The Tesseract program with the English model, or None when there is none."""
    path = shutil.which(os.environ.get("CLAUSE_LINT_TESSERACT") or "tesseract")
    if path is None:
        return None
    try:
        version = subprocess.run([path, "--version"], capture_output=True, timeout=30)
        langs = subprocess.run([path, "--list-langs"], capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    first = (version.stdout or version.stderr).decode("utf-8", "replace").strip().splitlines()
    listed = langs.stdout.decode("utf-8", "replace").splitlines()[1:]
    return Engine(path=path, version=first[0].strip() if first else "tesseract", languages=tuple(x.strip() for x in listed))


def missing_reason() -> Optional[str]:
    """Why OCR cannot run here (with how to fix it), or None when it can."""
    found = engine()
    if found is None:
        return INSTALL_HINT
    if LANGUAGE not in found.languages:
        return (f"Tesseract has no English model ({LANGUAGE}.traineddata); "
                "install it (Debian/Ubuntu: apt-get install tesseract-ocr-eng)")
    return None


def engine_id(mode: str) -> Optional[str]:
    """What the result of reading depends on, for the result cache: the program's
    version when OCR may run, else None."""
    if mode == "never":
        return None
    found = engine()
    return f"{found.version} {LANGUAGE}" if found is not None and LANGUAGE in found.languages else "none"


def recognise(page: object) -> Recognised:
    """Render ``page`` (a ``pypdfium2.PdfPage``) and recognise its text."""
    found = engine()
    if found is None or LANGUAGE not in found.languages:
        raise ClauseLintError(f"cannot recognise text: {missing_reason()}", code="needs-ocr")
    width, height = page.get_size()  # type: ignore[attr-defined]
    scale = min(DPI / 72.0, MAX_SIDE_PX / max(width, height, 1.0))
    bitmap = page.render(scale=scale, grayscale=True)  # type: ignore[attr-defined]
    try:
        image = _pgm(bitmap)
        px_w, px_h = bitmap.width, bitmap.height
    finally:
        bitmap.close()
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    dpi = str(max(int(round(scale * 72)), 70))
    try:
        proc = subprocess.run([found.path, "stdin", "stdout", "-l", LANGUAGE, "--dpi", dpi, "--psm", PAGE_SEGMENTATION, "tsv"],
                              input=image, capture_output=True, env=env)
    except OSError as exc:
        raise ClauseLintError(f"cannot run Tesseract ({found.path}): {exc.strerror or exc}", code="needs-ocr") from None
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ClauseLintError(f"Tesseract failed on a page: {detail[-1] if detail else f'exit code {proc.returncode}'}",
                              code="needs-ocr")
    points = 1.0 / scale  # rendered pixels per point is the scale
    return Recognised(width=px_w * points, height=px_h * points, runs=_runs(proc.stdout.decode("utf-8", "replace"), points))


def _pgm(bitmap: object) -> bytes:
    """A binary PGM (the simplest image format Tesseract reads) of an 8-bit grey bitmap."""
    w, h, stride = bitmap.width, bitmap.height, bitmap.stride  # type: ignore[attr-defined]
    buf = bytes(bitmap.buffer)  # type: ignore[attr-defined]
    if stride != w:
        buf = b"".join(buf[i * stride:i * stride + w] for i in range(h))
    return b"P5\n%d %d\n255\n" % (w, h) + buf


def _runs(tsv: str, points: float) -> list[Run]:
    """Tesseract's TSV (one row per page, block, paragraph, line and word) → runs."""
    lines: dict[tuple[int, int, int], list[tuple[int, int, int, int, str]]] = {}
    line_box: dict[tuple[int, int, int], tuple[int, int]] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12:
            continue
        try:
            level, block, par, line = int(cols[0]), int(cols[2]), int(cols[3]), int(cols[4])
            left, top, width, height = (int(c) for c in cols[6:10])
            conf = float(cols[10])
        except ValueError:
            continue
        key = (block, par, line)
        if level == 4:
            line_box[key] = (top, top + height)
        elif level == 5:
            text = cols[11].strip()
            # Specks read as punctuation ("-_", "|" at 35 %) would split a clause
            # number from its text ("6.1 -_ Kestrel tests"); real dashes and bars
            # are recognised with high confidence.
            if not any(c.isalnum() for c in text) and conf < SPECK_CONFIDENCE:
                continue
            if text and conf >= 0:
                lines.setdefault(key, []).append((left, top, left + width, top + height, text))
    runs: list[Run] = []
    for key in sorted(lines, key=lambda k: (line_box.get(k, (0, 0))[0], k)):
        words = sorted(lines[key])
        top, bottom = line_box.get(key, (min(w[1] for w in words), max(w[3] for w in words)))
        gap = RUN_GAP * max(bottom - top, 1)
        group = [words[0]]
        for word in words[1:]:
            if word[0] - group[-1][2] > gap:
                runs.append(_run(group, top, bottom, points))
                group = []
            group.append(word)
        runs.append(_run(group, top, bottom, points))
    return runs


def _run(words: list[tuple[int, int, int, int, str]], top: int, bottom: int, points: float) -> Run:
    return Run(text=" ".join(w[4] for w in words), x0=words[0][0] * points, x1=max(w[2] for w in words) * points,
               top=top * points, bottom=bottom * points, size=(bottom - top) * points)
