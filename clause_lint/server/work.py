"""The work behind every request, run in the server's worker processes.

Everything here is plain Python (no web framework): a request's document and
options come in, a finished HTTP response comes out as an :class:`Outcome` (status,
body bytes, media type, headers), so the web layer only moves bytes and the event
loop never parses, checks or renders a document.

:class:`Service` holds one compiled :class:`~clause_lint.api.Linter` per rule pack,
built once when the server starts, before the worker processes are forked (they
inherit it). A request that selects several packs checks the document once per
pack and joins the results in the order asked for — exactly what ``check --pack A
--pack B`` gives, since the engine judges each pack on its own.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence
from urllib.parse import quote

from ..api import DEFAULT_PACKS, Linter, Options, place_evidence
from ..errors import ClauseLintError
from ..extract import one_line
from ..limits import Limits
from ..model import Document
from ..results import DocumentResult
from ..rules import Pack, Rule, bundled_pack_names, load_packs
from ..settings import Settings

# Formats /api/v1/check can return, with their media types.
MEDIA_TYPES = {
    "json": "application/json",
    "sarif": "application/sarif+json",
    "junit": "application/xml",
    "html": "text/html; charset=utf-8",
    "markdown": "text/markdown; charset=utf-8",
    "text": "text/plain; charset=utf-8",
    "github": "text/plain; charset=utf-8",
}
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Document error codes (clause_lint.errors) -> HTTP status.
STATUS_FOR_CODE = {
    "unsupported-format": 415,
    "limit-exceeded": 413,
    # Over its time budget a document is too large for this server's limits;
    # sending it again will not help, so this is not a 503.
    "timeout": 413,
    "internal": 500,
}
MAX_NAME_CHARS = 200


class BadRequest(Exception):
    """A request the client must change: becomes ``{"error": {code, message}}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass
class Outcome:
    """A finished HTTP response, made in a worker process."""

    status: int
    body: bytes
    media_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def error_outcome(status: int, code: str, message: str) -> Outcome:
    return Outcome(status, error_body(code, message))


def error_body(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": one_line(message)}}, ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class CheckOptions:
    """What one request asks for (validated against the loaded packs)."""

    packs: tuple[str, ...]
    assume_applicable: bool = False
    select: Optional[frozenset[str]] = None
    ignore: frozenset[str] = frozenset()


def display_name(filename: Optional[str]) -> str:
    """The upload's name as shown in reports: its last path component, printable.

    Never used as a path: reports name the document by it, and format detection
    reads its extension (after the content).
    """
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in unicodedata.normalize("NFC", name) if c.isprintable()).strip()
    if name in ("", ".", ".."):
        name = "upload"
    if len(name) > MAX_NAME_CHARS:
        stem, ext = os.path.splitext(name)
        name = stem[: MAX_NAME_CHARS - len(ext)] + ext
    return name


class PackSet(Linter):
    """A :class:`Linter` over some of the service's packs, sharing their compiled form.

    It deliberately skips ``Linter.__init__``: the packs are compiled once per
    server, never per request. ``check``/``check_with_document``/``report`` are the
    inherited ones, so limits, time budget and error handling are the CLI's.
    """

    def __init__(self, linters: Sequence[Linter], options: Options) -> None:  # noqa: D107
        self.options = options
        self.linters = list(linters)
        self.packs = [p for lin in self.linters for p in lin.packs]
        self.rules = [r for p in self.packs for r in p.rules if self._selected(r.id, r.name)]
        self.rule_ids = {r.id for r in self.rules}

    def check_document(self, document: Document) -> DocumentResult:
        joined: Optional[DocumentResult] = None
        for linter in self.linters:
            part = linter.engine.check(document, assume_applicable=self.options.assume_applicable, rule_filter=self.rule_ids)
            if joined is None:
                joined = part
            else:
                joined.applicable.update(part.applicable)
                joined.scope.update(part.scope)
                joined.results.extend(part.results)
        assert joined is not None
        place_evidence(joined, document)  # as Linter.check_document: the same JSON as the CLI
        return joined


