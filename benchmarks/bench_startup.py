"""Start-up: whole ``clause-lint`` processes beside a reference measured in the same loop.

    python benchmarks/bench_startup.py [--runs N] [--only NAME ...]

Every measure is a fresh process, timed wall-clock from ``subprocess.run`` to exit.
The commands run alternately (one run of each, N times over), so a busy machine
slows all of them alike; each figure is the median of N and each ratio is divided
by the median of its reference from the same loop:

* ``spacy``: ``python -c "import spacy; spacy.blank('en')"`` -- the reference for
  the checks (targets: one small file <= 1.2x, ``sample_contracts/`` cold <= 2x);
* ``tiny``: ``clause-lint check --no-cache -j 1 tiny.txt`` -- nothing cached;
* ``tiny-packs-cached``: ``clause-lint check -j 1`` of a one-line file that is new
  on every run (a result-cache miss) with the compiled pack cached, which is what a
  pre-commit hook meets when a document changed;
* ``samples``: ``clause-lint check --no-cache sample_contracts/`` (cold);
* ``pdftotext`` / ``extract``: ``pdftotext`` against ``clause-lint extract`` on the
  corpus PDFs, one process per file for both, summed (target <= 2x); skipped when
  pdftotext or the PDFs are missing;
* ``version``: ``clause-lint --version``.

No assertions: this prints figures.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES = os.path.join(ROOT, "sample_contracts")
CORPUS_PDFS = sorted(glob.glob(os.path.join(os.path.dirname(ROOT), "shared", "corpus", "bin", "*.pdf"))
                     or glob.glob("/work/shared/corpus/bin/*.pdf"))
TINY = "Customer shall not use the Service to develop weapons or for mass surveillance.\n"


def clause_lint() -> list[str]:
    """The installed entry point beside this Python, else ``python -m clause_lint``."""
    exe = os.path.join(os.path.dirname(sys.executable), "clause-lint")
    return [exe] if os.access(exe, os.X_OK) else [sys.executable, "-m", "clause_lint"]


def timed(argv: list[str], cwd: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode(errors='replace')[-500:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", nargs="*", help="measure only these (plus their references)")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="bench-startup-")
    tiny = os.path.join(work, "tiny.txt")
    with open(tiny, "w", encoding="utf-8") as fh:
        fh.write(TINY)
    env = {**os.environ, "CLAUSE_LINT_CACHE_DIR": os.path.join(work, "cache")}
    cl = clause_lint()
    counter = iter(range(1 << 30))

    def tiny_packs_cached() -> float:
        # A document never seen before (result-cache miss); the packs are cached.
        path = os.path.join(work, f"changed-{next(counter)}.txt")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(TINY.replace("Customer", f"Customer {next(counter)}"))
        return timed(cl + ["check", "-j", "1", "--isolated", path], work, env)

    measures: dict[str, object] = {
        "spacy": [sys.executable, "-c", "import spacy; spacy.blank('en')"],
        "tiny": cl + ["check", "--no-cache", "-j", "1", "--isolated", tiny],
        "tiny-packs-cached": tiny_packs_cached,
        "samples": cl + ["check", "--no-cache", "--isolated", SAMPLES],
        "version": cl + ["--version"],
    }
    pdftotext = shutil.which("pdftotext")
    if pdftotext and CORPUS_PDFS:
        def all_pdftotext() -> float:
            return sum(timed([pdftotext, "-q", p, os.devnull], work, env) for p in CORPUS_PDFS)

        def all_extract() -> float:
            return sum(timed(cl + ["extract", "--format", "json", p], work, env) for p in CORPUS_PDFS)

        measures["pdftotext"] = all_pdftotext
        measures["extract"] = all_extract
    if args.only:
        keep = set(args.only) | {"spacy"} | ({"pdftotext"} if "extract" in args.only else set())
        measures = {k: v for k, v in measures.items() if k in keep}

    # Warm the OS file cache and the compiled pack cache once, untimed.
    for name, what in measures.items():
        what() if callable(what) else timed(what, work, env)  # type: ignore[operator,arg-type]
    times: dict[str, list[float]] = {k: [] for k in measures}
    for _ in range(args.runs):
        for name, what in measures.items():
            times[name].append(what() if callable(what) else timed(what, work, env))  # type: ignore[operator,arg-type]
    med = {k: statistics.median(v) for k, v in times.items()}

    def ratio(name: str, ref: str) -> str:
        return f"{med[name] / med[ref]:.2f}x {ref}" if name in med and ref in med else ""

    targets = {"tiny": "<= 1.2x", "samples": "<= 2x", "extract": "<= 2x"}
    refs = {"tiny": "spacy", "tiny-packs-cached": "spacy", "samples": "spacy", "extract": "pdftotext", "version": "spacy"}
    print(f"median of {args.runs} runs, alternating; {os.cpu_count()} CPUs; clause-lint = {' '.join(cl)}")
    print(f"{'measure':<20} {'median s':>9} {'min s':>7} {'max s':>7}  ratio            target")
    for name in measures:
        print(f"{name:<20} {med[name]:>9.3f} {min(times[name]):>7.3f} {max(times[name]):>7.3f}  "
              f"{ratio(name, refs[name]) if name in refs else 'reference':<16} {targets.get(name, '')}")
    if "extract" in med:
        print(f"({len(CORPUS_PDFS)} PDFs, one process per file: {', '.join(os.path.basename(p) for p in CORPUS_PDFS)})")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
