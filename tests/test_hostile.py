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
    for skipped in hi.SKIPPED:
        (folder / skipped.name).write_bytes(skipped.data)
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
    # Machine formats keep stdout clean; stderr holds the error lines, the files left
    # out and nothing else (no library warnings, no stray output from a reader).
    folder = mixed["folder"]
    skipped = {f"{folder / s.name}: skipped: " for s in hi.SKIPPED}
    for key in ("json", "text"):
        for line in mixed[key].stderr.splitlines():
            if line.startswith("clause-lint: skipped 1 file that is not a supported document (.dat)"):
                continue  # the secret file the XXE cases point at
            if any(line.startswith(s) for s in skipped):
                continue
            assert ": error: " in line and line.split(": error: ")[0] in mixed["paths"], line


def test_files_of_unsupported_formats_are_named_with_the_reason(mixed):
    """A .doc, .rtf, .odt or .tiff in a folder is not silently passed over."""
    folder = mixed["folder"]
    for key in ("json", "text"):
        lines = mixed[key].stderr.splitlines()
        for s in hi.SKIPPED:
            named = [line for line in lines if line.startswith(f"{folder / s.name}: skipped: ")]
            assert len(named) == 1, (s.name, lines)
            assert s.says in named[0] and "not supported" in named[0]
    # Left out of the report (they were never read), not reported as errors.
    paths = {d["path"] for d in json.loads(mixed["json"].stdout)["documents"]}
    assert not any(str(folder / s.name) in paths for s in hi.SKIPPED)


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
            # One line on stderr in every format; the text report lists it in place too.
            assert stderr_lines.count(line) == 1, (line, stderr_lines)
            assert mixed["text"].stderr.splitlines().count(line) == 1, line
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
    assert "raise it with --max-chars" in docs[str(big)]["error"]["message"]
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
    assert "raise it with --max-pages" in docs[str(pdf)]["error"]["message"]
    assert docs[str(txt)]["error"] is None
    out = hi.run_cli(["check", str(txt), "--format", "json", "--jobs", "1", "--max-chars", "50", *COMMON])
    assert out.returncode == 2 and "raise it with --max-chars" in json.loads(out.stdout)["documents"][0]["error"]["message"]
    out = hi.run_cli(["check", str(txt), "--format", "json", "--jobs", "1", "--max-file-size", "10", *COMMON])
    assert out.returncode == 2 and "raise it with --max-file-size" in json.loads(out.stdout)["documents"][0]["error"]["message"]
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


# ----------------------------------------------------------------------------- the CLI's own output

from click.testing import CliRunner  # noqa: E402

from clause_lint.cli import cli  # noqa: E402


def _cli(args: list[str], cwd: Path | None = None):
    old = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(old)


CHECK = ["check", "--isolated", "--no-cache", "--jobs", "1"]


def test_read_errors_reach_stderr_in_the_text_format_too(tmp_path):
    """`check empty.txt junk.docx ok.md > report.txt` must still say what went wrong."""
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "junk.docx").write_bytes(bytes(random_bytes(3000)))
    (tmp_path / "ok.md").write_text(hi.good_text(), encoding="utf-8")
    result = _cli([*CHECK, "empty.txt", "junk.docx", "ok.md"], cwd=tmp_path)
    assert result.exit_code == 2
    err = result.stderr.splitlines()
    assert "empty.txt: error: file is empty" in err
    assert any(line.startswith("junk.docx: error: ") for line in err)
    # The report itself stays complete: both errors in place, and ok.md's results.
    assert "empty.txt: error: file is empty" in result.stdout.splitlines()
    assert "ok.md (MD)" in result.stdout
    # -o: the report file holds them, stderr says them.
    result = _cli([*CHECK, "empty.txt", "ok.md", "-o", "report.txt"], cwd=tmp_path)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.splitlines() == ["empty.txt: error: file is empty"]
    assert "empty.txt: error: file is empty" in (tmp_path / "report.txt").read_text()


def random_bytes(n: int) -> bytes:
    import random

    return random.Random(7).randbytes(n)


