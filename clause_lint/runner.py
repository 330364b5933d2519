"""One linting run over many paths: discovery, linting, and the finished report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Optional

from .discover import Discovery, discover
from .factory import make_linter
from .results import DocumentError, DocumentResult, Report, Tally
from .settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from .api import Linter
    from .suppress import Notice

__all__ = ["make_linter", "run", "run_stream", "apply_suppressions", "Suppressor", "every_rule",
           "check_rule_ids", "check_suppression_files"]


Deliver = Callable[[DocumentResult], None]
#: Finished results that may wait for an earlier, slower document before no new
#: document is started (memory stays bounded however slow one document is).
MAX_WAITING = 256


def run(
    paths: Iterable[str],
    settings: Settings,
    linter: Optional[Linter] = None,
    progress: Optional[Callable[[int, int], None]] = None,
    linter_factory: Optional[Callable[[Settings], Linter]] = None,
    discovered: Optional[Discovery] = None,
) -> Report:
    """Lint every document under ``paths``; never raises for a bad document.

    Documents found in the result cache (``settings.cache_dir``; see
    :mod:`clause_lint.cache`) are not checked again; the others are checked in
    ``settings.jobs`` processes (:mod:`clause_lint.batch`), or on a Dask cluster
    when ``settings.scheduler`` is set (:mod:`clause_lint.dask_backend`). The
    linter — ``linter``, else ``linter_factory(settings)``, else :func:`make_linter`
    — is built only if some document is not in the cache. ``progress(done, total)``
    counts the documents actually checked. ``discovered`` is ``discover(paths, ...)``
    when the caller has already walked the paths.
    """
    documents: list[DocumentResult] = []
    report = _run_each(paths, settings, documents.append, linter=linter, progress=progress,
                       linter_factory=linter_factory, discovered=discovered)
    report.documents = documents
    return report


@dataclass
class StreamedRun:
    """What a streamed run keeps: the run's packs and rules (``context``, a report
    without documents), counts, and the warnings for stderr — never the results."""

    context: Report
    tally: Tally
    failing: int
    notices: list["Notice"]


def run_stream(
    paths: Iterable[str],
    settings: Settings,
    emit: Callable[[DocumentResult, Report], None],
    *,
    progress: Optional[Callable[[int, int], None]] = None,
    linter_factory: Optional[Callable[[Settings], Linter]] = None,
    discovered: Optional[Discovery] = None,
    prepare: Optional[Callable[[Report], None]] = None,
) -> StreamedRun:
    """:func:`run` and :func:`apply_suppressions` one document at a time, for runs
    too large to hold (``--format jsonl``).

    Each document, suppressions applied, goes to ``emit(document, context)`` as soon
    as it and every document before it are done, in the order :func:`run` reports
    them (by path): results that finish early wait in a buffer no larger than the
    documents in flight. Each is written to the result cache as it finishes, so an
    interrupted run is resumed from the cache. ``prepare(context)`` is called once
    the packs and rules are known, before the first document (to validate waiver
    files). Only counters are kept.
    """
    from .report import count_failing

    tally = Tally()
    state: dict[str, Any] = {"failing": 0, "suppressor": None}

    def on_context(context: Report) -> None:
        if prepare is not None:
            prepare(context)
        state["suppressor"] = Suppressor(settings, context.rules)

    def deliver(doc: DocumentResult, context: Report) -> None:
        single = Report(context.tool_version, context.packs, [doc], context.rules)
        state["suppressor"].apply(single)
        tally.add(doc)
        state["failing"] += count_failing(single, settings.fail_on)
        emit(doc, context)

    context = _run_each(paths, settings, deliver, progress=progress, linter_factory=linter_factory,
                        discovered=discovered, on_context=on_context)
    return StreamedRun(context, tally, state["failing"], state["suppressor"].finish())


def _run_each(
    paths: Iterable[str],
    settings: Settings,
    deliver: Callable[..., None],
    *,
    linter: Optional[Linter] = None,
    progress: Optional[Callable[[int, int], None]] = None,
    linter_factory: Optional[Callable[[Settings], Linter]] = None,
    discovered: Optional[Discovery] = None,
    on_context: Optional[Callable[[Report], None]] = None,
) -> Report:
    """The one loop behind :func:`run` and :func:`run_stream`: every document to
    ``deliver`` in path order, each as soon as it and those before it are known.
    Returns the run's context (packs and rules; no documents). ``deliver`` takes
    ``(document)`` — or ``(document, context)`` when ``on_context`` is given.
    """
    from .cache import open_cache

    found = discovered if discovered is not None else discover(paths, settings.include, settings.exclude)
    # Folder problems first, then documents, each in discovery order; ordered by
    # path (stably), which is the order every report lists documents in.
    items: list[tuple[str, Optional[str]]] = [(p, msg) for p, msg in found.problems]
    items += [(p, None) for p in found.files]
    items.sort(key=lambda item: item[0])
    del found
    cache = open_cache(settings)
    # Which documents must be checked: the cache is asked whether it holds an entry
    # (a file hash); entries are read only when their turn to be delivered comes.
    todo: list[int] = [i for i, (p, problem) in enumerate(items)
                       if problem is None and (cache is None or not cache.has(p))]
    context: Optional[Report] = None
    if not todo and linter is None and cache is not None:
        context = cache.load_report([])
    built: list[Linter] = []

    def get_linter() -> Linter:
        if not built:
            built.append(linter or (linter_factory or make_linter)(settings))
        return built[0]

    if context is None:
        context = get_linter().report([])
        if cache is not None:
            cache.save_report_manifest(context)
    if on_context is not None:
        on_context(context)
        send: Callable[[DocumentResult], None] = lambda doc: deliver(doc, context)  # noqa: E731
    else:
        send = deliver

    waiting: dict[int, DocumentResult] = {}
    pending = set(todo)
    position = 0

    def advance() -> None:
        """Deliver every document from ``position`` on whose result is known."""
        nonlocal position
        while position < len(items):
            path, problem = items[position]
            if problem is not None:
                doc = DocumentResult(path=path, format=None, error=DocumentError("unreadable", problem))
            elif position in pending:
                if position not in waiting:
                    return
                doc = waiting.pop(position)
                pending.discard(position)
            else:
                hit = cache.get(path) if cache is not None else None
                if hit is None:  # the entry went bad since it was found: check it here
                    from .batch import check_one

                    hit = check_one(get_linter(), path)
                    if cache is not None:
                        cache.put(path, hit)
                doc = hit
            send(doc)
            position += 1

    def on_result(index: int, result: DocumentResult) -> None:
        item = todo[index]
        if cache is not None:
            cache.put(items[item][0], result)
        waiting[item] = result
        advance()

    advance()
    if todo:
        check_each = _backend(settings)
        check_each([items[i][0] for i in todo], settings, on_result, jobs=getattr(settings, "jobs", None),
                   checker=get_linter(), progress=progress, hold=lambda: len(waiting) >= MAX_WAITING)
    advance()
    return context


def _backend(settings: Settings) -> Callable[..., None]:
    """Where documents are checked: worker processes here, or a Dask cluster."""
    if getattr(settings, "scheduler", None):
        from .dask_backend import check_each
    else:
        from .batch import check_each
    return check_each


class Suppressor:
    """Inline comments, the waiver file, an existing baseline and (``--write-baseline``)
    the new baseline, applied to a run in one piece or document by document.

    :meth:`apply` takes any part of a run (a whole report, or one document's);
    :meth:`finish`, once at the end, writes the new baseline and returns the
    warnings that need the whole run (expired or unused waivers), from counters.
    """

    def __init__(self, settings: Settings, rules: list[Any], contents: Optional[Mapping[str, bytes]] = None) -> None:
        import os

        from .baseline import BaselineRecorder, load_baseline
        from .suppress import known_rules, load_waivers

        self.settings = settings
        self.contents = contents
        # Fingerprints name documents relative to the baseline's folder when there is
        # one, so SARIF partialFingerprints equal the baseline's; else the config's.
        anchor = settings.write_baseline or settings.baseline or settings.config_path
        self.folder = os.path.dirname(os.path.abspath(anchor)) if anchor else os.getcwd()
        # Inline comments are checked against the rules of the report, never the
        # linter's, so a cached run (no linter) warns exactly like an uncached one;
        # when --select/--ignore narrow the run, ids of other rules pass unremarked.
        self.known = known_rules(rules)
        self.exact = settings.select is None and not settings.ignore
        self.waivers = load_waivers(settings.waivers) if settings.waivers else None
        self.baseline = load_baseline(settings.baseline) if settings.baseline else None
        self.recorder = BaselineRecorder(settings.write_baseline) if settings.write_baseline else None

    def apply(self, report: Report) -> None:
        from .baseline import apply_baseline, set_fingerprints
        from .suppress import apply_inline, waive

        set_fingerprints(report, self.folder)
        apply_inline(report, self.known, self.settings.limits, exact=self.exact, contents=self.contents)
        if self.waivers is not None:
            waive(report, self.waivers)
        if self.baseline is not None:
            apply_baseline(report, self.baseline)
        if self.recorder is not None:
            self.recorder.record(report)

    def finish(self) -> list["Notice"]:
        from .suppress import waiver_notices

        if self.recorder is not None:
            self.recorder.write()
        return waiver_notices(self.waivers) if self.waivers is not None else []


def apply_suppressions(
    report: Report, settings: Settings, linter: Optional[Linter] = None, contents: Optional[Mapping[str, bytes]] = None
) -> list["Notice"]:
    """Fingerprint every result, then apply, in this order, inline comments, the
    waiver file, an existing baseline, and (``--write-baseline``) the new baseline.

    The one place suppressions happen: after linting (so a result cache never holds
    them), before rendering. Returns warnings for stderr (expired or unused waivers).
    ``linter`` is accepted for callers that have one; nothing here needs it.
    ``contents`` (path -> bytes) gives the documents' bytes for inline comments
    instead of reading them from disk (uploads, whose names are not paths).
    A run too large to hold applies the same :class:`Suppressor` per document
    (:func:`run_stream`).
    """
    suppressor = Suppressor(settings, report.rules, contents)
    suppressor.apply(report)
    return suppressor.finish()


# --------------------------------------------------------------------------- checks before a run

def every_rule(linter: "Linter") -> list[Any]:
    """Every rule of the linter's packs, selected or not."""
    return [r for p in linter.packs for r in p.rules]


def check_rule_ids(rules: Iterable[Any], settings: Settings) -> None:
    """Every id or name in --select, --ignore and --severity names a rule of ``rules``
    (a prefix is enough for select and ignore); else a ClauseLintError (exit 2) that
    says where the id was written."""
    from .errors import ClauseLintError

    rules = list(rules)
    known = {r.id for r in rules} | {r.name for r in rules}
    for key in ("select", "ignore", "severity"):
        idents = getattr(settings, key) or ()
        for ident in sorted(idents):
            if ident in known or (key != "severity" and any(k.startswith(ident) for k in known)):
                continue
            # Said where it was written: the config file's FILE:LINE:COL, or the flag.
            where = f"{settings.origins[key]}: " if key in settings.origins else ""
            what = f"in {key}" if where else f"in --{key}"
            raise ClauseLintError(f"{where}unknown rule {ident!r} {what} (see `clause-lint rules`)")


def check_suppression_files(rules: Iterable[Any], settings: Settings, complete: bool) -> None:
    """Read the waiver and baseline files before linting, so a broken one fails fast
    (exit 2). ``complete``: ``rules`` are every rule of the packs; a cached run knows
    only the selected ones, and a waiver for another rule is then not an error (the
    uncached run, which knows every rule, says so)."""
    from .baseline import load_baseline
    from .suppress import check_waiver_rules, load_waivers

    if settings.waivers:
        waivers = load_waivers(settings.waivers)
        if complete or (settings.select is None and not settings.ignore):
            check_waiver_rules(waivers, [k for r in rules for k in (r.id, r.name)])
    if settings.baseline:
        load_baseline(settings.baseline)
