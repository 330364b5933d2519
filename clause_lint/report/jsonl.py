"""JSON Lines output: one document a line, then one summary line.

Each document line is exactly the object that ``--format json`` lists under
``documents`` (same keys and values), written compact with sorted keys, so a line
is byte-stable and ``jq -c`` friendly. The last line is typed, so it cannot be
mistaken for a document and says the stream is complete::

    {"packs":[...],"summary":{...},"tool":{...},"type":"summary"}

A stream without its summary line was cut short (an interrupted run). Documents
come in the order the JSON output lists them (by path), whatever the number of
workers; ``clause_lint.runner.run_stream`` writes each as soon as it is known.
"""

from __future__ import annotations

import json
from typing import Any

from ..results import Report
from . import RenderOptions


def _line(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def document_line(context: Report, doc: Any) -> str:
    """One document's line; ``context`` gives the packs (for ``not_checked``)."""
    return _line(context.document_dict(doc))


def summary_line(context: Report, summary: dict[str, Any]) -> str:
    """The closing line: tool, packs and the counts of ``summary`` in the JSON output."""
    whole = Report(context.tool_version, context.packs, [], context.rules).to_dict()
    return _line({"type": "summary", "tool": whole["tool"], "packs": whole["packs"], "summary": summary})


def render_jsonl(report: Report, options: RenderOptions) -> str:
    """A whole report as JSON Lines (``--output-format jsonl=FILE``, ``--diff-base``);
    the same bytes a streamed run of the same documents writes."""
    return "".join(document_line(report, d) for d in report.documents) + summary_line(report, report.summary())
