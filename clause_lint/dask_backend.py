"""Check documents on a Dask distributed cluster: ``clause-lint check --scheduler``.

The client (the ``clause-lint`` process) keeps everything that needs the local disk
or the whole run: discovery, the result cache, ordering, suppressions and the report.
Workers only turn a document's bytes into its result:

- Each document goes to the cluster as its bytes, so workers need no shared disk. A
  file that is not a regular file, or is over ``--max-file-size``, is checked here
  instead (the reader refuses it at once, with the same message as a local run).
- The packs (their YAML bytes, not their paths: a ``--pack my-rules.yaml`` exists only
  here) and the settings that change results travel once per worker, in a worker
  plugin (:class:`_Packs`); each worker builds its :class:`~clause_lint.api.Linter`
  once, on its first document, and keeps it for every later run with the same packs
  and settings (they are the plugin's key).
- At most a few documents per worker thread are in flight, so the client's memory
  does not grow with the run.
- A worker lost mid-run: the scheduler runs its documents again on the others. A
  document that takes down every worker it is given (Dask's ``allowed-failures``,
  3 by default) becomes one ``internal`` error result, like a crash under ``--jobs``;
  an exception in the task itself is retried (``RETRIES``) and then one error result.
  No document is ever left without a result.
- Before any document is sent, every worker's clause-lint must be the same code as
  the client's (:func:`clause_lint.cache.tool_fingerprint`), or the results would
  differ from a local run; a mismatch is an error that names the worker.

``--scheduler local:N`` starts a :class:`distributed.LocalCluster` of N worker
processes on this machine, one thread each, for the run.
"""

from __future__ import annotations

import hashlib
import os
import json
import stat
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Optional

from .errors import ClauseLintError
from .results import DocumentError, DocumentResult

try:  # the optional extra: pip install 'clause-lint[dask]'
    import distributed
    from distributed import WorkerPlugin
except ImportError:  # pragma: no cover - exercised by the "not installed" test in a subprocess
    distributed = None  # type: ignore[assignment]
    WorkerPlugin = object  # type: ignore[assignment,misc]

if TYPE_CHECKING:  # pragma: no cover
    from .settings import Settings

INSTALL_HINT = "--scheduler needs Dask, which is not installed: pip install 'clause-lint[dask]'"
#: Times a task that raised is run again before its document gets an error result.
RETRIES = 2
#: Documents in flight per worker thread: enough to keep workers busy across the
#: round trip, few enough that the client holds little.
IN_FLIGHT_PER_THREAD = 4
CONNECT_TIMEOUT = 30  # seconds to reach the scheduler, and to wait for a first worker


def available() -> bool:
    return distributed is not None


def require() -> None:
    """Raise the one-line install hint when Dask is not installed."""
    if distributed is None:
        raise ClauseLintError(INSTALL_HINT)


def parse_scheduler(value: str) -> tuple[str, Any]:
    """``("local", N)`` for ``local:N``, else ``("address", value)``; a usage error
    in one line for anything else."""
    text = value.strip()
    if text.startswith("local:"):
        count = text[len("local:"):]
        if not count.isdigit() or int(count) < 1:
            raise ClauseLintError(f"--scheduler {value}: local:N needs a number of workers N ≥ 1, e.g. local:2")
        return "local", int(count)
    if "://" in text or (":" in text and text.rsplit(":", 1)[1].isdigit()):
        return "address", text
    raise ClauseLintError(f"--scheduler {value}: give the scheduler's address, tcp://HOST:PORT, or local:N")


# ----------------------------------------------------------------------------- what workers get


@dataclass(frozen=True)
class WorkerSpec:
    """Packs and settings for the workers' linters, and the key they are cached by."""

    key: str
    packs: tuple[tuple[str, bytes], ...]  # (file name, YAML bytes), in load order
    settings: "Settings"


