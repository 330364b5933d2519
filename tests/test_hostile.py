"""Never crash, never lose a result, never trust a file.

Every hostile input from ``tests/hostile_inputs.py`` goes through the real CLI in
one run, mixed with good documents, in a subprocess limited to 2 GiB of address
space and a timeout. For each input: one ``PATH: error: ...`` line with the expected
error code, or a normal result; never a traceback; exit code 2 for the run; and the
good documents' results identical to a run without the hostile ones.

Mode-000 files: the tests run as root here, and root reads them anyway, so that case
is only part of the run (and ``test_unreadable_file_*`` only runs) for other users.
FIFOs, sockets, /dev/zero and dangling or looping symlinks cover "cannot be read" as root.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from clause_lint import guard
from clause_lint.api import Linter, Options
from clause_lint.errors import LimitExceeded
from clause_lint.extract import read_bytes
from clause_lint.limits import DEFAULT_LIMITS, Limits
from tests import hostile_inputs as hi
from tests.pdf_factory import text_pdf

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_contracts"
GOOD = ["aurelia-facematch-saas-agreement.docx", "opalface-responsible-model-licence.txt",
        "kestrel-sightline-saas-agreement.pdf"]
COMMON = ["--no-cache", "--isolated"]
CASES = hi.cases()


def _by_path(report: dict) -> dict[str, dict]:
    return {d["path"]: d for d in report["documents"]}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """One folder with every quick hostile input and three good documents, checked twice."""
    base = tmp_path_factory.mktemp("hostile")
    folder = base / "docs"
    paths: dict[str, hi.Case] = {}
    for case in CASES:
        for path in hi.materialize(case, folder):
            paths[str(path)] = case
    good = []
    for name in GOOD:
        shutil.copy(SAMPLES / name, folder / name)
        good.append(str(folder / name))
    as_json = hi.run_cli(["check", str(folder), "--format", "json", *COMMON])
    as_text = hi.run_cli(["check", str(folder), "--format", "text", "--jobs", "1", *COMMON])
    alone = hi.run_cli(["check", *good, "--format", "json", "--jobs", "1", *COMMON])
    return {"folder": folder, "paths": paths, "good": good, "json": as_json, "text": as_text, "alone": alone}


def test_run_finishes_without_traceback_within_limits(mixed):
    for key in ("json", "text", "alone"):
        out: hi.Outcome = mixed[key]
        assert not out.hung, f"{key} run hung"
        assert not out.traceback, out.stderr[-3000:]
        assert out.peak_rss_mb < 2048
    # Some files could not be read: exit code 2 (documented), in both formats.
    assert mixed["json"].returncode == 2, mixed["json"].stderr[-2000:]
    assert mixed["text"].returncode == 2
    assert mixed["alone"].returncode in (0, 1), mixed["alone"].stderr
    # Machine formats keep stdout clean; stderr holds the error lines and nothing else
    # (no library warnings, no stray output from a reader).
    for line in mixed["json"].stderr.splitlines():
        assert ": error: " in line and line.split(": error: ")[0] in mixed["paths"], line


def test_every_input_is_reported_exactly_once(mixed):
    report = json.loads(mixed["json"].stdout)
    reported = [d["path"] for d in report["documents"]]
    assert len(reported) == len(set(reported))
    expected = set(mixed["paths"]) | set(mixed["good"])
    assert set(reported) == expected


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_input_outcome(mixed, case):
    report = _by_path(json.loads(mixed["json"].stdout))
    stderr_lines = mixed["json"].stderr.splitlines()
    text_lines = mixed["text"].stdout.splitlines()
    for path in [p for p, c in mixed["paths"].items() if c is case]:
        doc = report[path]
        error = doc["error"]
        if case.expect == "error":
            assert error is not None, f"{path} should be an error, got a result"
        if case.expect == "ok":
            assert error is None, f"{path}: {error}"
        if error is not None:
            assert error["code"] in case.codes, error
            assert case.says.lower() in error["message"].lower(), error
            line = f"{path}: error: {error['message']}"
            assert "\n" not in error["message"] and len(error["message"]) < 400
            # One line on stderr for machine formats, the same line inline in text output.
            assert stderr_lines.count(line) == 1, (line, stderr_lines)
            assert text_lines.count(line) == 1
        else:
            assert doc["results"], f"{path}: no results"
            assert not any(line.startswith(f"{path}: error:") for line in stderr_lines)
            if case.says:
                assert any(case.says.lower() in w.lower() for w in doc["warnings"]), doc["warnings"]


def test_good_documents_are_unaffected_by_hostile_neighbours(mixed):
    mixed_docs = _by_path(json.loads(mixed["json"].stdout))
    alone_docs = _by_path(json.loads(mixed["alone"].stdout))
    for path in mixed["good"]:
        assert mixed_docs[path]["error"] is None
        assert mixed_docs[path] == alone_docs[path]
    # The comparison is meaningful: real verdicts, not only "not applicable".
    assert any(r["status"] == "present" for p in mixed["good"] for r in mixed_docs[p]["results"])


def test_external_entities_never_leak(mixed):
    for key in ("json", "text"):
        out = mixed[key].stdout + mixed[key].stderr
        assert hi.SECRET not in out
        assert "root:x:0:0" not in out  # /etc/passwd


def test_wrong_extension_is_named_in_the_text_output(mixed):
    folder = mixed["folder"]
    assert f"{folder / 'pdf-named.docx'}: warning: file content is PDF, not docx as its name says; read as pdf" in mixed["text"].stdout


# ----------------------------------------------------------------------------- size limits


def test_50_mb_text_file_gets_a_clean_limit_error_in_bounded_time_and_memory(tmp_path):
    hi._big_text(tmp_path)
    big = tmp_path / "big-50mb.txt"
    assert big.stat().st_size >= 50 * hi.MB
    good = tmp_path / "good.txt"
    good.write_text(hi.good_text(), encoding="utf-8")
    out = hi.run_cli(["check", str(big), str(good), "--format", "json", "--jobs", "1", *COMMON], timeout=120)
    assert not out.hung and not out.traceback
    assert out.returncode == 2
    docs = _by_path(json.loads(out.stdout))
    assert docs[str(big)]["error"]["code"] == "limit-exceeded"
    assert "max_chars" in docs[str(big)]["error"]["message"]
    assert docs[str(good)]["error"] is None
    assert out.seconds < 90
    assert out.peak_rss_mb < 1500, out.peak_rss_mb


def test_limits_are_configurable_from_the_cli(tmp_path):
    pdf = text_pdf(tmp_path / "two.pdf", [hi.GOOD_CLAUSES, hi.GOOD_CLAUSES])
    txt = tmp_path / "a.txt"
    txt.write_text(hi.good_text(), encoding="utf-8")
    out = hi.run_cli(["check", str(pdf), str(txt), "--format", "json", "--jobs", "1", "--max-pages", "1",
                      "--max-chars", "100000", *COMMON])
    docs = _by_path(json.loads(out.stdout))
    assert "max_pages" in docs[str(pdf)]["error"]["message"]
    assert docs[str(txt)]["error"] is None
    out = hi.run_cli(["check", str(txt), "--format", "json", "--jobs", "1", "--max-chars", "50", *COMMON])
    assert out.returncode == 2 and "max_chars" in json.loads(out.stdout)["documents"][0]["error"]["message"]
    out = hi.run_cli(["check", str(txt), "--format", "json", "--jobs", "1", "--max-file-size", "10", *COMMON])
    assert out.returncode == 2 and "max_file_bytes" in json.loads(out.stdout)["documents"][0]["error"]["message"]
    out = hi.run_cli(["check", str(txt), "--max-pages", "0", *COMMON])
    assert out.returncode == 2 and "Traceback" not in out.stderr  # click rejects it as a usage error


def test_defaults_let_a_500_page_contract_through(tmp_path):
    """The reading limits: 500 pages of PDF and the same amount of text pass."""
    clause = "The Supplier shall keep complete and accurate records of the services for audit. "
    pages = [[f"{n}. Section {n}"] + [f"{n}.{k} {clause}" for k in range(1, 6)] for n in range(1, 501)]
    pdf = text_pdf(tmp_path / "long.pdf", pages)
    ex = read_bytes(pdf.read_bytes(), "long.pdf", DEFAULT_LIMITS)
    assert ex.pages == 500
    # ~4,000 characters a page, as dense as contracts get
    text = "\n\n".join(f"{n}.{k} {clause * 9}" for n in range(1, 501) for k in range(1, 6))
    assert len(text) > 500 * 3_500
    ex = read_bytes(text.encode(), "long.txt", DEFAULT_LIMITS)
    assert sum(len(b.text) for b in ex.blocks) > 500 * 3_500


@pytest.mark.slow
def test_500_page_pdf_passes_the_whole_cli_within_the_default_budget(tmp_path):
    clause = "The Supplier shall keep complete records of the services provided under this clause for audit."
    pages = [[f"{n}. Section {n}"] + [f"{n}.{k} {clause}" for k in range(1, 41)] for n in range(1, 501)]
    pdf = text_pdf(tmp_path / "contract-500.pdf", pages)
    out = hi.run_cli(["check", str(pdf), "--format", "json", "--jobs", "1", *COMMON], timeout=DEFAULT_LIMITS.max_seconds + 60)
    assert out.returncode in (0, 1), out.stderr
    doc = json.loads(out.stdout)["documents"][0]
    assert doc["error"] is None and doc["results"]


def test_many_pages_pdf_is_refused_before_reading_pages():
    data = hi._many_pages_pdf(Path("."))
    t0 = time.monotonic()
    with pytest.raises(LimitExceeded, match="50,000 pages"):
        read_bytes(data, "x.pdf", DEFAULT_LIMITS)
    assert time.monotonic() - t0 < 10


def test_text_bomb_page_is_refused_before_pdfium_lays_it_out():
    data = hi._text_bomb_pdf(Path("."))
    t0 = time.monotonic()
    with pytest.raises(LimitExceeded, match="page 1 holds more text"):
        read_bytes(data, "x.pdf", DEFAULT_LIMITS)
    assert time.monotonic() - t0 < 20


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads mode-000 files; FIFO, socket and symlink cases cover unreadable input")
def test_unreadable_file_is_one_error_line(tmp_path):
    hi.materialize(hi.UNREADABLE, tmp_path)
    out = hi.run_cli(["check", str(tmp_path), "--format", "json", *COMMON])
    assert out.returncode == 2
    assert f"{tmp_path / 'unreadable.txt'}: error: permission denied" in out.stderr


# ----------------------------------------------------------------------------- time budget


def test_time_budget_names_the_stage_and_the_run_continues(monkeypatch, tmp_path):
    import clause_lint.api as api

    slow = tmp_path / "slow.txt"
    slow.write_text(hi.good_text(), encoding="utf-8")
    fast = tmp_path / "fast.txt"
    fast.write_text(hi.good_text(), encoding="utf-8")
    real_build = api.build

    def build(extracted, path):
        if path.endswith("slow.txt"):
            time.sleep(5)
        return real_build(extracted, path)

    monkeypatch.setattr(api, "build", build)
    linter = Linter(options=Options(limits=Limits(max_seconds=0.5)))
    t0 = time.monotonic()
    first = linter.check(str(slow))
    assert time.monotonic() - t0 < 3
    assert first.error is not None and first.error.code == "timeout"
    assert first.error.message == "timed out after 0.5 s while structure"
    second = linter.check(str(fast))
    assert second.error is None and second.results
    # The timer is disarmed after each document: nothing fires later.
    time.sleep(0.7)


@pytest.mark.parametrize("stage", ["reading", "checking"])
def test_time_budget_reports_reading_and_checking(monkeypatch, tmp_path, stage):
    import clause_lint.api as api

    doc = tmp_path / "a.txt"
    doc.write_text(hi.good_text(), encoding="utf-8")
    linter = Linter(options=Options(limits=Limits(max_seconds=1)))
    if stage == "reading":
        real = api.read_path
        monkeypatch.setattr(api, "read_path", lambda *a: (time.sleep(5), real(*a))[1])
    else:
        real_check = linter.check_document
        monkeypatch.setattr(linter, "check_document", lambda d: (time.sleep(5), real_check(d))[1])
    result = linter.check(str(doc))
    assert result.error.message == f"timed out after 1 s while {stage}"


def test_pathological_input_with_a_tiny_budget_is_stopped(tmp_path):
    """A pathological-but-legal input plus a tiny budget, through the real CLI."""
    # 1.4 M characters (~350 pages) take many seconds to check; a 0.5 s budget stops
    # the document and the next file is still checked.
    folder = tmp_path / "docs"
    folder.mkdir()
    clause = "The Supplier shall not use facial recognition for mass surveillance and shall keep records. "
    big = "\n\n".join(f"{n}.{k} " + clause * 5 for n in range(1, 301) for k in range(1, 11))
    (folder / "big.txt").write_text(big, encoding="utf-8")
    (folder / "good.txt").write_text(hi.good_text(), encoding="utf-8")
    out = hi.run_cli(["check", str(folder), "--format", "json", "--timeout", "0.5", "--jobs", "1", *COMMON], timeout=60)
    docs = _by_path(json.loads(out.stdout))
    err = docs[str(folder / "big.txt")]["error"]
    assert err["code"] == "timeout"
    assert err["message"].startswith("timed out after 0.5 s while ")
    assert err["message"].split("while ")[1] in guard.STAGES
    assert docs[str(folder / "good.txt")]["error"] is None
    assert out.returncode == 2 and not out.traceback
    assert out.seconds < 40


def test_budget_is_a_no_op_off_the_main_thread():
    done = []

    def work():
        with guard.Budget(0.05) as budget:
            budget.enter("checking")
            time.sleep(0.2)
        done.append(True)

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert done == [True]


def test_budget_does_not_nest_and_restores_the_handler():
    import signal

    before = signal.getsignal(signal.SIGALRM)
    with guard.Budget(5):
        with guard.Budget(0.01):  # refused: would cancel the outer timer
            time.sleep(0.05)
    assert signal.getsignal(signal.SIGALRM) == before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_reading_a_fifo_does_not_block(tmp_path):
    from clause_lint.extract import read_path
    from clause_lint.errors import UnreadableFile

    os.mkfifo(tmp_path / "pipe.txt")
    with pytest.raises(UnreadableFile, match="not a regular file"):
        read_path(str(tmp_path / "pipe.txt"))
