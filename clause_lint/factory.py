"""The one place a :class:`~clause_lint.api.Linter` is built from :class:`Settings`.

Both :mod:`clause_lint.runner` (the whole run) and :mod:`clause_lint.batch` (worker
processes that cannot inherit the parent's linter) build linters here, so neither
has to import the other. ``clause_lint.api`` is imported lazily: a run whose
documents are all in the result cache never needs spaCy or the packs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .api import Linter
    from .settings import Settings


def make_linter(settings: "Settings") -> "Linter":
    """A linter for ``settings``: packs, applicability, selection, limits and severity overrides."""
    from .api import Linter, Options

    options = Options(
        packs=settings.packs,
        assume_applicable=settings.assume_applicable,
        select=settings.select,
        ignore=settings.ignore,
        limits=settings.limits,
        cache_dir=getattr(settings, "cache_dir", None),
    )
    linter = Linter(settings.packs, options)
    _apply_severity(linter, settings)
    return linter


def _apply_severity(linter: "Linter", settings: "Settings") -> None:
    if not settings.severity:
        return
    for rule in linter.rules:
        for key in (rule.id, rule.name):
            if key in settings.severity:
                rule.severity = {**rule.severity, **settings.severity[key]}
