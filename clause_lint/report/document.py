"""What ``clause-lint extract`` prints: a Document as the linter sees it."""

from __future__ import annotations

import json
from typing import Any

from ..model import Block, Document, Table
from ..text import printable
from . import clean, section_label, shorten


def block_to_dict(b: Block) -> dict[str, Any]:
    return {
        "kind": b.kind,
        "text": b.text,
        "section": b.section,
        "label": b.label,
        "level": b.level,
        "page": b.page,
        "line": b.line,
        "paragraph": b.paragraph,
        "lead_in": b.lead_in,
        "headings": list(b.headings),
        "operative": b.operative,
        "non_operative_reason": b.non_operative_reason,
        "table": b.table,
        "row": b.row,
        "col": b.col,
        "part": b.part,
        "start": b.start,
        "end": b.end,
    }


def document_to_dict(doc: Document, include_other_parts: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "path": doc.path,
        "format": doc.format,
        "numbering_resolved": doc.numbering_resolved,
        "pages": doc.pages,
        **_ocr_fields(doc),
        "warnings": list(doc.warnings),
        "blocks": [block_to_dict(b) for b in doc.blocks],
        "defined_terms": [
            {"term": t.term, "definition": t.definition, "section": t.section, "page": t.page, "line": t.line}
            for t in sorted(doc.defined_terms.values(), key=lambda t: (t.block, t.term))
        ],
        "revisions": [
            {"kind": r.kind, "text": r.text, "author": r.author, "date": r.date, "paragraph": r.paragraph, "section": r.section}
            for r in doc.revisions
        ],
        "tables": [table_to_dict(t) for t in doc.tables],
    }
    if include_other_parts:
        out["other_parts"] = [block_to_dict(b) for b in doc.other_parts]
    return out


def table_to_dict(t: Table) -> dict[str, Any]:
    """A table as rows of cells; each cell names the blocks (``blocks`` indices)
    that hold its text, so it can be matched with findings."""
    return {
        "number": t.number,
        "page": t.page,
        "line": t.line,
        "paragraph": t.paragraph,
        "rows": t.n_rows,
        "columns": t.n_cols,
        "header_rows": t.header_rows,
        "header_source": t.header_source,
        "cells": [
            [{"row": c.row, "col": c.col, "header": c.header, "rowspan": c.rowspan, "colspan": c.colspan,
              "text": c.text, "blocks": list(c.blocks)} for c in row]
            for row in t.rows()
        ],
    }


#: Widest a column of a table is drawn in ``extract``'s text output.
TABLE_COLUMN_WIDTH = 32
#: Largest grid (rows x columns) drawn; a bigger table is listed cell by cell.
TABLE_MAX_DRAWN = 20_000


def render_table_text(t: Table, indent: str) -> list[str]:
    """A table as a grid of pipes: header rows over a rule, a cell merged across
    columns drawn over them, a cell merged down marked "^" in the rows it covers."""
    n_rows, n_cols = t.n_rows, t.n_cols
    if not n_rows or not n_cols:
        return []
    grid: list[list[str]] = [["" for _ in range(n_cols)] for _ in range(n_rows)]
    spans: dict[tuple[int, int], int] = {}  # (row, col) of a cell's text -> columns it covers
    for c in t.cells:
        grid[c.row - 1][c.col - 1] = shorten(c.text, TABLE_COLUMN_WIDTH * c.colspan)
        spans[(c.row - 1, c.col - 1)] = c.colspan
        for r in range(c.row, c.row + c.rowspan - 1):
            if r < n_rows:
                grid[r][c.col - 1] = "^"
                spans[(r, c.col - 1)] = c.colspan
    widths = [3] * n_cols
    for (r, k), span in spans.items():
        if span == 1:
            widths[k] = max(widths[k], min(len(grid[r][k]), TABLE_COLUMN_WIDTH))
    for (r, k), span in spans.items():
        if span > 1:  # a merged cell wider than the columns it covers widens the last of them
            span = min(span, n_cols - k)
            have = sum(widths[k:k + span]) + 3 * (span - 1)
            widths[k + span - 1] += max(0, len(grid[r][k]) - have)
    lines = []
    header_rows = t.header_rows
    for r in range(n_rows):
        parts, k = [], 0
        while k < n_cols:
            span = min(spans.get((r, k), 1), n_cols - k)
            width = sum(widths[k:k + span]) + 3 * (span - 1)
            parts.append(grid[r][k][:width].ljust(width))
            k += span
        lines.append(f"{indent}| " + " | ".join(parts) + " |")
        if r + 1 == header_rows:
            lines.append(f"{indent}|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return lines


def _ocr_fields(doc: Document) -> dict[str, Any]:
    """``"source": "ocr"`` and the recognised pages, for a document read by OCR."""
    pages = doc.metadata.get("ocr_pages")
    return {"source": "ocr", "ocr_pages": list(pages)} if pages else {}


def render_documents_json(docs: list[Document], include_other_parts: bool = False) -> str:
    return combine_json([document_to_dict(d, include_other_parts) for d in docs])


def combine_json(items: list[dict[str, Any]], sort_keys: bool = False) -> str:
    """One object for one document, ``{"documents": [...]}`` for several."""
    data: Any = items[0] if len(items) == 1 else {"documents": items}
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=sort_keys) + "\n"


