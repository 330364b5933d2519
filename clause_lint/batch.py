"""Check many documents in parallel worker processes.

Each worker builds its :class:`~clause_lint.api.Linter` once, in the pool's
initializer (on Linux the pool forks, and the parent's linter — which the parent
builds anyway for the report — is inherited instead of built again). Documents go to
the workers in small chunks; at most two chunks per worker are in flight, so that a
worker that dies (a crash in a native library, the kernel's out-of-memory killer)
can only take the chunks in flight with it. Those documents are then run again one
at a time in a fresh single-worker pool: the one that kills its worker again
becomes an error result ("internal"), every other one gets its real result. A run
never loses documents and its results do not depend on the number of workers.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import sys
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional, Protocol

from .results import DocumentError, DocumentResult

if TYPE_CHECKING:  # pragma: no cover
    from .settings import Settings

CRASH_MESSAGE = (
    "internal error: the process checking this document stopped unexpectedly "
    "(a crash or out of memory); please report it"
)
MAX_CHUNK = 8
# Without fork, use a pool only with at least this many documents per worker.
FORK_MIN_PER_WORKER = 4
SPAWN_MIN_PER_WORKER = 4
# Windows cannot wait on more than 61 process handles.
MAX_WORKERS = 61 if sys.platform == "win32" else 256


class Checker(Protocol):
    def check(self, path: str) -> DocumentResult: ...


Progress = Callable[[int, int], None]

_worker_checker: Optional[Checker] = None


def default_jobs() -> int:
    """The number of CPUs this process may use."""
    count = getattr(os, "process_cpu_count", None)
    if count is not None:
        return max(1, count() or 1)
    try:
        return max(1, len(os.sched_getaffinity(0)))  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _format_guess(path: str) -> Optional[str]:
    from .extract import EXTENSIONS

    return EXTENSIONS.get(os.path.splitext(path)[1].lower())


def _error(path: str, code: str, message: str) -> DocumentResult:
    return DocumentResult(path=path, format=_format_guess(path), error=DocumentError(code, message))


def check_one(checker: Checker, path: str) -> DocumentResult:
    """``checker.check(path)``, with any exception turned into an error result."""
    try:
        return checker.check(path)
    except MemoryError:
        return _error(path, "limit-exceeded", "out of memory while checking")
    except RecursionError:
        return _error(path, "internal", "internal error: structure nested too deeply to check; please report it")
    except Exception as exc:  # an engine bug must cost one document, not the run
        return _error(path, "internal", f"internal error while checking ({type(exc).__name__}: {exc}); please report it")
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        # Deliberately BaseException-derived signals (a time budget) that escaped.
        return _error(path, "internal", f"internal error while checking ({type(exc).__name__}: {exc}); please report it")


# ----------------------------------------------------------------------------- workers


def _init_worker(settings: "Settings", factory: Callable[["Settings"], Checker], inherited: Optional[Checker]) -> None:
    """Pool initializer: the worker's checker, built once (or inherited through fork)."""
    global _worker_checker
    _worker_checker = inherited if inherited is not None else factory(settings)
    from .factory import settle_collector

    settle_collector()  # a forked worker has it from its parent already


def _check_chunk(paths: list[str]) -> list[DocumentResult]:
    assert _worker_checker is not None, "worker used before its initializer ran"
    return [check_one(_worker_checker, p) for p in paths]


def _default_factory(settings: "Settings") -> Checker:
    from .factory import make_linter

    return make_linter(settings)


# ----------------------------------------------------------------------------- the pool


def _context() -> Any:
    """fork on Linux (cheap, and workers inherit the parent's linter); the
    platform default elsewhere (fork is unsafe on macOS, absent on Windows)."""
    if sys.platform.startswith("linux"):
        try:
            return multiprocessing.get_context("fork")
        except ValueError:  # pragma: no cover
            pass
    return multiprocessing.get_context()


def _worth_a_pool(total: int, jobs: int) -> bool:
    """Forked workers cost next to nothing; spawned ones each build a linter (seconds),
    which pays off only with a few documents per worker."""
    if _context().get_start_method() == "fork":
        # Even forked workers cost a few tenths of a second to start and feed; a
        # handful of documents is checked faster in this process.
        return total >= FORK_MIN_PER_WORKER * min(jobs, total)
    return total >= SPAWN_MIN_PER_WORKER * min(jobs, total)


def _chunks(paths: list[str], jobs: int) -> list[list[str]]:
    # About four chunks per worker balances uneven document sizes; small chunks
    # also keep what a crash can take with it small.
    size = max(1, min(MAX_CHUNK, math.ceil(len(paths) / (jobs * 4))))
    return [paths[i : i + size] for i in range(0, len(paths), size)]


