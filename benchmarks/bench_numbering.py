"""Word list labels: clause-lint against LibreOffice, file by file.

    python benchmarks/bench_numbering.py [-v] [PATH ...]

Renders every .docx in ``sample_contracts/`` and ``../shared/corpus/bin`` (or the
files and folders given) with LibreOffice (``soffice --convert-to txt``), lines
clause-lint's paragraphs up with LibreOffice's lines by their text, and prints per
file the share of numbered paragraphs whose label is the same, then the total. A
numbered paragraph is one either side gives a label (bullets are not counted).
``-v`` lists every paragraph that differs. Target: >= 99 % on every file. Exit 1 when
a file is under the target, 2 when LibreOffice is missing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import lo_oracle  # noqa: E402

DEFAULT_DIRS = [ROOT / "sample_contracts", ROOT.parent / "shared" / "corpus" / "bin"]
TARGET = 0.99


def docx_files(args: list[str]) -> list[Path]:
    found: list[Path] = []
    for arg in args or [str(d) for d in DEFAULT_DIRS]:
        path = Path(arg)
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix.lower() == ".docx"))
        elif path.is_file():
            found.append(path)
        elif args:
            print(f"bench_numbering: {arg}: no such file or folder", file=sys.stderr)
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every label that differs")
    args = parser.parse_args(argv)
    if lo_oracle.soffice() is None:
        print("bench_numbering: LibreOffice (soffice) is not installed; "
              "apt-get install libreoffice-writer-nogui", file=sys.stderr)
        return 2
    files = docx_files(args.paths)
    if not files:
        print("bench_numbering: no .docx files", file=sys.stderr)
        return 2
    rendered = lo_oracle.render(files)
    print(f"LibreOffice: {lo_oracle.tool_version()}")
    width = min(72, max(len(p.name) for p in files))
    print(f"{'file':<{width}} {'numbered':>8} {'match':>6} {'share':>7} {'unaligned':>9}")
    total = lo_oracle.Comparison()
    below = 0
    for path in files:
        result = lo_oracle.compare_file(path, rendered[path])
        total.numbered += result.numbered
        total.matched += result.matched
        total.unaligned.extend(result.unaligned)
        below += result.share < TARGET
        print(f"{path.name[:width]:<{width}} {result.numbered:>8} {result.matched:>6} {result.share:>7.1%} {len(result.unaligned):>9}")
        if args.verbose:
            for ours, theirs, text in result.mismatches:
                # Only the labels and the first words: the corpus text stays where it is.
                print(f"    clause-lint {ours!r:>12}  LibreOffice {theirs!r:>12}  {' '.join(text.split()[:4])}")
            for text in result.unaligned:
                print(f"    not found in LibreOffice's text: {' '.join(text.split()[:4])}")
    print(f"{'total':<{width}} {total.numbered:>8} {total.matched:>6} {total.share:>7.1%} {len(total.unaligned):>9}")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