class Service:
    """The packs, compiled once, and everything a request can ask of them."""

    def __init__(self, packs: Sequence[str] = (), limits: Limits = Limits()) -> None:
        self.specs = list(packs)  # as given, for workers that must build their own
        specs = self.specs or bundled_pack_names() or list(DEFAULT_PACKS)
        loaded: list[Pack] = load_packs(specs)
        self.limits = limits
        self.linters = {p.name: Linter([p], Options(packs=[p.name], limits=limits)) for p in loaded}
        self.pack_names = [p.name for p in loaded]
        # Like `check` without --pack: the CLI's default pack, unless the server was
        # started with its own packs, which are then all the default.
        if packs:
            self.default_packs = tuple(self.pack_names)
        else:
            self.default_packs = tuple(n for n in DEFAULT_PACKS if n in self.linters) or tuple(self.pack_names[:1])

    # -- what the server knows -------------------------------------------------
    def packs_json(self) -> list[dict[str, Any]]:
        """``GET /api/v1/packs``: the shape of ``clause-lint rules --format json``, plus defaults."""
        out = []
        for name in self.pack_names:
            p = self.linters[name].packs[0]
            out.append({
                "name": p.name, "version": p.version, "title": p.title, "default": name in self.default_packs,
                "rules": [{"id": r.id, "name": r.name, "title": r.title, "summary": r.summary,
                           "severity": r.severity, "reference": r.reference} for r in p.rules],
            })
        return out

    def find_rule(self, ident: str) -> Optional[tuple[Pack, Rule]]:
        for name in self.pack_names:
            p = self.linters[name].packs[0]
            for r in p.rules:
                if ident.upper() == r.id or ident == r.name:
                    return p, r
        return None

    def rule_json(self, ident: str) -> Optional[dict[str, Any]]:
        """``GET /api/v1/rules/{id}``: what ``clause-lint explain`` shows, as JSON."""
        found = self.find_rule(ident)
        if found is None:
            return None
        p, r = found
        return {
            "id": r.id, "name": r.name, "title": r.title, "pack": p.name, "pack_version": p.version,
            "summary": r.summary, "explanation": r.explanation, "reference": r.reference,
            "severity": r.severity, "messages": r.messages, "fix": r.fix, "examples": r.examples,
        }

    # -- one request -------------------------------------------------------------
    def options(self, packs: Sequence[str], assume_applicable: bool, select: Sequence[str], ignore: Sequence[str]) -> CheckOptions:
        """Validate a request's options; :class:`BadRequest` (400) names what is wrong."""
        chosen: list[str] = []
        for name in packs:
            if name not in self.linters:
                raise BadRequest(400, "unknown-pack", f"unknown pack {name!r}; this server has: {', '.join(self.pack_names)}")
            if name not in chosen:
                chosen.append(name)
        rules = [r for n in (chosen or self.default_packs) for r in self.linters[n].packs[0].rules]
        known = {r.id for r in rules} | {r.name for r in rules}
        for key, idents in (("select", select), ("ignore", ignore)):
            for ident in idents:
                if ident not in known and not any(k.startswith(ident) for k in known):
                    raise BadRequest(400, "unknown-rule", f"unknown rule {ident!r} in {key} (see GET /api/v1/packs)")
        return CheckOptions(
            packs=tuple(chosen) or self.default_packs,
            assume_applicable=assume_applicable,
            select=frozenset(select) if select else None,
            ignore=frozenset(ignore),
        )

    def linter(self, opts: CheckOptions) -> PackSet:
        options = Options(packs=opts.packs, assume_applicable=opts.assume_applicable,
                          select=set(opts.select) if opts.select is not None else None,
                          ignore=set(opts.ignore), limits=self.limits)
        return PackSet([self.linters[n] for n in opts.packs], options)

    def settings(self, opts: CheckOptions) -> Settings:
        """The CLI's settings for ``check --isolated`` with these options."""
        return Settings(packs=list(opts.packs), select=set(opts.select) if opts.select is not None else None,
                        ignore=set(opts.ignore), assume_applicable=opts.assume_applicable, limits=self.limits)

    def review(self, name: str, data: bytes, opts: CheckOptions) -> tuple[Any, Optional[Document], Optional[Outcome]]:
        """Check one upload as ``check --isolated`` checks a file of that name.

        Returns ``(report, document, None)``, or ``(None, None, error outcome)``
        when the document cannot be read.
        """
        from ..runner import apply_suppressions

        linter = self.linter(opts)
        result, document = linter.check_with_document(name, data)
        if result.error is not None:
            status = STATUS_FOR_CODE.get(result.error.code, 400)
            return None, None, error_outcome(status, result.error.code, f"{name}: {result.error.message}")
        report = linter.report([result])
        # Inline clause-lint comments come from the upload's bytes, never from a file
        # of that name; fingerprints name the document by its display name.
        apply_suppressions(report, self.settings(opts), linter, contents={name: data})
        return report, document, None


# ---------------------------------------------------------------------------- jobs
# The functions below run in a worker process; the service is inherited through
# fork, or built by the pool's initializer where processes are spawned.

_service: Optional[Service] = None


def install(service: Service) -> None:
    global _service
    _service = service