def test_a_run_that_checks_nothing_is_an_error_unless_allowed(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    old = tmp_path / "old"
    old.mkdir()
    for s in hi.SKIPPED[:2]:
        (old / s.name).write_bytes(s.data)
    (old / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    result = _cli([*CHECK, empty])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"clause-lint: error: no document to check in {empty}; --allow-empty accepts an empty run"]
    result = _cli([*CHECK, old, "--format", "json"])
    assert result.exit_code == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[:2] == [f"{old / 'legacy.doc'}: skipped: legacy Word .doc is not supported; save it as .docx or .pdf",
                         f"{old / 'letter.rtf'}: skipped: RTF is not supported; save it as .docx or .pdf"]
    assert lines[2].startswith("clause-lint: skipped 1 file that is not a supported document (.png)")
    assert lines[3] == f"clause-lint: error: no document to check in {old} (3 files skipped, see above); --allow-empty accepts an empty run"
    assert len(lines) == 4
    # Allowed: exit 0, the files left out still named, an empty report.
    result = _cli([*CHECK, old, "--format", "json", "--allow-empty"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["summary"]["documents"] == 0
    assert sum("skipped" in line for line in result.stderr.splitlines()) == 3
    # The config-file twin, and the flag that overrides it.
    (tmp_path / ".clause-lint.yaml").write_text("allow_empty: true\n", encoding="utf-8")
    assert _cli(["check", "--no-cache", "--jobs", "1", empty], cwd=tmp_path).exit_code == 0
    assert _cli(["check", "--no-cache", "--jobs", "1", "--no-allow-empty", empty], cwd=tmp_path).exit_code == 2
    (tmp_path / ".clause-lint.yaml").write_text("allow_empty: sometimes\n", encoding="utf-8")
    result = _cli(["check", "--no-cache", empty], cwd=tmp_path)
    assert result.exit_code == 2 and "allow_empty must be true or false" in result.stderr
    # extract has nothing to show either.
    result = _cli(["extract", old])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"clause-lint: error: no document to check in {old} (3 files skipped, see above)"


def test_a_folder_with_documents_and_a_doc_names_the_doc_and_checks_the_rest(tmp_path):
    (tmp_path / "terms.md").write_text(hi.good_text(), encoding="utf-8")
    (tmp_path / "old.doc").write_bytes(hi.SKIPPED[0].data)
    result = _cli([*CHECK, tmp_path, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    assert result.stderr.splitlines() == [f"{tmp_path / 'old.doc'}: skipped: legacy Word .doc is not supported; save it as .docx or .pdf"]
    assert [d["path"] for d in json.loads(result.stdout)["documents"]] == [str(tmp_path / "terms.md")]
    # Named on the command line, an unsupported file is an error of its own (exit 2).
    result = _cli([*CHECK, tmp_path / "old.doc"])
    assert result.exit_code == 2 and "old.doc: error: legacy Word .doc" in result.stderr


# ----------------------------------------------------------------------------- files written

def _outputs(tmp_path: Path) -> dict[str, Path]:
    """Run every command that writes a file; return what each wrote."""
    doc = tmp_path / "contract.docx"
    doc.write_bytes(hi.good_docx_bytes())
    md = tmp_path / "terms.md"
    md.write_text(hi.good_text(), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    r = _cli([*CHECK, md, "-o", out / "report.txt", "--output-format", f"sarif={out / 'report.sarif'}",
              "--write-baseline", out / "baseline.json"])
    assert r.exit_code in (0, 1), r.output
    r = _cli(["annotate", doc, "-o", out / "reviewed.docx", "--assume-applicable"])
    assert r.exit_code in (0, 1), r.output
    r = _cli(["annotate", md, "-o", out / "reviewed-md.docx"])
    assert r.exit_code in (0, 1), r.output
    r = _cli(["init"], cwd=out)
    assert r.exit_code == 0, r.output
    r = _cli(["diff", md, md, "-o", out / "diff.txt"])
    assert r.exit_code in (0, 1), r.output
    return {name: out / name for name in ("report.txt", "report.sarif", "baseline.json", "reviewed.docx",
                                           "reviewed-md.html", ".clause-lint.yaml", "diff.txt")}


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_every_file_written_honours_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        written = _outputs(tmp_path)
    finally:
        os.umask(old)
    for name, path in written.items():
        assert path.is_file(), name
        assert oct(path.stat().st_mode & 0o777) == oct(0o666 & ~umask), name
    # No temporary file is left behind.
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(written)


def test_rewriting_keeps_the_existing_files_mode_and_follows_a_link(tmp_path):
    md = tmp_path / "terms.md"
    md.write_text(hi.good_text(), encoding="utf-8")
    report = tmp_path / "report.txt"
    report.write_text("old\n")
    report.chmod(0o640)
    link = tmp_path / "latest.txt"
    link.symlink_to(report.name)
    assert _cli([*CHECK, md, "-o", link]).exit_code in (0, 1)
    assert link.is_symlink() and os.readlink(link) == report.name
    assert "terms.md (MD)" in report.read_text()
    assert report.stat().st_mode & 0o777 == 0o640
    # A device is written to, never renamed over.
    assert _cli([*CHECK, md, "-o", "/dev/null"]).exit_code in (0, 1)
    import stat as st

    assert st.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_failed_write_leaves_the_original_untouched(tmp_path, monkeypatch):
    doc = tmp_path / "contract.docx"
    doc.write_bytes(hi.good_docx_bytes())
    md = tmp_path / "terms.md"
    md.write_text(hi.good_text(), encoding="utf-8")
    targets = {name: tmp_path / name for name in ("report.txt", "extra.sarif", "reviewed.docx", "baseline.json", "diff.txt")}
    for path in targets.values():
        path.write_text("the original\n")
    import errno

    def no_space(src, dst):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", no_space)
    runs = {
        "report.txt": [*CHECK, md, "-o", targets["report.txt"]],
        "extra.sarif": [*CHECK, md, "--output-format", f"sarif={targets['extra.sarif']}"],
        "baseline.json": [*CHECK, md, "--write-baseline", targets["baseline.json"]],
        "reviewed.docx": ["annotate", doc, "-o", targets["reviewed.docx"], "--assume-applicable"],
        "diff.txt": ["diff", md, md, "-o", targets["diff.txt"]],
    }
    for name, args in runs.items():
        result = _cli(args)
        assert result.exit_code == 2, (name, result.output)
        # (the path is shown as given or relative to the working folder, whichever is shorter)
        assert f"{name}: cannot write" in result.stderr and "No space left on device" in result.stderr, result.stderr
        assert "Traceback" not in result.output
    monkeypatch.undo()
    for path in targets.values():
        assert path.read_text() == "the original\n", path
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["contract.docx", "terms.md", *targets])


def test_an_exception_while_saving_a_docx_leaves_no_half_file(tmp_path, monkeypatch):
    import docx.document

    doc = tmp_path / "contract.docx"
    doc.write_bytes(hi.good_docx_bytes())
    target = tmp_path / "reviewed.docx"
    target.write_bytes(b"the original")

    def broken_save(self, fh):
        fh.write(b"PK\x03\x04 half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(docx.document.Document, "save", broken_save)
    result = _cli(["annotate", doc, "-o", target, "--assume-applicable"])
    assert result.exit_code == 2 and "cannot write the annotated copy" in result.stderr
    assert target.read_bytes() == b"the original"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contract.docx", "reviewed.docx"]


# ----------------------------------------------------------------------------- hostile file names

PEOPLE_FORMATS = ("text", "github", "markdown", "junit", "html")


@pytest.fixture(scope="module")
def hostile_names(tmp_path_factory):
    """Each hostile name twice: a readable contract and an empty (unreadable) file."""
    folder = tmp_path_factory.mktemp("names")
    for i, name in enumerate(hi.HOSTILE_NAMES):
        (folder / name).write_text(hi.good_text(), encoding="utf-8")
        (folder / f"empty-{i}-{name}").write_bytes(b"")
    runs = {fmt: _cli([*CHECK, "--assume-applicable", ".", "--format", fmt], cwd=folder)
            for fmt in (*PEOPLE_FORMATS, "json")}
    return folder, runs


def _escaped(name: str) -> str:
    from clause_lint.text import printable

    return printable(name)


def _unescape(fmt: str, text: str) -> str:
    """What a reader of the format sees: Markdown backslash escapes and HTML entities undone."""
    import html
    import re

    if fmt == "markdown":
        return re.sub(r"\\([\\`*_\[\]{}<>|#!~&$^])", r"\1", text)
    if fmt in ("html", "junit"):
        return html.unescape(text)
    return text


@pytest.mark.parametrize("fmt", PEOPLE_FORMATS)
def test_hostile_file_names_are_escaped_in_every_people_format(hostile_names, fmt):
    folder, runs = hostile_names
    result = runs[fmt]
    assert result.exit_code == 2  # the empty files
    for stream in (result.stdout, result.stderr):
        for bad in ("\x1b", "\x07", "\r", "\u202e"):
            assert bad not in stream, (fmt, repr(bad))
    seen = _unescape(fmt, result.stdout)
    for i, name in enumerate(hi.HOSTILE_NAMES):
        if fmt == "github":
            # The runner decodes %0A, so the annotation lands on the real file.
            shown = "\n".join(_escaped(part) for part in name.split("\n")).replace("%", "%25").replace("\n", "%0A")
            shown = shown.replace(":", "%3A").replace(",", "%2C")
            assert f"file={shown}," in seen or f"file={shown}::" in seen, (name, seen[:2000])
        else:
            assert _escaped(name) in seen, (fmt, name)
        # The unreadable twin: one escaped error line on stderr, never a forged one.
        assert f"./{_escaped(f'empty-{i}-{name}')}: error: file is empty" in result.stderr.splitlines()
    assert not any(line.startswith(("nothing.md", "forged")) for line in result.stdout.splitlines())
    if fmt == "text":
        # Every line of the text report starts as it should: no line is a forged one.
        assert not [line for line in result.stdout.splitlines() if line.startswith(("\x1b", "red", "[31m"))]


def test_json_keeps_hostile_file_names_exactly(hostile_names):
    folder, runs = hostile_names
    paths = {d["path"] for d in json.loads(runs["json"].stdout)["documents"]}
    for name in hi.HOSTILE_NAMES:
        assert f"./{name}" in paths or name in {os.path.basename(p) for p in paths}


def test_extract_escapes_hostile_file_names(hostile_names):
    folder, _ = hostile_names
    result = _cli(["extract", "."], cwd=folder)
    assert result.exit_code == 2
    for bad in ("\x1b", "\x07", "\r", "\u202e"):
        assert bad not in result.stdout + result.stderr
    for name in hi.HOSTILE_NAMES:
        assert any(line.startswith(f"./{_escaped(name)} (md;") for line in result.stdout.splitlines())


# ----------------------------------------------------------------------------- extract under the limits

def test_extract_honours_the_limit_options(tmp_path):
    pdf = text_pdf(tmp_path / "two.pdf", [hi.GOOD_CLAUSES, hi.GOOD_CLAUSES])
    txt = tmp_path / "a.txt"
    txt.write_text(hi.good_text(), encoding="utf-8")
    result = _cli(["extract", pdf, txt, "--max-pages", "1"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{pdf}: error: ") and "raise it with --max-pages" in result.stderr
    assert f"{txt} (txt;" in result.stdout  # the other file is still shown
    for flag, value, says in (("--max-chars", "50", "raise it with --max-chars"), ("--max-file-size", "10", "raise it with --max-file-size")):
        result = _cli(["extract", txt, flag, value, "--format", "json"])
        assert result.exit_code == 2 and says in result.stderr and result.stdout == ""
    assert _cli(["extract", txt, "--max-pages", "0"]).exit_code == 2  # a usage error, as for check


def test_extract_stops_a_document_at_its_time_budget(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    clause = "The Supplier shall not use facial recognition for mass surveillance and shall keep records. "
    (folder / "big.txt").write_text("\n\n".join(f"{n}.{k} " + clause * 5 for n in range(1, 301) for k in range(1, 11)),
                                    encoding="utf-8")
    (folder / "good.txt").write_text(hi.good_text(), encoding="utf-8")
    out = hi.run_cli(["extract", str(folder), "--provisions", "--timeout", "1"], timeout=60)
    assert out.returncode == 2 and not out.traceback
    assert out.stderr.startswith(f"{folder / 'big.txt'}: error: timed out after 1 s while "), out.stderr
    assert f"{folder / 'good.txt'} (txt;" in out.stdout, out.stderr
    assert out.seconds < 40
