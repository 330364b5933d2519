"""Build the binary sample contracts (.docx, .pdf) from their editable sources.

Run from the project root::

    python scripts/build_samples.py            # writes into sample_contracts/
    python scripts/build_samples.py --out DIR  # writes elsewhere (used by the tests)
    python scripts/build_samples.py --check    # exit 1 if a committed file is stale

Sources live in ``sample_contracts/sources/<stem>.src``. (Not ``.md``: a user who
lints the whole ``sample_contracts/`` folder should not lint the sources too.) They
use a small Markdown subset, chosen so that the *numbers* of clauses are never typed in the
source: the builder derives them, and a .docx gets real Word automatic numbering
(``numbering.xml``) while a .pdf gets the numbers printed as text, as a word
processor would have rendered them.

Source format
-------------
A front-matter block between ``---`` lines holds ``key: value`` settings::

    format: docx | pdf
    title, subject, author, company: document properties
    header: running header text
    footer: footer text; "{page}" and "{pages}" are replaced by page numbers
    date: fixed ISO timestamp used for the document properties
    paper: a4 | letter           (.pdf only; default a4)
    numbering: direct | styles   (.docx only: numPr on paragraphs, or on styles)
    reviser, revision_date: author and date of tracked changes (.docx only)
    reviser2, revision_date2: a second reviewer, for changes marked ``(2)`` (below)

Body blocks are separated by blank lines; continuation lines are joined:

* ``# Title`` - the document title (unnumbered)
* ``## Heading`` - numbered section heading, level 1 ("1.")
* ``### Heading`` - unnumbered heading (recitals, schedules, signatures)
* ``1. text`` - numbered clause, level 2 ("1.1"); the digits typed are ignored
* ``    a. text`` - indented: numbered item, level 3 ("(a)"); letter typed is ignored
* ``* text`` - bullet
* ``| a | b |`` rows - a table; the first row is the header, ``|---|`` rows are skipped
* ``\\pagebreak`` - a page break
* any other text - a plain paragraph

Inline: ``**bold**``, ``{++inserted++}`` and ``{--deleted--}`` (tracked changes
in .docx; in .pdf the insertion is kept and the deletion dropped). ``{++(2) text++}``
is a change by the second reviewer. A clause that is one deletion from end to end is
deleted with its paragraph mark, so Word renumbers the clauses after it.

Determinism: every date comes from the front matter; reportlab runs with
``invariant=1``; the .docx zip is rewritten with fixed member timestamps. Two
runs produce byte-identical files.
"""

from __future__ import annotations

import argparse
import copy
import datetime as _dt
import io
import os
import re
import sys
import zipfile
from dataclasses import dataclass, field
from typing import Optional

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES = os.path.join(ROOT, "sample_contracts")
SOURCES = os.path.join(SAMPLES, "sources")

# Fixed zip timestamp for .docx members (the earliest a zip can hold).
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class SourceError(Exception):
    """A source file does not follow the format described above."""


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------


@dataclass
class Block:
    kind: str  # title, heading, subheading, clause, item, bullet, para, table, pagebreak
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)
    label: Optional[str] = None  # derived number as displayed: "4.", "4.2", "(c)"
    line: int = 0


@dataclass
class Source:
    stem: str
    meta: dict[str, str]
    blocks: list[Block]

    @property
    def fmt(self) -> str:
        return self.meta["format"]

    @property
    def date(self) -> _dt.datetime:
        return _dt.datetime.fromisoformat(self.meta["date"].replace("Z", "+00:00"))


_CLAUSE = re.compile(r"^\d+\.\s+")
_ITEM = re.compile(r"^\s+[a-z]{1,2}\.\s+")


