"""Markdown reader (CommonMark + tables, via markdown-it-py).

Headings carry their ``#`` depth; ordered list items carry their displayed number as
``label`` (``"3"``, ``label_source="markdown"``) and their nesting depth as ``level``
(0 = outermost) so that ``structure`` composes nested ordered lists the way legal
documents written in Markdown mean them (``1.`` under ``2.`` reads ``2.1``). Inline
markup is reduced to its text. HTML comments are recorded in ``metadata["comments"]``
and dropped; other raw HTML is read with the HTML reader.
"""

from __future__ import annotations

from typing import Any, Optional

from ..errors import ClauseLintError, CorruptFile
from ..limits import Limits
from ..model import HEADING, LIST_ITEM, PARAGRAPH, TABLE_CELL, Extracted, RawBlock, Table, TableGrid
from .html import _COMMENT_RE, comments_in, read_markup
from .plaintext import _BULLET, _END_SENTENCE, _label_at, decode, split_lines


class _Reader:
    def __init__(self) -> None:
        self.blocks: list[RawBlock] = []
        self.comments: list[dict[str, Any]] = []
        # Open lists: (ordered, list_id); open items: [label, used, level, list_id]
        self.lists: list[tuple[bool, str]] = []
        self.items: list[list[Any]] = []
        self.list_count = 0
        self.table_count = 0
        self.table_shapes: list[Table] = []
        self.grid: Optional[TableGrid] = None
        self.in_head = False
        self.row = 0
        self.col = 0
        self.in_table = False
        self.quote = 0

    # -- inline -----------------------------------------------------------------
    def inline_lines(self, token: Any, first_line: int) -> list[tuple[str, int, bool]]:
        """The text of an inline token split at line breaks, markup removed:
        ``(text, source line offset, after a hard break or <br>)``."""
        lines: list[list[Any]] = [["", 0, False]]
        src = 0
        for child in token.children or []:
            t = child.type
            if t in ("text", "code_inline"):
                lines[-1][0] += child.content
            elif t in ("softbreak", "hardbreak"):
                src += 1
                lines.append(["", src, t == "hardbreak"])
            elif t == "html_inline":
                content = child.content
                if content.startswith("<!--"):
                    self.comments.extend(comments_in(content, first_line + src))
                    src += content.count("\n")
                elif content.lower().startswith("<br"):
                    lines.append(["", src, True])
            elif t == "image":
                continue  # an image's alt text is not contract text
            # *_open / *_close (emphasis, links, strikethrough): their text comes as "text"
        return [(x[0], x[1], x[2]) for x in lines]

    # -- blocks -----------------------------------------------------------------
    def emit(self, text: str, kind: str, line: Optional[int], end_line: Optional[int], **kw: Any) -> None:
        text = " ".join(text.split())
        if not text:
            return
        self.blocks.append(RawBlock(text=text, kind=kind, line=line, end_line=end_line, **kw))

    def paragraph(self, token: Any, first_line: int) -> None:
        lines = self.inline_lines(token, first_line)
        if self.in_table:
            self.emit(" ".join(x[0].strip() for x in lines), TABLE_CELL, first_line, first_line,
                      table=self.table_count, row=self.row, col=self.col)
            return
        # Lines of one Markdown paragraph are one paragraph, except where a line starts
        # with a clause number after a sentence end or a hard break ("a. Fees …"
        # written under an item without a blank line).
        groups: list[list[Any]] = []  # [first src offset, last src offset, lines]
        pending_hard = False
        for line, src, hard in lines:
            if not line.strip():
                pending_hard = pending_hard or hard
                continue
            hard, pending_hard = hard or pending_hard, False
            prev = groups[-1][2][-1] if groups else None
            if prev is None:
                groups.append([src, src, [line]])
            elif (_label_at(line) is not None and (hard or _END_SENTENCE.search(prev.rstrip()))) or _BULLET.match(line):
                groups.append([src, src, [line]])
            else:
                groups[-1][1] = src
                groups[-1][2].append(line)
        for gi, (offset, last, glines) in enumerate(groups):
            text = " ".join(x.strip() for x in glines)
            bullet = _BULLET.match(text) if gi > 0 else None
            if bullet:
                text = text[bullet.end():]
            start = first_line + offset
            end = first_line + last
            style = "quote" if self.quote else None
            item = self.items[-1] if self.items else None
            if item is not None and not item[1] and gi == 0:
                item[1] = True
                self.emit(text, LIST_ITEM, start, end, label=item[0], label_source="markdown" if item[0] else None,
                          level=item[2], list_id=item[3], style=style)
            elif item is not None:
                self.emit(text, LIST_ITEM if bullet else PARAGRAPH, start, end, level=item[2] + (1 if bullet else 0),
                          list_id=item[3], style=style)
            else:
                self.emit(text, LIST_ITEM if bullet else PARAGRAPH, start, end, style=style)

    def html_block(self, token: Any, first_line: int) -> None:
        content = token.content
        self.comments.extend(comments_in(content, first_line))
        rest = _COMMENT_RE.sub(lambda m: "\n" * m.group(0).count("\n"), content)
        if not rest.strip():
            return
        item = self.items[-1] if self.items else None
        blocks, tables = read_markup(rest, line_offset=first_line - 1, first_table=self.table_count + 1)
        self.table_count += len(tables)
        self.table_shapes.extend(tables)
        for b in blocks:
            if item is not None and b.kind == PARAGRAPH:
                b.level, b.list_id = item[2], item[3]
            self.blocks.append(b)

    def code(self, token: Any, first_line: int) -> None:
        # Indented "code" in a contract is nearly always text indented by its writer.
        lines = token.content.split("\n")
        for b in split_lines(lines, first_line=first_line, directives=False, headings=False):
            b.style = "code"
            item = self.items[-1] if self.items else None
            if item is not None and b.level is None:
                b.level, b.list_id = item[2], item[3]
            self.blocks.append(b)

    def run(self, tokens: list[Any]) -> None:
        heading_level: Optional[int] = None
        for tok in tokens:
            t = tok.type
            line = tok.map[0] + 1 if tok.map else None
            if t == "heading_open":
                heading_level = int(tok.tag[1])
            elif t == "heading_close":
                heading_level = None
            elif t == "inline":
                start = tok.map[0] + 1 if tok.map else 1
                if heading_level is not None:
                    text = " ".join(x[0].strip() for x in self.inline_lines(tok, start))
                    self.emit(text, HEADING, start, tok.map[1] if tok.map else start, heading_level=heading_level)
                else:
                    self.paragraph(tok, start)
            elif t in ("bullet_list_open", "ordered_list_open"):
                if not self.lists:
                    self.list_count += 1
                list_id = self.lists[0][1] if self.lists else f"md-list-{self.list_count}"
                self.lists.append((t == "ordered_list_open", list_id))
            elif t in ("bullet_list_close", "ordered_list_close"):
                if self.lists:
                    self.lists.pop()
            elif t == "list_item_open":
                ordered, list_id = self.lists[-1] if self.lists else (False, "md-list-0")
                label = tok.info if ordered and tok.info else None
                self.items.append([label, False, len(self.lists) - 1, list_id])
            elif t == "list_item_close":
                item = self.items.pop() if self.items else None
                if item is not None and not item[1] and item[0]:
                    # "3." with nothing after it still holds its number
                    self.emit(" ", LIST_ITEM, line, line, label=item[0], label_source="markdown", level=item[2], list_id=item[3])
            elif t == "table_open":
                self.table_count += 1
                self.in_table, self.row = True, 0
                # a Markdown table always has its header row, marked by the delimiter line
                shape = Table(self.table_count, line=line, header_source="marked")
                self.table_shapes.append(shape)
                self.grid = TableGrid(shape)
            elif t == "table_close":
                self.in_table, self.grid = False, None
            elif t in ("thead_open", "thead_close"):
                self.in_head = t == "thead_open"
            elif t == "tr_open":
                self.row = self.grid.new_row() if self.grid is not None else self.row + 1
                self.col = 0
            elif t in ("th_open", "td_open"):
                if self.grid is not None:
                    self.col = self.grid.add(header=self.in_head or t == "th_open").col
                else:
                    self.col += 1
            elif t == "blockquote_open":
                self.quote += 1
            elif t == "blockquote_close":
                self.quote -= 1
            elif t == "html_block":
                self.html_block(tok, line or 1)
            elif t in ("code_block", "fence"):
                self.code(tok, (line or 1) + (1 if t == "fence" else 0))


def read(data: bytes, path: str, limits: Limits) -> Extracted:
    """Read a Markdown document."""
    try:
        from markdown_it import MarkdownIt

        text, encoding = decode(data)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        md = MarkdownIt("commonmark", {"maxNesting": 40}).enable("table")
        reader = _Reader()
        reader.run(md.parse(text))
    except ClauseLintError:
        raise
    except RecursionError:
        raise CorruptFile("Markdown is nested too deeply to read") from None
    except Exception as exc:  # a parser failure is a property of this file
        raise CorruptFile(f"cannot parse Markdown ({type(exc).__name__}: {exc})") from None
    comments = sorted(reader.comments, key=lambda c: c["line"])
    return Extracted(format="md", blocks=reader.blocks, tables=reader.table_shapes, metadata={"encoding": encoding, "comments": comments})
