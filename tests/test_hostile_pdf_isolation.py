"""PDFium runs isolated: a native crash or a stuck call costs one file, in every mode.

The faults are injected through the test-only hook ``CLAUSE_LINT_TEST_PDF_FAULT``
(:mod:`clause_lint.extract.isolate`), read only in the reader child, so the real CLI
runs unchanged in a subprocess: the child calls ``os.abort()``, sends itself
``SIGSEGV``, or sleeps forever inside the PDFium stage.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from pathlib import Path

import pytest

from clause_lint.api import Linter, Options
from clause_lint.extract import isolate
from clause_lint.limits import DEFAULT_LIMITS
from tests import hostile_inputs as hi
from tests.pdf_factory import text_pdf

pytestmark = pytest.mark.skipif(not isolate.available(), reason="PDF reading is isolated only where os.fork is safe (Linux)")

LINES = [c for c in hi.GOOD_CLAUSES if len(c) < 95]


@pytest.fixture(scope="module")
def trio(tmp_path_factory) -> tuple[Path, Path, Path]:
    folder = tmp_path_factory.mktemp("trio")
    a = text_pdf(folder / "a.pdf", [LINES])
    b = folder / "b.txt"
    b.write_text(hi.good_text(), encoding="utf-8")
    c = text_pdf(folder / "c.pdf", [LINES])
    return a, b, c


def _env(fault: str, marker: str = "") -> dict[str, str]:
    env = dict(os.environ)
    env[isolate.FAULT_ENV] = fault
    env.pop("CLAUSE_LINT_IN_PROCESS", None)
    if marker:
        env["CLAUSE_LINT_TEST_MARKER"] = marker
    return env


def _documents(stdout: str) -> dict[str, dict]:
    return {d["path"]: d for d in json.loads(stdout)["documents"]}


def _clean_run(trio, *extra: str) -> dict[str, dict]:
    out = hi.run_cli(["check", *map(str, trio), "--isolated", "--no-cache", "--format", "json", *extra], env=_env(""))
    assert out.returncode in (0, 1) and out.stderr == "", out.stderr  # 1: findings
    docs = _documents(out.stdout)
    assert all(d["error"] is None for d in docs.values())
    return docs


def _processes_with(marker: str) -> list[int]:
    found = []
    for pid in os.listdir("/proc"):
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            continue
        if f"CLAUSE_LINT_TEST_MARKER={marker}".encode() in environ.split(b"\0"):
            found.append(int(pid))
    return found


@pytest.mark.parametrize("fault,signal_name,jobs", [("abort", "SIGABRT", "1"), ("segv", "SIGSEGV", "1"), ("abort", "SIGABRT", "2")])
def test_a_pdfium_crash_costs_one_file(trio, fault, signal_name, jobs):
    a, b, c = trio
    clean = _clean_run(trio, "--jobs", jobs)
    marker = uuid.uuid4().hex
    out = hi.run_cli(["check", *map(str, trio), "--isolated", "--no-cache", "--jobs", jobs], env=_env(f"{fault}:a.pdf", marker))
    assert out.returncode == 2 and not out.traceback, out.stderr
    assert out.stderr.splitlines() == [
        f"{a}: error: the PDF reader stopped unexpectedly (killed by {signal_name}); "
        "the file may be damaged or too large to read"]
    assert f"{b} (" in out.stdout and f"{c} (" in out.stdout
    # The other documents' results are exactly those of a run without the fault.
    js = hi.run_cli(["check", *map(str, trio), "--isolated", "--no-cache", "--jobs", jobs, "--format", "json"],
                    env=_env(f"{fault}:a.pdf"))
    docs = _documents(js.stdout)
    assert docs[str(a)]["error"]["code"] == "corrupt"
    assert docs[str(b)] == clean[str(b)] and docs[str(c)] == clean[str(c)]
    time.sleep(1.5)  # a reader whose parent left notices within a second
    assert _processes_with(marker) == []


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_stuck_pdfium_call_is_ended_at_the_time_budget(trio, jobs):
    a, b, c = trio
    clean = _clean_run(trio, "--jobs", jobs)
    marker = uuid.uuid4().hex
    out = hi.run_cli(["check", *map(str, trio), "--isolated", "--no-cache", "--jobs", jobs, "--timeout", "2", "--format", "json"],
                     env=_env("hang:a.pdf", marker), timeout=120)
    assert out.returncode == 2 and not out.traceback, out.stderr
    assert out.stderr.splitlines() == [f"{a}: error: timed out after 2 s while reading the PDF"]
    docs = _documents(out.stdout)
    assert docs[str(a)]["error"]["code"] == "timeout"
    assert docs[str(b)] == clean[str(b)] and docs[str(c)] == clean[str(c)]
    assert out.seconds < 40
    assert _processes_with(marker) == []  # the stuck reader was killed, not left behind


@pytest.mark.parametrize("fault,says", [
    ("abort:a.pdf", "the PDF reader stopped unexpectedly (killed by SIGABRT)"),
    ("segv:a.pdf", "the PDF reader stopped unexpectedly (killed by SIGSEGV)"),
    ("hang:a.pdf", "timed out after 2 s while reading the PDF"),
])
def test_extract_survives_a_pdfium_crash_or_hang(trio, fault, says):
    a, b, c = trio
    out = hi.run_cli(["extract", *map(str, trio), "--timeout", "2"], env=_env(fault), timeout=120)
    assert out.returncode == 2 and not out.traceback, out.stderr
    assert len(out.stderr.splitlines()) == 1 and out.stderr.startswith(f"{a}: error: {says}"), out.stderr
    assert f"{b} (txt;" in out.stdout and f"{c} (pdf;" in out.stdout
    assert "Supplier" in out.stdout or "Customer shall not use the Service" in out.stdout


def test_every_pdf_crashing_still_reports_each_file_once(trio):
    out = hi.run_cli(["check", *map(str, trio), "--isolated", "--no-cache", "--jobs", "1", "--format", "json"], env=_env("abort"))
    docs = _documents(out.stdout)
    assert out.returncode == 2 and not out.traceback
    assert [docs[str(p)]["error"] and docs[str(p)]["error"]["code"] for p in trio] == ["corrupt", None, "corrupt"]


def test_a_stuck_reader_is_ended_off_the_main_thread_too(trio, monkeypatch):
    """The server reads uploads through ``Linter.check_with_document``, possibly off the
    main thread where no SIGALRM budget can be armed: the reader's own deadline holds."""
    a, _, c = trio
    monkeypatch.setenv(isolate.FAULT_ENV, "hang:upload.pdf")
    isolate._close_all()  # the hook is read by the child: start a fresh one with it
    linter = Linter(options=Options(limits=DEFAULT_LIMITS.updated(max_seconds=1.5)))
    got: dict[str, object] = {}

    def work() -> None:
        t0 = time.monotonic()
        got["hung"] = linter.check("upload.pdf", a.read_bytes())
        got["seconds"] = time.monotonic() - t0
        got["fine"] = linter.check("fine.pdf", c.read_bytes())

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(60)
    assert not thread.is_alive()
    assert got["hung"].error.code == "timeout" and got["hung"].error.message == "timed out after 1.5 s while reading the PDF"
    assert got["seconds"] < 10
    assert got["fine"].error is None
    isolate._close_all()