def _location(b: Block, cell: bool = True) -> str:
    bits = []
    if b.page is not None:
        bits.append(f"p.{b.page}")
    if b.line is not None:
        bits.append(f"l.{b.line}")
    if b.paragraph is not None and b.line is None:
        bits.append(f"¶{b.paragraph}")
    if b.table is not None and cell:
        bits.append(f"table {b.table} r{b.row}c{b.col}")
    return " ".join(bits)


def render_document_text(doc: Document, include_other_parts: bool = False) -> str:
    lines = [f"{printable(doc.path)} ({doc.format}; {len(doc.blocks)} blocks"
             + (f"; {doc.pages} pages" if doc.pages else "")
             + (f"; OCR on pages {', '.join(map(str, doc.metadata['ocr_pages']))}" if doc.metadata.get("ocr_pages") else "")
             + ("" if doc.numbering_resolved is None else f"; numbering {'resolved' if doc.numbering_resolved else 'NOT resolved'}")
             + ")"]
    for w in doc.warnings:
        lines.append(f"  warning: {clean(w)}")
    blocks = list(doc.blocks) + (list(doc.other_parts) if include_other_parts else [])
    # A body table is drawn as a grid where its first cell stands, in place of a line per cell.
    tables = {t.number: t for t in doc.tables}
    drawn: set[int] = set()
    for b in blocks:
        if b.kind == "table_cell" and b.part == "body" and b.table in tables \
                and tables[b.table].n_rows * tables[b.table].n_cols <= TABLE_MAX_DRAWN:
            if b.table in drawn:
                continue
            drawn.add(b.table)
            t = tables[b.table]
            heads = {1: "header row 1"}.get(t.header_rows, f"header rows 1-{t.header_rows}" if t.header_rows else "no header row")
            lines.append(f"  {_location(b, cell=False):<14} {section_label(b.section):<14} table {t.number}: "
                         f"{t.n_rows} rows x {t.n_cols} columns, {heads}")
            lines.extend(render_table_text(t, " " * 32))
            continue
        section = section_label(b.section)
        flag = "" if b.operative else f" [{b.non_operative_reason}]"
        part = "" if b.part == "body" else f" <{b.part}>"
        lines.append(f"  {_location(b):<14} {section:<14} {b.kind:<10}{part}{flag} {shorten(b.text, 200)}")
        if b.lead_in:
            lines.append(f"  {'':<14} {'':<14} {'':<10} ↳ lead-in: {shorten(b.lead_in, 120)}")
    if doc.defined_terms:
        lines.append("  defined terms: " + ", ".join(sorted(doc.defined_terms)))
    for r in doc.revisions:
        where = f"¶{r.paragraph}" if r.paragraph else ""
        lines.append(f"  revision {r.kind} {where} by {r.author or 'unknown'}: {shorten(r.text, 120)}")
    return "\n".join(lines) + "\n"


def provisions_to_dict(doc: Document) -> dict[str, Any]:
    """The provisions of ``doc`` with their roles, as ``extract --provisions --format json`` prints them."""
    from ..analysis import read_provisions

    items = []
    for block, sentence, prov in read_provisions(doc):
        items.append({
            "block": block.index,
            "section": block.section,
            "page": block.page,
            "line": block.line,
            "paragraph": block.paragraph,
            "sentence": sentence.text,
            "modality": prov.force,
            "binding": prov.binding,
            "cue": prov.cue.text if prov.cue is not None else None,
            "inherited": prov.inherited,
            "subordinate": prov.subordinate,
            "only": prov.only,
            "roles": prov.roles(),
        })
    return {"path": doc.path, "format": doc.format, "provisions": items}


def render_provisions_json(docs: list[Document]) -> str:
    return combine_json([provisions_to_dict(d) for d in docs], sort_keys=True)


def render_provisions_text(doc: Document) -> str:
    """One provision per entry: where, the sentence, and its reading by roles."""
    from ..analysis import read_provisions

    found = read_provisions(doc)
    lines = [f"{printable(doc.path)} ({doc.format}; {len(found)} provisions)"]
    for block, sentence, prov in found:
        section = section_label(block.section)
        lines.append(f"  {_location(block):<14} {section:<14} {shorten(sentence.text, 160)}")
        lines.append(f"  {'':<29} ↳ {clean(prov.describe())}")
    return "\n".join(lines) + "\n"
