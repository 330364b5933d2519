"""Wheel build hook: ship each bundled rule pack also in its loaded form.

Loading ``rules/safe-face-pledge.yaml`` (parsing a few thousand lines of YAML, the
schema check, building the rules) is a fifth of a second of every start of a check
that has no pack cache, e.g. ``clause-lint check --no-cache`` or a first run. The
wheel carries ``clause_lint/_packs/NAME.prebuilt.json`` beside ``NAME.yaml``; the
loader uses it only while it was made from exactly that YAML by the same loader
(``clause_lint.cache.read_prebuilt``), as Python uses a ``.pyc`` only while it
matches its ``.py``. An editable install reads the packs in ``rules/``, which change
as they are edited, and gets none.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class PrebuiltPacks(BuildHookInterface):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        sys.path.insert(0, str(root))
        try:
            from clause_lint.cache import PREBUILT_SUFFIX
            from clause_lint.rules.loader import prebuild
        finally:
            sys.path.remove(str(root))
        self._out = Path(tempfile.mkdtemp(prefix="clause-lint-prebuilt-"))
        for pack in sorted((root / "rules").glob("*.yaml")):
            out = self._out / (pack.stem + PREBUILT_SUFFIX)
            prebuild(pack, out)
            build_data["force_include"][str(out)] = f"clause_lint/_packs/{out.name}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        out = getattr(self, "_out", None)
        if out is not None:
            shutil.rmtree(out, ignore_errors=True)
