"""`check --format jsonl`: one document a line, streamed, memory flat, suppressions
and the result cache as in every other format."""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import weakref
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from clause_lint.cli import cli
from clause_lint.results import DocumentResult, Report, RuleResult
from clause_lint.runner import run_stream
from clause_lint.settings import Settings
from tests.test_batch import write_corpus

SUBJECT = "Provider licenses its facial recognition software and face templates to Customer."
WEAK = "Provider will test the Service using industry-standard testing."  # SFP202 weak (warning)
LETHAL = "Customer shall not use the Service for weapons or lethal purposes."  # SFP101 present


def invoke(*args: str) -> Any:
    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click < 8.2
    except TypeError:
        runner = CliRunner()
    return runner.invoke(cli, list(args), catch_exceptions=False)


def compact(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def as_lines(whole_json: str) -> list[str]:
    """What the JSON Lines of a run must be, from the JSON output of the same run."""
    data = json.loads(whole_json)
    tail = {"type": "summary", "tool": data["tool"], "packs": data["packs"], "summary": data["summary"]}
    return [compact(d) for d in data["documents"]] + [compact(tail)]


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_lines_are_the_json_documents_and_summary_in_the_same_order(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "docs")  # eight agreements and an empty file (an error)
    (corpus / "menu.md").write_text("# Lunch menu\n\nSoup of the day, bread and butter.\n", encoding="utf-8")
    whole = invoke("check", "--isolated", "--no-cache", "-j", "1", "--format", "json", str(corpus))
    outputs = []
    for jobs in ("1", "2"):
        r = invoke("check", "--isolated", "--no-cache", "-j", jobs, "--format", "jsonl", str(corpus))
        assert r.exit_code == whole.exit_code == 2  # the empty file
        assert r.stdout.endswith("\n") and "\n\n" not in r.stdout
        outputs.append(r.stdout)
        assert "empty.txt: error:" in r.stderr
    assert outputs[0] == outputs[1]  # byte-stable whatever the number of workers
    lines = outputs[0].splitlines()
    assert lines == as_lines(whole.stdout)
    assert len(lines) == 11 and json.loads(lines[-1])["type"] == "summary"
    docs = [json.loads(x) for x in lines[:-1]]
    assert [d["path"] for d in docs] == sorted(d["path"] for d in docs)
    assert all("type" not in d for d in docs)
    menu = next(d for d in docs if d["path"].endswith("menu.md"))
    assert menu["checked"] is False and menu["not_checked"].startswith("not about")
    empty = next(d for d in docs if d["path"].endswith("empty.txt"))
    assert empty["error"]["code"] == "empty" and empty["results"] == []


def test_exit_codes_are_those_of_the_other_formats(tmp_path: Path) -> None:
    Path("weak.md").write_text(f"# Agreement\n\n{SUBJECT}\n\n1. {WEAK}\n\n2. {LETHAL}\n", encoding="utf-8")
    for fail_on, code in (("never", 0), ("warning", 1)):
        args = ("check", "--isolated", "--no-cache", "-j", "1", "--fail-on", fail_on, "weak.md")
        assert invoke(*args, "--format", "jsonl").exit_code == invoke(*args, "--format", "json").exit_code == code


def test_suppressions_apply_per_document_in_the_stream(tmp_path: Path) -> None:
    """Inline comments, waivers, a baseline and --write-baseline give the same lines
    as the JSON output's documents; unused waivers are noticed at the end."""
    Path("docs").mkdir()
    Path("docs/inline.md").write_text(
        f"# Agreement\n\n{SUBJECT}\n\n<!-- clause-lint: disable-file SFP301 -- consent handled in the order form -->\n\n"
        f"1. {WEAK}\n\n2. {LETHAL}\n", encoding="utf-8")
    Path("docs/waived.md").write_text(f"# Agreement\n\n{SUBJECT}\n\n1. {WEAK}\n", encoding="utf-8")
    Path("docs/plain.md").write_text(f"# Agreement\n\n{SUBJECT}\n\n1. {LETHAL}\n", encoding="utf-8")
    Path("waivers.yaml").write_text(
        "waivers:\n"
        "  - document: docs/waived.md\n    rule: SFP202\n    reason: testing is done by the customer\n"
        "  - document: docs/plain.md\n    rule: SFP101\n    reason: stale, SFP101 is present there\n",
        encoding="utf-8")
    common = ("check", "--isolated", "--no-cache", "-j", "1", "--waivers", "waivers.yaml", "--fail-on", "warning",
              "--select", "SFP101,SFP202,SFP301", "--strict-waivers")
    whole = invoke(*common, "--format", "json", "--write-baseline", "baseline.json", "docs")
    recorded = Path("baseline.json").read_text(encoding="utf-8")
    Path("baseline.json").unlink()
    streamed = invoke(*common, "--format", "jsonl", "--write-baseline", "baseline.json", "docs")
    assert streamed.exit_code == whole.exit_code == 1  # the stale waiver, under --strict-waivers
    assert streamed.stdout.splitlines() == as_lines(whole.stdout)
    assert "matched no finding" in streamed.stderr and streamed.stderr.count("waivers.yaml:") == 1
    assert Path("baseline.json").read_text(encoding="utf-8") == recorded and '"SFP301"' in recorded
    by = {Path(d["path"]).name: {r["rule"]: (r.get("suppressed") or {}).get("by") for r in d["results"]}
          for d in map(json.loads, streamed.stdout.splitlines()[:-1])}
    assert by["inline.md"]["SFP301"] == "inline"
    assert by["waived.md"]["SFP202"] == "waiver"
    assert by["plain.md"]["SFP301"] == "baseline"  # recorded by --write-baseline, reported as waived
    # The recorded baseline then waives everything but nothing else: exit 0 without --strict-waivers.
    again = invoke("check", "--isolated", "--no-cache", "-j", "1", "--format", "jsonl", "--fail-on", "warning",
                   "--select", "SFP101,SFP202,SFP301", "--waivers", "waivers.yaml", "--baseline", "baseline.json", "docs")
    assert again.exit_code == 0, again.stderr
    summary = json.loads(again.stdout.splitlines()[-1])["summary"]
    assert summary["suppressed"] > 0 and summary["documents"] == 3


def test_output_file_goes_through_the_safe_writer(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "docs", count=3)
    (corpus / "empty.txt").unlink()
    to_stdout = invoke("check", "--isolated", "--no-cache", "-j", "1", "--format", "jsonl", str(corpus))
    r = invoke("check", "--isolated", "--no-cache", "-j", "1", "--format", "jsonl", "-o", "out.jsonl", str(corpus))
    assert r.exit_code == to_stdout.exit_code and r.stdout == ""
    assert Path("out.jsonl").read_text(encoding="utf-8") == to_stdout.stdout
    # A run that fails before it ends (a broken waiver file) leaves the old file as it was.
    Path("out.jsonl").write_text("old\n", encoding="utf-8")
    Path("bad.yaml").write_text("waivers: [1, 2\n", encoding="utf-8")
    r = invoke("check", "--isolated", "--no-cache", "-j", "1", "--format", "jsonl", "-o", "out.jsonl",
               "--waivers", "bad.yaml", str(corpus))
    assert r.exit_code == 2 and "bad.yaml" in r.stderr
    assert Path("out.jsonl").read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["bad.yaml", "out.jsonl"]


def test_jsonl_as_an_extra_output_and_not_beside_itself(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "docs", count=3)
    streamed = invoke("check", "--isolated", "--no-cache", "-j", "1", "--format", "jsonl", str(corpus))
    r = invoke("check", "--isolated", "--no-cache", "-j", "1", "--format", "json", "--output-format", "jsonl=x.jsonl", str(corpus))
    assert Path("x.jsonl").read_text(encoding="utf-8") == streamed.stdout
    r = invoke("check", "--isolated", "--no-cache", "--format", "jsonl", "--output-format", "sarif=x.sarif", str(corpus))
    assert r.exit_code == 2 and "--output-format" in r.stderr and not Path("x.sarif").exists()


def test_cached_rerun_checks_nothing_and_writes_the_same_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = write_corpus(tmp_path / "docs", count=4)
    (corpus / "empty.txt").unlink()  # errors are never cached
    args = ("check", "--isolated", "-j", "1", "--cache-dir", "cache", "--format", "jsonl", str(corpus))
    first = invoke(*args)
    import clause_lint.runner as runner

    def no_linter(*a: Any, **k: Any) -> Any:
        raise AssertionError("a fully cached run built the linter")

    monkeypatch.setattr(runner, "make_linter", no_linter)
    second = invoke(*args)
    assert second.stdout == first.stdout and second.exit_code == first.exit_code == 1


# ----------------------------------------------------------------------------- streaming, in the library


class CountingLinter:
    """Stands in for a Linter: records when each document is checked."""

    def __init__(self, log: list[str]) -> None:
        self.log = log
        self.rules: list[Any] = []

    def check(self, path: str) -> DocumentResult:
        self.log.append(f"check {Path(path).name}")
        result = DocumentResult(path=path, format="txt")
        result.results.append(RuleResult("R1", "p", "r", "t", "weak", "warning", "x" * 10_000))
        return result

    def report(self, results: list[DocumentResult]) -> Report:
        return Report("0", [], results, [])


def test_each_document_is_written_before_the_next_is_checked_and_none_is_kept(tmp_path: Path) -> None:
    for i in range(30):
        (tmp_path / f"d{i:02d}.txt").write_text(f"document {i}\n", encoding="utf-8")
    log: list[str] = []
    alive: list[weakref.ref[DocumentResult]] = []

    def emit(doc: DocumentResult, context: Report) -> None:
        log.append(f"emit {Path(doc.path).name}")
        alive.append(weakref.ref(doc))

    settings = Settings(jobs=1, fail_on="warning")
    done = run_stream([str(tmp_path)], settings, emit, linter_factory=lambda s: CountingLinter(log))
    names = [f"d{i:02d}.txt" for i in range(30)]
    assert log == [f"{verb} {n}" for n in names for verb in ("check", "emit")]
    gc.collect()
    assert sum(1 for ref in alive if ref() is not None) <= 1  # nothing holds the results
    assert done.tally.documents == 30 and done.failing == 30 and done.tally.statuses["weak"] == 30


def test_an_interrupted_run_resumes_from_the_cache(tmp_path: Path) -> None:
    """A real process: interrupted after a few lines, run again, it finishes with the
    documents already written taken from the cache, and the same lines."""
    corpus = write_corpus(tmp_path / "docs", count=24)
    (corpus / "empty.txt").unlink()
    cmd = [sys.executable, "-m", "clause_lint", "check", "--isolated", "-j", "1", "--cache-dir", "cache",
           "--format", "jsonl", str(corpus)]
    # Unbuffered: readline must not read ahead what communicate() then never sees.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    assert proc.stdout is not None
    head = [proc.stdout.readline() for _ in range(3)]  # written while the run goes on
    proc.send_signal(signal.SIGINT)
    rest, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert all(line.endswith(b"\n") for line in head)
    written = (b"".join(head) + rest).decode().splitlines()
    assert 3 <= len(written) < 25 and not any('"type":"summary"' in x for x in written)
    entries = list(Path("cache").rglob("v*/results/*/*.json"))
    assert len(entries) >= 3
    again = subprocess.run(cmd, capture_output=True, timeout=300)
    fresh = subprocess.run(cmd[:-4] + ["--no-cache", "--format", "jsonl", str(corpus)], capture_output=True, timeout=300)
    assert again.returncode == fresh.returncode == 1
    assert again.stdout == fresh.stdout
    assert again.stdout.decode().splitlines()[: len(written)] == written
    assert len(again.stdout.splitlines()) == 25


class SlowFirstLinter(CountingLinter):
    """The first document takes a second; every other one is instant."""

    def check(self, path: str) -> DocumentResult:
        if Path(path).name == "d000.txt":
            import time

            time.sleep(1.5)
        return super().check(path)


def test_results_waiting_on_a_slow_document_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Order costs memory only up to a bound: while MAX_WAITING results wait for an
    earlier document, no new one is started (instead of checking the whole run
    and holding it)."""
    import multiprocessing

    import clause_lint.runner as runner

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("needs fork (the fake linter is inherited by the workers)")
    for i in range(200):
        (tmp_path / f"d{i:03d}.txt").write_text(f"document {i}\n", encoding="utf-8")
    monkeypatch.setattr(runner, "MAX_WAITING", 5)
    checked: list[int] = []
    at_first_line: list[int] = []

    def emit(doc: DocumentResult, context: Report) -> None:
        if not at_first_line:
            at_first_line.append(checked[-1])

    done = run_stream([str(tmp_path)], Settings(jobs=2), emit, linter_factory=lambda s: SlowFirstLinter([]),
                      progress=lambda n, total: checked.append(n))
    assert done.tally.documents == 200 and checked[-1] == 200
    # Chunks of 8, four in flight: at most 5 waiting + 32 in flight + the chunk that tipped it.
    assert at_first_line[0] <= 5 + 32 + 8, at_first_line
