"""Replay every input the fuzzer (fuzz/fuzz_readers.py) ever flagged.

Each file in ``tests/fuzz_regressions/`` once crashed a reader, hung it or made it
slow; named ``<finding>-<hash>.<ext>``, read as the extension says. Reading must end
in a result or a ClauseLintError, quickly, and the structure stage must accept the
result.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from clause_lint.errors import ClauseLintError
from clause_lint.extract import read_bytes
from clause_lint.limits import DEFAULT_LIMITS
from clause_lint.structure import build

FOLDER = Path(__file__).parent / "fuzz_regressions"
FILES = sorted(p for p in FOLDER.iterdir() if p.is_file() and not p.name.startswith(".")) if FOLDER.is_dir() else []


def test_there_are_regressions_to_replay():
    assert FILES, "tests/fuzz_regressions/ is empty"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_fuzz_finding_reads_cleanly(path):
    data = path.read_bytes()
    t0 = time.monotonic()
    try:
        extracted = read_bytes(data, path.name, DEFAULT_LIMITS)
    except ClauseLintError as exc:
        assert exc.message and exc.message.isprintable() and len(exc.message) <= 300
    else:
        document = build(extracted, path.name)
        for block in document.blocks:
            assert document.text[block.start:block.end] == block.text
    # Several findings were inputs that took minutes; the fixed readers take well under a second.
    assert time.monotonic() - t0 < 10
