"""HTML reader: headings, paragraphs, list items (with their displayed numbers) and
table cells, with line numbers from the source.

Parsed with BeautifulSoup's ``html.parser`` because it records each element's source
line (the lxml tree builder does not). Scripts, styles, templates, ``<head>`` and
``<nav>`` are dropped; page ``<header>``/``<footer>`` elements become header/footer
parts. HTML comments are recorded in ``metadata["comments"]`` (inline suppressions
use them) and never linted.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import Any, Optional

from ..errors import ClauseLintError, CorruptFile
from ..limits import Limits
from ..model import BODY, FOOTER, HEADER, HEADING, LIST_ITEM, PARAGRAPH, TABLE_CELL, Extracted, RawBlock, Table, TableGrid
from .plaintext import _BULLET, _label_at, decode

_DROP = {
    "script", "style", "noscript", "template", "head", "nav", "svg", "iframe", "object", "embed",
    "button", "select", "option", "textarea", "input", "canvas", "map", "audio", "video", "title",
    "meta", "link", "math",
}
_BLOCK = {
    "p", "div", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "dt", "dd",
    "section", "article", "main", "header", "footer", "aside", "address", "figcaption", "caption",
    "table", "tr", "thead", "tbody", "tfoot", "ul", "ol", "dl", "form", "fieldset", "details",
    "summary", "center", "body", "html", "hr", "figure", "menu",
}
_COMMENT_RE = re.compile(r"<!--(.*?)-->", re.DOTALL)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-.]+)""", re.IGNORECASE)
_STYLE_TYPE = re.compile(r"list-style(?:-type)?\s*:\s*([a-z-]+)", re.IGNORECASE)
_CSS_TYPES = {
    "decimal": "1", "lower-alpha": "a", "lower-latin": "a", "upper-alpha": "A", "upper-latin": "A",
    "lower-roman": "i", "upper-roman": "I",
}


def to_roman(n: int) -> str:
    out = []
    for value, numeral in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out.append(numeral)
            n -= value
    return "".join(out)


