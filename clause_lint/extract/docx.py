"""Reader for Word ``.docx`` files (WordprocessingML in an OPC zip package).

The file is untrusted, so the zip is inspected before anything is decompressed (entry
count, total and per-member sizes, compression ratio) and every XML part is parsed
with entity resolution, DTD loading and network access off.

python-docx is deliberately not used here: its loader reads and parses *every* part
of the package (custom XML, glossary, ...) with a parser we do not configure, and its
paragraph API hides text in content controls, tracked insertions and fields. Finding
the few parts we need through the package relationships takes a few lines.

What the reader returns (see :class:`~clause_lint.model.RawBlock`):

* body paragraphs and table cells in reading order, table cells row-major with merged
  cells once; a nested table's cells follow the cell that holds it;
* list labels rebuilt from Word's automatic numbering (``docx_numbering``), counted
  as LibreOffice renders them: a paragraph that only carries a section break, or that
  was deleted whole in tracked changes, takes no number (``tests/test_numbering_oracle.py``);
* headings by style name, style or direct outline level;
* text as it reads with all tracked changes accepted (or, with
  ``tracked_changes="reject"``, as it read before them: insertions dropped, deletions
  kept, paragraph properties as they were); every insertion and deletion also as a
  :class:`~clause_lint.model.Revision`, in the same order in both views;
* headers, footers, footnotes and endnotes after the body, with their ``part`` set.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional
from urllib.parse import unquote

from lxml import etree

from ..errors import ClauseLintError, CorruptFile, EncryptedFile, LimitExceeded
from ..limits import MB, Limits, how_to_raise
from ..model import (
    BODY, FOOTER, FOOTNOTE, HEADER, HEADING, LIST_ITEM, PARAGRAPH, TABLE_CELL, Extracted, RawBlock, Revision, Table,
    TableGrid,
)
from ..text import normalize
from .docx_numbering import ListLabel, Numberer, Numbering, Styles, _int, _on

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT_NS = b"http://purl.oclc.org/ooxml/wordprocessingml/main"
W = "{%s}" % W_NS
M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"

# Zip members above this size must not be compressed beyond limits.max_compression_ratio.
RATIO_CHECK_BYTES = 1 * MB

# Tags used in the hot loops, spelled once.
P, R, T, TBL, TR, TC = W + "p", W + "r", W + "t", W + "tbl", W + "tr", W + "tc"
PPR, RPR, TCPR, TRPR = W + "pPr", W + "rPr", W + "tcPr", W + "trPr"
SDT, SDT_CONTENT, CUSTOM_XML, SMART_TAG = W + "sdt", W + "sdtContent", W + "customXml", W + "smartTag"
INS, DEL, MOVE_TO, MOVE_FROM = W + "ins", W + "del", W + "moveTo", W + "moveFrom"
DEL_TEXT, INSTR_TEXT, DEL_INSTR_TEXT = W + "delText", W + "instrText", W + "delInstrText"
FLD_CHAR, FLD_SIMPLE, HYPERLINK = W + "fldChar", W + "fldSimple", W + "hyperlink"
TAB, PTAB, BR, CR = W + "tab", W + "ptab", W + "br", W + "cr"
NO_BREAK_HYPHEN, SOFT_HYPHEN, SYM = W + "noBreakHyphen", W + "softHyphen", W + "sym"
VANISH, VAL = W + "vanish", W + "val"
PSTYLE, NUMPR, ILVL, NUMID, OUTLINE = W + "pStyle", W + "numPr", W + "ilvl", W + "numId", W + "outlineLvl"
DIR, BDO, RUBY, RUBY_BASE = W + "dir", W + "bdo", W + "ruby", W + "rubyBase"
OMATH, OMATH_PARA, M_T = M + "oMath", M + "oMathPara", M + "t"
ALT_CHUNK, TXBX, SECT_PR = W + "altChunk", W + "txbxContent", W + "sectPr"
_DRAWINGS = frozenset({W + "drawing", W + "pict", W + "object",
                       "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"})

# Wrappers whose children are read as if they stood in the wrapper's place.
_INLINE_WRAPPERS = frozenset({HYPERLINK, SMART_TAG, CUSTOM_XML, DIR, BDO, FLD_SIMPLE})
_REVISION_TAGS = {INS: "insertion", MOVE_TO: "insertion", DEL: "deletion", MOVE_FROM: "deletion"}
PPR_CHANGE = W + "pPrChange"

# How tracked changes are read: "accept" shows the document as it will read once every
# change is accepted, "reject" as it read before them. The kind of revision whose text
# is hidden, and the paragraph-mark revision that joins a paragraph to the next.
TRACKED_CHANGES = ("accept", "reject")
_HIDDEN_KIND = {"accept": "deletion", "reject": "insertion"}
_JOINING_MARK = {"accept": (DEL, MOVE_FROM), "reject": (INS, MOVE_TO)}

# w:sym in the Symbol and Wingdings fonts use private-use code points (F020..F0FF);
# map the ones contracts use, drop the rest (they are decoration).
_SYMBOL_FONT = {
    0xA7: "\u2663", 0xA9: "\u2665", 0xAB: "\u2194", 0xAE: "\u2192", 0xAC: "\u2190",
    0xB0: "\u00b0", 0xB1: "\u00b1", 0xB3: "\u2265", 0xA3: "\u2264", 0xB4: "\u00d7",
    0xB7: "\u2022", 0xB8: "\u00f7", 0xB9: "\u2260", 0xD2: "\u00ae", 0xD3: "\u00a9",
    0xD4: "\u2122", 0xE2: "\u00ae", 0xE3: "\u00a9", 0xE4: "\u2122", 0xA5: "\u221e",
    0x2D: "-", 0x3C: "<", 0x3E: ">", 0x3D: "=", 0x2B: "+",
}
_WINGDINGS = {
    0x6F: "\u2610", 0x71: "\u2610", 0xA8: "\u2610", 0xFE: "\u2611", 0xFD: "\u2612",
    0x78: "\u2612", 0xFC: "\u2713", 0xFB: "\u2717", 0x9F: "\u2022", 0xA7: "\u25aa", 0x6C: "\u25cf",
}

_INSTR, _RESULT = 0, 1  # phases of a complex field (w:fldChar begin/separate/end)
_EMPTY_LINES = re.compile(r"[ ]*\n[ \n]*")


# ----------------------------------------------------------------------------- package


def _corrupt(detail: str) -> CorruptFile:
    return CorruptFile(f"not a valid .docx: {detail}")


def _xml_parser() -> etree.XMLParser:
    # No entity expansion (billion laughs), no DTD or network fetches (XXE), and
    # libxml2's default size/depth limits (huge_tree=False).
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


class _Package:
    """The zip container, checked against the limits before any member is inflated."""

    def __init__(self, data: bytes, limits: Limits) -> None:
        self.limits = limits
        self.warnings: list[str] = []
        self._parser = _xml_parser()
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
            raise _corrupt(f"broken zip archive ({_short(exc)})") from None
        if len(infos) > limits.max_zip_entries:
            raise LimitExceeded(
                f"archive has {len(infos):,} entries, over the limit of {limits.max_zip_entries:,} ({how_to_raise('max_zip_entries')})"
            )
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > RATIO_CHECK_BYTES:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > limits.max_compression_ratio:
                    raise LimitExceeded(
                        f"archive member {info.filename} expands {ratio:,.0f} times, over the limit of "
                        f"{limits.max_compression_ratio} ({how_to_raise('max_compression_ratio')})"
                    )
        if total > limits.max_unzipped_bytes:
            raise LimitExceeded(
                f"archive unpacks to {total:,} bytes, over the limit of {limits.max_unzipped_bytes:,} ({how_to_raise('max_unzipped_bytes')})"
            )
        # Part names are case-insensitive in OPC.
        self._names = {info.filename.lower(): info for info in infos}

    def has(self, name: str) -> bool:
        return name.lower() in self._names

    def read(self, name: str) -> Optional[bytes]:
        info = self._names.get(name.lower())
        if info is None:
            return None
        try:
            with self.zf.open(info) as fh:
                # Bounded: never more than the size the archive declared (already checked).
                data = fh.read(info.file_size + 1)
        except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required"
            if "encrypt" in str(exc).lower() or "password" in str(exc).lower():
                raise EncryptedFile("the .docx archive is encrypted") from None
            raise _corrupt(f"cannot read {info.filename} ({_short(exc)})") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise _corrupt(f"cannot read {info.filename} ({_short(exc)})") from None
        if len(data) > info.file_size:
            raise LimitExceeded(f"archive member {info.filename} is larger than it declares")
        return data

    def xml(self, name: str) -> Optional[Any]:
        data = self.read(name)
        if data is None:
            return None
        if W_STRICT_NS in data:  # Strict OOXML: same vocabulary, another namespace
            data = data.replace(W_STRICT_NS, W_NS.encode())
        try:
            root = etree.fromstring(data, self._parser)
        except etree.XMLSyntaxError as exc:
            if "amplification" in str(exc).lower():
                raise _corrupt(f"{name} declares entities that expand without limit (refused)") from None
            raise _corrupt(f"{name} is not well-formed XML ({_short(exc)})") from None
        except (ValueError, etree.LxmlError) as exc:
            raise _corrupt(f"{name} cannot be parsed ({_short(exc)})") from None
        if root is None:
            raise _corrupt(f"{name} is empty")
        docinfo = root.getroottree().docinfo
        if docinfo.internalDTD is not None or docinfo.system_url:
            self.warnings.append(f"{name} declares a DTD; its entities were not expanded")
        return root

    def relationships(self, source: str) -> list[tuple[str, str]]:
        """``(type suffix, part name)`` of the internal relationships of ``source``."""
        folder, base = posixpath.split(source)
        rels = self.xml(posixpath.join(folder, "_rels", base + ".rels"))
        out: list[tuple[str, str]] = []
        if rels is None:
            return out
        for rel in rels.iter(REL_NS + "Relationship"):
            if (rel.get("TargetMode") or "").lower() == "external":
                continue
            rtype, target = rel.get("Type") or "", rel.get("Target") or ""
            if not target:
                continue
            target = unquote(target)
            if target.startswith("/"):
                name = target.lstrip("/")
            else:
                name = posixpath.normpath(posixpath.join(folder, target))
            out.append((rtype.rsplit("/", 1)[-1], name))
        return out


def _short(exc: BaseException, limit: int = 120) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _natural(name: str) -> list[Any]:
    return [int(tok) if tok.isdigit() else tok for tok in re.split(r"(\d+)", name)]


# ----------------------------------------------------------------------------- paragraphs


@dataclass
class _Para:
    """A paragraph as read, before its label is worked out."""

    number: Optional[int]
    ppr: Any
    pieces: list[str]
    revisions: list[list[Any]]  # [kind, author, date, text]
    mark_deleted: bool = False
    has_text: bool = False  # any w:t / w:delText with characters, before accepting changes
    page_break: bool = False


@dataclass
class _Finished:
    number: Optional[int]
    text: str
    kind: str
    label: Optional[str]
    level: Optional[int]
    heading_level: Optional[int]
    list_id: Optional[str]
    style: Optional[str]
    revisions: list[list[Any]] = field(default_factory=list)


class _PartReader:
    """Reads one story (body, a header, a footer, the footnotes) into raw blocks."""

    def __init__(self, styles: Styles, numbering: Numbering, part: str, count_paragraphs: bool,
                 tracked_changes: str = "accept") -> None:
        self.hidden_kind = _HIDDEN_KIND[tracked_changes]
        self.joining_mark = _JOINING_MARK[tracked_changes]
        self.styles = styles
        self.numbering = numbering
        self.numberer = Numberer(numbering)
        self.part = part
        self.count_paragraphs = count_paragraphs
        self.blocks: list[RawBlock] = []
        self.revisions: list[Revision] = []
        self.paragraphs = 0
        self.tables = 0
        self.table_shapes: list[Table] = []
        self.numbered = 0
        self.bullets = 0
        self.unresolved = 0
        self.missing_num_ids: set[str] = set()
        self.demoted_headings = 0
        self.skipped_alt_chunks = 0
        self.skipped_text_boxes = 0
        # Complex fields may span paragraphs (a table of contents does), so their
        # state belongs to the story, not to one paragraph.
        self._fields: list[int] = []
        # Per-paragraph walk state.
        self._pieces: list[str] = []
        self._revs: list[list[Any]] = []
        self._rev: Optional[tuple[str, Optional[str], Optional[str]]] = None
        self._rev_adjacent = False  # the last text appended belonged to a revision
        self._has_text = False  # the paragraph holds text (for section-break carriers)
        self._page_break = False

    # ---- block level

    def read_blocks(self, container: Any) -> None:
        self._blocks(container, self._emit_paragraph)

    def _flatten(self, container: Any) -> Iterator[Any]:
        """Block-level children, looking through content controls and custom XML."""
        for child in container:
            tag = child.tag
            if tag == P or tag == TBL:
                yield child
            elif tag == SDT:
                content = child.find(SDT_CONTENT)
                if content is not None:
                    yield from self._flatten(content)
            elif tag == CUSTOM_XML:
                yield from self._flatten(child)
            elif tag == ALT_CHUNK:
                self.skipped_alt_chunks += 1

    def _blocks(self, container: Any, sink: Callable[[_Finished], None]) -> None:
        children = list(self._flatten(container))
        carry: Optional[_Para] = None
        section_starts_with_table: Optional[bool] = None  # of the section being read
        for i, child in enumerate(children):
            if section_starts_with_table is None:
                section_starts_with_table = child.tag == TBL
            if child.tag == TBL:
                self._table(child)
                continue
            para = self._paragraph(child, carry)
            carry = None
            if para.ppr is not None and para.ppr.find(SECT_PR) is not None:
                starts_with_table, section_starts_with_table = section_starts_with_table, None
                if _section_break_only(para, bool(starts_with_table)):
                    self._record_revisions(para.revisions, para.number)
                    continue
            # A deleted paragraph mark joins this paragraph to the next one once the
            # change is accepted (an inserted one, once it is rejected); the joined
            # paragraph keeps the next one's properties.
            if para.mark_deleted and i + 1 < len(children) and children[i + 1].tag == P:
                carry = para
                continue
            if para.mark_deleted and not "".join(para.pieces).strip():
                # Deleted whole before a table or at the end: nothing is left of it
                # once the changes are accepted, not even its list number.
                self._record_revisions(para.revisions, para.number)
                continue
            sink(self._finish(para))

    def _table(self, tbl: Any) -> None:
        self.tables += 1
        number = self.tables
        shape = Table(number, part=self.part)
        self.table_shapes.append(shape)
        grid = TableGrid(shape)
        for tr in self._cells(tbl, TR):
            row = grid.new_row()
            trpr = tr.find(TRPR)
            grid.skip(_int(_val(trpr, W + "gridBefore"), 0) or 0)
            # Word repeats a w:tblHeader row on every page: the table's header row
            mark = trpr.find(W + "tblHeader") if trpr is not None else None
            header = mark is not None and _on(mark.get(VAL, "1"))
            for tc in self._cells(tr, TC):
                tcpr = tc.find(TCPR)
                span = max(1, _int(_val(tcpr, W + "gridSpan"), 1) or 1)
                vcont = hcont = False
                if tcpr is not None:
                    vmerge = tcpr.find(W + "vMerge")
                    hmerge = tcpr.find(W + "hMerge")
                    vcont = vmerge is not None and vmerge.get(VAL, "continue") == "continue"
                    hcont = hmerge is not None and hmerge.get(VAL, "continue") == "continue"
                if (vcont and grid.extend_down(span)) or (hcont and grid.extend_right(span)):
                    col, continued = None, True
                else:
                    col, continued = grid.add(header=header, colspan=span).col, False
                paras: list[_Finished] = []
                outer, nested = self.blocks, []
                self.blocks = nested  # a nested table's cells follow this cell
                self._blocks(tc, paras.append)
                self.blocks = outer
                self._emit_cell(paras, number, row, col or 0, continued)
                self.blocks.extend(nested)
        shape.header_source = "marked" if any(c.header for c in shape.cells) else None

    def _cells(self, parent: Any, tag: str) -> Iterator[Any]:
        """Rows of a table or cells of a row, looking through w:sdt / w:customXml."""
        for child in parent:
            if child.tag == tag:
                yield child
            elif child.tag == SDT:
                content = child.find(SDT_CONTENT)
                if content is not None:
                    yield from self._cells(content, tag)
            elif child.tag == CUSTOM_XML:
                yield from self._cells(child, tag)

    # ---- paragraph level

    def _paragraph(self, p: Any, carry: Optional[_Para]) -> _Para:
        number: Optional[int] = None
        if self.count_paragraphs:
            self.paragraphs += 1
            number = self.paragraphs
        self._pieces, self._revs, self._rev, self._rev_adjacent = [], [], None, False
        self._has_text = self._page_break = False
        ppr = None
        for child in p:
            if child.tag == PPR:
                ppr = child
            else:
                self._inline(child, False)
        # A field whose instruction is still open at the paragraph end is broken
        # (instructions cannot hold a paragraph mark): drop it so it cannot hide the
        # rest of the document.
        while self._fields and self._fields[-1] == _INSTR:
            self._fields.pop()
        mark_deleted = False
        if ppr is not None:
            rpr = ppr.find(RPR)
            if rpr is not None and any(rpr.find(tag) is not None for tag in self.joining_mark):
                mark_deleted = True
            if self.hidden_kind == "insertion":
                # Rejected: a tracked change of paragraph properties (numbering, style)
                # keeps the properties it replaced.
                change = ppr.find(PPR_CHANGE)
                old = change.find(PPR) if change is not None else None
                if old is not None:
                    ppr = old
        para = _Para(number, ppr, self._pieces, self._revs, mark_deleted, self._has_text, self._page_break)
        if carry is not None:
            para.has_text = para.has_text or carry.has_text
            para.number = carry.number
            para.pieces = carry.pieces + para.pieces
            para.revisions = carry.revisions + para.revisions
        return para

    def _inline(self, el: Any, deleted: bool) -> None:
        tag = el.tag
        if tag == R:
            self._run(el, deleted)
        elif tag in _INLINE_WRAPPERS:
            for child in el:
                self._inline(child, deleted)
        elif tag in _REVISION_TAGS:
            kind = _REVISION_TAGS[tag]
            saved = self._rev
            self._rev = (kind, el.get(W + "author"), el.get(W + "date"))
            for child in el:
                self._inline(child, deleted or kind == self.hidden_kind)
            self._rev = saved
        elif tag == SDT:
            content = el.find(SDT_CONTENT)
            if content is not None:
                for child in content:
                    self._inline(child, deleted)
        elif tag == OMATH or tag == OMATH_PARA:
            for t in el.iter(M_T):
                self._text(t.text or "", deleted)
        elif tag == RUBY:
            base = el.find(RUBY_BASE)
            if base is not None:
                for child in base:
                    self._inline(child, deleted)
        # Everything else (bookmarks, comment ranges, proofing marks, drawings,
        # alternate content) contributes no text.

    def _run(self, r: Any, deleted: bool) -> None:
        hidden = False
        for child in r:
            tag = child.tag
            if tag == T or tag == DEL_TEXT:
                if child.text:
                    self._has_text = True
                if not hidden:
                    text = child.text or ""
                    if len(child):  # unexpanded entity references: keep only real text
                        text += "".join(c.tail or "" for c in child)
                    self._text(text, deleted)
            elif tag == RPR:
                v = child.find(VANISH)
                hidden = v is not None and _on(v.get(VAL, "1"))
            elif tag == FLD_CHAR:
                ftype = child.get(W + "fldCharType")
                if ftype == "begin":
                    self._fields.append(_INSTR)
                elif ftype == "separate":
                    if self._fields:
                        self._fields[-1] = _RESULT
                elif ftype == "end":
                    if self._fields:
                        self._fields.pop()
            elif hidden or tag == INSTR_TEXT or tag == DEL_INSTR_TEXT:
                continue
            elif tag == TAB or tag == PTAB:
                self._text("\t", deleted)
            elif tag == BR:
                if child.get(W + "type") == "page":
                    self._page_break = True
                self._text(" " if child.get(W + "type") in ("page", "column") else "\n", deleted)
            elif tag == CR:
                self._text("\n", deleted)
            elif tag == NO_BREAK_HYPHEN:
                self._text("-", deleted)
            elif tag == SYM:
                self._text(_symbol(child), deleted)
            elif tag in _DRAWINGS:
                if next(child.iter(TXBX), None) is not None:
                    self.skipped_text_boxes += 1
            # w:softHyphen, references, page-break marks: no text

    def _text(self, text: str, deleted: bool) -> None:
        if not text or _INSTR in self._fields:
            return
        if not deleted:
            self._pieces.append(text)
        rev = self._rev
        if rev is None:
            self._rev_adjacent = False
            return
        last = self._revs[-1] if self._revs else None
        # Word splits one change into several w:ins/w:del by run formatting; join
        # pieces of the same change that follow each other with no other text between.
        if self._rev_adjacent and last is not None and (last[0], last[1], last[2]) == rev:
            last[3] += text
        else:
            self._revs.append([rev[0], rev[1], rev[2], text])
        self._rev_adjacent = True

    # ---- labels, kinds, headings

    def _finish(self, para: _Para) -> _Finished:
        ppr = para.ppr
        style_id = num_id = None
        ilvl: Optional[int] = None
        outline: Optional[int] = None
        if ppr is not None:
            style_id = _val(ppr, PSTYLE) or None
            numpr = ppr.find(NUMPR)
            if numpr is not None:
                num_id = _val(numpr, NUMID)
                ilvl = _int(_val(numpr, ILVL))
            outline = _int(_val(ppr, OUTLINE))
        style = self.styles.resolve(style_id)
        num_style = None
        if num_id is None or num_id == "":
            num_id, num_style = style.num_id, style.num_style
            if ilvl is None:
                ilvl = style.ilvl
        text = _finish_text(para.pieces)

        kind = PARAGRAPH
        label: Optional[str] = None
        level: Optional[int] = None
        list_id: Optional[str] = None
        if num_id and num_id.strip() not in ("0", ""):
            num_id = num_id.strip()
            if ilvl is None:
                # A style with numPr but no ilvl uses the level linked to that style.
                ids = [s for s in (style_id, num_style) if s]
                ilvl = self.numbering.level_for_style(num_id, ids) if ids else None
            ilvl = min(max(ilvl or 0, 0), 8)
            result: ListLabel = self.numberer.next(num_id, ilvl)
            self.numbered += 1
            if not result.resolved:
                self.unresolved += 1
                self.missing_num_ids.add(num_id)
            elif result.bullet:
                self.bullets += 1
            kind, label, level, list_id = LIST_ITEM, result.label, ilvl, num_id
            if label is not None:
                label = normalize(label).strip() or None

        heading: Optional[int] = None
        if outline is not None:
            heading = outline + 1 if 0 <= outline <= 8 else None
        else:
            heading = style.heading_level
        if heading is not None:
            if _reads_as_heading(text):
                kind = HEADING
            else:
                # Some templates style whole numbered clauses as Heading 2/3; those
                # are operative text, so they stay list items / paragraphs.
                heading = None
                self.demoted_headings += 1
        return _Finished(para.number, text, kind, label, level, heading, list_id, style.name, para.revisions)

    # ---- output

    def _record_revisions(self, revs: list[list[Any]], number: Optional[int]) -> None:
        for kind, author, date, text in revs:
            text = normalize(text).strip()
            if text:
                self.revisions.append(Revision(kind=kind, text=text, author=author, date=date, paragraph=number))

    def _emit_paragraph(self, fin: _Finished) -> None:
        self._record_revisions(fin.revisions, fin.number)
        if not fin.text:
            return
        self.blocks.append(
            RawBlock(
                text=fin.text,
                kind=fin.kind,
                label=fin.label,
                label_source="numbering" if fin.label is not None else None,
                level=fin.level,
                heading_level=fin.heading_level,
                paragraph=fin.number,
                part=self.part,
                list_id=fin.list_id,
                style=fin.style,
            )
        )

    def _emit_cell(self, paras: list[_Finished], table: int, row: int, col: int, continued: bool) -> None:
        filled = [f for f in paras if f.text]
        first = filled[0] if filled else None
        number = first.number if first is not None else None
        for fin in paras:
            self._record_revisions(fin.revisions, number if number is not None else fin.number)
        if continued or first is None:
            return  # a vertically/horizontally merged continuation shows the first cell
        if len(filled) == 1:
            text, label, level, list_id = first.text, first.label, first.level, first.list_id
        else:
            # Several paragraphs make one cell block; their labels stay in the text so
            # a cell holding "(a) ... (b) ..." still reads as displayed.
            text = "\n".join(f"{f.label} {f.text}" if f.label else f.text for f in filled)
            label = level = list_id = None
        self.blocks.append(
            RawBlock(
                text=text,
                kind=TABLE_CELL,
                label=label,
                label_source="numbering" if label is not None else None,
                level=level,
                paragraph=number,
                table=table,
                row=row,
                col=col,
                part=self.part,
                list_id=list_id,
                style=first.style,
            )
        )


def _section_break_only(para: _Para, section_starts_with_table: bool) -> bool:
    """Whether ``para``, which carries a section break (w:sectPr), is only that break.

    An empty paragraph holding a section break is shown as the break, not as a
    paragraph, and takes no list number: a template's empty "Heading 1" that ends the
    cover page is not clause 1. LibreOffice, the reference renderer, keeps it only
    when the section began with a table (it then holds the section on its own), and
    never when it holds a page break, which goes to the next page instead.
    """
    if para.has_text:
        return False
    return para.page_break or not section_starts_with_table


def _val(el: Any, tag: str) -> Optional[str]:
    if el is None:
        return None
    child = el.find(tag)
    return None if child is None else child.get(VAL, "")


def _symbol(sym: Any) -> str:
    code = _int_hex(sym.get(W + "char"))
    if code is None:
        return ""
    font = (sym.get(W + "font") or "").lower()
    if 0xF000 <= code <= 0xF0FF:
        code -= 0xF000
        if "wingding" in font or "webding" in font:
            return _WINGDINGS.get(code, "")
        if "symbol" in font:
            return _SYMBOL_FONT.get(code, "")
        return chr(code) if 0x20 <= code < 0x7F else ""
    if "wingding" in font or "webding" in font:
        return _WINGDINGS.get(code, "")
    if "symbol" in font:
        return _SYMBOL_FONT.get(code, chr(code) if 0x20 <= code < 0x7F else "")
    try:
        return chr(code) if code >= 0x20 else ""
    except (ValueError, OverflowError):  # beyond U+10FFFF, or beyond a C int
        return ""


def _int_hex(value: Optional[str]) -> Optional[int]:
    if not value:
        return None
    try:
        return int(value, 16)
    except ValueError:
        return None


_SENTENCE_BREAK = re.compile(r"[.;:!?][\"')\]]?\s+\S")
HEADING_MAX_WORDS = 15


def _reads_as_heading(text: str) -> bool:
    """Whether heading-styled ``text`` looks like a heading, not a clause.

    A heading is short; a long paragraph, or a sentence of more than six words, is a
    clause that merely wears a heading style.
    """
    words = len(text.split())
    if words > HEADING_MAX_WORDS:
        return False
    if words > 6 and (text.rstrip().endswith((".", ";", ":")) or _SENTENCE_BREAK.search(text)):
        return False
    return True


def _finish_text(pieces: list[str]) -> str:
    text = normalize("".join(pieces))
    if "\n" in text:
        text = _EMPTY_LINES.sub("\n", text)
    return text.strip()


# ----------------------------------------------------------------------------- entry point


def read(data: bytes, path: str, limits: Limits, tracked_changes: str = "accept") -> Extracted:
    """Read a .docx file's bytes into raw blocks (see the module docstring).

    ``tracked_changes``: ``"accept"`` (the text once every change is accepted) or
    ``"reject"`` (the text before the changes).
    """
    if tracked_changes not in TRACKED_CHANGES:
        raise ValueError(f"tracked_changes must be one of {TRACKED_CHANGES}, not {tracked_changes!r}")
    try:
        return _read(data, limits, tracked_changes)
    except ClauseLintError:
        raise
    except RecursionError:
        raise _corrupt("XML nested too deeply") from None
    except MemoryError:
        raise LimitExceeded("document too large to read in memory") from None
    except (etree.LxmlError, zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError) as exc:
        # Library errors on odd input we did not foresee still read as one line.
        raise _corrupt(_short(exc)) from None


def _read(data: bytes, limits: Limits, tracked_changes: str = "accept") -> Extracted:
    pkg = _Package(data, limits)

    main = None
    for rtype, name in pkg.relationships(""):
        if rtype == "officeDocument" and pkg.has(name):
            main = name
            break
    if main is None:
        main = "word/document.xml"
    root = pkg.xml(main)
    if root is None:
        raise _corrupt("no word/document.xml in the archive")
    body = root.find(W + "body")
    if body is None:
        raise _corrupt(f"{main} has no w:body (not a WordprocessingML document)")

    related: dict[str, list[str]] = {}
    for rtype, name in pkg.relationships(main):
        related.setdefault(rtype, []).append(name)

    def optional_part(name: str) -> Optional[Any]:
        # A broken styles, numbering, header or notes part costs that part, not the
        # document: the body is still read (numbering then counts as unresolved).
        try:
            return pkg.xml(name)
        except CorruptFile as exc:
            pkg.warnings.append(f"{name} skipped: {exc.message.removeprefix('not a valid .docx: ')}")
            return None

    def first_part(rtype: str) -> Optional[Any]:
        for name in related.get(rtype, []):
            if pkg.has(name):
                return optional_part(name)
        return None

    styles = Styles(first_part("styles"))
    numbering = Numbering(first_part("numbering"), styles)

    reader = _PartReader(styles, numbering, BODY, count_paragraphs=True, tracked_changes=tracked_changes)
    reader.read_blocks(body)
    blocks = list(reader.blocks)

    # Headers, footers and notes: readable, not linted. Word repeats the same header
    # in several parts (first page, even pages, each section); keep one of each text.
    seen: set[tuple[str, str, Optional[str]]] = set()
    for rtype, part in (("header", HEADER), ("footer", FOOTER), ("footnotes", FOOTNOTE), ("endnotes", FOOTNOTE)):
        for name in sorted(set(related.get(rtype, [])), key=_natural):
            if not pkg.has(name):
                continue
            proot = optional_part(name)
            if proot is None:
                continue
            other = _PartReader(styles, numbering, part, count_paragraphs=False, tracked_changes=tracked_changes)
            if rtype in ("footnotes", "endnotes"):
                for note in proot:
                    if note.get(W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
                        continue
                    other.read_blocks(note)
            else:
                other.read_blocks(proot)
            for block in other.blocks:
                key = (part, block.text, block.label)
                if key not in seen:
                    seen.add(key)
                    blocks.append(block)

    warnings = list(pkg.warnings)
    if reader.skipped_text_boxes:
        warnings.append(f"{reader.skipped_text_boxes} text box(es) in the body were not read")
    if reader.skipped_alt_chunks:
        warnings.append(f"{reader.skipped_alt_chunks} embedded document chunk(s) (altChunk) were not read")
    if reader.unresolved:
        missing = ", ".join(sorted(reader.missing_num_ids, key=_natural))
        where = "numbering.xml is missing" if not numbering.present else f"no definition for list {missing}"
        warnings.append(
            f"{reader.unresolved} numbered paragraph(s) have unknown list labels ({where})"
        )
    numbering_resolved: Optional[bool] = None
    if reader.numbered:
        numbering_resolved = reader.unresolved == 0
    metadata = {
        "paragraphs": reader.paragraphs,
        "tables": reader.tables,
        "numbered_paragraphs": reader.numbered,
        "bullet_paragraphs": reader.bullets,
        "unresolved_numbered_paragraphs": reader.unresolved,
        "revisions": len(reader.revisions),
        "tracked_changes": tracked_changes,
        "heading_styled_clauses": reader.demoted_headings,
    }
    return Extracted(
        format="docx",
        blocks=blocks,
        numbering_resolved=numbering_resolved,
        revisions=reader.revisions,
        tables=reader.table_shapes,
        warnings=warnings,
        metadata=metadata,
    )
