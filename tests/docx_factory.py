"""Build real .docx files for tests, with the WordprocessingML features readers must handle.

Body content is written as XML fragments made by small functions, so a test shows
exactly what the file holds::

    from tests.docx_factory import DocxBuilder, Level, p, run, ins, table

    doc = DocxBuilder()
    doc.abstract_num(1, Level("decimal", "%1."), Level("lowerLetter", "(%2)"))
    doc.num(1, abstract=1)
    doc.add(
        p("Definitions", style="Heading1"),
        p("First clause.", num=(1, 0)),
        p(run("Kept "), ins("added", author="Ann"), num=(1, 1)),
        table([["Name", "Value"], ["A", "1"]]),
    )
    path = doc.save(tmp_path / "t.docx")        # or doc.to_bytes()

Inline helpers (``run``, ``ins``, ``dele``, ``hyperlink``, ``sdt``, ``complex_field``,
``simple_field``, ``comment_ref``, ``tab``, ``br``) return run-level XML; block helpers
(``p``, ``table``, ``cell``, ``block_sdt``) return body-level XML. ``doc.add`` also
accepts any raw body XML string.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from dataclasses import field as _dc_field
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union
from xml.sax.saxutils import escape, quoteattr

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
NS_DECL = f'xmlns:w="{W_NS}" xmlns:r="{R_NS}"'
DEFAULT_DATE = "2024-01-02T03:04:05Z"

Content = Union[str, Iterable[str]]


def _inline(content: Content) -> str:
    """Plain strings become runs; XML fragments (starting with "<") pass through."""
    if isinstance(content, str):
        return content if content.startswith("<") else run(content)
    return "".join(_inline(c) for c in content)


# --------------------------------------------------------------------------- inline


def run(text: str, *, hidden: bool = False, deleted: bool = False) -> str:
    """A run of text (``deleted`` writes w:delText, as inside w:del)."""
    rpr = "<w:rPr><w:vanish/></w:rPr>" if hidden else ""
    tag = "w:delText" if deleted else "w:t"
    return f'<w:r>{rpr}<{tag} xml:space="preserve">{escape(text)}</{tag}></w:r>'


def ins(*content: Content, author: str = "Reviewer", date: str = DEFAULT_DATE, rid: int = 1) -> str:
    """A tracked insertion."""
    return f'<w:ins w:id="{rid}" w:author={quoteattr(author)} w:date="{date}">{_inline(content)}</w:ins>'


def dele(text: str, author: str = "Reviewer", date: str = DEFAULT_DATE, rid: int = 2) -> str:
    """A tracked deletion of ``text``."""
    return f'<w:del w:id="{rid}" w:author={quoteattr(author)} w:date="{date}">{run(text, deleted=True)}</w:del>'


def move_from(text: str, author: str = "Reviewer") -> str:
    return f'<w:moveFrom w:id="3" w:author={quoteattr(author)} w:date="{DEFAULT_DATE}">{run(text, deleted=True)}</w:moveFrom>'


def move_to(text: str, author: str = "Reviewer") -> str:
    return f'<w:moveTo w:id="4" w:author={quoteattr(author)} w:date="{DEFAULT_DATE}">{run(text)}</w:moveTo>'


def hyperlink(*content: Content, rid: str = "rIdLink1") -> str:
    """A hyperlink (its relationship is added by the builder when ``rid`` is rIdLink*)."""
    return f'<w:hyperlink r:id="{rid}">{_inline(content)}</w:hyperlink>'


def sdt(*content: Content, tag: str = "field") -> str:
    """An inline content control; its placeholder properties hold no text."""
    return (
        f'<w:sdt><w:sdtPr><w:alias w:val="{tag}"/><w:tag w:val="{tag}"/></w:sdtPr>'
        f"<w:sdtContent>{_inline(content)}</w:sdtContent></w:sdt>"
    )


def complex_field(instruction: str, result: str) -> str:
    """A complex field (fldChar begin / instrText / separate / result / end)."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {escape(instruction)} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"{run(result)}"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def simple_field(instruction: str, result: str) -> str:
    return f"<w:fldSimple w:instr={quoteattr(instruction)}>{run(result)}</w:fldSimple>"


def comment_ref(comment_id: int, *content: Content) -> str:
    """Wrap ``content`` in a comment range and add the comment reference run."""
    return (
        f'<w:commentRangeStart w:id="{comment_id}"/>{_inline(content)}<w:commentRangeEnd w:id="{comment_id}"/>'
        f'<w:r><w:commentReference w:id="{comment_id}"/></w:r>'
    )