def worker_spec(settings: "Settings") -> WorkerSpec:
    """The pack files ``settings.packs`` resolve to, read here, and the settings that
    change results (nothing local: no cache, config or waiver paths)."""
    from dataclasses import replace

    from .cache import settings_material, tool_fingerprint
    from .rules.loader import resolve_pack

    files: list[tuple[str, bytes]] = []
    seen: set[str] = set()
    for spec in settings.packs:
        for path in resolve_pack(spec):
            real = str(path.resolve())
            if real in seen:  # load_packs skips a file given twice
                continue
            seen.add(real)
            files.append((path.name, path.read_bytes()))
    shipped = replace(settings, packs=[], cache_dir=None, config_path=None, waivers=None, baseline=None,
                      write_baseline=None, scheduler=None, origins={}, include=[], exclude=[])
    h = hashlib.sha256(tool_fingerprint().encode())
    for name, data in files:
        h.update(name.encode() + b"\0" + hashlib.sha256(data).hexdigest().encode())
    h.update(json.dumps(settings_material(replace(settings, packs=[])), sort_keys=True).encode())
    return WorkerSpec(h.hexdigest()[:24], tuple(files), shipped)


_specs: dict[str, WorkerSpec] = {}
_linters: dict[str, Any] = {}
_lock = threading.Lock()


class _Packs(WorkerPlugin):  # type: ignore[misc,valid-type]
    """Carries a :class:`WorkerSpec` to every worker, including workers that join later."""

    def __init__(self, spec: WorkerSpec) -> None:
        self.spec = spec
        self.name = f"clause-lint-{spec.key}"

    def setup(self, worker: Any) -> None:
        # Cheap on purpose: the linter (seconds: spaCy, pack compilation) is built in
        # the first task, in a worker thread, never in the worker's event loop.
        _specs[self.spec.key] = self.spec


def _linter(key: str) -> Any:
    with _lock:
        linter = _linters.get(key)
        if linter is None:
            import tempfile

            from .factory import make_linter

            spec = _specs[key]
            folder = tempfile.mkdtemp(prefix="clause-lint-packs-")
            paths = []
            for i, (name, data) in enumerate(spec.packs):
                os.makedirs(os.path.join(folder, str(i)))
                path = os.path.join(folder, str(i), name)
                with open(path, "wb") as fh:
                    fh.write(data)
                paths.append(path)
            from dataclasses import replace

            linter = make_linter(replace(spec.settings, packs=paths))
            linter.lock = threading.Lock()
            _linters[key] = linter
    return linter


def check_remote(key: str, path: str, data: bytes) -> DocumentResult:
    """The task: one document's bytes (named ``path``) to its result, on a worker."""
    from .batch import check_one

    linter = _linter(key)
    # One document at a time per linter: the engine is not written for threads, and
    # under the GIL more threads would not check faster (use more worker processes).
    with linter.lock:
        return check_one(_BytesChecker(linter, data), path)


class _BytesChecker:
    def __init__(self, linter: Any, data: bytes) -> None:
        self.linter = linter
        self.data = data

    def check(self, path: str) -> DocumentResult:
        return self.linter.check(path, self.data)


def _worker_identity() -> dict[str, str]:
    """What a worker runs (compared with the client before any document is sent)."""
    from . import __version__
    from .cache import tool_fingerprint

    return {"version": __version__, "tool": tool_fingerprint()}


# ----------------------------------------------------------------------------- the client side


def _error(path: str, code: str, message: str) -> DocumentResult:
    from .batch import _format_guess

    return DocumentResult(path=path, format=_format_guess(path), error=DocumentError(code, message))


