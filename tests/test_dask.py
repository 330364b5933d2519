"""`check --scheduler`: documents checked on a real Dask cluster (a scheduler and two
workers started as their own processes on 127.0.0.1), with the same report bytes as
a local run, and nothing lost when a worker dies mid-run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from click.testing import CliRunner

from clause_lint.cli import cli
from tests.test_batch import write_corpus

ROOT = Path(__file__).resolve().parent.parent
distributed = pytest.importorskip("distributed", reason="the dask extra is not installed: pip install '.[dask]'")


class Cluster:
    """A scheduler and workers, each `dask` CLI process in its own process group."""

    def __init__(self, folder: Path, workers: int = 2, env: dict[str, str] | None = None) -> None:
        self.folder = folder
        self.env = {**os.environ, **(env or {})}
        folder.mkdir(parents=True, exist_ok=True)
        info = folder / "scheduler.json"
        self.scheduler = self._start("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                     "--scheduler-file", str(info))
        deadline = time.monotonic() + 60
        while not (info.exists() and info.stat().st_size):
            if time.monotonic() > deadline or self.scheduler.poll() is not None:
                self.close()
                raise RuntimeError("the dask scheduler did not start")
            time.sleep(0.1)
        time.sleep(0.2)  # the file is written in one go, but give the writer a moment
        self.address = json.loads(info.read_text())["address"]
        self.workers = [self._start("worker", self.address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard",
                                    "--name", f"w{i}", "--local-directory", str(folder / f"w{i}"))
                        for i in range(workers)]
        with distributed.Client(self.address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=120)

    def _start(self, *args: str) -> subprocess.Popen[bytes]:
        # Run from a folder of their own: nothing of the checkout (packs, documents)
        # is where the client's relative paths point, so workers must be sent them.
        return subprocess.Popen([sys.executable, "-m", "dask", *args], cwd=self.folder, start_new_session=True, env=self.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def kill_worker_checking(self, name: str, seconds: float = 1.0) -> None:
        """Kill the worker that has been checking the document ``name`` (a file name)
        for ``seconds``: it dies in the middle of that document, for certain (its
        linter is built by then: long.md is sent after the short documents)."""
        import re

        with distributed.Client(self.address, timeout=30) as client:
            since: dict[tuple[str, str], float] = {}
            deadline = time.monotonic() + 120
            while True:
                assert time.monotonic() < deadline, f"no worker was seen checking {name}"
                now = time.monotonic()
                # Task keys end with the document's file name (dask_backend._task_key).
                running = {(w, k) for w, keys in client.processing().items() for k in keys if str(k).endswith(name)}
                since = {wk: since.get(wk, now) for wk in running}
                long = [wk for wk, t in since.items() if now - t >= seconds]
                if long:
                    worker = long[0][0]
                    break
                time.sleep(0.05)
            wname = str(client.scheduler_info()["workers"][worker]["name"])
        self.kill_worker(int(re.search(r"w(\d+)", wname).group(1)))  # type: ignore[union-attr]

    def kill_worker(self, i: int) -> None:
        os.killpg(self.workers[i].pid, signal.SIGKILL)  # the nanny too: the worker is gone for good
        self.workers[i].wait(timeout=30)

    def close(self) -> None:
        for proc in [*getattr(self, "workers", []), self.scheduler]:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(timeout=20)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    c = Cluster(tmp_path_factory.mktemp("dask-cluster"))
    yield c
    c.close()


LONG = "long.md"  # sorts after the docNN.md files


def corpus_with_a_long_document(folder: Path) -> Path:
    """Forty short documents, an empty file and one document of several seconds,
    which is the only one any worker is ever seen checking for a second. (Its clauses
    name the product's use, so the engine reads each of them: clauses that hold nothing a
    rule asks about are skipped, and a filler of those would take half a second.)"""
    corpus = write_corpus(folder, count=40)
    filler = "".join(f"\n\n{n + 20}. Each party shall keep records of its use of the Service under this Agreement." for n in range(8000))
    (corpus / LONG).write_text((corpus / "doc00.md").read_text(encoding="utf-8") + filler + "\n", encoding="utf-8")
    return corpus


def clause_lint(*args: str, cwd: Path = ROOT, **kw: Any) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "clause_lint", *args], cwd=cwd, capture_output=True, timeout=600, **kw)


@pytest.mark.slow
def test_json_from_the_cluster_is_byte_identical_to_a_local_run(cluster: Cluster) -> None:
    # A pack named by a relative path exists only here: workers get its bytes.
    args = ("check", "--isolated", "--no-cache", "--format", "json", "--pack", "rules/safe-face-pledge.yaml",
            "sample_contracts/")
    local = clause_lint(*args, "-j", "1")
    remote = clause_lint(*args, "--scheduler", cluster.address)
    assert remote.returncode == local.returncode == 1, remote.stderr
    assert remote.stdout == local.stdout
    assert len(json.loads(remote.stdout)["documents"]) >= 7
    assert b"Traceback" not in remote.stderr


@pytest.mark.slow
def test_workers_running_other_code_are_refused(cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import clause_lint.cache

    corpus = write_corpus(tmp_path / "docs", count=2)
    monkeypatch.setattr(clause_lint.cache, "tool_fingerprint", lambda: "an older clause-lint")
    r = CliRunner().invoke(cli, ["check", "--isolated", "--no-cache", "--scheduler", cluster.address, str(corpus)])
    assert r.exit_code == 2 and r.stdout == ""
    assert "runs clause-lint 0.1.0 with other code than this clause-lint" in r.stderr and r.stderr.count("\n") == 1


@pytest.mark.slow
def test_a_worker_lost_mid_run_loses_no_document(tmp_path: Path) -> None:
    corpus = corpus_with_a_long_document(tmp_path / "docs")
    args = ["check", "--isolated", "--no-cache", "--format", "jsonl", str(corpus)]
    local = clause_lint(*args, "-j", "1")
    assert local.returncode == 2  # empty.txt
    c = Cluster(tmp_path / "cluster")
    try:
        # Output to files: a pipe nobody reads while we wait would fill and stop the run.
        out_file, err_file = open(tmp_path / "out", "w+b"), open(tmp_path / "err", "w+b")
        proc = subprocess.Popen([sys.executable, "-m", "clause_lint", *args, "--scheduler", c.address], cwd=ROOT,
                                stdout=out_file, stderr=err_file)
        c.kill_worker_checking(LONG, seconds=1.5)  # in the middle of it: the other worker checks it again
        proc.wait(timeout=600)
        out_file.close()
        err_file.close()
        out, err = (tmp_path / "out").read_bytes(), (tmp_path / "err").read_bytes()
    finally:
        c.close()
    assert proc.returncode == 2, err
    assert out == local.stdout  # every document has its real result, in order
    lines = out.decode().splitlines()
    assert len(lines) == 43 and sum('"error":null' in x for x in lines) == 41
    assert json.loads(lines[-2])["path"].endswith(LONG) and json.loads(lines[-2])["results"]


@pytest.mark.slow
def test_a_document_whose_workers_keep_dying_is_one_error_entry(tmp_path: Path) -> None:
    """With Dask's allowed-failures at 0, the document a killed worker was checking
    counts as one that kills workers: it becomes one error entry, in its place, and
    every other document keeps its real result."""
    from clause_lint.batch import CRASH_MESSAGE

    corpus = corpus_with_a_long_document(tmp_path / "docs")
    args = ["check", "--isolated", "--no-cache", "--format", "jsonl", str(corpus)]
    local = clause_lint(*args, "-j", "1").stdout.decode().splitlines()
    c = Cluster(tmp_path / "cluster", env={"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"})
    try:
        # Output to files: a pipe nobody reads while we wait would fill and stop the run.
        out_file, err_file = open(tmp_path / "out", "w+b"), open(tmp_path / "err", "w+b")
        proc = subprocess.Popen([sys.executable, "-m", "clause_lint", *args, "--scheduler", c.address], cwd=ROOT,
                                stdout=out_file, stderr=err_file)
        c.kill_worker_checking(LONG, seconds=1.5)
        proc.wait(timeout=600)
        out_file.close()
        err_file.close()
        out, err = (tmp_path / "out").read_bytes(), (tmp_path / "err").read_bytes()
    finally:
        c.close()
    assert proc.returncode == 2
    lines = out.decode().splitlines()
    assert len(lines) == len(local) == 43
    crashed = [json.loads(x) for x, y in zip(lines[:-1], local[:-1]) if x != y]
    assert crashed and crashed[-1]["path"].endswith(LONG)  # and any other it had been sent, no more
    for d in crashed:
        assert d["error"] == {"code": "internal", "message": CRASH_MESSAGE} and d["results"] == []
        assert f"{d['path']}: error: {CRASH_MESSAGE}" in err.decode()
    assert json.loads(lines[-1])["summary"]["errors"] == 1 + len(crashed)  # and empty.txt


@pytest.mark.slow
def test_local_cluster_and_progress_count_documents(tmp_path: Path) -> None:
    from clause_lint.runner import run
    from clause_lint.settings import Settings

    corpus = write_corpus(tmp_path / "docs", count=6)
    seen: list[tuple[int, int]] = []
    settings = Settings(scheduler="local:2")
    report = run([str(corpus)], settings, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(n, 7) for n in range(1, 8)]
    local = run([str(corpus)], Settings(jobs=1))
    assert json.dumps(report.to_dict()) == json.dumps(local.to_dict())


def test_cached_documents_are_not_sent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = write_corpus(tmp_path / "docs", count=3)
    (corpus / "empty.txt").unlink()
    monkeypatch.chdir(tmp_path)
    first = CliRunner().invoke(cli, ["check", "--isolated", "-j", "1", "--format", "json", str(corpus)])
    # Nothing listens on port 1: a run that had to send a document would fail.
    again = CliRunner().invoke(cli, ["check", "--isolated", "--scheduler", "tcp://127.0.0.1:1", "--format", "json", str(corpus)])
    assert again.exit_code == first.exit_code == 1, again.output
    assert again.stdout == first.stdout


def test_an_unreachable_scheduler_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from clause_lint import dask_backend

    monkeypatch.setattr(dask_backend, "CONNECT_TIMEOUT", 2)
    corpus = write_corpus(tmp_path / "docs", count=1)
    r = CliRunner().invoke(cli, ["check", "--isolated", "--no-cache", "--scheduler", "tcp://127.0.0.1:1", str(corpus)])
    assert r.exit_code == 2
    assert r.stderr.startswith("clause-lint: error: --scheduler tcp://127.0.0.1:1: cannot reach") and r.stderr.count("\n") == 1


@pytest.mark.parametrize("value", ["local:0", "local:x", "nowhere"])
def test_a_bad_scheduler_value_is_one_line(value: str, tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["check", "--isolated", "--scheduler", value, str(tmp_path)])
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and value in r.stderr
    r = CliRunner().invoke(cli, ["check", "--isolated", "-j", "2", "--scheduler", "local:2", str(tmp_path)])
    assert r.exit_code == 2 and "cannot be combined" in r.stderr


def test_diff_base_is_not_sent_to_a_cluster(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "docs", count=1)
    r = CliRunner().invoke(cli, ["check", "--isolated", "--scheduler", "local:1", "--diff-base", "HEAD", str(corpus)])
    assert r.exit_code == 2 and "cannot be combined with --scheduler" in r.stderr


def test_without_dask_the_option_says_how_to_install_it(tmp_path: Path) -> None:
    doc = tmp_path / "a.md"
    doc.write_text("# Terms\n\nHello.\n", encoding="utf-8")
    code = ("import sys; sys.modules['distributed'] = None; sys.modules['dask'] = None\n"
            "from clause_lint.cli import main\n"
            f"sys.exit(main(['check', '--isolated', '--scheduler', 'local:2', {str(doc)!r}]))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 2
    assert r.stderr == "clause-lint: error: --scheduler needs Dask, which is not installed: pip install 'clause-lint[dask]'\n"