def tab() -> str:
    return "<w:r><w:tab/></w:r>"


def br() -> str:
    return "<w:r><w:br/></w:r>"


# --------------------------------------------------------------------------- blocks


def p(
    *content: Content,
    style: Optional[str] = None,
    num: Optional[tuple[int, Optional[int]]] = None,
    outline: Optional[int] = None,
    mark_deleted: bool = False,
) -> str:
    """A paragraph. ``num=(numId, ilvl)``; ``ilvl=None`` writes a numPr without w:ilvl."""
    ppr = ""
    if style:
        ppr += f'<w:pStyle w:val="{style}"/>'
    if num is not None:
        num_id, ilvl = num
        ppr += "<w:numPr>"
        if ilvl is not None:
            ppr += f'<w:ilvl w:val="{ilvl}"/>'
        ppr += f'<w:numId w:val="{num_id}"/></w:numPr>'
    if outline is not None:
        ppr += f'<w:outlineLvl w:val="{outline}"/>'
    if mark_deleted:
        ppr += f'<w:rPr><w:del w:id="9" w:author="Reviewer" w:date="{DEFAULT_DATE}"/></w:rPr>'
    return f"<w:p>{f'<w:pPr>{ppr}</w:pPr>' if ppr else ''}{_inline(content)}</w:p>"


@dataclass
class Cell:
    """A table cell with merge settings; ``content`` is text or body XML fragments."""

    content: Content = ""
    span: int = 1  # w:gridSpan
    vmerge: Optional[str] = None  # "restart" or "continue"

    def xml(self) -> str:
        tcpr = ""
        if self.span > 1:
            tcpr += f'<w:gridSpan w:val="{self.span}"/>'
        if self.vmerge == "restart":
            tcpr += '<w:vMerge w:val="restart"/>'
        elif self.vmerge == "continue":
            tcpr += "<w:vMerge/>"
        body = self.content
        if isinstance(body, str):
            body = body if body.startswith("<w:p") or body.startswith("<w:tbl") else p(body)
        else:
            body = "".join(body)
        if "<w:p" not in body:
            body += "<w:p/>"  # Word requires a paragraph at the end of each cell
        return f"<w:tc>{f'<w:tcPr>{tcpr}</w:tcPr>' if tcpr else ''}{body}</w:tc>"


def cell(content: Content = "", *, span: int = 1, vmerge: Optional[str] = None) -> Cell:
    return Cell(content, span, vmerge)


def table(rows: Sequence[Sequence[Union[str, Cell]]]) -> str:
    """A table; each cell is text or a :class:`Cell` (for merges or nested content)."""
    out = ["<w:tbl><w:tblPr/>"]
    for row in rows:
        out.append("<w:tr>")
        for c in row:
            out.append((c if isinstance(c, Cell) else Cell(c)).xml())
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def block_sdt(*blocks: str, tag: str = "section") -> str:
    """A block-level content control around paragraphs or tables."""
    return f'<w:sdt><w:sdtPr><w:tag w:val="{tag}"/></w:sdtPr><w:sdtContent>{"".join(blocks)}</w:sdtContent></w:sdt>'


# --------------------------------------------------------------------------- definitions


@dataclass
class Level:
    """A w:lvl. ``text=None`` omits w:lvlText."""

    fmt: str = "decimal"
    text: Optional[str] = "%1."
    start: Optional[int] = 1
    restart: Optional[int] = None
    is_lgl: bool = False
    pstyle: Optional[str] = None

    def xml(self, ilvl: int) -> str:
        parts = []
        if self.start is not None:
            parts.append(f'<w:start w:val="{self.start}"/>')
        parts.append(f'<w:numFmt w:val="{self.fmt}"/>')
        if self.restart is not None:
            parts.append(f'<w:lvlRestart w:val="{self.restart}"/>')
        if self.pstyle:
            parts.append(f'<w:pStyle w:val="{self.pstyle}"/>')
        if self.is_lgl:
            parts.append("<w:isLgl/>")
        if self.text is not None:
            parts.append(f"<w:lvlText w:val={quoteattr(self.text)}/>")
        return f'<w:lvl w:ilvl="{ilvl}">{"".join(parts)}</w:lvl>'