def parse_source(path: str) -> Source:
    """Parse one ``.src`` file into blocks with derived labels."""
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    stem = os.path.basename(path)[: -len(".src")]
    if not lines or lines[0].strip() != "---":
        raise SourceError(f"{path}: missing front matter")
    meta: dict[str, str] = {}
    i = 1
    while i < len(lines) and lines[i].strip() != "---":
        key, sep, value = lines[i].partition(":")
        if not sep:
            raise SourceError(f"{path}:{i + 1}: front matter line without ':'")
        meta[key.strip()] = value.strip()
        i += 1
    i += 1
    for required in ("format", "title", "date", "header", "footer"):
        if required not in meta:
            raise SourceError(f"{path}: front matter lacks {required!r}")
    if meta["format"] not in ("docx", "pdf"):
        raise SourceError(f"{path}: format must be docx or pdf")

    blocks: list[Block] = []
    current: Optional[Block] = None

    def close() -> None:
        nonlocal current
        if current is not None:
            current.text = current.text.strip()
            blocks.append(current)
            current = None

    for n in range(i, len(lines)):
        raw = lines[n]
        lineno = n + 1
        if not raw.strip():
            close()
            continue
        stripped = raw.strip()
        if stripped == "\\pagebreak":
            close()
            blocks.append(Block("pagebreak", line=lineno))
            continue
        if stripped.startswith("|"):
            if current is None or current.kind != "table":
                close()
                current = Block("table", line=lineno)
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                continue
            current.rows.append(cells)
            continue
        if raw.startswith("### "):
            close()
            blocks.append(Block("subheading", stripped[4:], line=lineno))
            continue
        if raw.startswith("## "):
            close()
            blocks.append(Block("heading", stripped[3:], line=lineno))
            continue
        if raw.startswith("# "):
            close()
            blocks.append(Block("title", stripped[2:], line=lineno))
            continue
        if _CLAUSE.match(raw):
            close()
            current = Block("clause", _CLAUSE.sub("", raw), line=lineno)
            continue
        if _ITEM.match(raw):
            close()
            current = Block("item", _ITEM.sub("", raw), line=lineno)
            continue
        if raw.startswith("* "):
            close()
            current = Block("bullet", raw[2:], line=lineno)
            continue
        if current is None:
            current = Block("para", stripped, line=lineno)
        elif current.kind == "table":
            close()
            current = Block("para", stripped, line=lineno)
        else:
            current.text += " " + stripped
    close()
    _assign_labels(path, blocks)
    return Source(stem, meta, blocks)


def _assign_labels(path: str, blocks: list[Block]) -> None:
    """Number headings, clauses and items as Word's "%1." / "%1.%2" / "(%3)" would."""
    h = c = k = 0
    in_numbered = False
    for b in blocks:
        if b.kind == "heading":
            h, c, k = h + 1, 0, 0
            in_numbered = True
            b.label = f"{h}."
        elif b.kind == "subheading":
            in_numbered = False
        elif b.kind == "clause":
            if not in_numbered:
                raise SourceError(f"{path}:{b.line}: numbered clause outside a numbered section")
            c, k = c + 1, 0
            b.label = f"{h}.{c}"
        elif b.kind == "item":
            k += 1
            if k > 26:
                raise SourceError(f"{path}:{b.line}: more than 26 lettered items")
            b.label = f"({chr(ord('a') + k - 1)})"
    labels = {b.label.rstrip(".") for b in blocks if b.label and b.kind in ("heading", "clause")}
    # Cross-references must point at numbers that exist, or the sample lies.
    for b in blocks:
        for ref in re.findall(r"\bSections? (\d+(?:\.\d+)?)", b.text + " ".join(" ".join(r) for r in b.rows)):
            if labels and ref not in labels:
                raise SourceError(f"{path}:{b.line}: reference to Section {ref}, which does not exist")


_INLINE = re.compile(r"(\*\*.+?\*\*|\{\+\+.+?\+\+\}|\{--.+?--\})")


