"""Extraction speed: clause-lint's PDF and .docx readers on real and synthetic files.

    /work/venv/bin/python benchmarks/bench_extract.py [--repeat N] [DIR ...]

For every PDF it prints pages/s of clause-lint's reader (``clause_lint.extract``),
of ``pdftotext`` (poppler) when installed and, for reference, of pdfplumber's char
extraction when installed; the "x pdftotext" column is clause-lint's time divided by
pdftotext's (target: within 3x). For every .docx it prints paragraphs/s, and it
builds a synthetic 100-page .docx (python-docx) to time (target: under 1 s).
Timings are the best of ``--repeat`` runs. No assertions: this prints figures.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Callable, Optional

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from clause_lint.errors import ClauseLintError  # noqa: E402
from clause_lint.extract import read_path  # noqa: E402

DEFAULT_DIRS = [os.path.join(ROOT, "sample_contracts"), "/work/shared/corpus/bin"]


def best_time(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def pdftotext_time(path: str, repeat: int) -> Optional[float]:
    exe = shutil.which("pdftotext")
    if not exe:
        return None

    def run() -> None:
        subprocess.run([exe, "-q", path, "-"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)

    return best_time(run, repeat)[0]


def pdfplumber_time(path: str, repeat: int) -> Optional[float]:
    try:
        import pdfplumber
    except ImportError:
        return None

    def run() -> None:
        with pdfplumber.open(path) as doc:
            for page in doc.pages:
                page.chars  # noqa: B018 - what a layout reader starts from
                page.flush_cache()

    return best_time(run, max(1, repeat // 2))[0]


def docx_available() -> bool:
    try:
        from clause_lint.extract import docx  # noqa: F401
    except Exception:
        return False
    return True


def synthetic_docx(path: str, pages: int = 100) -> int:
    """A contract-like .docx of about ``pages`` pages; returns its paragraph count."""
    import docx

    doc = docx.Document()
    n = 0
    for section in range(1, pages + 1):
        doc.add_heading(f"{section}. Obligations of the parties, part {section}", level=1)
        n += 1
        for clause in range(1, 8):
            doc.add_paragraph(
                f"{section}.{clause} The Supplier shall perform the services described in Schedule {section} "
                "with reasonable skill and care, in accordance with good industry practice, and shall keep "
                "complete and accurate records of all work done under this clause for six years.",
                style="List Number",
            )
            n += 1
        table = doc.add_table(rows=3, cols=3)
        for r in range(3):
            for c in range(3):
                table.cell(r, c).text = f"cell {r}.{c}"
        doc.add_page_break()
    doc.save(path)
    return n


def fmt_rate(count: float, seconds: Optional[float]) -> str:
    if seconds is None:
        return "-"
    return f"{count / seconds:,.0f}" if seconds > 0 else "inf"


def fmt_s(seconds: Optional[float]) -> str:
    return "-" if seconds is None else f"{seconds:.3f}"


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="*", default=DEFAULT_DIRS)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-plumber", action="store_true", help="skip the pdfplumber reference column")
    args = ap.parse_args(argv)

    pdfs: list[str] = []
    docxs: list[str] = []
    for d in args.dirs:
        if not os.path.isdir(d):
            print(f"(skipping {d}: not present)")
            continue
        pdfs += sorted(glob.glob(os.path.join(d, "*.pdf")))
        docxs += sorted(glob.glob(os.path.join(d, "*.docx")))

    print(f"\nPDF ({'pdftotext ' + subprocess.run(['pdftotext', '-v'], capture_output=True, text=True).stderr.split()[2] if shutil.which('pdftotext') else 'no pdftotext'})")
    header = f"{'file':46} {'pages':>5} {'clause-lint s':>13} {'pages/s':>8} {'pdftotext s':>11} {'pages/s':>8} {'x pdftotext':>11} {'pdfplumber s':>12} {'pages/s':>8}"
    print(header)
    print("-" * len(header))
    total = {"pages": 0, "ours": 0.0, "pdftotext": 0.0, "plumber": 0.0}
    for path in pdfs:
        name = os.path.basename(path)[:46]
        try:
            ours, extracted = best_time(lambda: read_path(path), args.repeat)
            pages = extracted.pages or 0
            note = ""
        except ClauseLintError as exc:
            ours, pages, note = None, 0, f"  ({exc.code}: {exc})"
        theirs = pdftotext_time(path, args.repeat)
        plumber = None if args.no_plumber else pdfplumber_time(path, args.repeat)
        if not pages:
            try:
                import pypdfium2

                pages = len(pypdfium2.PdfDocument(path))
            except Exception:
                pages = 0
        ratio = f"{ours / theirs:.1f}x" if ours and theirs else "-"
        print(f"{name:46} {pages:>5} {fmt_s(ours):>13} {fmt_rate(pages, ours):>8} {fmt_s(theirs):>11} "
              f"{fmt_rate(pages, theirs):>8} {ratio:>11} {fmt_s(plumber):>12} {fmt_rate(pages, plumber):>8}{note}")
        if ours and theirs:
            total["pages"] += pages
            total["ours"] += ours
            total["pdftotext"] += theirs
            total["plumber"] += plumber or 0.0
    if total["ours"]:
        print("-" * len(header))
        plumber_total = total["plumber"] or None
        print(f"{'all (files read by both)':46} {total['pages']:>5} {fmt_s(total['ours']):>13} "
              f"{fmt_rate(total['pages'], total['ours']):>8} {fmt_s(total['pdftotext']):>11} "
              f"{fmt_rate(total['pages'], total['pdftotext']):>8} {total['ours'] / total['pdftotext']:>10.1f}x "
              f"{fmt_s(plumber_total):>12} {fmt_rate(total['pages'], plumber_total):>8}")

    print("\n.docx")
    if not docx_available():
        print("(clause_lint.extract.docx is not available yet: skipping .docx)")
        return 0
    header = f"{'file':46} {'paragraphs':>10} {'seconds':>8} {'paras/s':>9}"
    print(header)
    print("-" * len(header))
    for path in docxs:
        try:
            secs, extracted = best_time(lambda: read_path(path), args.repeat)
            n = len(extracted.blocks)
            print(f"{os.path.basename(path)[:46]:46} {n:>10} {secs:>8.3f} {fmt_rate(n, secs):>9}")
        except ClauseLintError as exc:
            print(f"{os.path.basename(path)[:46]:46} ({exc.code}: {exc})")
    try:
        import docx  # noqa: F401
    except ImportError:
        print("(python-docx not installed: no synthetic 100-page .docx)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "synthetic-100-pages.docx")
        synthetic_docx(path)
        try:
            secs, extracted = best_time(lambda: read_path(path), args.repeat)
            n = len(extracted.blocks)
            verdict = "OK (< 1 s)" if secs < 1.0 else "SLOW (target < 1 s)"
            print(f"{'synthetic 100-page .docx':46} {n:>10} {secs:>8.3f} {fmt_rate(n, secs):>9}  {verdict}")
        except ClauseLintError as exc:
            print(f"{'synthetic 100-page .docx':46} ({exc.code}: {exc})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
