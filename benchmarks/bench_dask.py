"""Dask scale-out against local worker processes, and the client's memory when streaming.

Prints figures; asserts nothing:

- wall time of ``clause-lint check --no-cache --format jsonl`` over N generated
  documents (default 2,000), with ``-j 2`` (local worker processes) and with
  ``--scheduler`` on a scheduler and two ``dask worker`` processes (one thread each)
  started beforehand on 127.0.0.1, as an existing cluster would be; the Dask overhead
  in per cent of the local time. The first Dask run pays for each worker building its
  linter (spaCy, packs); it is printed apart ("cold"), then the measured ("warm") runs;
- peak resident memory (VmHWM) of the clause-lint process itself — the client — at
  200 and at N documents with ``--format jsonl``, locally and with Dask: flat if the
  run holds no results. ``--format json`` at N documents is shown beside it.

The documents are the text samples (.md, .txt, .html) of ``sample_contracts/``, each
copy given its own reference number and party name so no two are alike (and
``--no-cache`` anyway). Whole processes, start-up included, side by side.

Run: ``python benchmarks/bench_dask.py [--documents 2000] [--repeat 1]`` (needs the
dask extra: ``pip install '.[dask]'``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_documents(folder: Path, count: int) -> list[Path]:
    """``count`` documents from the text samples, each with its own small changes."""
    samples = sorted(p for p in (ROOT / "sample_contracts").iterdir() if p.suffix in (".md", ".txt", ".html"))
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        src = samples[i % len(samples)]
        text = src.read_text(encoding="utf-8")
        note = f"Agreement reference CL-{i:06d}; counterparty Customer Number {7919 * i % 100003}."
        if src.suffix == ".html":
            text = text.replace("</body>", f"<p>{note}</p></body>", 1) if "</body>" in text else text + f"<p>{note}</p>"
        else:
            text = text + f"\n\n{note}\n"
        path = folder / f"{i // 500:02d}" / f"doc{i:05d}{src.suffix}"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out


def run_check(args: list[str], cwd: Path) -> tuple[float, int, int]:
    """(wall seconds, exit code, peak RSS in KiB of the clause-lint process itself)."""
    cmd = [sys.executable, "-m", "clause_lint", "check", "--isolated", "--no-cache", *args]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    status = f"/proc/{proc.pid}/status"
    while proc.poll() is None:
        try:
            with open(status, encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"clause-lint failed ({proc.returncode}): {err[-2000:]}")
    return wall, proc.returncode, peak


class Cluster:
    def __init__(self, folder: Path, workers: int = 2) -> None:
        info = folder / "scheduler.json"
        self.procs = [self._start(folder, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                  "--scheduler-file", str(info))]
        deadline = time.monotonic() + 60
        while not (info.exists() and info.stat().st_size):
            if time.monotonic() > deadline:
                raise SystemExit("the dask scheduler did not start")
            time.sleep(0.1)
        time.sleep(0.2)
        self.address = json.loads(info.read_text())["address"]
        for i in range(workers):
            self.procs.append(self._start(folder, "worker", self.address, "--nworkers", "1", "--nthreads", "1",
                                          "--no-dashboard", "--local-directory", str(folder / f"w{i}")))
        import distributed

        with distributed.Client(self.address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=120)

    @staticmethod
    def _start(folder: Path, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "dask", *args], cwd=folder, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def close(self) -> None:
        for proc in self.procs:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--small", type=int, default=200, help="the smaller run for the memory comparison")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs of each (the median is printed)")
    args = parser.parse_args()
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise SystemExit("needs the dask extra: pip install '.[dask]'")

    work = Path(tempfile.mkdtemp(prefix="bench-dask-"))
    try:
        make_documents(work / "big", args.documents)
        small = make_documents(work / "small", args.small)
        print(f"{args.documents} documents ({sum(p.stat().st_size for p in (work / 'big').rglob('*.*')) / 1e6:.1f} MB), "
              f"from the {len({p.suffix for p in small})} text samples; cpus: {os.cpu_count()}")
        cluster = Cluster(work)
        try:
            sched = ["--scheduler", cluster.address]
            jsonl = ["--format", "jsonl", "-o", os.devnull]
            cold, _, _ = run_check(sched + jsonl + ["small"], work)
            print(f"dask, first run ({args.small} documents; workers build their linters): {cold:.1f} s")
            d_small = run_check(sched + jsonl + ["small"], work)
            l_small = run_check(["-j", "2"] + jsonl + ["small"], work)
            local, remote = [], []
            for _ in range(args.repeat):
                local.append(run_check(["-j", "2"] + jsonl + ["big"], work))
                remote.append(run_check(sched + jsonl + ["big"], work))
            l_big = sorted(local)[len(local) // 2]
            d_big = sorted(remote)[len(remote) // 2]
            l_json = run_check(["-j", "2", "--format", "json", "-o", os.devnull, "big"], work)
        finally:
            cluster.close()
        overhead = (d_big[0] - l_big[0]) / l_big[0] * 100
        print()
        print(f"| {args.documents} documents, --no-cache, whole process | wall time | documents/s |")
        print("| --- | ---: | ---: |")
        print(f"| local `-j 2` | {l_big[0]:.1f} s | {args.documents / l_big[0]:.1f} |")
        print(f"| Dask, scheduler + 2 workers (1 thread each), warm | {d_big[0]:.1f} s | {args.documents / d_big[0]:.1f} |")
        print(f"| Dask overhead | {overhead:+.1f} % | |")
        print()
        print("| peak RSS of the clause-lint process | " + f"{args.small} documents | {args.documents} documents |")
        print("| --- | ---: | ---: |")
        print(f"| local `-j 2`, `--format jsonl` | {l_small[2] / 1024:.0f} MiB | {l_big[2] / 1024:.0f} MiB |")
        print(f"| Dask client, `--format jsonl` | {d_small[2] / 1024:.0f} MiB | {d_big[2] / 1024:.0f} MiB |")
        print(f"| local `-j 2`, `--format json` (holds the report) | | {l_json[2] / 1024:.0f} MiB |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