def smart_quotes(text: str) -> str:
    """Typographic quotes and apostrophes, as a word processor's autoformat would set them."""
    text = re.sub(r'(^|[\s(\[{>*+-])"', "\\1\u201c", text)
    text = text.replace('"', "\u201d")
    text = re.sub(r"(^|[\s(\[{>*+-])'", "\\1\u2018", text)
    return text.replace("'", "\u2019")


def inline_runs(text: str) -> list[tuple[str, str]]:
    """Split text into ``(kind, text)`` runs: kind is plain, bold, ins or del."""
    runs: list[tuple[str, str]] = []
    for part in _INLINE.split(smart_quotes(text)):
        if not part:
            continue
        if part.startswith("**") and part.endswith("**"):
            runs.append(("bold", part[2:-2]))
        elif part.startswith("{++"):
            runs.append(("ins", part[3:-3]))
        elif part.startswith("{--"):
            runs.append(("del", part[3:-3]))
        else:
            runs.append(("plain", part))
    return runs


# ---------------------------------------------------------------------------
# .docx
# ---------------------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# Our multi-level list: level 0 "%1.", level 1 "%1.%2", level 2 "(%3)".
LEVELS = (
    ("decimal", "%1.", 0, 567),
    ("decimal", "%1.%2", 567, 567),
    ("lowerLetter", "(%3)", 1134, 567),
)
CLAUSE_ABSTRACT_ID = 40
CLAUSE_NUM_ID = 40
BULLET_ABSTRACT_ID = 41
BULLET_NUM_ID = 41
STYLE_IDS = ("Heading1", "ClauseLevel2", "ClauseLevel3")


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def _el(tag: str, **attrs: str):
    from docx.oxml import OxmlElement

    el = OxmlElement(f"w:{tag}")
    for k, v in attrs.items():
        el.set(_w(k), v)
    return el


def _sub(parent, tag: str, **attrs: str):
    el = _el(tag, **attrs)
    parent.append(el)
    return el


def _build_numbering(doc, style_linked: bool) -> None:
    """Add the clause list and a bullet list to ``word/numbering.xml``."""
    numbering = doc.part.numbering_part.element
    abstract = _el("abstractNum", abstractNumId=str(CLAUSE_ABSTRACT_ID))
    _sub(abstract, "multiLevelType", val="multilevel")
    for ilvl, (fmt, text, left, hanging) in enumerate(LEVELS):
        lvl = _sub(abstract, "lvl", ilvl=str(ilvl))
        _sub(lvl, "start", val="1")
        _sub(lvl, "numFmt", val=fmt)
        if style_linked:
            _sub(lvl, "pStyle", val=STYLE_IDS[ilvl])
        _sub(lvl, "lvlText", val=text)
        _sub(lvl, "lvlJc", val="left")
        ppr = _sub(lvl, "pPr")
        _sub(ppr, "ind", left=str(left + hanging), hanging=str(hanging))
    bullet = _el("abstractNum", abstractNumId=str(BULLET_ABSTRACT_ID))
    _sub(bullet, "multiLevelType", val="singleLevel")
    lvl = _sub(bullet, "lvl", ilvl="0")
    _sub(lvl, "start", val="1")
    _sub(lvl, "numFmt", val="bullet")
    _sub(lvl, "lvlText", val="\u2022")
    _sub(lvl, "lvlJc", val="left")
    _sub(_sub(lvl, "pPr"), "ind", left="1134", hanging="567")

    # Schema order: every abstractNum before the first num.
    first_num = numbering.find(_w("num"))
    for node in (abstract, bullet):
        if first_num is not None:
            first_num.addprevious(node)
        else:
            numbering.append(node)
    for num_id, abs_id in ((CLAUSE_NUM_ID, CLAUSE_ABSTRACT_ID), (BULLET_NUM_ID, BULLET_ABSTRACT_ID)):
        num = _sub(numbering, "num", numId=str(num_id))
        _sub(num, "abstractNumId", val=str(abs_id))


