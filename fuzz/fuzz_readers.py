"""Coverage-guided fuzzing of the document readers (.docx, .pdf, text formats).

The contract every reader keeps: for *any* bytes, ``read_bytes`` (and the structure
stage after it) either returns a result or raises a ``ClauseLintError``. Anything
else -- another exception, a hang, unbounded memory -- is a bug, and the input that
caused it is kept in ``tests/fuzz_regressions/`` so ``tests/test_fuzz_regressions.py``
replays it on every test run.

Targets (``--target``):

``docx``       raw bytes as a .docx (zip container, limits, sniffing)
``docx-xml``   bytes split at ``\\x00\\x00`` into word/document.xml, numbering.xml and
               styles.xml inside a valid package -- mutations reach the XML readers
               instead of dying at the zip CRC check
``pdf``        raw bytes as a .pdf (PDFium plus the layout code)
``text``       first byte picks .txt / .md / .html, the rest is the file

Engines: atheris (libFuzzer for Python, ``pip install atheris``) when importable, else
a built-in random mutator over the seed files (``--engine mutate``), which needs
nothing beyond the project's own dependencies.

    python fuzz/fuzz_readers.py --make-seeds fuzz/seeds          # seed corpus from the factories
    python fuzz/fuzz_readers.py --target docx-xml fuzz/work/docx-xml fuzz/seeds/docx-xml \\
        -max_total_time=600 -timeout=20 -rss_limit_mb=2048 -artifact_prefix=fuzz/crashes/
    python fuzz/fuzz_readers.py --engine mutate --target pdf --seconds 300 fuzz/seeds/pdf
    python fuzz/fuzz_readers.py --replay fuzz/crashes/crash-*       # show what an input does
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGETS = ("docx", "docx-xml", "pdf", "text")
SEP = b"\x00\x00"
TEXT_NAMES = ("fuzz.txt", "fuzz.md", "fuzz.html")


def _import_project() -> None:
    """Import the code under test (instrumented when atheris is active)."""
    global read_bytes, build, ClauseLintError, Limits, fuzz_limits, docx_package
    from clause_lint.errors import ClauseLintError  # noqa: F401
    from clause_lint.extract import read_bytes  # noqa: F401
    from clause_lint.extract import docx as _docx, docx_numbering as _num, html as _html  # noqa: F401
    from clause_lint.extract import markdown as _md, pdf as _pdf, plaintext as _txt  # noqa: F401
    from clause_lint.limits import Limits  # noqa: F401
    from clause_lint.structure import build  # noqa: F401

    # Smaller limits than the defaults so inputs that are merely big are cut short
    # and the fuzzer spends its time on structure, not size.
    fuzz_limits = Limits(max_file_bytes=2 * 1024 * 1024, max_unzipped_bytes=20 * 1024 * 1024,
                         max_pages=50, max_chars=2_000_000)


def docx_package(document_xml: bytes, numbering_xml: Optional[bytes] = None, styles_xml: Optional[bytes] = None) -> bytes:
    """A valid .docx package around the given parts (stored, so no CRC surprises)."""
    import zipfile
    import io

    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    doc_rels = [f'<Relationship Id="rIdS" Type="{rel}styles" Target="styles.xml"/>']
    entries = {
        "[Content_Types].xml": b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}officeDocument" Target="word/document.xml"/></Relationships>'
        ).encode(),
        "word/document.xml": document_xml,
        "word/styles.xml": styles_xml or b'<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>',
    }
    if numbering_xml is not None:
        entries["word/numbering.xml"] = numbering_xml
        doc_rels.append(f'<Relationship Id="rIdN" Type="{rel}numbering" Target="numbering.xml"/>')
    entries["word/_rels/document.xml.rels"] = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(doc_rels) + "</Relationships>"
    ).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def to_file(target: str, data: bytes) -> tuple[bytes, str]:
    """The (file bytes, file name) a fuzz input stands for under ``target``."""
    if target == "docx":
        return data, "fuzz.docx"
    if target == "docx-xml":
        parts = data.split(SEP, 2)
        return docx_package(parts[0], parts[1] if len(parts) > 1 else None, parts[2] if len(parts) > 2 else None), "fuzz.docx"
    if target == "pdf":
        return data, "fuzz.pdf"
    if target == "text":
        if not data:
            return b"", "fuzz.txt"
        return data[1:], TEXT_NAMES[data[0] % len(TEXT_NAMES)]
    raise ValueError(target)


def one_input(target: str, data: bytes) -> None:
    """Run one input; return normally or raise a ClauseLintError. Anything else is a finding."""
    content, name = to_file(target, data)
    try:
        extracted = read_bytes(content, name, fuzz_limits)
    except ClauseLintError as exc:
        # The message is shown after "PATH: error: " -- it must be one short line.
        if "\n" in exc.message or len(exc.message) > 500:
            raise AssertionError(f"error message not one short line: {exc.message[:200]!r}") from None
        return
    document = build(extracted, name)
    # Offsets must hold: the engine and reports cut evidence out of Document.text.
    for block in document.blocks:
        if document.text[block.start:block.end] != block.text:
            raise AssertionError(f"block offsets do not match the text at {block.start}:{block.end}")


# ----------------------------------------------------------------------------- seeds


def make_seeds(out: Path) -> dict[str, int]:
    """Write seed inputs per target, built with the test factories and the samples."""
    sys.path.insert(0, str(ROOT))
    from tests import hostile_inputs as hi

    counts: dict[str, int] = {}
    all_seeds = hi.fuzz_seeds()
    # The bundled samples are real-sized documents: one of each kind widens the start.
    samples = ROOT / "sample_contracts"
    for path in sorted(samples.glob("*.docx"))[:1]:
        all_seeds["docx"][path.name] = path.read_bytes()
    for path in sorted(samples.glob("*.pdf"))[:1]:
        all_seeds["pdf"][path.name] = path.read_bytes()
    for target, seeds in all_seeds.items():
        folder = out / target
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in seeds.items():
            (folder / name).write_bytes(data)
        counts[target] = len(seeds)
    return counts


# ----------------------------------------------------------------------------- engines


def _mutate(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    """A few byte-level edits of the kinds libFuzzer makes, without coverage feedback."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(7)
        pos = rng.randrange(len(buf) + 1)
        if op == 0 and buf:  # flip bits
            i = rng.randrange(len(buf))
            buf[i] ^= 1 << rng.randrange(8)
        elif op == 1 and buf:  # random byte
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        elif op == 2:  # insert interesting bytes
            buf[pos:pos] = rng.choice([b"\x00", b"\xff", b"0", b"9999999999", b"-1", b"<", b">", b"/", b"obj", b"R",
                                       b"<w:p>", b"</w:p>", b"%", b"(", b")", b"\n", b"\r", b"1.1.1.1", b"\xef\xbb\xbf"])
        elif op == 3 and buf:  # delete a range
            j = min(len(buf), pos + rng.randint(1, 64))
            del buf[pos:j]
        elif op == 4 and buf:  # duplicate a range
            j = min(len(buf), pos + rng.randint(1, 256))
            buf[pos:pos] = buf[pos:j]
        elif op == 5 and pool:  # splice from another seed
            other = rng.choice(pool)
            if other:
                a = rng.randrange(len(other))
                buf[pos:pos] = other[a:a + rng.randint(1, 512)]
        elif op == 6 and buf:  # truncate
            del buf[pos:]
    return bytes(buf)


