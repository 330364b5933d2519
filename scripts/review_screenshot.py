"""Picture of a page of an annotated .docx as a reviewer sees it, for the README.

LibreOffice renders the page (``soffice --convert-to pdf``, comments exported as PDF
annotations; its PDF export cannot yet put them in the margin) and ``pdftoppm`` turns
it into an image. The comments are then read back from the annotations LibreOffice
wrote, so they are the ones it found in the .docx, and drawn in a margin beside the
page, each joined to the place it is anchored, the way Word's review pane shows them.

    python scripts/review_screenshot.py REVIEWED.docx docs/annotated.png [--page 1]

Needs LibreOffice, poppler-utils (pdftoppm) and Pillow; a tool for the docs, not part
of clause-lint.
"""

from __future__ import annotations

import argparse
import ctypes
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as raw
from PIL import Image, ImageDraw, ImageFont

DPI = 80
PANEL = 430  # width of the comment margin, pixels
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
MAX_LINES = 14  # a comment longer than this is cut, as Word's margin does


def comments(pdf_path: Path, page_index: int) -> list[tuple[float, float, str]]:
    """``(x, y, text)`` of each comment (PDF text annotation) on the page, in points from the top left."""
    pdf = pdfium.PdfDocument(str(pdf_path))
    page = pdf[page_index]
    height = page.get_size()[1]
    out = []
    for k in range(raw.FPDFPage_GetAnnotCount(page.raw)):
        annot = raw.FPDFPage_GetAnnot(page.raw, k)
        try:
            if raw.FPDFAnnot_GetSubtype(annot) != raw.FPDF_ANNOT_TEXT:
                continue
            rect = raw.FS_RECTF()
            raw.FPDFAnnot_GetRect(annot, rect)
            size = raw.FPDFAnnot_GetStringValue(annot, b"Contents", None, 0)
            buf = (ctypes.c_ushort * (size // 2))()
            raw.FPDFAnnot_GetStringValue(annot, b"Contents", buf, size)
            text = bytes(buf).decode("utf-16-le").rstrip("\x00")
            out.append((rect.left, height - rect.top, text))
        finally:
            raw.FPDFPage_CloseAnnot(annot)
    return sorted(out, key=lambda c: c[1])


def wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for para in text.split("\n"):
        lines.extend(textwrap.wrap(para, width=width, subsequent_indent="  " if para.startswith(("\u2022", "  ")) else "") or [""])
    if len(lines) > MAX_LINES:
        lines = lines[: MAX_LINES - 1] + [lines[MAX_LINES - 1].rstrip() + " \u2026"]
    return lines


def render(docx: Path, png: Path, page: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["soffice", "--headless", "--convert-to",
                        'pdf:writer_pdf_Export:{"ExportNotes":{"type":"boolean","value":"true"}}',
                        "--outdir", tmp, str(docx)], check=True, capture_output=True, timeout=300)
        pdf = Path(tmp) / (docx.stem + ".pdf")
        subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile",
                        str(pdf), str(Path(tmp) / "page")], check=True, capture_output=True, timeout=120)
        image = Image.open(Path(tmp) / "page.png").convert("RGB")
        notes = comments(pdf, page - 1)
    scale = DPI / 72
    # Room below the page for comments that do not fit beside it; cropped at the end.
    canvas = Image.new("RGB", (image.width + PANEL, image.height + 3000), "#f3f3f3")
    canvas.paste(image, (0, 0))
    draw = ImageDraw.Draw(canvas)
    font, bold = ImageFont.truetype(FONT, 11), ImageFont.truetype(BOLD, 11)
    line_h = 14
    y_free = 8
    for x, y, text in notes:
        lines = wrap(text, 62)
        box_h = line_h * len(lines) + 12
        top = max(y_free, int(y * scale) - 6)
        left = image.width + 10
        ax, ay = int(x * scale), int(y * scale)
        draw.rectangle([ax - 3, ay - 2, ax + 15, ay + 16], outline="#c62828", width=2)
        draw.line([(ax + 15, ay + 7), (image.width, ay + 7), (left, top + 10)], fill="#c62828", width=1)
        draw.rectangle([left, top, canvas.width - 10, top + box_h], fill="#fffdf2", outline="#c98a00")
        for i, line in enumerate(lines):
            draw.text((left + 6, top + 6 + i * line_h), line, fill="#1b1b1b", font=bold if i == 0 else font)
        y_free = top + box_h + 6
    canvas = canvas.crop((0, 0, canvas.width, max(image.height, y_free + 2)))
    canvas.save(png, optimize=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("docx", type=Path)
    parser.add_argument("png", type=Path)
    parser.add_argument("--page", type=int, default=1)
    args = parser.parse_args(argv)
    render(args.docx, args.png, args.page)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