@dataclass
class Style:
    id: str
    name: Optional[str] = None
    based_on: Optional[str] = None
    num: Optional[tuple[int, Optional[int]]] = None  # (numId, ilvl) in the style's pPr
    outline: Optional[int] = None
    type: str = "paragraph"
    default: bool = False

    def xml(self) -> str:
        default = ' w:default="1"' if self.default else ""
        out = [f'<w:style w:type="{self.type}" w:styleId="{self.id}"{default}>']
        out.append(f"<w:name w:val={quoteattr(self.name or self.id)}/>")
        if self.based_on:
            out.append(f'<w:basedOn w:val="{self.based_on}"/>')
        ppr = ""
        if self.num is not None:
            num_id, ilvl = self.num
            ppr += "<w:numPr>" + (f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else "")
            ppr += f'<w:numId w:val="{num_id}"/></w:numPr>'
        if self.outline is not None:
            ppr += f'<w:outlineLvl w:val="{self.outline}"/>'
        if ppr:
            out.append(f"<w:pPr>{ppr}</w:pPr>")
        out.append("</w:style>")
        return "".join(out)


def heading_styles(levels: int = 3, with_outline: bool = False) -> list[Style]:
    """Word's built-in "heading N" styles (by name only unless ``with_outline``)."""
    return [
        Style(f"Heading{n}", f"heading {n}", based_on="Normal", outline=(n - 1) if with_outline else None)
        for n in range(1, levels + 1)
    ]


