"""The plain data that flows between clause-lint's stages.

Readers (``clause_lint.extract``) turn bytes into a list of :class:`RawBlock`;
``clause_lint.structure`` turns those into a :class:`Document` of :class:`Block`
with full section labels, heading chains, lead-ins, offsets and defined terms.
The rule engine reads only :class:`Document`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

# Block kinds.
HEADING = "heading"
PARAGRAPH = "paragraph"
LIST_ITEM = "list_item"
TABLE_CELL = "table_cell"
BLOCK_KINDS = (HEADING, PARAGRAPH, LIST_ITEM, TABLE_CELL)

# Where a block stands in the file. Only "body" is linted by default.
BODY = "body"
HEADER = "header"
FOOTER = "footer"
FOOTNOTE = "footnote"


@dataclass
class RawBlock:
    """One paragraph-like unit as a reader sees it, before structure is applied.

    ``label`` is the number as displayed in front of the text (``"4.2"``, ``"(b)"``,
    ``"Section 5"``), already removed from ``text``. Readers that know the label for
    certain (Word automatic numbering) set it and ``label_source="numbering"``;
    readers of plain text leave it ``None`` and let ``structure`` detect it from the
    start of the text.

    ``level`` is the nesting depth where the format states it (Word ``ilvl``,
    Markdown heading depth or list indentation), else ``None``.
    """

    text: str
    kind: str = PARAGRAPH
    label: Optional[str] = None
    label_source: Optional[str] = None  # "numbering", "typed", "markdown" or None
    level: Optional[int] = None
    heading_level: Optional[int] = None  # 1 = top heading, from style/outline/markdown
    page: Optional[int] = None
    line: Optional[int] = None  # PDF: line on the page; text formats: line in file
    end_line: Optional[int] = None
    paragraph: Optional[int] = None  # .docx: 1-based paragraph number in the body
    table: Optional[int] = None  # 1-based table number for table cells
    row: Optional[int] = None
    col: Optional[int] = None
    part: str = BODY
    list_id: Optional[str] = None  # items sharing a list (Word numId, markdown list)
    style: Optional[str] = None


@dataclass
class Block:
    """A block of the document as the linter sees it."""

    index: int
    kind: str
    text: str  # without its own label
    start: int  # offsets into Document.text
    end: int
    section: Optional[str] = None  # full label in context, e.g. "4.2(b)"
    label: Optional[str] = None  # own label as displayed, e.g. "(b)"
    level: int = 0
    headings: tuple[str, ...] = ()  # heading chain above this block
    lead_in: Optional[str] = None  # the sentence introducing the list this item is in
    lead_in_block: Optional[int] = None
    page: Optional[int] = None
    line: Optional[int] = None
    paragraph: Optional[int] = None
    table: Optional[int] = None
    row: Optional[int] = None
    col: Optional[int] = None
    operative: bool = True
    non_operative_reason: Optional[str] = None  # "heading", "recital", "toc", "definition-only"
    part: str = BODY

    def location(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "page": self.page,
            "line": self.line,
            "paragraph": self.paragraph,
        }


@dataclass
class DefinedTerm:
    term: str
    definition: str
    block: int  # index of the defining block
    section: Optional[str] = None
    page: Optional[int] = None
    line: Optional[int] = None


@dataclass
class Revision:
    """A tracked change in a .docx: text inserted or deleted by a reviser."""

    kind: str  # "insertion" or "deletion"
    text: str
    author: Optional[str] = None
    date: Optional[str] = None
    paragraph: Optional[int] = None
    block: Optional[int] = None  # index of the block it belongs to (after structure)
    section: Optional[str] = None


@dataclass
class TableCell:
    """One cell of a table at its place in the grid (1-based ``row`` and ``col``; a
    merged cell is kept once, at its top-left, with its spans)."""

    row: int
    col: int
    header: bool = False  # a header cell (Word repeated header row, <th>, Markdown's first row)
    rowspan: int = 1
    colspan: int = 1
    text: str = ""  # filled by structure from the cell's blocks ("" for an empty cell)
    blocks: tuple[int, ...] = ()  # indices into Document.blocks (body tables only)


@dataclass
class Table:
    """A table as a grid of cells. Readers give its shape (cells, spans, header
    rows); ``structure`` fills each cell's text and the blocks that hold it, so a
    finding in a cell points at a block as anywhere else."""

    number: int  # 1-based, in reading order; the ``table`` of its cells' blocks
    cells: list[TableCell] = field(default_factory=list)
    part: str = BODY
    page: Optional[int] = None
    line: Optional[int] = None
    paragraph: Optional[int] = None
    # "marked": the format says which rows are headers (w:tblHeader, <th>/<thead>,
    # Markdown's delimiter row); None: it says nothing and no row is taken as one.
    header_source: Optional[str] = None

    @property
    def n_rows(self) -> int:
        return max((c.row + c.rowspan - 1 for c in self.cells), default=0)

    @property
    def n_cols(self) -> int:
        return max((c.col + c.colspan - 1 for c in self.cells), default=0)

    @property
    def header_rows(self) -> int:
        """Leading rows whose every cell is a header cell."""
        n = 0
        for r in range(1, self.n_rows + 1):
            row = [c for c in self.cells if c.row == r]
            if not row or not all(c.header for c in row):
                break
            n = r
        return n

    def rows(self) -> list[list[TableCell]]:
        """Cells by row, in column order (a row may be empty when cells above span it)."""
        out: list[list[TableCell]] = [[] for _ in range(self.n_rows)]
        for c in sorted(self.cells, key=lambda c: (c.row, c.col)):
            out[c.row - 1].append(c)
        return out


class TableGrid:
    """Places cells in a table's grid as a reader meets them, row by row: a cell
    goes to the first column of its row not taken by a cell spanning down from
    above, so ``col`` is the column the cell is seen in. Spans are capped at
    :attr:`MAX_SPAN`: a file claiming ``colspan="100000"`` gets a wide cell, not a
    grid of ten billion places."""

    MAX_SPAN = 100
    #: Grid places one table may claim through spans; past it, cells span nothing, so
    #: ten thousand ``<td rowspan=100 colspan=100>`` cost some 200,000 places, not 10^8.
    MAX_PLACES = 200_000

    def __init__(self, table: Table) -> None:
        self.table = table
        self.row = 0
        self._next = 1
        self._taken: dict[tuple[int, int], TableCell] = {}

    def new_row(self) -> int:
        self.row += 1
        self._next = 1
        return self.row

    def skip(self, columns: int) -> None:
        """Columns left empty before the first cell (Word's ``gridBefore``)."""
        self._next += max(0, columns)

    def add(self, header: bool = False, rowspan: int = 1, colspan: int = 1) -> TableCell:
        if self.row == 0:
            self.new_row()
        col = self._next
        while (self.row, col) in self._taken:
            col += 1
        rowspan, colspan = min(max(1, rowspan), self.MAX_SPAN), min(max(1, colspan), self.MAX_SPAN)
        if len(self._taken) + rowspan * colspan > self.MAX_PLACES:
            rowspan = colspan = 1
        cell = TableCell(self.row, col, header=header, rowspan=rowspan, colspan=colspan)
        for r in range(self.row, self.row + cell.rowspan):
            for k in range(col, col + cell.colspan):
                self._taken[(r, k)] = cell
        self.table.cells.append(cell)
        self._next = col + cell.colspan
        return cell

    def extend_down(self, colspan: int = 1) -> bool:
        """A continuation of the merged cell above (Word's ``vMerge``) at the next
        column of this row: the cell above grows a row. False when nothing is above."""
        if self.row == 0:
            self.new_row()
        col = self._next
        above = self._taken.get((self.row - 1, col))
        if above is None:
            return False
        if above.rowspan >= self.MAX_SPAN:
            return False
        above.rowspan += 1
        for k in range(above.col, above.col + above.colspan):
            self._taken[(self.row, k)] = above
        self._next = col + min(max(1, colspan), self.MAX_SPAN)
        return True

    def extend_right(self, colspan: int = 1) -> bool:
        """A continuation of the cell to the left (Word's legacy ``hMerge``)."""
        left = self._taken.get((self.row, self._next - 1))
        colspan = min(max(1, colspan), self.MAX_SPAN)
        if left is None or left.row != self.row or left.rowspan != 1 or left.colspan + colspan > self.MAX_SPAN:
            return False
        left.colspan += colspan
        for k in range(self._next, self._next + colspan):
            self._taken[(self.row, k)] = left
        self._next += colspan
        return True


@dataclass
class Document:
    path: str
    format: str  # "docx", "pdf", "txt", "md", "html"
    blocks: list[Block] = field(default_factory=list)
    text: str = ""  # normalised text, blocks joined by "\n"
    numbering_resolved: Optional[bool] = None  # None where the format has no numbering
    defined_terms: dict[str, DefinedTerm] = field(default_factory=dict)
    revisions: list[Revision] = field(default_factory=list)
    other_parts: list[Block] = field(default_factory=list)  # headers, footers, footnotes
    tables: list[Table] = field(default_factory=list)
    pages: Optional[int] = None
    warnings: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def body(self) -> list[Block]:
        return self.blocks


@dataclass
class Extracted:
    """What a reader returns: raw blocks plus what it learnt about the file."""

    format: str
    blocks: list[RawBlock]
    numbering_resolved: Optional[bool] = None
    revisions: list[Revision] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)  # their shape; text comes from blocks
    pages: Optional[int] = None
    warnings: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