def init_worker(packs: Sequence[str], limits: Limits) -> None:
    """Pool initializer: ignore Ctrl+C (the server shuts the pool down) and make
    sure this process has the service."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    if _service is None:
        install(Service(packs, limits))


def _die_with_parent() -> None:
    """On Linux, ask the kernel to end this worker when the server process dies,
    however it dies (SIGKILL included), so no worker outlives it."""
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, 15)  # SIGTERM
    except (OSError, AttributeError):
        pass


def ping() -> int:
    return os.getpid()


def _current() -> Service:
    assert _service is not None, "worker used before init_worker ran"
    return _service


def _guarded(fn: Any, *args: Any) -> Outcome:
    """Run a job; any exception becomes a one-line JSON error, never a traceback."""
    try:
        return fn(*args)
    except BadRequest as exc:
        return error_outcome(exc.status, exc.code, exc.message)
    except ClauseLintError as exc:
        return error_outcome(400, exc.code, exc.message)
    except MemoryError:
        return error_outcome(413, "limit-exceeded", "out of memory while checking this document")
    except Exception as exc:  # a bug costs this request, not the server
        return error_outcome(500, "internal", f"internal error ({type(exc).__name__}: {exc}); please report it")


def check_job(name: str, data: bytes, opts: CheckOptions, fmt: str) -> Outcome:
    """``POST /api/v1/check``: the bytes ``check --format FMT`` prints for this document."""
    return _guarded(_check, name, data, opts, fmt)


def _check(name: str, data: bytes, opts: CheckOptions, fmt: str) -> Outcome:
    from ..report import RenderOptions, render

    report, _, failed = _current().review(name, data, opts)
    if failed is not None:
        return failed
    return Outcome(200, render(report, fmt, RenderOptions()).encode("utf-8"), MEDIA_TYPES[fmt])


DIFF_MEDIA_TYPES = {k: MEDIA_TYPES[k] for k in ("json", "markdown", "text", "sarif")}


def diff_job(old_name: str, old_data: bytes, new_name: str, new_data: bytes, opts: CheckOptions, fmt: str) -> Outcome:
    """``POST /api/v1/diff``: the bytes ``clause-lint diff OLD NEW --format FMT`` prints."""
    return _guarded(_diff, old_name, old_data, new_name, new_data, opts, fmt)


def _diff(old_name: str, old_data: bytes, new_name: str, new_data: bytes, opts: CheckOptions, fmt: str) -> Outcome:
    from ..diff import DiffInputError, diff
    from ..report.diff_report import render_diff

    try:
        report = diff((old_name, old_data), (new_name, new_data), linter=_current().linter(opts))
    except DiffInputError as exc:
        return error_outcome(400, "unreadable", f"{display_name(exc.path)}: {exc.message}")
    return Outcome(200, render_diff(report, fmt).encode("utf-8"), DIFF_MEDIA_TYPES[fmt])


def review_job(name: str, data: bytes, opts: CheckOptions) -> Outcome:
    """``POST /api/v1/review``: everything the page shows for one document."""
    return _guarded(_review, name, data, opts)


def _review(name: str, data: bytes, opts: CheckOptions) -> Outcome:
    from ..report import RenderOptions, render

    report, document, failed = _current().review(name, data, opts)
    if failed is not None:
        return failed
    assert document is not None
    body = {
        "report": report.to_dict(),
        "document": {
            "format": document.format,
            "text": document.text,
            "blocks": [
                {"kind": b.kind, "label": b.label, "section": b.section, "start": b.start, "end": b.end,
                 "page": b.page, "line": b.line, "paragraph": b.paragraph, "operative": b.operative}
                for b in document.blocks
            ],
        },
        "rules": {r.id: {"summary": r.summary, "fix": r.fix} for r in report.rules},
        "renderings": {fmt: render(report, fmt, RenderOptions()) for fmt in ("json", "sarif", "html")},
    }
    return Outcome(200, json.dumps(body, ensure_ascii=False).encode("utf-8"))


def annotate_job(name: str, data: bytes, opts: CheckOptions, author: str, initials: str) -> Outcome:
    """``POST /api/v1/annotate``: the reviewed .docx with Word comments."""
    return _guarded(_annotate, name, data, opts, author, initials)


def _annotate(name: str, data: bytes, opts: CheckOptions, author: str, initials: str) -> Outcome:
    from ..annotate import write_annotated

    report, document, failed = _current().review(name, data, opts)
    if failed is not None:
        return failed
    assert document is not None
    if document.format != "docx":
        return error_outcome(415, "unsupported-format",
                             f"{name}: a {document.format.upper()} file cannot hold Word comments; "
                             "use POST /api/v1/check with format=html for a report")
    # python-docx reads and writes files: a private folder (mode 0700), removed at once.
    with tempfile.TemporaryDirectory(prefix="clause-lint-serve-") as folder:
        source = os.path.join(folder, "upload.docx")
        target = os.path.join(folder, "reviewed.docx")
        with open(source, "wb") as fh:
            fh.write(data)
        try:
            summary = write_annotated(source, target, report, document, author=author, initials=initials)
        except ClauseLintError as exc:
            # Say it about the upload, not about the private copy.
            message = exc.message.replace(source, name).replace(target, name)
            return error_outcome(400, exc.code, message)
        with open(target, "rb") as fh:
            body = fh.read()
    stem = os.path.splitext(name)[0] or "document"
    download = f"{stem}.reviewed.docx"
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", download)
    headers = {
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(download)}",
        "X-Clause-Lint-Comments": str(summary.comments),
    }
    return Outcome(200, body, DOCX_MEDIA_TYPE, headers)