def _ship(path: str, max_bytes: int) -> Optional[bytes]:
    """The document's bytes for a worker, or None when it must be checked here (not
    a regular file, over the size limit, unreadable): the reader then refuses it
    with the message a local run gives."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > max_bytes:
            return None
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError:
        return None
    return data if len(data) <= max_bytes else None


def connect(scheduler: str) -> tuple[Any, Any]:
    """``(client, cluster)`` for ``--scheduler``; ``cluster`` is the LocalCluster
    started for ``local:N`` (None for an existing scheduler)."""
    require()
    import logging

    kind, value = parse_scheduler(scheduler)
    cluster = None
    try:
        if kind == "local":
            # No dashboard; its HTTP server (health checks) on a free port, never 8787
            # that another cluster on this machine may hold.
            cluster = distributed.LocalCluster(n_workers=value, threads_per_worker=1, processes=True,
                                               dashboard_address=None, silence_logs=logging.ERROR,
                                               scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
            client = distributed.Client(cluster, set_as_default=False)
        else:
            client = distributed.Client(value, timeout=CONNECT_TIMEOUT, set_as_default=False)
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        detail = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise ClauseLintError(f"--scheduler {scheduler}: cannot reach a Dask scheduler with a worker ({detail})") from None
    return client, cluster


def _task_key(index: int, path: str) -> str:
    """``clause-lint-check-<unique>-<file name>``: unique, and the dashboard shows
    which document a worker is on. Dask groups tasks by the words before the first
    one that starts with a digit, so every document stays in one group."""
    import re
    import uuid

    name = re.sub(r"[^\w.]+", "_", os.path.basename(path), flags=re.ASCII)[:60]
    return f"clause-lint-check-{index}x{uuid.uuid4().hex[:12]}-{name}"


def _check_workers(client: Any, scheduler: str) -> None:
    mine = _worker_identity()
    try:
        identities = client.run(_worker_identity)
    except Exception as exc:  # e.g. clause_lint is not installed on a worker
        detail = " ".join(str(exc).split())[:200]
        raise ClauseLintError(f"--scheduler {scheduler}: a worker cannot run clause-lint ({type(exc).__name__}: {detail}); "
                              "install 'clause-lint[dask]', the same version as here, on every worker") from None
    for address, theirs in sorted(identities.items()):
        if theirs != mine:
            raise ClauseLintError(
                f"--scheduler {scheduler}: worker {address} runs clause-lint {theirs.get('version')} with other code "
                f"than this clause-lint {mine['version']}; install the same version on every worker "
                "(results would differ from a local run)")


def check_each(
    paths: list[str],
    settings: "Settings",
    on_result: Callable[[int, DocumentResult], None],
    *,
    jobs: Optional[int] = None,
    checker: Any = None,
    factory: Any = None,
    progress: Optional[Callable[[int, int], None]] = None,
    hold: Optional[Callable[[], bool]] = None,
) -> None:
    """:func:`clause_lint.batch.check_each` on the cluster at ``settings.scheduler``:
    ``on_result(index, result)`` once for each of ``paths``, as each finishes.

    ``checker`` (the client's linter) checks the documents that are not sent.
    ``jobs`` and ``factory`` are not used: the cluster has its own workers.
    """
    from .batch import CRASH_MESSAGE, check_one
    from .factory import make_linter

    scheduler = settings.scheduler or ""
    spec = worker_spec(settings)
    total = len(paths)
    count = 0

    def record(index: int, result: DocumentResult) -> None:
        nonlocal count
        count += 1
        on_result(index, result)
        if progress:
            progress(count, total)

    client, cluster = connect(scheduler)
    try:
        _check_workers(client, scheduler)
        client.register_plugin(_Packs(spec))
        threads = max(1, sum(client.nthreads().values()))
        window = max(8, IN_FLIGHT_PER_THREAD * threads)
        queue = iter(range(total))
        futures = distributed.as_completed(loop=client.loop)
        index_of: dict[Any, int] = {}

        def submit_next() -> bool:
            for index in queue:
                path = paths[index]
                data = _ship(path, settings.limits.max_file_bytes)
                if data is None:
                    local = checker if checker is not None else make_linter(settings)
                    record(index, check_one(local, path))
                    continue
                future = client.submit(check_remote, spec.key, path, data, key=_task_key(index, path),
                                       retries=RETRIES, pure=False)
                index_of[future] = index
                futures.add(future)
                return True
            return False

        for _ in range(window):
            if not submit_next():
                break
        for future in futures:
            index = index_of.pop(future)
            path = paths[index]
            try:
                result = future.result()
            except distributed.KilledWorker:
                result = _error(path, "internal", CRASH_MESSAGE)
            except Exception as exc:  # the task raised even after RETRIES, or could not be sent
                detail = " ".join(str(exc).split())[:200]
                result = _error(path, "internal", f"internal error on a Dask worker ({type(exc).__name__}: {detail}); please report it")
            future.release()
            record(index, result)
            # hold(): results wait on an earlier document; send nothing new until it
            # is back (it is in flight, so this cannot stall).
            while len(index_of) < window and not (index_of and hold is not None and hold()):
                if not submit_next():
                    break
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