def to_letters(n: int) -> str:
    """1 → a, 26 → z, 27 → aa (the doubled form word processors and browsers use)."""
    if n < 1:
        return str(n)
    letter = chr(ord("a") + (n - 1) % 26)
    return letter * ((n - 1) // 26 + 1)


def format_number(n: int, kind: str) -> str:
    if kind == "a":
        return to_letters(n)
    if kind == "A":
        return to_letters(n).upper()
    if kind == "i":
        return to_roman(n) if n > 0 else str(n)
    if kind == "I":
        return to_roman(n).upper() if n > 0 else str(n)
    return str(n)


def sniff_charset(data: bytes) -> Optional[str]:
    head = data[:4096]
    m = _XML_DECL.match(head) or _META_CHARSET.search(head)
    if not m:
        return None
    name = m.group(1).decode("ascii", "replace").lower()
    # As browsers do (WHATWG): these labels mean windows-1252.
    if name in ("iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii", "iso8859-1"):
        return "cp1252"
    return name


def comments_in(text: str, first_line: int = 1) -> list[dict[str, Any]]:
    out = []
    for m in _COMMENT_RE.finditer(text):
        out.append({"line": first_line + text.count("\n", 0, m.start()), "text": m.group(1).strip()})
    return out


@dataclass
class _List:
    ordered: bool
    kind: str  # "1", "a", "A", "i", "I"
    counter: int
    step: int
    list_id: str


@dataclass
class _Table:
    shape: Table
    grid: TableGrid

    @property
    def number(self) -> int:
        return self.shape.number


@dataclass
class _Ctx:
    """The innermost block element text is being collected for."""

    kind: str = PARAGRAPH
    heading_level: Optional[int] = None
    label: Optional[str] = None
    level: Optional[int] = None
    list_id: Optional[str] = None
    table: Optional[int] = None
    row: Optional[int] = None
    col: Optional[int] = None
    pre: bool = False
    part: str = BODY
    used: bool = False  # an <li> gives its label to its first block only
    line: Optional[int] = None
    item: Optional["_Ctx"] = None  # the <li> this element's text belongs to


@dataclass
class _Walker:
    line_offset: int = 0
    blocks: list[RawBlock] = field(default_factory=list)
    lists: list[_List] = field(default_factory=list)
    tables: list[_Table] = field(default_factory=list)  # open, innermost last
    table_shapes: list[Table] = field(default_factory=list)
    ctx: list[_Ctx] = field(default_factory=list)
    buf: list[str] = field(default_factory=list)
    buf_line: Optional[int] = None
    list_count: int = 0
    table_count: int = 0
    part: str = BODY

    def line_of(self, el: Any) -> Optional[int]:
        line = getattr(el, "sourceline", None)
        return None if line is None else line + self.line_offset

    def flush(self) -> None:
        raw = "".join(self.buf)
        self.buf = []
        line = self.buf_line
        self.buf_line = None
        if not raw.strip():
            return
        c = self.ctx[-1] if self.ctx else _Ctx()
        if c.pre:
            lines = raw.split("\n")
        else:
            lines = [re.sub(r"\s+", " ", x).strip() for x in raw.split("\n")]
        pieces = _group(lines, keep_one=c.kind in (TABLE_CELL, HEADING))
        for text, offset, nlines in pieces:
            kind, label = c.kind, None
            item = c.item
            if item is not None and kind in (PARAGRAPH, LIST_ITEM):
                if not item.used:
                    kind, label = LIST_ITEM, item.label
                    item.used = True
                else:
                    kind = PARAGRAPH
            start = (line or c.line)
            start = None if start is None else start + offset
            self.blocks.append(
                RawBlock(
                    text=text,
                    kind=kind,
                    label=label,
                    label_source="html" if label is not None else None,
                    level=c.level,
                    heading_level=c.heading_level,
                    line=start,
                    end_line=None if start is None else start + nlines - 1,
                    table=c.table,
                    row=c.row,
                    col=c.col,
                    part=c.part,
                    list_id=c.list_id,
                )
            )

    def enter(self, el: Any) -> None:
        name = el.name
        if name == "br":
            self.buf.append("\n")
            return
        if name not in _BLOCK:
            if self.buf_line is None and "".join(self.buf).strip() == "":
                self.buf_line = self.line_of(el)
            return
        self.flush()
        parent = self.ctx[-1] if self.ctx else _Ctx()
        c = _Ctx(
            level=parent.level,
            list_id=parent.list_id,
            table=parent.table,
            row=parent.row,
            col=parent.col,
            pre=parent.pre,
            part=parent.part,
            line=self.line_of(el),
        )
        c.item = parent.item  # a <p> inside an <li> is the item's own text
        if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            c.kind, c.heading_level = HEADING, int(name[1])
        elif name in ("ol", "ul", "menu"):
            self._open_list(el)
        elif name == "li":
            self._open_item(el, c)
        elif name == "table":
            self.table_count += 1
            shape = Table(self.table_count, part=c.part)
            self.table_shapes.append(shape)
            self.tables.append(_Table(shape, TableGrid(shape)))
        elif name == "tr" and self.tables:
            self.tables[-1].grid.new_row()
        elif name in ("td", "th"):
            if self.tables:
                t = self.tables[-1]
                header = name == "th" or _inside(el, ("thead",))
                cell = t.grid.add(header=header, rowspan=_int(el.get("rowspan")) or 1, colspan=_int(el.get("colspan")) or 1)
                c.kind, c.table, c.row, c.col = TABLE_CELL, t.number, cell.row, cell.col
            c.label, c.level, c.item, c.list_id = None, None, None, None
        elif name == "pre":
            c.pre = True
        elif name == "footer" and not _inside(el, ("article", "main")):
            c.part = FOOTER
        elif name == "header" and not _inside(el, ("article", "main")):
            c.part = HEADER
        self.ctx.append(c)

    def leave(self, el: Any) -> None:
        name = el.name
        if name not in _BLOCK:
            return
        self.flush()
        if self.ctx:
            self.ctx.pop()
        if name in ("ol", "ul", "menu") and self.lists:
            self.lists.pop()
        elif name == "table" and self.tables:
            done = self.tables.pop().shape
            done.header_source = "marked" if any(c.header for c in done.cells) else None

    def _open_list(self, el: Any) -> None:
        ordered = el.name == "ol"
        kind = "1"
        typ = el.get("type")
        style = _STYLE_TYPE.search(el.get("style") or "")
        if typ in ("1", "a", "A", "i", "I"):
            kind = typ
        elif style and style.group(1).lower() in _CSS_TYPES:
            kind = _CSS_TYPES[style.group(1).lower()]
            ordered = True
        elif style and style.group(1).lower() == "none":
            ordered = False
        reversed_ = el.has_attr("reversed")
        start = _int(el.get("start"))
        if start is None:
            if reversed_:
                start = sum(1 for li in el.find_all("li", recursive=False))
            else:
                start = 1
        list_id = self.lists[0].list_id if self.lists else f"html-list-{self.list_count + 1}"
        if not self.lists:
            self.list_count += 1
        step = -1 if reversed_ else 1
        self.lists.append(_List(ordered, kind, start - step, step, list_id))

    def _open_item(self, el: Any, c: _Ctx) -> None:
        c.kind = LIST_ITEM
        c.used = False
        c.item = c
        if not self.lists:
            c.level, c.label, c.list_id = 0, None, None
            return
        lst = self.lists[-1]
        c.level = len(self.lists) - 1
        c.list_id = lst.list_id
        value = _int(el.get("value"))
        lst.counter = value if value is not None else lst.counter + lst.step
        c.label = format_number(lst.counter, lst.kind) if lst.ordered else None


def _inside(el: Any, names: tuple[str, ...]) -> bool:
    return any(p.name in names for p in el.parents)


def _int(v: Any) -> Optional[int]:
    try:
        return int(str(v).strip())
    except (TypeError, ValueError):
        return None


def _group(lines: list[str], keep_one: bool) -> list[tuple[str, int, int]]:
    """Join the lines of one element into blocks: ``<br>``-separated lines stay one
    paragraph unless a line starts with a number or bullet. Returns (text, first line
    offset, line count)."""
    out: list[tuple[str, int, int]] = []
    cur: list[str] = []
    cur_start = 0
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        starts = bool(cur) and not keep_one and (_label_at(line) is not None or _BULLET.match(line) is not None)
        if starts:
            out.append((" ".join(x.strip() for x in cur), cur_start, i - cur_start))
            cur = []
        if not cur:
            cur_start = i
        cur.append(line)
    if cur:
        out.append((" ".join(x.strip() for x in cur), cur_start, len(lines) - cur_start))
    return out


def read_markup(markup: str, line_offset: int = 0, first_table: int = 1) -> tuple[list[RawBlock], list[Table]]:
    """Blocks and table shapes of an HTML document or fragment; ``line_offset``
    shifts source lines and ``first_table`` is the number its first table takes (a
    fragment inside Markdown goes on from the tables before it)."""
    from bs4 import BeautifulSoup
    from bs4.element import Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag, CData

    with warnings.catch_warnings():
        # bs4 warns on stderr when markup "looks like a filename or URL": a file's content
        # must never add lines to the CLI's output.
        warnings.simplefilter("ignore")
        soup = BeautifulSoup(markup, "html.parser")
    w = _Walker(line_offset=line_offset, table_count=first_table - 1)
    skip = (Comment, Declaration, Doctype, ProcessingInstruction, CData)
    # Iterative walk: deeply nested markup must not exhaust the Python stack.
    stack: list[tuple[Any, bool]] = [(soup, True)]
    while stack:
        node, entering = stack.pop()
        if isinstance(node, Tag):
            if node.name in _DROP:
                continue
            if entering:
                if node is not soup:
                    w.enter(node)
                stack.append((node, False))
                for child in reversed(node.contents):
                    stack.append((child, True))
            elif node is not soup:
                w.leave(node)
        elif isinstance(node, NavigableString) and not isinstance(node, skip):
            s = str(node)
            if not s:
                continue
            if w.buf_line is None and s.strip():
                parent_line = w.line_of(node.parent) if node.parent is not None else None
                w.buf_line = parent_line
            w.buf.append(s if (w.ctx and w.ctx[-1].pre) else s.replace("\n", " "))
    w.flush()
    return w.blocks, w.table_shapes


def read(data: bytes, path: str, limits: Limits) -> Extracted:
    """Read an HTML document."""
    try:
        text, encoding = decode(data, sniff_charset(data))
        blocks, tables = read_markup(text)
        comments = comments_in(text)
    except ClauseLintError:
        raise
    except RecursionError:
        raise CorruptFile("HTML is nested too deeply to read") from None
    except Exception as exc:  # a parser failure is a property of this file
        raise CorruptFile(f"cannot parse HTML ({type(exc).__name__}: {exc})") from None
    return Extracted(format="html", blocks=blocks, tables=tables, metadata={"encoding": encoding, "comments": comments})
