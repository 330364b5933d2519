"""The one way clause-lint writes a file for the user: reports, extra formats,
annotated copies, baselines and the starter config.

:func:`write_file` writes to a temporary file in the target's folder and renames it
over the target (:func:`os.replace`, atomic on POSIX and Windows), so

- a reader never sees half a report, and a failure (disk full, an exception while
  rendering a .docx, an interrupt) leaves the original file exactly as it was;
- the new file gets the permissions a plain ``open(path, "w")`` would give it: the
  existing file's mode when there is one, else ``0o666`` less the umask
  (``tempfile.mkstemp`` alone would leave every output at ``0o600``).

A target that exists but is not a regular file (``/dev/null``, ``/dev/stdout``, a
FIFO) is opened and written directly: there is no content to protect, and renaming
over a device node would replace the node itself. A symbolic link is followed, so
the link stays and the file it points to is replaced.
"""

from __future__ import annotations

import os
import stat
import tempfile
import threading
from typing import BinaryIO, Callable, Optional, Union

from .errors import ClauseLintError

Content = Union[str, bytes, Callable[[BinaryIO], None]]

_umask_lock = threading.Lock()


def current_umask() -> int:
    """The process umask (reading it means setting it, so under a lock)."""
    with _umask_lock:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def _emit(fh: BinaryIO, content: Content) -> None:
    if isinstance(content, str):
        fh.write(content.encode("utf-8"))
    elif isinstance(content, bytes):
        fh.write(content)
    else:
        content(fh)


def write_file(path: str, content: Content, what: str = "report", shown: Optional[str] = None) -> None:
    """Write ``content`` (text as UTF-8, bytes, or a function writing to a binary
    file) to ``path`` safely; raise :class:`ClauseLintError` naming ``path`` and
    ``what`` (and shown as ``shown``, default ``path``) on failure, with the original
    file untouched."""
    from .extract import one_line

    shown = one_line(shown if shown is not None else path)
    target = os.path.realpath(path)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise ClauseLintError(f"{shown}: cannot write {what}: {exc.strerror or exc}") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise ClauseLintError(f"{shown}: cannot write {what}: is a directory")
    if st is not None and not stat.S_ISREG(st.st_mode):
        try:
            with open(target, "wb") as fh:
                _emit(fh, content)
        except OSError as exc:
            raise ClauseLintError(f"{shown}: cannot write {what}: {exc.strerror or exc}") from None
        return

    mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~current_umask()
    folder = os.path.dirname(target) or "."
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            _emit(fh, content)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise ClauseLintError(f"{shown}: cannot write {what}: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
