"""Expand command-line paths into the documents to lint.

Folders are walked recursively (symlinked folders are followed once: a loop is
never walked twice), hidden folders and files are skipped, and only supported
formats are taken from folders. Files named explicitly are always taken, so an
unsupported one gets its own clear error. Problems met while walking (an
unreadable folder, a missing path) come back as ``(path, message)`` pairs, to be
reported like unreadable documents. Files a folder walk leaves out for their format
are kept too, so a run can say what it did not check: documents of a format
clause-lint cannot read (``.doc``, ``.rtf``, ...) with the reason, and the other
files by name. Hidden files and files left out by ``include``/``exclude`` are
left out silently (that was asked for).
"""

from __future__ import annotations

import errno
import fnmatch
import os
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from .extract import EXTENSIONS, UNSUPPORTED_DOCUMENTS


@dataclass
class Discovery:
    files: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    # (path, why) for documents of an unsupported format met in folders
    skipped: list[tuple[str, str]] = field(default_factory=list)
    # other files met in folders that are not documents at all (code, images, data)
    not_documents: list[str] = field(default_factory=list)


def _matches(path: str, patterns: Sequence[str]) -> bool:
    norm = path.replace(os.sep, "/")
    if norm.startswith("./"):
        norm = norm[2:]
    base = os.path.basename(norm)
    for pat in patterns:
        if fnmatch.fnmatch(norm, pat) or fnmatch.fnmatch(base, pat) or fnmatch.fnmatch(norm, f"*/{pat}"):
            return True
        if pat.endswith("/**") and (norm + "/").startswith(pat[:-2]):
            return True
    return False


def _broken_link(path: str) -> str:
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop"
    return "broken symbolic link"


def discover(paths: Iterable[str], include: Sequence[str] = (), exclude: Sequence[str] = ()) -> Discovery:
    out = Discovery()
    seen: set[str] = set()

    def add(path: str) -> None:
        key = os.path.normpath(path)
        if key not in seen:
            seen.add(key)
            out.files.append(path)

    for root in paths:
        if os.path.isdir(root):
            visited: set[tuple[int, int]] = set()

            def onerror(err: OSError) -> None:
                out.problems.append((err.filename or root, f"cannot read folder: {err.strerror or err}"))

            for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=onerror):
                try:
                    st = os.stat(dirpath)
                    ident = (st.st_dev, st.st_ino)
                except OSError as exc:
                    out.problems.append((dirpath, f"cannot read folder: {exc.strerror or exc}"))
                    dirnames[:] = []
                    continue
                if ident in visited:
                    dirnames[:] = []  # a symlink loop or a second link to the same folder
                    continue
                visited.add(ident)
                dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in ("__pycache__", "node_modules"))
                for name in sorted(filenames):
                    if name.startswith(".") or name.startswith("~$"):
                        continue  # hidden files and Word's lock files
                    full = os.path.join(dirpath, name)
                    if include and not _matches(full, include):
                        continue
                    if exclude and _matches(full, exclude):
                        continue
                    ext = os.path.splitext(name)[1].lower()
                    if ext not in EXTENSIONS:
                        if ext in UNSUPPORTED_DOCUMENTS:
                            out.skipped.append((full, UNSUPPORTED_DOCUMENTS[ext]))
                        else:
                            out.not_documents.append(full)
                        continue
                    if os.path.islink(full) and not os.path.exists(full):
                        out.problems.append((full, _broken_link(full)))
                        continue
                    add(full)
        elif os.path.exists(root) or os.path.islink(root):
            if exclude and _matches(root, exclude):
                continue
            add(root)
        else:
            out.problems.append((root, "no such file or folder"))
    return out
