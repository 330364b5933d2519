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
class Document:
    path: str
    format: str  # "docx", "pdf", "txt", "md", "html"
    blocks: list[Block] = field(default_factory=list)
    text: str = ""  # normalised text, blocks joined by "\n"
    numbering_resolved: Optional[bool] = None  # None where the format has no numbering
    defined_terms: dict[str, DefinedTerm] = field(default_factory=dict)
    revisions: list[Revision] = field(default_factory=list)
    other_parts: list[Block] = field(default_factory=list)  # headers, footers, footnotes
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
    pages: Optional[int] = None
    warnings: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
