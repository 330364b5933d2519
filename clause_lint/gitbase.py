"""``clause-lint check --diff-base REF``: only what a change since REF made worse.

For a policy or contract repository (and its pre-commit hook): every document under
the given paths is compared with its version at the git revision REF
(``git show REF:path``), and only **regressions** are reported — a rule whose status
got worse (present → weak, …) — so a commit that weakens a policy is blocked while a
commit that merely touches an old, imperfect file is not.

* a document whose bytes equal its version at REF is skipped (nothing changed);
* a document renamed since REF (as ``git diff -M`` sees it) is compared with its
  old name's version;
* a document that did not exist at REF (or whose old version cannot be read) has
  nothing to be compared with: every finding in it is new and is reported, exactly
  as ``check`` would;
* a regression keeps the new version's result (status, severity, evidence in the
  new file) and its message says what it was at REF and which clause changed.

The result is an ordinary :class:`~clause_lint.results.Report`, so every output
format, waivers, inline suppressions and baselines work as they do for ``check``.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

from .diff import DiffInputError, diff_documents
from .discover import discover
from .errors import ClauseLintError
from .results import DocumentError, DocumentResult, Report
from .settings import Settings

GIT_TIMEOUT = 60  # seconds for one git command; a repository on a hung network share must not hang the hook


@dataclass
class BaseRun:
    """What ``--diff-base`` did, for the one-line note on standard error."""

    ref: str
    changed: int = 0
    unchanged: int = 0
    new: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"clause-lint: --diff-base {self.ref}: {self.changed} changed document(s) compared, "
                f"{self.unchanged} unchanged skipped, {len(self.new)} new checked in full")


def _git(root: Optional[str], *args: str) -> subprocess.CompletedProcess:
    cmd = ["git", *(["-C", root] if root else []), *args]
    try:
        return subprocess.run(cmd, capture_output=True, timeout=GIT_TIMEOUT, check=False)
    except FileNotFoundError:
        raise ClauseLintError("--diff-base needs git, which is not installed (or not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise ClauseLintError(f"--diff-base: `git {' '.join(args[:2])}` took over {GIT_TIMEOUT} s") from None


def _stderr(proc: subprocess.CompletedProcess) -> str:
    return " ".join(proc.stderr.decode("utf-8", "replace").split())[:200]


def repository_root(near: Optional[str] = None) -> str:
    """The top folder of the git work tree holding ``near`` (a file or folder; default: cwd)."""
    where = os.path.abspath(near or os.getcwd())
    while where and not os.path.isdir(where):
        parent = os.path.dirname(where)
        if parent == where:
            break
        where = parent
    proc = _git(where, "rev-parse", "--show-toplevel")
    if proc.returncode != 0:
        raise ClauseLintError(f"--diff-base needs a git repository: {near or 'the current folder'} is not in one")
    return os.path.realpath(proc.stdout.decode("utf-8", "surrogateescape").strip())


def resolve_ref(root: str, ref: str) -> str:
    """The commit id REF names; a clear error when it names none."""
    if not ref or ref.startswith("-"):
        raise ClauseLintError(f"--diff-base: {ref!r} is not a git revision")
    proc = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if proc.returncode != 0:
        raise ClauseLintError(f"--diff-base: unknown git revision {ref!r}")
    return proc.stdout.decode().strip()


def renames(root: str, commit: str) -> dict[str, str]:
    """``{new path: old path}`` (relative to ``root``) for files renamed since ``commit``."""
    proc = _git(root, "diff", "-M", "--name-status", "-z", "--diff-filter=R", commit, "--")
    if proc.returncode != 0:
        return {}
    fields = proc.stdout.decode("utf-8", "surrogateescape").split("\0")
    out: dict[str, str] = {}
    # -z output: "R<score>\0old\0new\0" per rename (the filter lets nothing else through).
    for i in range(0, len(fields) - 2, 3):
        if fields[i].startswith("R"):
            out[fields[i + 2]] = fields[i + 1]
    return out


def file_at(root: str, commit: str, path: str, max_bytes: int, renamed: Optional[dict[str, str]] = None) -> Optional[bytes]:
    """The bytes of ``path`` (a file in the work tree) at ``commit`` — under its old name
    when ``renamed`` says it was renamed — or None if it was not there."""
    rel = os.path.relpath(os.path.realpath(path), root)
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        raise DiffInputError(path, "is outside the git repository; --diff-base cannot find its old version")
    rel = rel.replace(os.sep, "/")
    rel = (renamed or {}).get(rel, rel)
    size = _git(root, "cat-file", "-s", f"{commit}:{rel}")
    if size.returncode != 0:
        return None  # not in that commit: a new document
    if int(size.stdout.decode().strip() or 0) > max_bytes:
        raise DiffInputError(path, f"its version at the diff base is over the limit of {max_bytes:,} bytes (max_file_bytes)")
    proc = _git(root, "show", f"{commit}:{rel}")
    if proc.returncode != 0:
        raise DiffInputError(path, f"cannot read its version at the diff base ({_stderr(proc)})")
    return proc.stdout


def check_against_base(
    paths: Sequence[str], settings: Settings, linter_factory: Callable[[Settings], Any], ref: str
) -> tuple[Report, BaseRun]:
    """Regressions of every document under ``paths`` since ``ref`` (see the module docstring).

    The linter (``linter_factory(settings)``) is built only when some document
    changed, so a hook run over unchanged documents loads neither packs nor spaCy.
    """
    root = repository_root(paths[0] if paths else None)
    commit = resolve_ref(root, ref)
    run = BaseRun(ref)
    found = discover(paths, settings.include, settings.exclude)
    documents: list[DocumentResult] = [
        DocumentResult(path=p, format=None, error=DocumentError("unreadable", msg)) for p, msg in found.problems
    ]
    limit = settings.limits.max_file_bytes
    renamed = renames(root, commit)
    built: list[Any] = []

    def linter() -> Any:
        if not built:
            built.append(linter_factory(settings))
        return built[0]

    for path in found.files:
        try:
            old = file_at(root, commit, path, limit, renamed)
            with open(path, "rb") as fh:
                current = fh.read(limit + 1)
        except DiffInputError as exc:
            documents.append(DocumentResult(path=path, format=None, error=DocumentError("unreadable", exc.message)))
            continue
        except OSError as exc:
            documents.append(DocumentResult(path=path, format=None, error=DocumentError("unreadable", exc.strerror or str(exc))))
            continue
        if old is not None and old == current:
            run.unchanged += 1
            continue
        new_result, new_doc = linter().check_with_document(path, current)
        if new_result.error is not None or new_doc is None:
            documents.append(new_result)
            continue
        if old is None:
            run.new.append(path)
            documents.append(new_result)
            continue
        old_result, old_doc = linter().check_with_document(path, old)
        if old_result.error is not None or old_doc is None:
            message = old_result.error.message if old_result.error else "could not be read"
            run.notes.append(f"{path}: warning: its version at {ref} could not be read ({message}); checked in full")
            run.new.append(path)
            documents.append(new_result)
            continue
        run.changed += 1
        report = diff_documents(linter(), old_doc, new_doc, old_result, new_result)
        regressions = {rd.rule: rd for rd in report.regressions}
        kept = []
        for res in new_result.results:
            rd = regressions.get(res.rule)
            if rd is None:
                continue
            what = "; ".join(c.describe() for c in rd.clauses if c.change != "same")
            res.message = f"{res.message} (was {rd.before} at {ref}{f': {what}' if what else ''})"
            kept.append(res)
        new_result.results = kept
        new_result.warnings = list(new_result.warnings) + list(report.warnings)
        documents.append(new_result)
    documents.sort(key=lambda d: d.path)
    if built:
        return built[0].report(documents), run
    from . import __version__

    # Nothing was checked: a report naming no pack rules, like a fully cached run.
    return Report(tool_version=__version__, packs=[], documents=documents), run
