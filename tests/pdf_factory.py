"""Build real PDF files for tests with reportlab (a dev dependency).

Positions are given the way a reader sees a page: ``x`` from the left edge and
``top`` from the top edge, in points, for the top of a line of ``size``-point text.

    page = [T(72, 72, "1. Definitions"), T(72, 86, "Second line of the clause.")]
    build_pdf(tmp_path / "a.pdf", [page, page2], encrypt=("", "owner"))

``flow()`` lays out lines one under another; ``scanned_pdf()`` writes an image-only
page; ``build_pdf(..., encrypt=(user, owner))`` encrypts with the standard handler.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union

from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

PAGE_W, PAGE_H = letter  # 612 x 792 points
LEADING = 14.0  # line pitch used by flow() for 11-point text


@dataclass
class T:
    """One string drawn at (x, top) in the reader's coordinates."""

    x: float
    top: float
    text: str
    size: float = 11.0
    font: str = "Helvetica"
    angle: float = 0.0  # degrees counter-clockwise; 90 = running up the page


@dataclass
class Image:
    """A raster image covering the box (x, top, width, height)."""

    x: float
    top: float
    width: float
    height: float
    pixels: int = 200  # side of the generated bitmap


def flow(lines: Sequence[str], x: float = 72.0, top: float = 72.0, leading: float = LEADING,
         size: float = 11.0, gap_after: Iterable[int] = (), indent: Optional[dict[int, float]] = None) -> list[T]:
    """Lines one under another. ``gap_after`` adds a blank line after those indexes;
    ``indent`` maps a line index to extra left indentation."""
    out: list[T] = []
    gaps = set(gap_after)
    indent = indent or {}
    y = top
    for i, line in enumerate(lines):
        out.append(T(x + indent.get(i, 0.0), y, line, size))
        y += leading
        if i in gaps:
            y += leading
    return out


def _bitmap(pixels: int):
    from PIL import Image as PILImage, ImageDraw

    img = PILImage.new("L", (pixels, pixels), 255)
    draw = ImageDraw.Draw(img)
    # Stripes that look like lines of print: a scan, not text.
    for row in range(10, pixels - 10, 12):
        draw.rectangle([10, row, pixels - 10, row + 5], fill=40)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    buf.seek(0)
    return ImageReader(buf)


def build_pdf(path: Union[str, Path], pages: Sequence[Sequence[Union[T, Image]]],
              encrypt: Optional[tuple[str, str]] = None, page_size: tuple[float, float] = letter) -> Path:
    """Write a PDF with one page per item of ``pages``; return its path."""
    path = Path(path)
    enc = None
    if encrypt is not None:
        from reportlab.lib import pdfencrypt

        user, owner = encrypt
        enc = pdfencrypt.StandardEncryption(user, ownerPassword=owner, canPrint=1, canModify=0, canCopy=1)
    width, height = page_size
    c = canvas.Canvas(str(path), pagesize=page_size, encrypt=enc, invariant=1)
    for items in pages:
        for item in items:
            if isinstance(item, Image):
                c.drawImage(_bitmap(item.pixels), item.x, height - item.top - item.height,
                            width=item.width, height=item.height)
                continue
            c.setFont(item.font, item.size)
            baseline = height - item.top - item.size * 0.8
            if item.angle:
                c.saveState()
                c.translate(item.x, baseline)
                c.rotate(item.angle)
                c.drawString(0, 0, item.text)
                c.restoreState()
            else:
                c.drawString(item.x, baseline, item.text)
        c.showPage()
    c.save()
    return path


def scanned_pdf(path: Union[str, Path], pages: int = 1) -> Path:
    """An image-only PDF, as a scanner without OCR writes it."""
    return build_pdf(path, [[Image(36, 36, PAGE_W - 72, PAGE_H - 72)] for _ in range(pages)])


def text_pdf(path: Union[str, Path], pages: Sequence[Sequence[str]], **kw) -> Path:
    """One flowed block of lines per page."""
    return build_pdf(path, [flow(lines, **kw) for lines in pages])
