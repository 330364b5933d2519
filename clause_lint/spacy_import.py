"""Import spaCy without its command-line interface.

``import spacy`` runs ``from .cli.info import info``, which loads all of spaCy's own
command line (``spacy download``, ``spacy train`` …) and what it needs — typer,
weasel, requests, httpx — a fifth of spaCy's start-up on this project's machines,
for code clause-lint never calls. The ``clause-lint`` command (and only it: a
program importing clause-lint as a library gets spaCy untouched) puts a small
stand-in for ``spacy.cli.info`` in ``sys.modules`` before spaCy is imported. Its
``info`` loads the real module on first call, so ``spacy.info()`` and a later
``import spacy.cli`` work as before.
"""

from __future__ import annotations

import sys
import types
from typing import Any

_NAME = "spacy.cli.info"


def _info(*args: Any, **kwargs: Any) -> Any:
    """spaCy's ``info``, loaded when first called."""
    if getattr(sys.modules.get(_NAME), "_clause_lint_stand_in", False):
        del sys.modules[_NAME]
    from spacy.cli.info import info

    return info(*args, **kwargs)


def leave_out_spacy_cli() -> bool:
    """Put the stand-in in place unless spaCy is imported already; True if it was."""
    if "spacy" in sys.modules or _NAME in sys.modules:
        return False
    stand_in = types.ModuleType(_NAME, "Stand-in for spaCy's CLI info module (clause_lint.spacy_import).")
    stand_in.info = _info  # type: ignore[attr-defined]
    stand_in._clause_lint_stand_in = True  # type: ignore[attr-defined]
    sys.modules[_NAME] = stand_in
    return True