def _num_pr(ilvl: int, num_id: int):
    num_pr = _el("numPr")
    _sub(num_pr, "ilvl", val=str(ilvl))
    _sub(num_pr, "numId", val=str(num_id))
    return num_pr


def _setup_styles(doc, style_linked: bool) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt, RGBColor

    styles = doc.styles
    normal = styles["Normal"]
    # Arial has a metric-compatible free twin (Liberation Sans), so Word and
    # LibreOffice paginate these samples alike.
    normal.font.name = "Arial"
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(6)
    h1 = styles["Heading 1"]
    h1.font.size = Pt(12)
    h1.font.color.rgb = RGBColor(0x1F, 0x2A, 0x44)
    h1.paragraph_format.space_before = Pt(12)
    h1.paragraph_format.space_after = Pt(6)
    h3 = styles["Heading 3"]
    h3.font.size = Pt(11)
    styles["Title"].font.size = Pt(20)
    for name, style_id in (("Clause Level 2", "ClauseLevel2"), ("Clause Level 3", "ClauseLevel3")):
        st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = normal
        st.element.set(_w("styleId"), style_id)
        st.paragraph_format.space_after = Pt(6)
    if style_linked:
        for ilvl, style_id in enumerate(STYLE_IDS):
            style_el = next(s for s in styles.element.findall(_w("style")) if s.get(_w("styleId")) == style_id)
            ppr = style_el.find(_w("pPr"))
            if ppr is None:
                ppr = _el("pPr")
                # pPr follows name/basedOn/next/link/uiPriority/qFormat etc.; put it before rPr.
                rpr = style_el.find(_w("rPr"))
                if rpr is not None:
                    rpr.addprevious(ppr)
                else:
                    style_el.append(ppr)
            _insert_num_pr(ppr, _num_pr(ilvl, CLAUSE_NUM_ID))


# Children of w:pPr that the schema places before w:numPr.
_BEFORE_NUMPR = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl")


def _insert_num_pr(ppr, num_pr) -> None:
    """Insert ``w:numPr`` into ``w:pPr`` at its schema position."""
    index = 0
    for i, child in enumerate(ppr):
        if child.tag in {_w(t) for t in _BEFORE_NUMPR}:
            index = i + 1
    ppr.insert(index, num_pr)


class _RevisionIds:
    def __init__(self) -> None:
        self.next = 1

    def take(self) -> str:
        value = str(self.next)
        self.next += 1
        return value


_SECOND_REVISER = re.compile(r"^\(2\)\s?")


def _reviser(src: Source, chunk: str) -> tuple[str, str, str]:
    """``(author, date, text)`` of a tracked change: ``(2) text`` is the second reviewer's."""
    if _SECOND_REVISER.match(chunk):
        if "reviser2" not in src.meta:
            raise SourceError(f"{src.stem}: a change marked (2) needs reviser2 in the front matter")
        date = src.meta.get("revision_date2", src.meta.get("revision_date", src.meta["date"]))
        return src.meta["reviser2"], date, _SECOND_REVISER.sub("", chunk)
    return src.meta.get("reviser", "Reviewer"), src.meta.get("revision_date", src.meta["date"]), chunk


def _add_runs(paragraph, text: str, src: Source, rev_ids: _RevisionIds, bold_all: bool = False) -> None:
    """Append inline runs, including tracked insertions and deletions, to a paragraph."""
    runs = inline_runs(text)
    for kind, chunk in runs:
        if kind in ("plain", "bold"):
            run = paragraph.add_run(chunk)
            if kind == "bold" or bold_all:
                run.bold = True
            continue
        reviser, rev_date, chunk = _reviser(src, chunk)
        wrapper = _el(kind, id=rev_ids.take(), author=reviser, date=rev_date)
        r = _sub(wrapper, "r")
        if bold_all:
            _sub(_sub(r, "rPr"), "b")
        t = _sub(r, "delText" if kind == "del" else "t")
        t.text = chunk
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        paragraph._p.append(wrapper)
    if len(runs) == 1 and runs[0][0] == "del":
        # The whole paragraph deleted: its mark too, as Word records deleting a clause.
        reviser, rev_date, _ = _reviser(src, runs[0][1])
        ppr = paragraph._p.get_or_add_pPr()
        rpr = ppr.find(_w("rPr"))
        if rpr is None:
            rpr = _sub(ppr, "rPr")
        rpr.append(_el("del", id=rev_ids.take(), author=reviser, date=rev_date))


