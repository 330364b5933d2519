"""One linting run over many paths: discovery, linting, and the finished report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable, Mapping, Optional

from .discover import Discovery, discover
from .factory import make_linter
from .results import DocumentError, DocumentResult, Report
from .settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from .api import Linter
    from .suppress import Notice

__all__ = ["make_linter", "run", "apply_suppressions"]


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
    ``settings.jobs`` processes (:mod:`clause_lint.batch`). The linter — ``linter``,
    else ``linter_factory(settings)``, else :func:`make_linter` — is built only if
    some document is not in the cache. ``progress(done, total)`` counts the
    documents actually checked. ``discovered`` is ``discover(paths, ...)`` when the
    caller has already walked the paths.
    """
    from .batch import check_paths
    from .cache import open_cache

    found = discovered if discovered is not None else discover(paths, settings.include, settings.exclude)
    results: list[DocumentResult] = [
        DocumentResult(path=p, format=None, error=DocumentError("unreadable", msg)) for p, msg in found.problems
    ]
    cache = open_cache(settings)
    todo: list[str] = []
    for path in found.files:
        hit = cache.get(path) if cache is not None else None
        if hit is not None:
            results.append(hit)
        else:
            todo.append(path)
    report: Optional[Report] = None
    if not todo and linter is None and cache is not None:
        report = cache.load_report(results)
    if report is None:
        linter = linter or (linter_factory or make_linter)(settings)
        checked = check_paths(todo, settings, jobs=getattr(settings, "jobs", None), checker=linter, progress=progress)
        if cache is not None:
            for path, result in zip(todo, checked):
                cache.put(path, result)
        results.extend(checked)
        report = linter.report(results)
        if cache is not None:
            cache.save_report_manifest(report)
    results.sort(key=lambda d: d.path)
    return report


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
    """
    import os

    from .baseline import apply_baseline, load_baseline, set_fingerprints, write_baseline
    from .suppress import Notice, apply_inline, apply_waivers, known_rules, load_waivers

    # Fingerprints name documents relative to the baseline's folder when there is
    # one, so SARIF partialFingerprints equal the baseline's; else the config's.
    anchor = settings.write_baseline or settings.baseline or settings.config_path
    set_fingerprints(report, os.path.dirname(os.path.abspath(anchor)) if anchor else os.getcwd())
    # Inline comments are checked against the rules of the report, never the
    # linter's, so a cached run (no linter) warns exactly like an uncached one;
    # when --select/--ignore narrow the run, ids of other rules pass unremarked.
    apply_inline(report, known_rules(report.rules), settings.limits, exact=settings.select is None and not settings.ignore, contents=contents)
    notices: list[Notice] = []
    if settings.waivers:
        notices += apply_waivers(report, load_waivers(settings.waivers))
    if settings.baseline:
        apply_baseline(report, load_baseline(settings.baseline))
    if settings.write_baseline:
        write_baseline(report, settings.write_baseline)
        apply_baseline(report, load_baseline(settings.write_baseline))
    return notices
