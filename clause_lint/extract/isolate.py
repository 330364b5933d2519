"""Run one native-code stage of a reader in a forked child, so a crash costs one file.

PDFium is C++: on a hostile or huge PDF it can abort (an out-of-memory ``abort()``,
a ``SIGSEGV``) and take the whole Python process with it, or sit in one call that
never returns, which the SIGALRM budget of :mod:`clause_lint.guard` cannot
interrupt (Python handles signals only between bytecodes). :func:`run` therefore
calls the stage in a child made with ``os.fork()``:

- the child computes the stage's result (plain picklable data) and sends it back
  through a pipe, as length-prefixed pickled frames; ``guard.set_stage`` calls made
  in the child are forwarded the same way, so a timeout still names the stage;
- the parent waits for the result until the document's time budget ends, then kills
  the child's whole process group (the child and anything it started, such as a
  ``tesseract`` process) and raises the budget's timeout;
- a child that dies without a result becomes a one-line :class:`CorruptFile` error
  naming the signal, and the run goes on with the next file.

Cost: one fork per process (10-20 ms with spaCy loaded; the child then serves every
PDF of the process and is replaced only when it died, was killed, or ``os.environ``
changed), and per file the pickled page data (about 0.05 ms a page): 0-9 ms a file
on the corpus PDFs (``benchmarks/bench_isolation.py``, ``benchmarks/README.md``).
The child is a snapshot of the process at its fork; :func:`restart` replaces it.

Where ``os.fork`` is missing or unsafe (Windows; macOS, where system frameworks
are not fork-safe) the stage runs in process, as before: a PDFium crash there ends
the run (``--jobs N`` still loses only the worker's files), and a stuck native call
is stopped only when it returns.

Test-only hook: the environment variable ``CLAUSE_LINT_TEST_PDF_FAULT``, read only in
the child, makes it fail inside the stage: ``abort`` (``os.abort()``), ``segv``
(``SIGSEGV`` to itself) or ``hang`` (sleep forever), optionally only for one file,
``abort:NAME`` where NAME is the file's base name. It exists so the tests can prove
the isolation through the real CLI; it has no other use.
"""

from __future__ import annotations

import atexit
import gc
import multiprocessing.util
import os
import pickle
import select
import signal
import struct
import sys
import threading
import time
from typing import Any, Callable, Optional, TypeVar

from .. import guard
from ..errors import ClauseLintError, CorruptFile, LimitExceeded

T = TypeVar("T")

FAULT_ENV = "CLAUSE_LINT_TEST_PDF_FAULT"
_HEADER = struct.Struct("!Q")
# How often the parent looks whether a silent child has died (a pipe end inherited by
# another forked child can keep the pipe open after this one's death).
_POLL = 0.25


def available() -> bool:
    """Whether stages run isolated here (Linux and other fork-safe POSIX systems)."""
    return hasattr(os, "fork") and sys.platform != "darwin" and os.environ.get("CLAUSE_LINT_IN_PROCESS") != "1"


class _Reader:
    """A forked child that runs stages on request until it dies or is killed.

    Forking a process that holds spaCy costs 10-20 ms; one child per process (and
    thread), forked at the first PDF and replaced only when it crashed or was killed,
    makes that a one-off cost.
    """

    def __init__(self) -> None:
        self.owner = os.getpid()
        self.environment = _environment()
        to_child, self.requests = os.pipe()
        self.replies, from_child = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child; exercised through the CLI tests
            os.close(self.requests)
            os.close(self.replies)
            _serve(to_child, from_child, self.owner)
        os.close(to_child)
        os.close(from_child)
        self.pid = pid
        self.alive = True

    def ask(self, stage: Callable[..., Any], args: tuple, path: str, seconds: Optional[float], what: str) -> tuple[str, Any]:
        clean = False
        try:
            try:
                _send(self.requests, ("run", (stage, args, path)))
            except OSError:  # it died before taking the request
                _exited(self.pid)
                raise _died(self.pid, what) from None
            message = _wait(self.pid, self.replies, seconds, what)
            clean = True
            return message
        finally:
            if not clean:  # died, timed out, or interrupted mid-request: never reuse it
                self.close()

    def close(self) -> None:
        if not self.alive:
            return
        self.alive = False
        for fd in (self.requests, self.replies):
            try:
                os.close(fd)
            except OSError:
                pass
        if os.getpid() == self.owner:
            _kill(self.pid)
            _STATUS.pop(self.pid, None)


_readers = threading.local()
_all: list[_Reader] = []


def _environment() -> int:
    return hash(frozenset(os.environ.items()))


def restart() -> None:
    """Replace this process's reader children at their next use, so they see module
    state changed since they were forked (tests that patch a reader, a cleared cache)."""
    _close_all()


def _reader() -> _Reader:
    reader: Optional[_Reader] = getattr(_readers, "reader", None)
    if reader is not None and reader.alive and reader.owner == os.getpid():
        if reader.environment == _environment():
            return reader
        # The child is a snapshot of this process at its fork: settings read from the
        # environment (CLAUSE_LINT_TESSERACT, TESSDATA_PREFIX) changed since.
        reader.close()
    if reader is not None and reader.owner != os.getpid():
        # Inherited through a fork (a --jobs worker): the child belongs to the parent.
        reader.alive = False
    reader = _Reader()
    _readers.reader = reader
    _all.append(reader)
    return reader


def _close_all() -> None:
    for reader in _all:
        if reader.owner == os.getpid():
            reader.close()


