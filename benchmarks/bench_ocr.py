"""OCR speed and agreement: scanned versions of real PDFs read through Tesseract.

    python benchmarks/bench_ocr.py [--dpi 300] [--repeat N] [DIR_OR_PDF ...]

Each PDF (default: the PDFs in ``sample_contracts/``) is scanned here: every page is
rendered by pypdfium2 at ``--dpi``, rasterised to a grey image and drawn alone on a
page of a new PDF (reportlab), as a scanner without OCR writes it. The scan is then
read by clause-lint (``--ocr auto``: every page is recognised) and the script prints
pages/s of the whole reader (render at 300 dpi + Tesseract + layout), and whether the
scan gets the same verdict for every rule (and the same section, page and line for
its deciding evidence) as the text version. Tesseract runs with one thread, as
clause-lint runs it; ``--jobs`` spreads documents over cores, not pages.
No assertions: this prints figures.
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from clause_lint.api import Linter, Options  # noqa: E402
from clause_lint.extract import ocr, read_path  # noqa: E402


def scan(source: str, target: str, dpi: int) -> int:
    import pypdfium2 as pdfium
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    doc = pdfium.PdfDocument(source)
    out = canvas.Canvas(target)
    for page in doc:
        width, height = page.get_size()
        out.setPageSize((width, height))
        out.drawImage(ImageReader(page.render(scale=dpi / 72, grayscale=True).to_pil()), 0, 0, width, height)
        out.showPage()
    out.save()
    return len(doc)


def verdicts(linter: Linter, path: str) -> list[tuple]:
    result = linter.check(path)
    if result.error is not None:
        return [("error", result.error.message)]
    out = []
    for r in result.results:
        ev = r.evidence[0] if r.evidence else None
        out.append((r.rule, r.status, (ev.section, ev.page, ev.line) if ev else None))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=[os.path.join(ROOT, "sample_contracts")])
    parser.add_argument("--dpi", type=int, default=300, help="resolution of the scans made (default 300)")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    why = ocr.missing_reason()
    if why:
        print(f"OCR cannot run here: {why}")
        return 1
    pdfs: list[str] = []
    for p in args.paths:
        pdfs += sorted(glob.glob(os.path.join(p, "*.pdf"))) if os.path.isdir(p) else [p]
    linter = Linter(options=Options(assume_applicable=True))
    print(f"{ocr.engine().version}, scans at {args.dpi} dpi, best of {args.repeat}")  # type: ignore[union-attr]
    print("| file | pages | s | pages/s | s/page | same verdicts | same location |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    total_pages = 0
    total_s = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for pdf in pdfs:
            target = os.path.join(tmp, os.path.basename(pdf))
            pages = scan(pdf, target, args.dpi)
            best = float("inf")
            for _ in range(args.repeat):
                start = time.perf_counter()
                extracted = read_path(target)
                best = min(best, time.perf_counter() - start)
            assert extracted.metadata.get("ocr_pages"), "the scan was not recognised"
            text, scanned = verdicts(linter, pdf), verdicts(linter, target)
            same = sum(a[:2] == b[:2] for a, b in zip(text, scanned))
            located = sum(a == b for a, b in zip(text, scanned))
            total_pages += pages
            total_s += best
            print(f"| {os.path.basename(pdf)} | {pages} | {best:.2f} | {pages / best:.2f} | {best / pages:.2f} | "
                  f"{same} of {len(text)} | {located} of {len(text)} |")
    if total_pages:
        print(f"| **all** | {total_pages} | {total_s:.2f} | {total_pages / total_s:.2f} | {total_s / total_pages:.2f} | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
