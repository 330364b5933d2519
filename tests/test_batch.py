"""Parallel checking (clause_lint.batch, `check --jobs`): same results, crashes contained."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from clause_lint import batch
from clause_lint.batch import CRASH_MESSAGE, check_paths
from clause_lint.cli import cli
from clause_lint.results import DocumentResult, RuleResult
from clause_lint.settings import Settings

SUBJECT = "The Service performs facial recognition and face verification on images."
CLAUSES = [
    "Customer shall not use the Service in any weapon system or to locate targets for the use of lethal force.",
    "Customer may use the Service to conduct covert surveillance of individuals.",
    "Customer shall not publish any benchmark or performance test results of the Service.",
    "Provider may audit Customer's compliance and may suspend the Service for any breach of the use restrictions.",
    "Provider should test the Service for bias across demographic groups.",
]


def write_corpus(folder: Path, count: int = 8) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        body = [f"# Agreement {i}", SUBJECT] + [f"{n + 1}. {c}" for n, c in enumerate(CLAUSES[: 1 + i % len(CLAUSES)])]
        (folder / f"doc{i:02d}.md").write_text("\n\n".join(body) + "\n", encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")  # an error result, in order too
    return folder


def test_jobs_do_not_change_the_report(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "docs")
    outputs = []
    for jobs in ("1", "2"):
        result = CliRunner().invoke(
            cli, ["check", str(corpus), "--format", "json", "--no-cache", "--jobs", jobs, "--isolated"]
        )
        assert result.exit_code == 2, result.output  # the empty file is an error
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    assert '"SFP102"' in outputs[0] and "empty.txt" in outputs[0]
    # Results are sorted by path whatever the order workers finish in.
    paths = [line.split('"path": ')[1] for line in outputs[0].splitlines() if '"path": ' in line]
    assert paths == sorted(paths) and len(paths) == 9


# ----------------------------------------------------------------------------- fake checkers
# Module-level so that a spawned worker can import them.


class FakeChecker:
    """Results named after the path; dies (no exception, no cleanup) on "crash" files."""

    def __init__(self, pid_file: str = "") -> None:
        self.pid_file = pid_file

    def check(self, path: str) -> DocumentResult:
        name = os.path.basename(path)
        if name.startswith("crash"):
            os._exit(3)  # what a segfault or the OOM killer looks like to the pool
        if name.startswith("raise"):
            raise RuntimeError("engine bug")
        if self.pid_file:
            with open(self.pid_file, "a", encoding="utf-8") as fh:
                fh.write(f"{os.getpid()}\n")
        result = DocumentResult(path=path, format="txt")
        result.results.append(RuleResult("R1", "p", "r", "t", "present", "none", f"ok {name}"))
        return result


def fake_factory(settings: Settings) -> FakeChecker:
    return FakeChecker()


def names(n: int, *special: tuple[int, str]) -> list[str]:
    out = [f"/docs/d{i:03d}.txt" for i in range(n)]
    for index, prefix in special:
        out[index] = f"/docs/{prefix}{index:03d}.txt"
    return out


@pytest.mark.parametrize("jobs", [1, 2])
def test_in_process_exception_becomes_error(jobs: int) -> None:
    paths = names(6, (2, "raise"))
    results = check_paths(paths, Settings(), jobs=jobs, checker=FakeChecker(), factory=fake_factory)
    assert [r.path for r in results] == paths
    bad = results[2]
    assert bad.error is not None and bad.error.code == "internal" and "RuntimeError: engine bug" in bad.error.message
    assert all(r.error is None and r.results[0].message == f"ok {os.path.basename(r.path)}" for i, r in enumerate(results) if i != 2)


def test_worker_crash_becomes_document_error() -> None:
    # 40 documents in chunks of several: the crash takes its chunk and the chunks in
    # flight with it; all of them are run again, and only the culprit fails.
    paths = names(40, (5, "crash"), (31, "crash"))
    seen: list[tuple[int, int]] = []
    results = check_paths(paths, Settings(), jobs=2, checker=FakeChecker(), factory=fake_factory,
                          progress=lambda done, total: seen.append((done, total)))
    assert [r.path for r in results] == paths
    for i, r in enumerate(results):
        if i in (5, 31):
            assert r.error is not None and r.error.code == "internal" and r.error.message == CRASH_MESSAGE
            assert r.format == "txt"
        else:
            assert r.error is None, (i, r.error)
            assert r.results[0].message == f"ok {os.path.basename(paths[i])}"
    assert seen[-1] == (40, 40) and [d for d, _ in seen] == list(range(1, 41))


def test_work_is_spread_over_worker_processes(tmp_path: Path) -> None:
    pid_file = tmp_path / "pids"
    paths = names(24)
    results = check_paths(paths, Settings(), jobs=2, checker=FakeChecker(str(pid_file)), factory=fake_factory)
    assert all(r.error is None for r in results)
    pids = set(pid_file.read_text().split())
    assert str(os.getpid()) not in pids and 1 <= len(pids) <= 2


@pytest.mark.skipif("spawn" not in multiprocessing.get_all_start_methods(), reason="no spawn start method")
def test_spawned_workers_build_their_checker(monkeypatch: pytest.MonkeyPatch) -> None:
    # Where fork is not used (macOS, Windows) each worker builds its checker once
    # with the factory in the pool initializer; the parent's is not sent over.
    monkeypatch.setattr(batch, "_context", lambda: multiprocessing.get_context("spawn"))
    paths = names(10, (4, "crash"))
    results = check_paths(paths, Settings(), jobs=2, checker=FakeChecker(), factory=fake_factory)
    assert [r.error.code if r.error else None for r in results] == [None] * 4 + ["internal"] + [None] * 5


def test_single_document_and_jobs_one_stay_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*args, **kwargs):  # pragma: no cover - failing is the point
        raise AssertionError("a process pool was started")

    monkeypatch.setattr(batch, "ProcessPoolExecutor", no_pool)
    assert check_paths(names(1), Settings(), jobs=4, checker=FakeChecker())[0].error is None
    assert len(check_paths(names(5), Settings(), jobs=1, checker=FakeChecker())) == 5


def test_no_process_support_falls_back_to_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_pool(*args, **kwargs):
        raise OSError("no /dev/shm")

    monkeypatch.setattr(batch, "ProcessPoolExecutor", broken_pool)
    results = check_paths(names(5), Settings(), jobs=2, checker=FakeChecker())
    assert [r.error for r in results] == [None] * 5


def test_default_jobs_is_cpu_count() -> None:
    assert 1 <= batch.default_jobs() <= (os.cpu_count() or 1)


def test_batch_and_runner_do_not_import_each_other():
    # The linter factory has one home (clause_lint.factory); batch must not need the
    # runner (which imports batch), or the two form an import cycle.
    import subprocess
    import sys

    code = ("import sys, clause_lint.batch as b; b._default_factory; "
            "assert 'clause_lint.runner' not in sys.modules, 'batch imported the runner'")
    subprocess.run([sys.executable, "-c", code], check=True)
    import ast
    from pathlib import Path

    import clause_lint.batch as batch

    tree = ast.parse(Path(batch.__file__).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "runner" not in imported and "factory" in imported