def _add_field(paragraph, instr: str, cached: str) -> None:
    fld = _el("fldSimple", instr=f" {instr} ")
    r = _sub(fld, "r")
    _sub(_sub(r, "rPr"), "sz", val="17")
    t = _sub(r, "t")
    t.text = cached
    paragraph._p.append(fld)


def _header_footer(doc, src: Source) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    section = doc.sections[0]
    hp = section.header.paragraphs[0]
    hp.text = src.meta["header"]
    hp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for run in hp.runs:
        run.font.size = Pt(8.5)
    fp = section.footer.paragraphs[0]
    fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # "{page}" and "{pages}" become PAGE and NUMPAGES fields.
    for part in re.split(r"(\{page\}|\{pages\})", src.meta["footer"]):
        if part == "{page}":
            _add_field(fp, "PAGE", "1")
        elif part == "{pages}":
            _add_field(fp, "NUMPAGES", "1")
        elif part:
            fp.add_run(part).font.size = Pt(8.5)


def build_docx(src: Source) -> bytes:
    """Render a source as a .docx with real automatic numbering; return its bytes."""
    import docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Cm, Pt

    style_linked = src.meta.get("numbering", "direct") == "styles"
    doc = docx.Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.3)
    section.top_margin = section.bottom_margin = Cm(2.2)
    _setup_styles(doc, style_linked)
    _build_numbering(doc, style_linked)
    _header_footer(doc, src)
    rev_ids = _RevisionIds()

    # python-docx's template starts with an empty body; nothing to remove.
    for b in src.blocks:
        if b.kind == "title":
            p = doc.add_paragraph(style="Title")
            _add_runs(p, b.text, src, rev_ids)
        elif b.kind == "heading":
            p = doc.add_paragraph(style="Heading 1")
            if not style_linked:
                _insert_num_pr(p._p.get_or_add_pPr(), _num_pr(0, CLAUSE_NUM_ID))
            _add_runs(p, b.text, src, rev_ids)
        elif b.kind == "subheading":
            p = doc.add_paragraph(style="Heading 3")
            _add_runs(p, b.text, src, rev_ids)
        elif b.kind in ("clause", "item"):
            ilvl = 1 if b.kind == "clause" else 2
            p = doc.add_paragraph(style="Clause Level 2" if ilvl == 1 else "Clause Level 3")
            if not style_linked:
                _insert_num_pr(p._p.get_or_add_pPr(), _num_pr(ilvl, CLAUSE_NUM_ID))
            _add_runs(p, b.text, src, rev_ids)
        elif b.kind == "bullet":
            p = doc.add_paragraph()
            _insert_num_pr(p._p.get_or_add_pPr(), _num_pr(0, BULLET_NUM_ID))
            _add_runs(p, b.text, src, rev_ids)
        elif b.kind == "para":
            p = doc.add_paragraph()
            _add_runs(p, b.text, src, rev_ids)
        elif b.kind == "table":
            ncols = max(len(r) for r in b.rows)
            table = doc.add_table(rows=len(b.rows), cols=ncols)
            table.style = doc.styles["Table Grid"]
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for r, row in enumerate(b.rows):
                for c in range(ncols):
                    cell = table.cell(r, c)
                    cp = cell.paragraphs[0]
                    cp.paragraph_format.space_after = Pt(0)
                    _add_runs(cp, row[c] if c < len(row) else "", src, rev_ids, bold_all=(r == 0))
            doc.add_paragraph()
        elif b.kind == "pagebreak":
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        else:  # pragma: no cover - parse_source only makes the kinds above
            raise SourceError(f"unknown block kind {b.kind}")
    doc.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER

    cp = doc.core_properties
    fixed = src.date.replace(tzinfo=None)
    cp.title = src.meta["title"]
    cp.subject = src.meta.get("subject", "")
    cp.author = src.meta.get("author", "")
    cp.last_modified_by = src.meta.get("reviser", src.meta.get("author", ""))
    cp.created = fixed
    cp.modified = fixed
    cp.last_printed = fixed
    cp.revision = 3
    cp.keywords = "clause-lint sample; fictional"
    cp.comments = "Fictional sample contract bundled with clause-lint."

    buf = io.BytesIO()
    doc.save(buf)
    return _normalise_zip(buf.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed member timestamps and attributes, same order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            fixed.create_system = 0
            zout.writestr(fixed, zin.read(info.filename))
    return out.getvalue()


# ---------------------------------------------------------------------------
# .pdf
# ---------------------------------------------------------------------------


def _pdf_markup(text: str) -> str:
    """Inline runs to reportlab paragraph markup (final text: deletions dropped)."""
    from xml.sax.saxutils import escape

    out = []
    for kind, chunk in inline_runs(text):
        if kind == "del":
            continue
        if kind == "ins":
            chunk = _SECOND_REVISER.sub("", chunk)
        chunk = escape(chunk)
        out.append(f"<b>{chunk}</b>" if kind == "bold" else chunk)
    return "".join(out)


def build_pdf(src: Source) -> bytes:
    """Render a source as a paginated PDF with running header and footer."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
    from reportlab.lib.pagesizes import A4, LETTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        CondPageBreak,
        KeepTogether,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    pagesize = LETTER if src.meta.get("paper", "a4").lower() == "letter" else A4
    body = ParagraphStyle("body", fontName="Times-Roman", fontSize=10.5, leading=13.5, alignment=TA_JUSTIFY, spaceAfter=5)
    title = ParagraphStyle("title", parent=body, fontName="Helvetica-Bold", fontSize=15, leading=19, alignment=TA_CENTER, spaceAfter=12)
    heading = ParagraphStyle("heading", parent=body, fontName="Helvetica-Bold", fontSize=11, leading=14, spaceBefore=9, spaceAfter=5, leftIndent=22, bulletIndent=0, bulletFontName="Helvetica-Bold", bulletFontSize=11)
    subheading = ParagraphStyle("subheading", parent=body, fontName="Helvetica-Bold", fontSize=10.5, spaceBefore=9, spaceAfter=5)
    clause = ParagraphStyle("clause", parent=body, leftIndent=30, bulletIndent=0, bulletFontName="Times-Roman", bulletFontSize=10.5)
    item = ParagraphStyle("item", parent=body, leftIndent=56, bulletIndent=30, bulletFontName="Times-Roman", bulletFontSize=10.5)
    bullet = ParagraphStyle("bullet", parent=body, leftIndent=44, bulletIndent=30)
    cell = ParagraphStyle("cell", parent=body, fontSize=9.5, leading=12, alignment=0, spaceAfter=0)
    cell_head = ParagraphStyle("cellhead", parent=cell, fontName="Times-Bold")

    story = []
    for b in src.blocks:
        text = _pdf_markup(b.text)
        if b.kind == "title":
            story.append(Paragraph(text, title))
        elif b.kind == "heading":
            story.append(CondPageBreak(40 * mm))
            story.append(Paragraph(text.upper(), heading, bulletText=b.label))
        elif b.kind == "subheading":
            story.append(CondPageBreak(30 * mm))
            story.append(Paragraph(text, subheading))
        elif b.kind == "clause":
            story.append(Paragraph(text, clause, bulletText=b.label))
        elif b.kind == "item":
            story.append(Paragraph(text, item, bulletText=b.label))
        elif b.kind == "bullet":
            story.append(Paragraph(text, bullet, bulletText="\u2022"))
        elif b.kind == "para":
            story.append(Paragraph(text, body))
        elif b.kind == "table":
            data = [
                [Paragraph(_pdf_markup(c), cell_head if r == 0 else cell) for c in row]
                for r, row in enumerate(b.rows)
            ]
            table = Table(data, repeatRows=1, hAlign="CENTER")
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E4E8EF")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story.append(KeepTogether([Spacer(1, 3), table, Spacer(1, 8)]))
        elif b.kind == "pagebreak":
            story.append(PageBreak())

    header_text = src.meta["header"]
    footer_text = src.meta["footer"]

    def render(total: int) -> tuple[bytes, int]:
        buf = io.BytesIO()

        def decorate(canvas, doc) -> None:
            canvas.saveState()
            width, height = pagesize
            canvas.setFont("Helvetica", 8)
            canvas.drawString(doc.leftMargin, height - 14 * mm, header_text)
            canvas.setLineWidth(0.4)
            canvas.line(doc.leftMargin, height - 15.5 * mm, width - doc.rightMargin, height - 15.5 * mm)
            footer = footer_text.replace("{page}", str(doc.page)).replace("{pages}", str(total))
            canvas.drawCentredString(width / 2, 12 * mm, footer)
            canvas.restoreState()

        doc = SimpleDocTemplate(
            buf,
            pagesize=pagesize,
            leftMargin=25 * mm,
            rightMargin=25 * mm,
            topMargin=24 * mm,
            bottomMargin=22 * mm,
            title=src.meta["title"],
            author=src.meta.get("author", ""),
            subject=src.meta.get("subject", ""),
            creator="clause-lint scripts/build_samples.py",
            producer="ReportLab",
            invariant=1,
        )
        doc.build(copy.deepcopy(story), onFirstPage=decorate, onLaterPages=decorate)
        return buf.getvalue(), doc.page

    # First pass counts the pages, second pass prints "Page N of M" with the count.
    _, pages = render(0)
    data, pages_again = render(pages)
    if pages_again != pages:  # pragma: no cover - the footer cannot change the flow
        raise SourceError(f"{src.stem}: page count changed between passes")
    return data


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------


def source_paths(source_dir: str = SOURCES) -> list[str]:
    return sorted(
        os.path.join(source_dir, name) for name in os.listdir(source_dir) if name.endswith(".src")
    )


def build_one(path: str) -> tuple[str, bytes]:
    """Return ``(file name, bytes)`` for one source."""
    src = parse_source(path)
    if src.fmt == "docx":
        return f"{src.stem}.docx", build_docx(src)
    return f"{src.stem}.pdf", build_pdf(src)


def build_all(out_dir: str, source_dir: str = SOURCES) -> list[str]:
    """Build every source into ``out_dir``; return the paths written."""
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for path in source_paths(source_dir):
        name, data = build_one(path)
        target = os.path.join(out_dir, name)
        with open(target, "wb") as fh:
            fh.write(data)
        written.append(target)
    return written


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=SAMPLES, help="output folder (default: sample_contracts/)")
    parser.add_argument("--sources", default=SOURCES, help="folder of *.src sources")
    parser.add_argument("--check", action="store_true", help="only check the committed files are up to date")
    args = parser.parse_args(argv)
    try:
        if args.check:
            stale = []
            for path in source_paths(args.sources):
                name, data = build_one(path)
                target = os.path.join(args.out, name)
                if not os.path.exists(target) or open(target, "rb").read() != data:
                    stale.append(name)
            for name in stale:
                print(f"stale: {name}", file=sys.stderr)
            return 1 if stale else 0
        for target in build_all(args.out, args.sources):
            print(f"wrote {os.path.relpath(target)}")
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