class _Pool:
    """Runs chunks in one pool generation after another until every document has a result."""

    def __init__(self, settings: "Settings", factory: Callable[["Settings"], Checker], checker: Optional[Checker],
                 on_result: Callable[[str, DocumentResult], None], hold: Optional[Callable[[], bool]] = None) -> None:
        self.settings = settings
        self.hold = hold or (lambda: False)
        self.factory = factory
        self.ctx = _context()
        self.inherited = checker if self.ctx.get_start_method() == "fork" else None
        self.on_result = on_result

    def _executor(self, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=self.ctx,
            initializer=_init_worker,
            initargs=(self.settings, self.factory, self.inherited),
        )

    def run(self, chunks: Iterable[list[str]], workers: int, isolate: bool) -> list[str]:
        """Run ``chunks``; return the documents of chunks whose worker died.

        With ``isolate`` (one worker, one document per chunk) a document whose worker
        dies is the cause, and gets an error result instead of being returned.
        """
        queue = deque(chunks)
        suspects: list[str] = []
        window = 1 if isolate else workers * 2
        while queue:
            executor = self._executor(workers)
            inflight: dict[Future[list[DocumentResult]], list[str]] = {}
            broken = False
            try:
                while (queue and not broken) or inflight:
                    # hold(): the caller has enough finished results waiting on an
                    # earlier document; start nothing new until it is done (but never
                    # stall with nothing in flight).
                    while queue and not broken and len(inflight) < window and not (inflight and self.hold()):
                        chunk = queue.popleft()
                        try:
                            inflight[executor.submit(_check_chunk, chunk)] = chunk
                        except BrokenProcessPool:
                            # A worker died before we saw it fail: this chunk was
                            # not started, so it waits for the next pool.
                            queue.appendleft(chunk)
                            broken = True
                    done, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
                    for future in done:
                        chunk = inflight.pop(future)
                        try:
                            results = future.result()
                        except BrokenProcessPool:
                            broken = True
                            if isolate:
                                for path in chunk:
                                    self.on_result(path, _error(path, "internal", CRASH_MESSAGE))
                            else:
                                suspects.extend(chunk)
                            continue
                        except Exception as exc:  # e.g. a result that cannot be pickled
                            for path in chunk:
                                self.on_result(path, _error(path, "internal", f"internal error in a worker ({type(exc).__name__}: {exc}); please report it"))
                            continue
                        for path, result in zip(chunk, results):
                            self.on_result(path, result)
            finally:
                executor.shutdown(wait=True, cancel_futures=True)
        return suspects


def check_paths(
    paths: list[str],
    settings: "Settings",
    *,
    jobs: Optional[int] = None,
    checker: Optional[Checker] = None,
    factory: Optional[Callable[["Settings"], Checker]] = None,
    progress: Optional[Progress] = None,
) -> list[DocumentResult]:
    """Check ``paths``; results in the order of ``paths``.

    ``jobs`` worker processes (None: one per CPU; 1: in this process). ``checker`` is
    used in process (and inherited by forked workers); ``factory(settings)`` builds a
    checker in a worker that cannot inherit one, and in process when ``checker`` is
    None. It must be picklable (a module-level function).
    """
    found: list[Optional[DocumentResult]] = [None] * len(paths)

    def keep(index: int, result: DocumentResult) -> None:
        found[index] = result

    check_each(paths, settings, keep, jobs=jobs, checker=checker, factory=factory, progress=progress)
    return found  # type: ignore[return-value]  # check_each gives every index a result


def check_each(
    paths: list[str],
    settings: "Settings",
    on_result: Callable[[int, DocumentResult], None],
    *,
    jobs: Optional[int] = None,
    checker: Optional[Checker] = None,
    factory: Optional[Callable[["Settings"], Checker]] = None,
    progress: Optional[Progress] = None,
    hold: Optional[Callable[[], bool]] = None,
) -> None:
    """:func:`check_paths` without holding the results: ``on_result(index, result)``
    once for each of ``paths``, as each finishes (completion order). Only the set of
    finished paths is kept, so a streamed run's memory does not grow with its results.
    While ``hold()`` is true no new work starts except to keep one piece in flight
    (the caller is waiting for an earlier document and holds enough results).
    """
    factory = factory or _default_factory
    jobs = max(1, min(jobs if jobs is not None else default_jobs(), MAX_WORKERS))
    total = len(paths)
    index: dict[str, list[int]] = {}
    for i, path in enumerate(paths):
        index.setdefault(path, []).append(i)
    done: set[str] = set()
    count = 0

    def record(path: str, result: DocumentResult) -> None:
        nonlocal count
        if path in done:
            return
        done.add(path)
        for i in index[path]:
            count += 1
            on_result(i, result)
        if progress:
            progress(count, total)

    unique = list(index)
    if jobs > 1 and len(unique) > 1 and _worth_a_pool(len(unique), jobs):
        pool = _Pool(settings, factory, checker, record, hold)
        workers = min(jobs, len(unique))
        try:
            suspects = pool.run(_chunks(unique, workers), workers, isolate=False)
            pool.run([[p] for p in suspects], 1, isolate=True)
        except (OSError, ImportError, NotImplementedError, PermissionError):
            pass  # no process support here (sandbox, no /dev/shm): finish in process
    missing = [p for p in unique if p not in done]
    if missing:
        local = checker if checker is not None else factory(settings)
        for path in missing:
            record(path, check_one(local, path))
