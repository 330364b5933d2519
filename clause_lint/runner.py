"""One linting run over many paths: discovery, linting, and the finished report."""

from __future__ import annotations

from typing import Callable, Iterable, Optional

from .api import Linter, Options
from .discover import discover
from .results import DocumentError, DocumentResult, Report
from .settings import Settings


def make_linter(settings: Settings) -> Linter:
    options = Options(
        packs=settings.packs,
        assume_applicable=settings.assume_applicable,
        select=settings.select,
        ignore=settings.ignore,
        limits=settings.limits,
    )
    linter = Linter(settings.packs, options)
    _apply_severity(linter, settings)
    return linter


def _apply_severity(linter: Linter, settings: Settings) -> None:
    if not settings.severity:
        return
    for rule in linter.rules:
        for key in (rule.id, rule.name):
            if key in settings.severity:
                rule.severity = {**rule.severity, **settings.severity[key]}


def run(
    paths: Iterable[str],
    settings: Settings,
    linter: Optional[Linter] = None,
    progress: Optional[Callable[[int, int], None]] = None,
) -> Report:
    """Lint every document under ``paths``; never raises for a bad document."""
    linter = linter or make_linter(settings)
    found = discover(paths, settings.include, settings.exclude)
    results: list[DocumentResult] = [
        DocumentResult(path=p, format=None, error=DocumentError("unreadable", msg)) for p, msg in found.problems
    ]
    total = len(found.files)
    for i, path in enumerate(found.files):
        results.append(linter.check(path))
        if progress:
            progress(i + 1, total)
    results.sort(key=lambda d: d.path)
    return linter.report(results)