# At exit of the main program, and of a multiprocessing worker (which skips atexit);
# a reader whose parent was killed notices within a second and leaves too.
atexit.register(_close_all)
multiprocessing.util.Finalize(None, _close_all, exitpriority=0)


def run(stage: Callable[..., T], *args: Any, path: str, seconds: Optional[float], what: str = "the PDF") -> T:
    """``stage(*args)``, computed in the isolated reader when :func:`available`.

    ``stage`` must be a module-level function and its arguments and result picklable.
    ``seconds`` is the time budget when none is armed by :mod:`clause_lint.guard`
    (a server thread, a library call); an armed budget interrupts the wait itself.
    Errors the stage raises (:class:`ClauseLintError`) are raised here unchanged.
    """
    if not available():
        return stage(*args)
    kind, value = _reader().ask(stage, args, path, seconds, what)
    if kind == "error":
        cls, text, code = value
        raise cls(text, code)
    return value


def _serve(requests: int, replies: int, parent: int) -> None:  # pragma: no cover - child only
    """The reader child's loop: one request, one reply, until the parent goes away."""
    status = 0
    try:
        # Its own process group, so the parent can kill it together with anything it
        # starts (tesseract) in one call; Ctrl-C goes to the parent, which kills it.
        os.setpgid(0, 0)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        # Collections in the child would touch (and copy) every object the parent owns.
        gc.freeze()
        guard.forward_stages(lambda stage_name: _send(replies, ("stage", stage_name)))
        buffer = bytearray()
        while True:
            message = _next(requests, buffer, lambda: os.getppid() != parent)
            if message is None:
                break
            stage, args, path = message[1]
            _test_fault(path)
            try:
                reply: tuple[str, Any] = ("ok", stage(*args))
            except ClauseLintError as exc:
                # Sent as parts: an exception pickles by its args and would lose its code.
                reply = ("error", (type(exc), exc.message, exc.code))
            except MemoryError:
                reply = ("error", (LimitExceeded, "out of memory while reading the PDF", LimitExceeded.code))
            except Exception as exc:
                reply = ("error", (CorruptFile, f"damaged PDF: {type(exc).__name__}", CorruptFile.code))
            del args, message
            _send(replies, reply)
    except BaseException:
        status = 1
    finally:
        os._exit(status)


def _next(fd: int, buffer: bytearray, gone: Callable[[], bool]) -> Optional[tuple[str, Any]]:  # pragma: no cover
    """The next request; ``None`` at end of input or when the parent died."""
    while True:
        if len(buffer) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(buffer)
            if len(buffer) >= _HEADER.size + size:
                message = pickle.loads(bytes(buffer[_HEADER.size:_HEADER.size + size]))
                del buffer[:_HEADER.size + size]
                return message
        ready, _, _ = select.select([fd], [], [], 1.0)
        if not ready:
            if gone():
                return None
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return None
        buffer += chunk


def _send(fd: int, message: tuple[str, Any]) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view):]


def _test_fault(path: str) -> None:  # pragma: no cover - child only
    fault = os.environ.get(FAULT_ENV, "")
    if not fault:
        return
    kind, _, name = fault.partition(":")
    if name and os.path.basename(path) != name:
        return
    if kind == "abort":
        os.abort()
    elif kind == "segv":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif kind == "hang":
        while True:
            time.sleep(3600)


def _wait(pid: int, fd: int, seconds: Optional[float], what: str) -> tuple[str, Any]:
    """The child's final message; stage messages are passed on to the budget."""
    deadline = time.monotonic() + seconds if seconds and seconds > 0 else None
    buffer = bytearray()
    while True:
        while len(buffer) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(buffer)
            if len(buffer) < _HEADER.size + size:
                break
            kind, value = pickle.loads(bytes(buffer[_HEADER.size:_HEADER.size + size]))
            del buffer[:_HEADER.size + size]
            if kind == "stage":
                guard.set_stage(value)
                continue
            return kind, value
        timeout = _POLL if deadline is None else max(0.0, min(_POLL, deadline - time.monotonic()))
        ready, _, _ = select.select([fd], [], [], timeout)
        chunk = os.read(fd, 1 << 20) if ready else None
        if chunk:
            buffer += chunk
            continue
        if chunk == b"" or _exited(pid):
            _kill(pid)
            raise _died(pid, what)
        if deadline is not None and time.monotonic() >= deadline:
            _kill(pid)
            _STATUS.pop(pid, None)
            raise ClauseLintError(f"timed out after {guard.format_seconds(seconds or 0)} s while reading {what}",
                                  code="timeout")


_STATUS: dict[int, int] = {}  # pid → wait status, for the children already reaped


def _exited(pid: int) -> bool:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        _STATUS[pid] = status
    return bool(done)


def _kill(pid: int) -> None:
    """Kill the child's process group and reap the child (no zombie left behind)."""
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
            break
        except (ProcessLookupError, PermissionError):
            continue
    if pid not in _STATUS:
        try:
            _, status = os.waitpid(pid, 0)
            _STATUS[pid] = status
        except ChildProcessError:
            pass


def _died(pid: int, what: str) -> ClauseLintError:
    status = _STATUS.pop(pid, None)
    how = "without a result"
    if status is not None and os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            how = f"killed by {signal.Signals(number).name}"
        except ValueError:
            how = f"killed by signal {number}"
    elif status is not None and os.WIFEXITED(status):
        how = f"exit status {os.WEXITSTATUS(status)}"
    return CorruptFile(f"the PDF reader stopped unexpectedly ({how}); "
                       "the file may be damaged or too large to read")