@dataclass
class DocxBuilder:
    """Collects body XML, definitions and other parts, and writes a .docx package."""

    body: list[str] = _dc_field(default_factory=list)
    styles: list[Style] = _dc_field(default_factory=lambda: [Style("Normal", "Normal", default=True)])
    abstract_nums: list[str] = _dc_field(default_factory=list)
    nums: list[str] = _dc_field(default_factory=list)
    headers: list[list[str]] = _dc_field(default_factory=list)
    footers: list[list[str]] = _dc_field(default_factory=list)
    footnotes: list[list[str]] = _dc_field(default_factory=list)
    comments: dict[int, str] = _dc_field(default_factory=dict)
    with_numbering: Optional[bool] = None  # None: write numbering.xml when something is defined
    document_xml: Optional[str] = None  # replaces the generated word/document.xml
    extra_files: dict[str, bytes] = _dc_field(default_factory=dict)

    # ---- content

    def add(self, *blocks: str) -> "DocxBuilder":
        self.body.extend(blocks)
        return self

    def style(self, *styles: Style) -> "DocxBuilder":
        self.styles.extend(styles)
        return self

    def abstract_num(
        self,
        abstract_id: int,
        *levels: Level,
        num_style_link: Optional[str] = None,
        style_link: Optional[str] = None,
    ) -> "DocxBuilder":
        extra = ""
        if style_link:
            extra += f'<w:styleLink w:val="{style_link}"/>'
        if num_style_link:
            extra += f'<w:numStyleLink w:val="{num_style_link}"/>'
        lvls = "".join(lv.xml(i) for i, lv in enumerate(levels))
        self.abstract_nums.append(
            f'<w:abstractNum w:abstractNumId="{abstract_id}"><w:multiLevelType w:val="multilevel"/>'
            f"{extra}{lvls}</w:abstractNum>"
        )
        return self

    def num(
        self,
        num_id: int,
        abstract: int,
        start_overrides: Optional[dict[int, int]] = None,
        level_overrides: Optional[dict[int, Level]] = None,
    ) -> "DocxBuilder":
        out = [f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract}"/>']
        ilvls = sorted(set(start_overrides or {}) | set(level_overrides or {}))
        for ilvl in ilvls:
            out.append(f'<w:lvlOverride w:ilvl="{ilvl}">')
            if start_overrides and ilvl in start_overrides:
                out.append(f'<w:startOverride w:val="{start_overrides[ilvl]}"/>')
            if level_overrides and ilvl in level_overrides:
                out.append(level_overrides[ilvl].xml(ilvl))
            out.append("</w:lvlOverride>")
        out.append("</w:num>")
        self.nums.append("".join(out))
        return self

    def header(self, *blocks: Content) -> "DocxBuilder":
        self.headers.append([_block(b) for b in blocks])
        return self

    def footer(self, *blocks: Content) -> "DocxBuilder":
        self.footers.append([_block(b) for b in blocks])
        return self

    def footnote(self, *blocks: Content) -> "DocxBuilder":
        self.footnotes.append([_block(b) for b in blocks])
        return self

    def comment(self, comment_id: int, text: str) -> "DocxBuilder":
        self.comments[comment_id] = text
        return self

    # ---- output

    def to_bytes(self) -> bytes:
        files: dict[str, str] = {}
        rels: list[tuple[str, str, str]] = []  # (id, type, target)
        ctypes: dict[str, str] = {
            "/word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            "/word/styles.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml",
        }
        sect = []
        files["word/styles.xml"] = f'<w:styles {NS_DECL}>{"".join(s.xml() for s in self.styles)}</w:styles>'
        rels.append(("rIdStyles", "styles", "styles.xml"))
        write_numbering = self.with_numbering
        if write_numbering is None:
            write_numbering = bool(self.abstract_nums or self.nums)
        if write_numbering:
            files["word/numbering.xml"] = (
                f'<w:numbering {NS_DECL}>{"".join(self.abstract_nums)}{"".join(self.nums)}</w:numbering>'
            )
            rels.append(("rIdNumbering", "numbering", "numbering.xml"))
            ctypes["/word/numbering.xml"] = (
                "application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"
            )
        for kind, parts in (("header", self.headers), ("footer", self.footers)):
            for i, blocks in enumerate(parts, 1):
                name = f"{kind}{i}.xml"
                root = "w:hdr" if kind == "header" else "w:ftr"
                files[f"word/{name}"] = f'<{root} {NS_DECL}>{"".join(blocks)}</{root}>'
                rid = f"rId{kind.title()}{i}"
                rels.append((rid, kind, name))
                ctypes[f"/word/{name}"] = f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml"
                sect.append(f'<w:{kind}Reference w:type="{"default" if i == 1 else "first"}" r:id="{rid}"/>')
        if self.footnotes:
            notes = [
                '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>',
                '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>',
            ]
            for i, blocks in enumerate(self.footnotes, 1):
                notes.append(f'<w:footnote w:id="{i}">{"".join(blocks)}</w:footnote>')
            files["word/footnotes.xml"] = f'<w:footnotes {NS_DECL}>{"".join(notes)}</w:footnotes>'
            rels.append(("rIdFootnotes", "footnotes", "footnotes.xml"))
            ctypes["/word/footnotes.xml"] = (
                "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
            )
        if self.comments:
            items = "".join(
                f'<w:comment w:id="{cid}" w:author="Commenter" w:date="{DEFAULT_DATE}">{p(text)}</w:comment>'
                for cid, text in sorted(self.comments.items())
            )
            files["word/comments.xml"] = f"<w:comments {NS_DECL}>{items}</w:comments>"
            rels.append(("rIdComments", "comments", "comments.xml"))
            ctypes["/word/comments.xml"] = (
                "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
            )
        body = "".join(self.body)
        link_rels = sorted({part.split('"')[0] for part in body.split('r:id="rIdLink')[1:]})
        for suffix in link_rels:
            rels.append((f"rIdLink{suffix}", "hyperlink", "https://example.com/"))
        files["word/document.xml"] = self.document_xml or (
            f'<w:document {NS_DECL}><w:body>{body}<w:sectPr>{"".join(sect)}</w:sectPr></w:body></w:document>'
        )

        rel_xml = "".join(
            f'<Relationship Id="{rid}" Type="{REL_TYPE}{rtype}" Target="{target}"'
            + (' TargetMode="External"' if rtype == "hyperlink" else "")
            + "/>"
            for rid, rtype, target in rels
        )
        files["word/_rels/document.xml.rels"] = (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{rel_xml}</Relationships>"
        )
        files["_rels/.rels"] = (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL_TYPE}officeDocument" Target="word/document.xml"/>'
            "</Relationships>"
        )
        overrides = "".join(f'<Override PartName="{k}" ContentType="{v}"/>' for k, v in ctypes.items())
        files["[Content_Types].xml"] = (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f"{overrides}</Types>"
        )
        entries: dict[str, bytes] = {
            name: ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + xml).encode("utf-8")
            if not xml.startswith("<?xml")
            else xml.encode("utf-8")
            for name, xml in files.items()
        }
        entries.update(self.extra_files)
        return write_zip(entries)

    def save(self, path: Union[str, Path]) -> Path:
        path = Path(path)
        path.write_bytes(self.to_bytes())
        return path


def _block(content: Content) -> str:
    if isinstance(content, str) and content.startswith("<"):
        return content
    return p(content) if isinstance(content, str) else "".join(content)


def write_zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """Zip ``entries`` (name → bytes) in memory; also used to build hostile archives."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()
