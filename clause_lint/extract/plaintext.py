"""Plain-text reader: bytes in any common encoding → paragraphs.

Real contracts saved as text are hard-wrapped at 70-80 columns, indent their list
items, and number clauses without blank lines between them. Paragraphs here are:
lines separated by blank lines, split further where a line starts with a number or a
bullet, or where a line break is deliberate (the next word would have fitted on the
line, so the writer broke it on purpose). Numbers stay in the text: ``structure``
detects them. ``# clause-lint: …`` and ``// clause-lint: …`` lines are directives, not
text: they are recorded in ``metadata["comments"]`` and dropped.
"""

from __future__ import annotations

import codecs
import re
from typing import Optional

from ..errors import ClauseLintError, CorruptFile
from ..limits import Limits
from ..model import BODY, FOOTER, HEADING, LIST_ITEM, PARAGRAPH, Extracted, RawBlock

# --------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Single-byte Western encodings charset-normalizer may name for cp1252 text; cp1252 is
# what such files almost always are (smart quotes at 0x91-0x94).
_WESTERN = {
    "cp1252", "windows-1252", "latin_1", "iso8859_1", "iso-8859-1", "iso8859_15", "cp1250",
    "cp1254", "cp1257", "mac_roman", "iso8859_2", "iso8859_9", "iso8859_13", "cp850", "cp437",
}