def run_mutator(target: str, seed_dirs: list[str], seconds: float, crash_dir: Path, seed: int) -> int:
    """Random mutation over the seeds for ``seconds``; returns the number of findings."""
    pool = [p.read_bytes() for d in seed_dirs for p in sorted(Path(d).iterdir()) if p.is_file()]
    if not pool:
        pool = [b""]
    rng = random.Random(seed)
    crash_dir.mkdir(parents=True, exist_ok=True)
    end = time.monotonic() + seconds
    runs = findings = 0

    def alarm(signum, frame):  # a hang is a finding like a crash
        raise TimeoutError("input took more than 20 s")

    signal.signal(signal.SIGALRM, alarm)
    while time.monotonic() < end:
        data = _mutate(rng, rng.choice(pool), pool)
        runs += 1
        signal.alarm(20)
        try:
            one_input(target, data)
        except Exception:
            findings += 1
            import hashlib

            name = crash_dir / f"{target}-crash-{hashlib.sha1(data).hexdigest()[:16]}"
            name.write_bytes(data)
            print(f"FINDING {name}:\n{traceback.format_exc(limit=6)}", flush=True)
        finally:
            signal.alarm(0)
        if runs % 500 == 0:
            print(f"#{runs} findings={findings}", flush=True)
    print(f"done: {runs} runs, {findings} findings", flush=True)
    return findings


def run_atheris(target: str, libfuzzer_args: list[str]) -> None:
    import atheris

    with atheris.instrument_imports(include=["clause_lint"]):
        _import_project()

    def test_one(data: bytes) -> None:
        one_input(target, data)

    atheris.Setup([sys.argv[0], *libfuzzer_args], test_one)
    atheris.Fuzz()


def replay(target: str, files: list[str]) -> int:
    _import_project()
    bad = 0
    for f in files:
        data = Path(f).read_bytes()
        t0 = time.monotonic()
        try:
            one_input(target, data)
            outcome = "ok"
        except ClauseLintError as exc:  # pragma: no cover - one_input swallows these
            outcome = f"error: {exc.message}"
        except Exception as exc:
            outcome = f"FINDING {type(exc).__name__}: {exc}"
            bad += 1
            traceback.print_exc(limit=8)
        print(f"{f}: {outcome} ({time.monotonic() - t0:.2f} s)")
    return 1 if bad else 0


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--target", choices=TARGETS, default="docx")
    ap.add_argument("--engine", choices=("atheris", "mutate"), default=None,
                    help="default: atheris when installed, else mutate")
    ap.add_argument("--make-seeds", metavar="DIR", help="write seed corpora to DIR/<target>/ and exit")
    ap.add_argument("--replay", nargs="+", metavar="FILE", help="run these inputs once and report")
    ap.add_argument("--seconds", type=float, default=60.0, help="mutate engine: how long to run")
    ap.add_argument("--seed", type=int, default=0, help="mutate engine: random seed")
    ap.add_argument("--crash-dir", default="fuzz/crashes", help="mutate engine: where findings go")
    args, rest = ap.parse_known_args(argv)

    if args.make_seeds:
        for target, n in make_seeds(Path(args.make_seeds)).items():
            print(f"{target}: {n} seeds")
        return 0
    if args.replay:
        return replay(args.target, args.replay)
    engine = args.engine
    if engine is None:
        try:
            import atheris  # noqa: F401

            engine = "atheris"
        except ImportError:
            engine = "mutate"
    if engine == "atheris":
        run_atheris(args.target, rest)
        return 0
    _import_project()
    dirs = [a for a in rest if not a.startswith("-")]
    return 1 if run_mutator(args.target, dirs, args.seconds, Path(args.crash_dir), args.seed) else 0


if __name__ == "__main__":
    sys.exit(main())
