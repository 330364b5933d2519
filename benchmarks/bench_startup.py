"""Start-up: whole ``clause-lint`` processes beside a reference measured in the same loop.

    python benchmarks/bench_startup.py [--runs N] [--only NAME ...]

Every measure is a fresh process, timed wall-clock from ``subprocess.run`` to exit,
with its CPU time (user + system, worker processes included) beside it.
The commands run alternately (one run of each, N times over), so a busy machine
slows all of them alike; each figure is the median of N and each ratio is divided
by the median of its reference from the same loop (for wall and for CPU time; on a
shared machine the CPU ratio is the steadier one):

* ``spacy``: ``python -c "import spacy; spacy.blank('en')"`` -- the reference for
  the checks (targets: one small file <= 1.2x, ``sample_contracts/`` cold <= 2x);
* ``spacy-lean``: the same, with spaCy's command-line modules left out as
  ``clause-lint`` leaves them out (``clause_lint.spacy_import``): the one-file
  checks are also divided by it, which leaves clause-lint's own share of start-up;
* ``tiny``: ``clause-lint check --no-cache -j 1 tiny.txt`` -- nothing cached;
* ``tiny-packs-cached``: ``clause-lint check -j 1`` of a one-line file that is new
  on every run (a result-cache miss) with the compiled pack cached, which is what a
  pre-commit hook meets when a document changed;
* ``samples``: ``clause-lint check --no-cache sample_contracts/`` (cold; one worker
  process per CPU, the default) and ``samples-j1``, the same in one process;
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
import resource
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


def prebuilt_packs() -> str:
    """Whether the clause-lint measured carries its bundled packs prebuilt (a wheel
    does, ``pip install .``; an editable install does not and parses their YAML)."""
    code = ("from clause_lint.rules.loader import BUNDLED_PACK_DIR as d; from clause_lint.cache import PREBUILT_SUFFIX as s; "
            "ps = sorted(d.glob('*.yaml')); print(sum(p.with_name(p.stem + s).is_file() for p in ps), len(ps))")
    out = subprocess.run([sys.executable, "-c", code], cwd="/", capture_output=True, text=True).stdout.split()
    if len(out) != 2:
        return "bundled packs: unknown"
    if out[0] == out[1]:
        return "bundled packs prebuilt (an installed wheel)"
    return "bundled packs NOT prebuilt (an editable install: their YAML is parsed; `pip install .` measures what users get)"


#: CPU seconds (user + system) of every process run by :func:`timed`, in order: on a
#: machine shared with other work, wall time swings with the load and CPU time much less.
CPU: list[float] = []


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], cwd: str, env: dict[str, str]) -> float:
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    CPU.append(_children_cpu() - cpu)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode(errors='replace')[-500:]}")
    return elapsed


def uncompiled_modules() -> list[str]:
    """clause-lint's modules with no byte-code cached beside them. ``pip install``
    compiles them; an editable checkout under ``PYTHONDONTWRITEBYTECODE`` (this
    project's machines set it) compiles every module from source on every start,
    about 0.1 s that an installed copy never pays: the figures would not be a user's."""
    import importlib.util

    import clause_lint

    package = os.path.dirname(os.path.abspath(clause_lint.__file__))
    out = []
    for folder, _dirs, files in os.walk(package):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                if not os.path.exists(importlib.util.cache_from_source(path)):
                    out.append(os.path.relpath(path, package))
    return sorted(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", nargs="*", help="measure only these (plus their references)")
    args = parser.parse_args()
    missing = uncompiled_modules()
    if missing:
        print(f"note: {len(missing)} clause-lint modules have no cached byte-code (e.g. {missing[0]}); "
              f"run `python -m compileall -q {os.path.dirname(os.path.abspath(__import__('clause_lint').__file__))}` "
              "first, as pip does on install, or start-up includes compiling them", file=sys.stderr)

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
        "spacy-lean": [sys.executable, "-c", "from clause_lint.spacy_import import leave_out_spacy_cli; "
                       "leave_out_spacy_cli(); import spacy; spacy.blank('en')"],
        "tiny": cl + ["check", "--no-cache", "-j", "1", "--isolated", tiny],
        "tiny-packs-cached": tiny_packs_cached,
        "samples": cl + ["check", "--no-cache", "--isolated", SAMPLES],
        "samples-j1": cl + ["check", "--no-cache", "--isolated", "-j", "1", SAMPLES],
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
        keep = set(args.only) | {"spacy", "spacy-lean"} | ({"pdftotext"} if "extract" in args.only else set())
        measures = {k: v for k, v in measures.items() if k in keep}

    # Warm the OS file cache and the compiled pack cache once, untimed.
    for name, what in measures.items():
        what() if callable(what) else timed(what, work, env)  # type: ignore[operator,arg-type]
    times: dict[str, list[float]] = {k: [] for k in measures}
    cpu: dict[str, list[float]] = {k: [] for k in measures}
    for _ in range(args.runs):
        for name, what in measures.items():
            before = len(CPU)
            times[name].append(what() if callable(what) else timed(what, work, env))  # type: ignore[operator,arg-type]
            cpu[name].append(sum(CPU[before:]))
    med = {k: statistics.median(v) for k, v in times.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}

    def ratio(name: str, ref: str, of: dict[str, float]) -> str:
        return f"{of[name] / of[ref]:.2f}x" if name in of and ref in of else ""

    targets = {"tiny": "<= 1.2x", "samples": "<= 2x", "extract": "<= 2x"}
    refs = {"tiny": "spacy", "tiny-packs-cached": "spacy", "samples": "spacy", "samples-j1": "spacy", "extract": "pdftotext", "version": "spacy"}
    print(f"median of {args.runs} runs, alternating; {os.cpu_count()} CPUs; clause-lint = {' '.join(cl)}; {prebuilt_packs()}")
    print(f"{'measure':<18} {'wall s':>7} {'(min':>6} {'max)':>6} {'cpu s':>6}  {'reference':<10} {'wall':>6} {'cpu':>6}  target")
    for name in measures:
        ref = refs.get(name)  # None: this row is a reference
        print(f"{name:<18} {med[name]:>7.3f} {min(times[name]):>6.2f} {max(times[name]):>6.2f} {med_cpu[name]:>6.3f}  "
              f"{ref or '(itself)':<10} {ratio(name, ref, med) if ref else '':>6} {ratio(name, ref, med_cpu) if ref else '':>6}  "
              f"{targets.get(name, '')}")
    lean = [f"{name} {ratio(name, 'spacy-lean', med)} wall, {ratio(name, 'spacy-lean', med_cpu)} cpu"
            for name in ("tiny", "tiny-packs-cached") if name in med and "spacy-lean" in med]
    if lean:
        print("against spaCy without its CLI (clause-lint's own share): " + "; ".join(lean))
    if "extract" in med:
        print(f"({len(CORPUS_PDFS)} PDFs, one process per file: {', '.join(os.path.basename(p) for p in CORPUS_PDFS)})")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
