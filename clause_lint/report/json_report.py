"""JSON output: exactly :meth:`Report.to_dict`, which documents the shape.

Keys keep the order ``to_dict`` gives them (documents and results in engine order),
so the bytes are stable for the same report; non-ASCII text is kept as is.
"""

from __future__ import annotations

import json

from ..results import Report
from . import RenderOptions


def render_json(report: Report, options: RenderOptions) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