def decode(data: bytes, declared: Optional[str] = None) -> tuple[str, str]:
    """Decode ``data``; return ``(text, encoding)``. Never raises on bad bytes.

    Order: BOM, UTF-16 without BOM (NUL pattern), ``declared`` (e.g. an HTML meta
    charset), UTF-8, charset-normalizer's guess, cp1252, Latin-1.
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace"), enc
    enc16 = _utf16_without_bom(data)
    if enc16:
        return data.decode(enc16, errors="replace"), enc16
    if declared:
        try:
            codecs.lookup(declared)
            return data.decode(declared), declared.lower()
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    guess: Optional[str] = None
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        if best is not None:
            guess = best.encoding
    except Exception:  # a guesser's failure must never stop reading
        guess = None
    if guess and guess.lower().replace("-", "_") not in {w.replace("-", "_") for w in _WESTERN}:
        try:
            return data.decode(guess), guess
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _utf16_without_bom(data: bytes) -> Optional[str]:
    head = data[:4096]
    if len(head) < 4 or b"\x00" not in head:
        return None
    half = len(head) // 2
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    if odd > 0.4 * half and even < 0.05 * half:
        return "utf-16-le"  # ASCII letters then NUL: little-endian
    if even > 0.4 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


# --------------------------------------------------------------------------------------
# Line classification
# --------------------------------------------------------------------------------------

_DIRECTIVE = re.compile(r"^\s*(?:#|//)\s*(clause-lint\s*:.*?)\s*$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*([-*•·▪◦‣●○■□►➢–+])(?:\s+|\t)(?=\S)")
_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(\S.*?)\s*#*\s*$")
_RULE = re.compile(r"^\s*([-=*_~#+])(?:\s*\1){2,}\s*$")
# Cheap prefilter: could this line start with a label? structure.detect_label decides.
_MAYBE_LABEL = re.compile(
    r"^\s*(?:\(?[0-9ivxlcIVXLCa-zA-Z]{1,6}[.)]|\d{1,3}(?:\.\d{1,3})+|\d{1,3}\(|\d{1,3}\s{2,}|\d{1,3}\t|"
    r"(?:section|sec\.|§|article|art\.|schedule|exhibit|annex|appendix|attachment|clause|part|chapter)\b)",
    re.IGNORECASE,
)
_PAGE_NUMBER = re.compile(r"^\s*(?:-\s*)?(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?(?:\s*-)?\s*$", re.IGNORECASE)
_STRONG_KEYWORD = re.compile(r"^\s*(?:ARTICLE|SECTION|SCHEDULE|EXHIBIT|ANNEX|APPENDIX)\b")
_END_SENTENCE = re.compile(r"[.:;!?][\"')\]]*$|\b(?:and|or)$")
# A line ending in a word that a number continues: a cross-reference wrapped at the number.
_XREF_END = re.compile(
    r"\b(?:sections?|sec\.|clauses?|articles?|paragraphs?|subsections?|schedules?|exhibits?|annex(?:es)?|"
    r"appendix|appendices|items?|parts?|chapters?|rules?|§|of|to|under|in|with|see|per|than|and|or|the|a|an|at|by)$",
    re.IGNORECASE,
)


def _label_at(line: str) -> Optional[str]:
    """The label a line starts with, if any (using structure's detector)."""
    if not _MAYBE_LABEL.match(line):
        return None
    from ..structure import detect_label  # one detector for readers and structure

    found = detect_label(line.strip())
    return found[0].text if found else None


def _is_all_caps(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return len(letters) >= 3 and sum(c.isupper() for c in letters) >= 0.9 * len(letters)


def looks_like_heading(text: str, numbered: bool, followed_by_blank: bool, before_text: bool = False) -> bool:
    """A one-line block that reads as a title: ALL CAPS and short, or short,
    title-cased and set apart by a blank line."""
    s = text.strip()
    words = s.split()
    if not words or len(s) > 90 or len(words) > 12:
        return False
    if s.endswith((",", ";")) or s.endswith(":") and not numbered and not _is_all_caps(s):
        return False
    body = s
    if numbered:
        from ..structure import detect_label

        found = detect_label(s, heading=True)
        if found:
            body = found[1].strip()
        if not body:
            return True
    bwords = body.split()
    if not bwords:
        return False
    if body.endswith(".") and len(bwords) > (6 if numbered else 4):
        return False
    if _is_all_caps(body) and len(bwords) <= 10:
        return not body.endswith(".") or len(bwords) <= 6
    # "2. License and Restrictions" straight above its unnumbered text is a heading; a
    # run of short numbered lines ("1. Weapons Development" "2. …") is a list.
    if not followed_by_blank and not (before_text and numbered and len(bwords) <= 8 and not body.endswith((".", ":", "!", "?"))):
        return False
    if not numbered and (re.search(r":\s+\S", body) or "@" in body or "http" in body or body.count(",") > 1):
        return False  # "Address: …", "Date of Release: …" are fields, not titles
    if len(bwords) > 8:
        return False
    if body.endswith((".", "!", "?")) and not numbered:
        return False
    if not (body[0].isupper() or body[0].isdigit() or body[0] in "\"'("):
        return False
    content = [w for w in bwords if len(w) >= 4 and w[0].isalpha()]
    if not content:
        return True
    caps = sum(1 for w in content if w[0].isupper())
    return caps >= 0.5 * len(content)


_FIELD_OR_ADDRESS = re.compile(r"[:;]\s|@|https?:|www\.|\d{3,}")


def _standalone_title(text: str, prev: Optional[RawBlock], next_line: str) -> bool:
    """A short Title Case line between paragraphs with no blank line around it
    ("Prohibited Uses" after a sentence and before the text it heads).

    It must follow a paragraph (or a heading, or start the file) — after a lead-in
    ending in ":" or a short item it is a list item — and be followed by running text, not
    by another short line (a run of short lines is a list or an address block).
    """
    words = text.split()
    if not 1 <= len(words) <= 8 or len(text) > 80 or text[-1] in ".:;,!?" or not text[0].isupper():
        return False
    if _FIELD_OR_ADDRESS.search(text) or text.count(",") > 1:
        return False
    content = [w for w in words if len(w) >= 4 and w[0].isalpha()]
    if not content or not all(w[0].isupper() for w in content):
        return False
    if prev is not None and prev.kind != HEADING and not re.search(r"[.!?][\"')\]]*$", prev.text):
        # a paragraph that ends in a link still ends; a lead-in or a short item does not
        last = prev.text.split()[-1] if prev.text.split() else ""
        if not re.search(r"/|@|https?:|www\.", last) or len(prev.text.split()) <= 12:
            return False
    nxt = next_line.strip()
    return nxt[:1].isupper() and (len(nxt.split()) > 8 or bool(re.search(r"[.:;!?][\"')\]]*$", nxt)))


# --------------------------------------------------------------------------------------
# Grouping lines into blocks
# --------------------------------------------------------------------------------------


def _wrap_width(lines: list[str]) -> int:
    """The column the text is wrapped at; above 160 means one paragraph per line."""
    lengths = sorted(len(x.rstrip().expandtabs(4)) for x in lines if x.strip())
    if not lengths:
        return 80
    if sum(1 for n in lengths if n > 150) >= 0.15 * len(lengths):
        return 10_000  # paragraphs written on one line each
    return lengths[int(0.9 * (len(lengths) - 1))]


class _Builder:
    """Collects lines of the current paragraph and emits RawBlocks."""

    def __init__(self, width: int, first_line: int = 1) -> None:
        self.width = width
        self.unwrapped = width > 160
        self.blocks: list[RawBlock] = []
        self.cur: list[str] = []
        self.cur_start = 0
        self.cur_end = 0
        self.cur_kind = PARAGRAPH
        self.cur_level: Optional[int] = None
        self.cur_indent = 0

    def flush(self, followed_by_blank: bool = True, before_text: bool = False, next_line: Optional[str] = None) -> None:
        if not self.cur:
            return
        text = ""
        for part in self.cur:
            part = part.strip()
            if not text:
                text = part
            elif text.endswith("-") and len(text) > 1 and text[-2].isalpha():
                text += part  # "non-\ntransferable" → "non-transferable"
            else:
                text += " " + part
        kind = self.cur_kind
        heading_level = None
        part = BODY
        if kind == PARAGRAPH and len(self.cur) == 1 and followed_by_blank and _PAGE_NUMBER.match(text):
            part = FOOTER  # a page number left by a PDF-to-text conversion is not text
        elif kind == PARAGRAPH and len(self.cur) == 1:
            numbered = _label_at(text) is not None
            if looks_like_heading(text, numbered, followed_by_blank, before_text):
                kind = HEADING
            elif not numbered and next_line is not None and _standalone_title(
                text, self.blocks[-1] if self.blocks else None, next_line
            ):
                kind = HEADING
        if text:
            self.blocks.append(
                RawBlock(text=text, kind=kind, line=self.cur_start, end_line=self.cur_end, heading_level=heading_level, level=self.cur_level, part=part)
            )
        self.cur = []
        self.cur_kind = PARAGRAPH
        self.cur_level = None

    def start(self, line: str, lineno: int, kind: str = PARAGRAPH, level: Optional[int] = None) -> None:
        before_text = kind == PARAGRAPH and _label_at(line) is None
        self.flush(followed_by_blank=False, before_text=before_text, next_line=line if before_text else None)
        self.cur = [line]
        self.cur_start = self.cur_end = lineno
        self.cur_kind = kind
        self.cur_level = level
        self.cur_indent = len(line) - len(line.lstrip())

    def add(self, line: str, lineno: int) -> None:
        self.cur.append(line)
        self.cur_end = lineno

    def deliberate_break(self, prev: str, line: str) -> bool:
        """Was the break after ``prev`` the writer's choice rather than the wrap?"""
        nxt = line.strip()
        if nxt[:1].islower() or prev.rstrip().endswith((",", "-")):
            return False  # a sentence going on: "…harm of living beings,\nor included…"
        if self.unwrapped:
            return True
        p = prev.rstrip().expandtabs(4)
        first = nxt.split(" ", 1)[0]
        fits = len(p) + 1 + len(first) < 0.8 * self.width
        if fits and _END_SENTENCE.search(p):
            return True
        if fits and len(p.strip()) < 0.5 * self.width and line.strip()[:1].isupper():
            return True
        return False


def split_lines(
    lines: list[str],
    first_line: int = 1,
    comments: Optional[list[dict]] = None,
    width: Optional[int] = None,
    directives: bool = True,
    headings: bool = True,
) -> list[RawBlock]:
    """Group text lines into paragraph blocks (used by the Markdown and HTML readers too)."""
    b = _Builder(width if width is not None else _wrap_width(lines))
    prev: Optional[str] = None  # previous non-blank line of the current block
    for i, raw in enumerate(lines):
        lineno = first_line + i
        line = raw.replace("\x0c", "").rstrip("\r\n")
        if directives:
            d = _DIRECTIVE.match(line)
            if d:
                if comments is not None:
                    comments.append({"line": lineno, "text": d.group(1)})
                b.flush()
                prev = None
                continue
        if not line.strip():
            b.flush(followed_by_blank=True)
            prev = None
            continue
        if _RULE.match(line):
            # A rule under a single line makes it a heading (setext style); else a break.
            if b.cur and len(b.cur) == 1 and b.cur_kind == PARAGRAPH and line.strip()[0] in "=-*~#" and len(b.cur[0].strip()) <= 90:
                text = b.cur[0].strip()
                b.blocks.append(RawBlock(text=text, kind=HEADING, line=b.cur_start, end_line=lineno, heading_level=1 if line.strip()[0] == "=" else 2))
                b.cur = []
            else:
                b.flush()
            prev = None
            continue
        if headings:
            atx = _ATX.match(line)
            if atx:
                b.flush()
                b.blocks.append(RawBlock(text=atx.group(2), kind=HEADING, heading_level=len(atx.group(1)), line=lineno, end_line=lineno))
                prev = None
                continue
        bullet = _BULLET.match(line)
        if bullet:
            indent = len(line[: bullet.start(1)].expandtabs(4))
            b.start(line[bullet.end():], lineno, kind=LIST_ITEM, level=None)
            b.cur_indent = indent
            prev = line
            continue
        if prev is None:
            b.start(line, lineno)
            prev = line
            continue
        # Inside a paragraph: does this line start a new block?
        new_block = False
        label = _label_at(line)
        if label is not None:
            p = prev.rstrip()
            rest = line.strip()[len(label):].lstrip(" .)\t")
            if _END_SENTENCE.search(p) or not p[-1:].isalnum() and not p.endswith(("-", ",")) or _STRONG_KEYWORD.match(line):
                new_block = True
            elif p.endswith(("-", ",")) or _XREF_END.search(p):
                new_block = False  # "… under Section" + "5.2 of the Master Agreement"
            elif (b.unwrapped or len(p.expandtabs(4)) < 0.75 * b.width
                  or ((line[:1] in " \t" or prev != prev.rstrip(" \t")) and (rest[:1].isupper() or rest[:1] in "\"'("))):
                # An enumerator after a short line, an indent or a line the writer ended
                # ("Violence or terrorism " then "\t\tii. Exploitation …") opens an item;
                # a full line going on with "(30) days" is still a wrap.
                new_block = True
            elif b.deliberate_break(prev, rest or line):
                new_block = True  # the enumerator itself may be lower-case ("ii.", "b.")
        elif b.cur_kind == PARAGRAPH and len(b.cur) == 1 and _is_all_caps(prev) and not _is_all_caps(line) and len(prev.strip()) <= 90:
            new_block = True  # "MICROSOFT RESEARCH LICENSE TERMS" over its first paragraph
        elif b.deliberate_break(prev, line):
            new_block = True
        if new_block:
            b.start(line, lineno)
        else:
            b.add(line, lineno)
        prev = line
    b.flush(followed_by_blank=True)
    return _split_collapsed(b.blocks)


# CUAD-style text collapses a page of paragraphs onto one line separated by runs of
# spaces: "… as follows:   1. Definitions.   a. "Company" shall …". Split there.
_COLLAPSED = re.compile(r"(?<=[.:;])\s{3,}(?=(?:\d{1,3}(?:\.\d{1,3})*\.?|\(?[a-zA-Z]{1,4}[.)]|\([0-9a-zA-Z]{1,4}\))\s+[\"A-Z(])")


def _split_collapsed(blocks: list[RawBlock]) -> list[RawBlock]:
    out: list[RawBlock] = []
    for blk in blocks:
        if blk.kind == HEADING or len(blk.text) < 200 or not _COLLAPSED.search(blk.text):
            out.append(blk)
            continue
        pieces = [p for p in _COLLAPSED.split(blk.text) if p.strip()]
        for piece in pieces:
            out.append(RawBlock(text=piece.strip(), kind=PARAGRAPH, line=blk.line, end_line=blk.end_line))
    return out


def read(data: bytes, path: str, limits: Limits) -> Extracted:
    """Read a plain-text document."""
    try:
        text, encoding = decode(data)
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        comments: list[dict] = []
        blocks = split_lines(lines, comments=comments)
    except ClauseLintError:
        raise
    except (RecursionError, MemoryError) as exc:
        raise CorruptFile(f"cannot read text ({type(exc).__name__})") from None
    return Extracted(format="txt", blocks=blocks, metadata={"encoding": encoding, "comments": comments})
