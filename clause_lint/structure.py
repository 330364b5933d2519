"""Structure: a reader's raw blocks → the :class:`~clause_lint.model.Document` the engine reads.

What happens here, in order:

1. Body blocks are separated from headers/footers/footnotes (``Document.other_parts``).
2. Each block's text is normalised; where the reader left ``label`` as ``None`` the
   number at the start of the text (``4.2``, ``(b)``, ``Section 5``, ``ARTICLE IV``) is
   detected and moved into ``label``.
3. A stack of open labels composes the full section as cited in context
   (``4`` → ``4.2`` → ``4.2(b)`` → ``4.2(b)(iii)``); unnumbered blocks inherit the
   section of the numbered block they follow.
4. Heading chains, lead-ins of list items, defined terms and non-operative blocks
   (headings, recitals, tables of contents, signature blocks) are recorded.

Offsets: ``Document.text`` is the block texts (without their own labels) joined by
``"\\n"``, so ``Document.text[b.start:b.end] == b.text`` for every body block. Blocks in
``other_parts`` index the same way into ``Document.metadata["other_text"]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from .model import (
    BODY,
    HEADING,
    LIST_ITEM,
    PARAGRAPH,
    TABLE_CELL,
    Block,
    DefinedTerm,
    Document,
    Extracted,
    RawBlock,
    Table,
)
from .text import normalize_inline

# --------------------------------------------------------------------------------------
# Label detection
# --------------------------------------------------------------------------------------

# Label types. A "scheme" is (style, type): the same type in another style ("a." vs
# "(a)") is another list level in real documents, so they are kept apart.
DECIMAL = "decimal"  # 4
MULTI = "multi"  # 4.2, 4.2(b), 4.2(b)(iii): carries its ancestors
LOWER = "lower"  # a
UPPER = "upper"  # A
ROMAN = "roman"  # iv
UROMAN = "Roman"  # IV
KEYWORD = "keyword"  # Section 5, Article IV, Schedule 2
BULLET = "bullet"

_KEYWORDS = {
    "section": "Section",
    "sec.": "Section",
    "sec": "Section",
    "§": "§",
    "§§": "§",
    "article": "Article",
    "art.": "Article",
    "schedule": "Schedule",
    "exhibit": "Exhibit",
    "annex": "Annex",
    "appendix": "Appendix",
    "attachment": "Attachment",
    "clause": "Clause",
    "part": "Part",
    "chapter": "Chapter",
}
# Keywords that open a division of their own (a new Article closes the previous one).
_TOP_KEYWORDS = {"Article", "Schedule", "Exhibit", "Annex", "Appendix", "Attachment", "Part", "Chapter"}
# Divisions appended after the operative text: a signature block does not end them.
_ANNEX_KEYWORDS = {"Schedule", "Exhibit", "Annex", "Appendix", "Attachment"}
# Keywords under which a bare "1." is a sibling numbering, not a child (creative licences
# write "Section I: Preamble" then "1. Definitions").
_FLAT_KEYWORDS = {"Section", "§", "Clause", "Article", "Part", "Chapter"}

# Words that cannot start the title after a keyword label: "Section 5 of this
# Agreement", "SECTION 11 OF THIS AGREEMENT CONTAINS" are cross-references, not labels.
_XREF_WORDS = {
    "of", "in", "to", "and", "or", "will", "shall", "may", "must", "is", "are", "was",
    "were", "above", "below", "hereof", "herein", "hereto", "applies", "apply", "does",
    "do", "has", "have", "contains", "contain", "sets", "set", "provides", "states",
    "also", "which", "that", "as", "for", "on", "by", "with", "through", "cannot", "can",
    "survives", "survive", "shall", "would", "should", "describes", "governs", "at",
    "from", "hereunder", "thereof", "through", "be", "being", "the", "a", "an",
}

_BULLET_LABELS = {"•", "-", "*", "o", "▪", "◦", "‣", "·", "", "–", "", "", "", "✓", "■", "□", "►", "➢"}

_KEYWORD_RE = re.compile(
    r"^(?P<kw>section|sec\.?|§§?|article|art\.|schedule|exhibit|annex|appendix|attachment|clause|part|chapter)"
    r"\s*(?P<num>\d{1,3}(?:\.\d{1,3})*[a-z]?|[ivxlc]{1,7}|[a-z])(?!\w|\.\w)"
    r"(?P<sub>(?:\([a-z0-9]{1,5}\))*)"
    r"(?P<sep>\s*[.:)]\s*|\s*[-–—]\s+|\s+|$)",
    re.IGNORECASE,
)
# A division named without a number: "SCHEDULE", "Schedule - Charges", "Annex: Data".
_BARE_DIVISION_RE = re.compile(
    r"^(?P<kw>schedule|exhibit|annex|appendix|attachment)(?P<sep>\s*[-–—:]\s+|\s*$)", re.IGNORECASE
)
_MULTI_RE = re.compile(
    r"^(?P<num>\d{1,3}(?:\.\d{1,3})+)(?P<sub>(?:\([a-zA-Z0-9]{1,5}\))*)(?P<dot>\.?)(?P<sep>\s+|$)"
)
_DECIMAL_RE = re.compile(r"^(?P<num>\d{1,3})(?P<sub>(?:\([a-zA-Z0-9]{1,5}\))*)(?P<punct>[.)]?)(?P<sep>\s+|$)")
_PAREN_RE = re.compile(r"^\((?P<v>[a-zA-Z]{1,5}|\d{1,3})\)(?P<sub>(?:\([a-zA-Z0-9]{1,5}\))*)(?P<sep>\s+|$)")
_LETTER_RE = re.compile(r"^(?P<v>[a-zA-Z]{1,5})(?P<punct>[.)])(?P<sep>\s+|$)")
_ROMAN_RE = re.compile(r"^(?:c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})$")
_SUB_RE = re.compile(r"\(([a-zA-Z0-9]{1,5})\)")


def _is_roman(v: str) -> bool:
    return bool(v) and bool(_ROMAN_RE.match(v.lower()))


def _is_letter_seq(v: str) -> bool:
    """``a``, ``B``, or a doubled letter ``aa`` used after ``z``."""
    return len(v) == 1 or (len(v) <= 3 and len(set(v)) == 1)


@dataclass
class Label:
    """A label found at the start of a block (or given by a reader)."""

    text: str  # as displayed, trailing "." dropped: "4.2", "(b)", "a", "Section 5"
    type: str  # DECIMAL, MULTI, LOWER, UPPER, ROMAN, UROMAN, KEYWORD, BULLET
    style: str  # "paren" for "(a)", "dot" for "a." / "a)" / "1.", "kw", "multi"
    value: str  # "4.2", "b", "iv", "5" (keyword number), "Article IV" canonical for keywords
    ambiguous: bool = False  # i / v / x: roman or letter, settled by context
    keyword: Optional[str] = None  # canonical keyword ("Article")

    @property
    def scheme(self) -> tuple[str, str]:
        return (self.style, self.type)


def detect_label(text: str, heading: bool = False) -> Optional[tuple[Label, str]]:
    """Find a label at the start of ``text``; return ``(label, rest)`` or ``None``.

    ``rest`` is the text after the label and its separator. ``heading`` relaxes the
    rules for headings ("4 Use Restrictions" without a dot).
    """
    s = text.lstrip()
    if not s:
        return None
    m = _BARE_DIVISION_RE.match(s)
    if m and m.group("kw")[0].isupper():
        rest = s[m.end():]
        # Only a title line ("Schedule - Charges and Service Standards"), never a sentence.
        if not rest or (_starts_title(rest) and len(rest.split()) <= 10 and not rest.rstrip().endswith((".", ";", ","))):
            kw = _KEYWORDS[m.group("kw").lower()]
            return Label(m.group("kw"), KEYWORD, "kw", kw, keyword=kw), rest
    m = _KEYWORD_RE.match(s)
    if m:
        found = _keyword_label(m, s)
        if found:
            return found
    m = _MULTI_RE.match(s)
    if m:
        rest = s[m.end():]
        if m.group("dot") or m.group("sub") or not rest or _starts_title(rest):
            label = m.group("num") + m.group("sub")
            return Label(label, MULTI, "multi", label), rest
        return None
    m = _DECIMAL_RE.match(s)
    if m:
        rest = s[m.end():]
        punct, sub, sep = m.group("punct"), m.group("sub"), m.group("sep")
        num = m.group("num")
        if punct or sub:
            if not rest and not heading and punct == ")":
                return None
            if sub:
                label = num + sub
                return Label(label, MULTI, "multi", label), rest
            return Label(num + (")" if punct == ")" else ""), DECIMAL, "rparen" if punct == ")" else "dot", num), rest
        # A bare number: only a label when set apart by a tab / wide gap, or in a heading
        # ("4 Use Restrictions"); "100 Units shall" and "2024 was" stay text.
        if rest and (("\t" in sep or len(sep) >= 2) or heading) and _starts_title(rest):
            return Label(num, DECIMAL, "dot", num), rest
        return None
    m = _PAREN_RE.match(s)
    if m:
        rest = s[m.end():]
        if not rest.strip():
            return None  # "(a)" alone is not a label: only when followed by text
        v = m.group("v")
        sub = m.group("sub")
        lab = _letter_label(v, "paren")
        if lab is None:
            return None
        if sub:
            lab.text += sub
        return lab, rest
    m = _LETTER_RE.match(s)
    if m:
        rest = s[m.end():]
        if not rest.strip():
            return None
        v = m.group("v")
        lab = _letter_label(v, "dot", punct=m.group("punct"))
        if lab is None:
            return None
        if lab.type in (UPPER, UROMAN) and _looks_like_name(v, rest):
            return None
        return lab, rest
    return None


def _letter_label(v: str, style: str, punct: str = "") -> Optional[Label]:
    shown = f"({v})" if style == "paren" else (v + ")" if punct == ")" else v)
    if punct == ")":
        style = "rparen"  # "a)" and "a." are different list levels in real documents
    if v.isdigit():
        return Label(shown, DECIMAL, style, v)
    lower = v.islower()
    if not (v.islower() or v.isupper()):
        return None
    if _is_letter_seq(v) and len(v) == 1 and v.lower() not in "ivx":
        return Label(shown, LOWER if lower else UPPER, style, v)
    if _is_roman(v) and (len(v) == 1 or "c" not in v.lower()):
        amb = len(v) == 1
        return Label(shown, ROMAN if lower else UROMAN, style, v, ambiguous=amb)
    if _is_letter_seq(v):
        return Label(shown, LOWER if lower else UPPER, style, v)
    return None


def _looks_like_name(v: str, rest: str) -> bool:
    """"A. Smith", "J. Doe": an initial followed by a short run of capitalised words."""
    if len(v) != 1:
        return False
    words = rest.split()
    if not words or len(words) > 3:
        return False
    return all(w[:1].isupper() and w[1:2].islower() for w in words) and not rest.rstrip().endswith((".", ":"))


def _starts_title(rest: str) -> bool:
    c = rest.lstrip()[:1]
    return bool(c) and (c.isupper() or c.isdigit() or c in "\"'(“‘[*_")


def _keyword_label(m: re.Match[str], s: str) -> Optional[tuple[Label, str]]:
    kw_raw = m.group("kw")
    if kw_raw[0].islower():
        return None  # "section 5 of" in running text
    kw = _KEYWORDS.get(kw_raw.lower().rstrip(".") if kw_raw.lower() not in _KEYWORDS else kw_raw.lower())
    if kw is None:
        return None
    num = m.group("num")
    sep = m.group("sep")
    rest = s[m.end():]
    if num.isalpha() and len(num) > 1 and not _is_roman(num):
        return None
    if num.isalpha() and num.islower() and kw != "§":
        return None  # "Part of", "Article a" are words, not labels
    first = rest.split(None, 1)[0].lower().strip(",;") if rest.strip() else ""
    if sep.strip() in ("", "-", "–", "—"):
        if sep.strip() == "" and rest and not _starts_title(rest):
            return None
        if first in _XREF_WORDS:
            return None
    elif sep.strip() == ")":
        return None
    if rest.startswith(","):
        return None
    num_shown = num.upper() if num.isalpha() and kw not in ("§",) else num
    canon = f"{kw} {num_shown}{m.group('sub')}"
    shown = s[: m.end()].rstrip().rstrip(".:").rstrip()
    shown = re.sub(r"\s*[-–—]$", "", shown)
    lab = Label(shown, KEYWORD, "kw", canon, keyword=kw)
    return lab, rest


def classify_label(label: str) -> Label:
    """Classify a label a reader supplied (Word numbering, markdown, HTML)."""
    s = label.strip()
    if s in _BULLET_LABELS or (len(s) == 1 and not s.isalnum()):
        return Label(s, BULLET, "bullet", s)
    trimmed = s.rstrip(".:")
    probes = [s + " X", trimmed + ". X"] if s != trimmed or s.startswith("(") else [trimmed + ". X", s + " X"]
    for probe in probes:
        found = detect_label(probe, heading=True)
        if found and found[1].strip() == "X":
            lab = found[0]
            if not s.endswith((".", ")")) and lab.style == "dot":
                lab.text = trimmed  # shown as the reader gave it
            return lab
    if trimmed.isdigit():
        return Label(trimmed, DECIMAL, "dot", trimmed)
    # Unknown shape ("A-1", "Step 3"): an opaque label that sits at its own level.
    return Label(trimmed or s, KEYWORD, "opaque", trimmed or s, keyword=None)


# --------------------------------------------------------------------------------------
# Section composition
# --------------------------------------------------------------------------------------


@dataclass
class _Entry:
    label: Label
    section: Optional[str]
    block: int
    list_id: Optional[str] = None
    list_level: Optional[float] = None
    source: Optional[str] = None  # label_source of the block, "bullet" for bullets
    heading_level: Optional[int] = None  # set when pushed by a heading
    first: bool = False  # the document's first label ("EXHIBIT 10.1" filing stamps)
    inline: bool = False  # typed label inside a Markdown/HTML list item ("a. Fees …")
    recital: bool = False  # opened by a recital ("(A) Provider develops …")
    text: str = ""  # the block's text after its label (an inline "(a)" may open there)

    @property
    def is_list(self) -> bool:
        return self.list_level is not None

    @property
    def closes_with_list(self) -> bool:
        """Markdown/HTML list entries and bullets end when the list ends."""
        return self.source in ("markdown", "html", "bullet", "inline")


def _typed_letter(e: _Entry, paren_only: bool) -> bool:
    """A typed (not Word-numbered), non-heading "(A)", "a.", "(iv)" or "(1)" item."""
    lab = e.label
    letter = lab.type in (LOWER, UPPER, ROMAN, UROMAN) or (lab.type == DECIMAL and lab.style != "dot")
    if e.is_list or e.heading_level is not None or not letter:
        return False
    return not paren_only or lab.style in ("paren", "rparen")


_TYPED = (LOWER, UPPER, ROMAN, UROMAN)
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def _ordinal(label: Label) -> Optional[int]:
    """The position of a typed "(b)", "(iv)", "(3)" or "c." label in its sequence
    (1 for a first item); None for numbers with dots, headings and other labels."""
    v = label.value.lower()
    if label.type in (LOWER, UPPER) and v.isalpha() and _is_letter_seq(v):
        return (ord(v[0]) - 96) + 26 * (len(v) - 1)
    if label.type in (ROMAN, UROMAN) and _is_roman(v):
        total = 0
        for a, b in zip(v, v[1:] + " "):
            val = _ROMAN_VALUES[a]
            total += -val if b != " " and _ROMAN_VALUES[b] > val else val
        return total
    if label.type == DECIMAL and label.style == "paren" and v.isdigit():
        return int(v)
    return None


def _first_like(label: Label) -> Optional[str]:
    """How the first label of ``label``'s sequence is written inline: "(a)" for
    "(b)", "(i)" for "(iv)", "(1)" for "(3)"; None for other styles."""
    if label.style != "paren":
        return None
    first = {LOWER: "a", UPPER: "A", ROMAN: "i", UROMAN: "I", DECIMAL: "1"}.get(label.type)
    return f"({first}) " if first else None


def _component(label: Label) -> str:
    if label.type == MULTI:
        return label.value
    if label.type == KEYWORD:
        return label.value
    if label.type == BULLET:
        return ""
    v = label.value
    if label.type == DECIMAL:
        return v if label.style == "dot" else f"({v})"
    return f"({v})"


_INLINE_ENUMERATOR = re.compile(r"(?<![\w)])\(([a-z]{1,2}|[ivxl]{1,6}|[A-Z]|\d{1,2})\)\s")


def _inline_parent(prev_text: str, label: Label) -> Optional[Label]:
    """The inline enumerator that introduces ``label``'s list, when the paragraph
    before ends "… (a) reverse engineer it, or (b) use it to:" and ``label`` opens a
    list of another scheme ("(i)"): that "(b)", the last of a run, or a lone "(a)"
    that opens a sentence ("Reporting. (a) The Agency shall:"). None when the
    paragraph does not end so, or ``label`` is no first item."""
    if label.style != "paren" or _ordinal(label) != 1 or not prev_text.rstrip().endswith(":"):
        return None
    found = [(m.start(), classify_label(f"({m.group(1)})")) for m in _INLINE_ENUMERATOR.finditer(prev_text)]
    found = [(at, f) for at, f in found if f.style == "paren" and _ordinal(f) is not None]
    if not found:
        return None
    at, last = found[-1]
    if last.scheme == label.scheme:
        return None
    if len(found) == 1:
        opens = at == 0 or prev_text[:at].rstrip().endswith((".", ":"))
        return last if opens and _ordinal(last) == 1 else None
    before = found[-2][1]
    if before.scheme != last.scheme or _ordinal(last) != (_ordinal(before) or 0) + 1:
        return None
    # The last item must run to the colon: "Except as to (i) …, or (ii) any dispute …,
    # any dispute … shall be resolved as follows:" ends in a main clause of its own.
    tail = prev_text[at:]
    return last if "," not in tail or len(tail.split()) <= 12 else None


def _compose(parent: Optional[_Entry], label: Label) -> Optional[str]:
    if label.type in (MULTI, KEYWORD):
        return label.value
    if label.type == BULLET:
        return parent.section if parent else None
    psec = parent.section if parent else None
    if psec is None:
        # Top-level letter or roman lists read as written: "a", "(a)", "IV".
        return label.text if label.style == "paren" else label.value
    if label.type == DECIMAL and label.style == "dot":
        if parent is not None and parent.label.type in (DECIMAL, MULTI, KEYWORD):
            return f"{psec}.{label.value}"
        return f"{psec}({label.value})"
    return psec + _component(label)


def _multi_parts(value: str) -> list[str]:
    """``"4.2(b)(iii)"`` → ``["4", "2", "(b)", "(iii)"]``."""
    head = value.split("(", 1)[0]
    parts = [p for p in head.split(".") if p]
    parts += [f"({x})" for x in _SUB_RE.findall(value[len(head):])]
    return parts


def _entry_parts(e: _Entry) -> Optional[list[str]]:
    if e.section is None:
        return None
    sec = e.section
    if e.label.type == KEYWORD:
        m = re.match(r"^(?:Section|§|Clause)\s+(.*)$", sec)
        if not m:
            return None
        sec = m.group(1)
    if not re.match(r"^\d", sec):
        return None
    return _multi_parts(sec)


class _Composer:
    """Keeps the stack of open labels and places each new label on it."""

    def __init__(self) -> None:
        self.stack: list[_Entry] = []
        self.pushed = 0

    @property
    def section(self) -> Optional[str]:
        return self.stack[-1].section if self.stack else None

    @property
    def depth(self) -> int:
        return len(self.stack) - 1

    def close_lists(self) -> None:
        """A block outside any list ends markdown/HTML lists and bullet runs."""
        while self.stack and self.stack[-1].closes_with_list:
            self.stack.pop()

    def close_within(self, list_id: Optional[str], level: int) -> None:
        """An unlabeled paragraph inside a list item at ``level`` closes deeper items."""
        while (
            self.stack
            and self.stack[-1].is_list
            and self.stack[-1].list_id == list_id
            and (self.stack[-1].list_level or 0) > level
        ):
            self.stack.pop()

    def close_recitals(self, operative_lead: bool = False) -> None:
        """Recital items end. At the sentence that opens the operative part ("NOW,
        THEREFORE, the parties agree as follows:") typed letters that no clause number
        holds ("A.", "B." of unmarked recitals) end too."""
        for i, e in enumerate(self.stack):
            if e.recital:
                del self.stack[i:]
                break
        if operative_lead and all(_typed_letter(e, paren_only=False) for e in self.stack):
            self.stack.clear()

    def close_to_annex(self) -> None:
        """A signature block ends every clause; only a schedule or exhibit stays open."""
        keep = 0
        for i, e in enumerate(self.stack):
            if e.label.type == KEYWORD and e.label.keyword in _ANNEX_KEYWORDS:
                keep = i + 1
        del self.stack[keep:]

    def _close_heading_entries(self, level: int) -> None:
        """A numbered heading closes what headings at its level or deeper opened (a Word
        numbering restart: "13. Definitions" then a new list's "1. AI Services")."""
        for i, e in enumerate(self.stack):
            if e.heading_level is not None and e.heading_level >= level and e.label.type != KEYWORD:
                del self.stack[i:]
                return

    def _close_typed_letters(self, paren_only: bool) -> None:
        """Close typed letter/roman/"(1)" items with nothing to hold them: recitals
        "(A)"-"(C)" or a parties list "(1)", "(2)" never parent the clause numbering."""
        st = self.stack
        while st and _typed_letter(st[-1], paren_only):
            st.pop()

    def close_headings(self, level: int) -> None:
        """An unnumbered heading closes sections opened by headings at its level or
        deeper, and the numbered paragraphs under the heading that stays open."""
        for i, e in enumerate(self.stack):
            if e.heading_level is not None and e.heading_level >= level:
                del self.stack[i:]
                break
        while self.stack and self.stack[-1].heading_level is None:
            self.stack.pop()

    def resolve_ambiguous(self, label: Label) -> Label:
        """``(i)`` after ``(h)`` is a letter; otherwise ``i``/``v``/``x`` are roman."""
        if not label.ambiguous:
            return label
        lower = label.type == ROMAN
        letter_type = LOWER if lower else UPPER
        prev = chr(ord(label.value) - 1)
        for e in reversed(self.stack):
            if e.label.style == label.style and e.label.type == letter_type and e.label.value == prev:
                return Label(label.text, letter_type, label.style, label.value)
        return label

    def push(
        self,
        label: Label,
        block: int,
        *,
        list_id: Optional[str],
        list_level: Optional[int],
        source: Optional[str],
        heading_level: Optional[int],
        prev_text: str,
        inline_level: Optional[float] = None,
        recital: bool = False,
        heading_stated: bool = False,
        text: str = "",
    ) -> _Entry:
        label = self.resolve_ambiguous(label)
        st = self.stack
        if not recital:
            self.close_recitals()  # recitals never hold the operative numbering
        if heading_level is not None and heading_stated and label.type not in (MULTI, KEYWORD, BULLET):
            self._close_heading_entries(heading_level)
        if label.type == MULTI:
            parts = _multi_parts(label.value)
            # Pop until the top is a proper prefix of this label ("4" for "4.2").
            while st:
                p = _entry_parts(st[-1])
                if p is not None and len(p) < len(parts) and parts[: len(p)] == p:
                    break
                if st[-1].label.type == KEYWORD and st[-1].label.keyword in _TOP_KEYWORDS and len(st) == 1:
                    break  # "Article II" holds "2.1"
                st.pop()
        elif label.type == KEYWORD:
            if label.keyword in _TOP_KEYWORDS or label.keyword is None:
                if label.keyword is None:
                    self._place_relative(label, list_id, list_level, prev_text, source)
                else:
                    st.clear()
            else:
                # Section / Clause / §: under an open Article or Schedule, else top-level.
                while st and not (st[-1].label.type == KEYWORD and st[-1].label.keyword in _TOP_KEYWORDS):
                    st.pop()
        else:
            self._place_relative(label, list_id, list_level, prev_text, source)
        inline = _inline_parent(prev_text, label)
        if inline is not None and not (st and st[-1].label.scheme == inline.scheme):
            # "Customer shall not (a) copy it, or (b) use it to:" then "(i) …": the
            # items belong to the inline "(b)", which holds them as a level of its own
            # (a following "(c)" is its sibling).
            top = st[-1] if st else None
            st.append(_Entry(label=inline, section=_compose(top, inline), block=max(block - 1, 0),
                             source="inline-text"))
        parent = st[-1] if st else None
        entry = _Entry(
            label=label,
            section=_compose(parent, label),
            block=block,
            list_id=list_id,
            list_level=list_level,
            source="bullet" if label.type == BULLET else source,
            heading_level=heading_level,
            first=self.pushed == 0,
            recital=recital,
            text=text,
        )
        if inline_level is not None:
            # Typed numbers inside a list item live and die with that item.
            entry.list_level, entry.inline, entry.source = inline_level, True, "inline"  # type: ignore[assignment]

        self.pushed += 1
        st.append(entry)
        return entry

    def _place_relative(
        self, label: Label, list_id: Optional[str], list_level: Optional[int], prev_text: str, source: Optional[str] = None
    ) -> None:
        st = self.stack
        introduced = prev_text.rstrip().endswith(":")
        if list_level is not None:
            continued = any(e.is_list and e.list_id == list_id and e.list_level == list_level for e in st)
            # The format states the level: close this list's items at that level or deeper,
            # and other lists' deeper items; a sibling list at the same level nests.
            while st and st[-1].is_list and (
                (st[-1].list_id == list_id and (st[-1].list_level or 0) >= list_level)
                or (st[-1].list_level or 0) > list_level
                # a new Markdown/HTML list right after another one is not nested in it
                or (st[-1].closes_with_list and st[-1].list_id != list_id and source in ("markdown", "html"))
            ):
                st.pop()
            if continued or introduced:
                return
            # A Word list restarting its numbering (a new numId, same scheme, same level)
            # is a sibling of the list above, not nested in it.
            while (
                st
                and source == "numbering"
                and st[-1].source == "numbering"
                and st[-1].list_id != list_id
                and st[-1].list_level == list_level
                and st[-1].label.scheme == label.scheme
                and label.type != BULLET
            ):
                st.pop()
            if list_level == 0:
                self._close_typed_letters(paren_only=False)
            return
        # No stated level: the numbering scheme tells. The same scheme seen above is a
        # sibling (close back to it); a new scheme opens a deeper level.
        ordinal = _ordinal(label)
        for i in range(len(st) - 1, -1, -1):
            e = st[i]
            if e.label.scheme == label.scheme and (not e.is_list or e.inline):
                del st[i:]
                return
        if ordinal is not None and ordinal > 1 and st:
            # "(b)" with no "(a)" open: its "(a)" opened inside a paragraph above ("Sec. 13
            # … (a) The heads of agencies shall: (i) …"). It is that (a)'s sibling, so it
            # closes what was nested under the paragraph holding the "(a)".
            first = _first_like(label)
            for i in range(len(st) - 1, -1, -1):
                if first is not None and first in st[i].text:
                    del st[i + 1:]
                    return
        if label.type == DECIMAL and label.style == "dot":
            # "2." after "1.1": a new top-level number, unless a lead-in introduces it
            # ("4.2 Customer shall not:" then "1. …").
            if introduced and st and st[-1].label.type != KEYWORD:
                return
            for i, e in enumerate(st):
                if e.label.type in (DECIMAL, MULTI) or (
                    e.label.type == KEYWORD and (e.label.keyword in _FLAT_KEYWORDS or e.first)
                ):
                    del st[i:]
                    return
            # No clause number open: "1." after recitals "(A)", "(B)" starts the clauses.
            if not introduced:
                self._close_typed_letters(paren_only=True)


# --------------------------------------------------------------------------------------
# Non-operative blocks, definitions
# --------------------------------------------------------------------------------------

_RECITAL_START = re.compile(r"^(whereas\b|now,?\s+therefore\b)", re.IGNORECASE)
# The sentence that opens the operative part after the recitals.
_OPERATIVE_LEAD = re.compile(
    r"\bagree[sd]?\b[^.;:]{0,80}\bas follows\s*[:.]?\s*$|^now,?\s+therefore\b|^it is (?:hereby\s+)?agreed\b",
    re.IGNORECASE,
)


def _operative_lead(text: str) -> bool:
    """Whether ``text`` is the sentence that ends the recitals ("… agree as follows:").
    The words are looked for before the expression runs: it is tried on every block,
    and scanning every paragraph for it cost 4 % of reading the corpus."""
    low = text[:12].lower()
    if not (low.startswith(("now", "it is")) or "as follows" in text.lower()):
        return False
    return bool(_OPERATIVE_LEAD.search(text))


_RECITAL_HEADINGS = {"recitals", "recital", "background", "preamble", "witnesseth"}
_TOC_HEADINGS = {"table of contents", "contents", "index"}
_DOT_LEADER = re.compile(r"(?:\.\s?){4,}\s*(?:\d{1,4}|[ivxlc]{1,6})\s*$|_{4,}\s*\d{1,4}\s*$", re.IGNORECASE)
_TOC_ENTRY = re.compile(r"^.{1,120}?\s(?:\d{1,4})$")
_SIGNATURE = re.compile(
    r"^(?:by|name|title|signature|signed|its|date|print(?:ed)? name|authori[sz]ed signatory|witness)\s*:",
    re.IGNORECASE,
)
_WITNESS = re.compile(r"^in witness whereof\b", re.IGNORECASE)

#: The verbs by which a definition gives a term its meaning ("means", "shall have the
#: meaning", "will mean", "refers to" …); the engine ranks a defining clause by them too.
DEFINING_VERB = r"(?:means|mean|(?:shall|will)\s+mean|(?:shall|will)\s+have\s+the\s+meaning|has\s+the\s+meaning|have\s+the\s+meaning|refers?\s+to|(?:shall|will)\s+refer\s+to|is\s+defined\s+as|are\s+defined\s+as|includes?|(?:shall|will)\s+include)"
_VERB = DEFINING_VERB
_Q = r'"([^"]{1,80})"'
_DEF_QUOTED = re.compile(
    r"^(?:(?:a|an|the|to|each|any)\s+)?" + _Q + r"((?:\s*(?:,|or|and|/)\s*" + r'"[^"]{1,80}"' + r")*)"
    r"(?P<gap>(?:\s+[\w'-]+){0,3}?)[\s,]*(?:\([^()]{0,80}\)\s*)?[,]?\s*(?P<verb>" + _VERB + r"|:)(?=[\s,:])",
    re.IGNORECASE,
)
_DEF_PLAIN = re.compile(
    r"^(?:(?:a|an|the)\s+)?(?P<term>[A-Z][\w'-]*(?:\s+(?:of|and|or|for|the|[A-Z][\w'-]*)){0,6}?)\s+"
    r"(?P<verb>" + _VERB + r"|is|are)\s",
)
_PAREN_GROUP = re.compile(r"\(([^()]{1,240})\)")
_PAREN_DEF = re.compile(
    r"^\s*(?:(?:the|each|an?|any|together|collectively|individually|jointly|severally|hereinafter|"
    r"hereinafter\s+referred\s+to\s+as|referred\s+to\s+(?:herein\s+)?as|as\s+defined|also|and|or|both)[\s,]+)*"
    r'"([^"]{1,80})"(?:\s*(?:,|or|and|;)\s*(?:(?:the|an?|each)\s+)?"[^"]{1,80}")*\s*\.?\s*$',
    re.IGNORECASE,
)
_QUOTED = re.compile(r'"([^"]{1,80})"')


def _in_definitions(headings: tuple[str, ...], lead_in: Optional[str]) -> bool:
    ctx = " ".join(headings[-2:]) + " " + (lead_in or "")
    return bool(re.search(r"\bdefinition|\bdefined terms\b|following meanings|following terms", ctx, re.IGNORECASE))


def _clean_term(t: str) -> str:
    return t.strip().strip('"').strip().rstrip(",").strip()


def _sentence_around(text: str, pos: int) -> str:
    starts = [m.end() for m in _SENT_SPLIT.finditer(text) if m.end() <= pos]
    start = starts[-1] if starts else 0
    return text[start:pos].strip()


_ABBREV = {"u.s", "inc", "ltd", "co", "corp", "e.g", "i.e", "no", "sec", "art", "cl", "vs", "mr", "ms", "dr", "st", "etc", "n.v", "s.a", "l.l.c", "llc"}
_SENT_SPLIT = re.compile(r"(?<=[.!?;])[\"')\]]*\s+(?=[A-Z\"'(])")


def split_sentences(text: str) -> list[str]:
    """A light sentence splitter that leaves common legal abbreviations alone."""
    out: list[str] = []
    start = 0
    for m in _SENT_SPLIT.finditer(text):
        before = text[start : m.start()].rstrip(".!?;\"')]")
        last = before.split()[-1].lower() if before.split() else ""
        if last in _ABBREV or (len(last) == 1 and last.isalpha()):
            continue
        out.append(text[start : m.start()].strip())
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def _lead_in_text(text: str) -> str:
    if len(text) <= 240:
        return text
    sents = split_sentences(text)
    return sents[-1] if sents else text


# --------------------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------------------


@dataclass
class _Prepared:
    raw: RawBlock
    text: str
    label: Optional[Label]
    original: str  # normalised text as written, with its label if it was in the text


def _prepare(raw: RawBlock) -> Optional[_Prepared]:
    text = normalize_inline(raw.text)
    label: Optional[Label] = None
    original = text
    if raw.label is not None and raw.label.strip():
        label = classify_label(normalize_inline(raw.label))
        original = f"{raw.label.strip()} {text}".strip() if label.type != BULLET else text
        if label.type == BULLET:
            label = None if raw.kind != LIST_ITEM else label
    elif raw.kind != TABLE_CELL:
        # Bare numbers set apart by a tab count as labels: look at the raw spacing.
        lead = raw.text.lstrip().replace("\u00a0", " ")
        found = detect_label(lead, heading=raw.kind == HEADING)
        if found is not None:
            label, _rest = found
            nfound = detect_label(text, heading=True)
            if nfound is not None and nfound[0].text == label.text:
                text = nfound[1].strip()
            else:
                text = normalize_inline(_rest)
    if raw.kind == LIST_ITEM and label is None:
        label = Label("", BULLET, "bullet", "")
    if not text and label is None:
        return None
    return _Prepared(raw, text, label, original)


# A block ending like this continues into the next one ("… in Section" | "6.2(b) above").
_XREF_TAIL = re.compile(
    r"\b(?:sections?|clauses?|articles?|paragraphs?|subsections?|sub-clauses?|schedules?|exhibits?|annex(?:es)?|appendix|appendices)\s*$|§§?\s*$",
    re.IGNORECASE,
)


def _is_clause_number(label: Label) -> bool:
    """"1.", "4.2", "Article I": the operative numbering, unlike "(A)" or "(1)"."""
    return label.type in (MULTI, KEYWORD) or (label.type == DECIMAL and label.style == "dot")


def _heading_level(p: _Prepared, depth_hint: int) -> int:
    if p.raw.heading_level is not None:
        return p.raw.heading_level
    if p.label is None or p.label.type == BULLET:
        return 1
    return 2 + depth_hint


def _label_depth(label: Label) -> int:
    if label.type == MULTI:
        return len(_multi_parts(label.value)) - 1
    return 0


def _is_toc_entry(text: str) -> bool:
    # Contents lines are short; the bound also keeps the regex linear.
    return len(text) <= 300 and bool(_DOT_LEADER.search(text))


def build(extracted: Extracted, path: str) -> Document:
    """Turn a reader's :class:`Extracted` into the :class:`Document` the engine reads."""
    doc = Document(
        path=path,
        format=extracted.format,
        numbering_resolved=extracted.numbering_resolved,
        pages=extracted.pages,
        warnings=list(extracted.warnings),
        metadata=dict(extracted.metadata),
    )
    body_raw = [b for b in extracted.blocks if b.part == BODY]
    other_raw = [b for b in extracted.blocks if b.part != BODY]

    prepared = [p for p in (_prepare(b) for b in body_raw) if p is not None]
    comp = _Composer()
    blocks: list[Block] = []
    depths: list[int] = []
    heading_chain: list[tuple[int, str]] = []
    region: Optional[str] = None  # "recital" / "toc" while under such a heading
    offset = 0
    texts: list[str] = []

    toc_labels: set[str] = set()
    prev_raw: Optional[RawBlock] = None
    for p in prepared:
        raw = p.raw
        if p.label is not None and raw.label is None and prev_raw is not None and _XREF_TAIL.search(prev_raw.text):
            # "… set out in Section" | "6.2(b) above, …": a cross-reference that a page
            # or line break split, not a label.
            p = _Prepared(raw, p.original, None, p.original)
        prev_raw = raw
        idx = len(blocks)
        kind = raw.kind
        text = p.text
        label = p.label
        is_heading = kind == HEADING
        operative = True
        reason: Optional[str] = None

        # --- tables of contents -------------------------------------------------
        # Dot leaders mark a contents line anywhere; under a "Contents" heading short
        # lines are entries until a long block, or a label seen twice (the real text).
        in_toc = _is_toc_entry(text)
        if region == "toc" and not in_toc:
            key = label.text if label is not None else None
            page_ref = bool(_TOC_ENTRY.match(text))
            if is_heading and not page_ref:
                region = None  # a real heading after the contents
            elif _short_toc_line(text) and not (key and key in toc_labels):
                in_toc = True
            else:
                region = None
        if in_toc and label is not None:
            toc_labels.add(label.text)

        # --- recitals -----------------------------------------------------------
        # A clause number ("1.", "1.1", "Article I") ends the recitals; recital items
        # are marked so that they never hold the operative numbering.
        if region == "recital" and label is not None and _is_clause_number(label):
            region = None
        in_recital = not is_heading and not in_toc and (region == "recital" or bool(_RECITAL_START.match(text)))
        ends_recitals = label is None and not is_heading and _operative_lead(text)

        # --- sections -----------------------------------------------------------
        entry: Optional[_Entry] = None
        if in_toc:
            section, depth = None, 0
        else:
            if kind != LIST_ITEM and raw.level is None:
                comp.close_lists()
            elif raw.level is not None and kind != LIST_ITEM and label is None:
                comp.close_within(raw.list_id, raw.level)
            if label is not None:
                hl = _heading_level(p, _label_depth(label)) if is_heading else None
                list_level = raw.level if (kind == LIST_ITEM or raw.label_source == "numbering") else None
                inline_level = raw.level + 0.5 if (list_level is None and raw.level is not None and raw.list_id) else None
                entry = comp.push(
                    label,
                    idx,
                    list_id=raw.list_id,
                    list_level=list_level,
                    source=raw.label_source if raw.label is not None else None,
                    heading_level=hl,
                    prev_text=blocks[-1].text if blocks and not is_heading else "",
                    inline_level=inline_level,
                    recital=in_recital,
                    heading_stated=raw.heading_level is not None,
                    text=text,
                )
                label = entry.label
            elif is_heading:
                comp.close_headings(_heading_level(p, 0))
            elif _WITNESS.match(text):
                comp.close_to_annex()  # the signature block is no part of the last clause
            elif ends_recitals:
                comp.close_recitals(operative_lead=True)
            section, depth = comp.section, comp.depth

        # --- heading chain and regions ------------------------------------------
        headings = tuple(h for _, h in heading_chain)
        title = text.rstrip(".:").strip().lower()
        if is_heading and not in_toc:
            hl = _heading_level(p, _label_depth(label) if label else 0)
            while heading_chain and heading_chain[-1][0] >= hl:
                heading_chain.pop()
            headings = tuple(h for _, h in heading_chain)
            heading_chain.append((hl, p.original))
            region = None  # recitals and contents run until the next heading
            if title in _RECITAL_HEADINGS:
                region = "recital"
            elif title in _TOC_HEADINGS:
                region, toc_labels = "toc", set()
        elif title in _TOC_HEADINGS and label is None and kind == PARAGRAPH:
            region, toc_labels = "toc", set()
            in_toc = True
        elif title in _RECITAL_HEADINGS and label is None and kind == PARAGRAPH:
            region = "recital"  # a "Background" line a PDF did not mark as a heading

        # --- operative ----------------------------------------------------------
        if in_toc:
            operative, reason = False, "toc"
        elif is_heading:
            operative, reason = False, "heading"
        elif _RECITAL_START.match(text) or region == "recital":
            operative, reason = False, "recital"
        elif (
            (_SIGNATURE.match(text) and len(text) <= 120 and (label is None or label.type == BULLET))
            or _WITNESS.match(text)
            or re.fullmatch(r"[_\s]{3,}", text)
        ):
            operative, reason = False, "signature"  # "Section 1 Name:" is a clause title
        if ends_recitals and region == "recital":
            region = None

        block = Block(
            index=idx,
            kind=kind,
            text=text,
            start=offset,
            end=offset + len(text),
            section=section,
            label=label.text if (label is not None and label.type != BULLET) else None,
            level=max(depth, 0),
            headings=headings,
            page=raw.page,
            line=raw.line,
            paragraph=raw.paragraph,
            table=raw.table,
            row=raw.row,
            col=raw.col,
            operative=operative,
            non_operative_reason=reason,
            part=raw.part,
        )
        blocks.append(block)
        depths.append(depth)
        texts.append(text)
        offset += len(text) + 1

        # --- lead-in ------------------------------------------------------------
        if entry is not None and kind != HEADING:
            li = None
            if _wants_lead_in(entry, kind):
                li = _find_lead_in(blocks, depths, idx, depth)
            elif entry.label.type == DECIMAL and entry.label.style == "dot":
                li = _top_item_lead_in(blocks, depths, idx, depth, entry.label)
            if li is not None:
                block.lead_in = _lead_in_text(blocks[li].text)
                block.lead_in_block = li
        elif entry is None and kind == PARAGRAPH:
            li = _unnumbered_item_lead_in(blocks, idx)
            if li is not None:
                block.lead_in = _lead_in_text(blocks[li].text)
                block.lead_in_block = li

    doc.blocks = blocks
    doc.text = "\n".join(texts)

    _collect_definitions(doc)
    _table_definitions(doc)
    doc.tables = _fill_tables(extracted.tables, blocks)

    # Other parts: their own text space, kept out of the body's offsets.
    others: list[Block] = []
    otexts: list[str] = []
    ooff = 0
    for raw in other_raw:
        text = normalize_inline(raw.text)
        if not text:
            continue
        others.append(
            Block(
                index=len(others),
                kind=raw.kind,
                text=text,
                start=ooff,
                end=ooff + len(text),
                label=raw.label,
                page=raw.page,
                line=raw.line,
                paragraph=raw.paragraph,
                table=raw.table,
                row=raw.row,
                col=raw.col,
                operative=False,
                non_operative_reason=raw.part,
                part=raw.part,
            )
        )
        otexts.append(text)
        ooff += len(text) + 1
    doc.other_parts = others
    if others:
        doc.metadata["other_text"] = "\n".join(otexts)

    # Tracked changes: attach to blocks through the .docx paragraph number.
    by_para: dict[int, Block] = {}
    for b in blocks:
        if b.paragraph is not None and b.paragraph not in by_para:
            by_para[b.paragraph] = b
    revisions = []
    for rev in extracted.revisions:
        if rev.paragraph is not None and rev.paragraph in by_para:
            b = by_para[rev.paragraph]
            rev.block = b.index
            rev.section = b.section
        revisions.append(rev)
    doc.revisions = revisions
    return doc


def _short_toc_line(text: str) -> bool:
    words = text.split()
    if not words or len(words) > 14:
        return False
    if text.rstrip().endswith((";", ",")):
        return False
    return bool(_TOC_ENTRY.match(text)) or len(words) <= 10 and not re.search(r"[.;:]\s+\S", text)


def _wants_lead_in(entry: _Entry, kind: str) -> bool:
    if kind == LIST_ITEM:
        return True
    t = entry.label.type
    return t in (LOWER, UPPER, ROMAN, UROMAN) or (t == DECIMAL and entry.label.style in ("paren", "rparen")) or (
        t == MULTI and "(" in entry.label.value
    ) or (t == DECIMAL and entry.label.style == "dot" and entry.section is not None and "." in entry.section and entry.list_level is not None)


# How an item of a list ends when more items follow: "…;", "…; and", "…; or", "…,"
_ITEM_END = re.compile(r"(?:[;,]|;\s*(?:and|or|and/or))\s*$", re.IGNORECASE)


def _unnumbered_item_lead_in(blocks: list[Block], idx: int) -> Optional[int]:
    """The lead-in of a list item whose number or bullet was lost (web pages, plain
    text, PDFs): an unnumbered paragraph straight after a paragraph or numbered clause
    ending in ":" is its item when it reads as the continuation of that sentence (it
    opens in lower case, or ends as items do, with ";", "; and", "; or" or ","); a
    paragraph after such an item that ended with an item's ending is the next item of
    the run. A paragraph that reads as a sentence of its own ("The Service is …")
    after the lead-in is not an item, and the run ends after an item that ends a
    sentence."""
    if idx == 0:
        return None
    text = blocks[idx].text.strip()
    prev = blocks[idx - 1]
    if prev.kind not in (PARAGRAPH, LIST_ITEM) or prev.table is not None or blocks[idx].table is not None:
        return None
    if prev.kind == PARAGRAPH and prev.label is None and prev.lead_in_block is not None and _ITEM_END.search(prev.text):
        return prev.lead_in_block
    if not (text[:1].islower() or _ITEM_END.search(text)):
        return None
    # (the lead-in may close a numbered clause: "3. Licence … provided that the User:")
    if prev.operative and prev.text.rstrip().endswith(":") and not _OPERATIVE_LEAD.search(prev.text):
        return idx - 1
    return None


def _top_item_lead_in(blocks: list[Block], depths: list[int], idx: int, depth: int, label: Label) -> Optional[int]:
    """The lead-in of a top-level numbered item ("1. Violate the law …").

    Clause numbers have no lead-in as a rule; a numbered list straight after an
    unnumbered paragraph ending in ":" ("You agree you will not use the Model to:")
    is that paragraph's list. The operative opening ("The parties agree as follows:")
    is not a lead-in. The next numbers of the run ("2.", "3.") share the lead-in of
    the number before them, found past their own sub-items and continuation text;
    a heading or a shallower block ends the run.
    """
    prev = blocks[idx - 1] if idx > 0 else None
    if (
        prev is not None
        and prev.label is None
        and prev.kind == PARAGRAPH
        and prev.operative
        and prev.text.rstrip().endswith(":")
        and not _OPERATIVE_LEAD.search(prev.text)
    ):
        return idx - 1
    for j in range(idx - 1, max(-1, idx - 400), -1):
        b = blocks[j]
        if b.kind == HEADING or depths[j] < depth:
            return None
        if depths[j] == depth and b.label is not None:
            if b.lead_in_block is None:
                return None
            prev_label = classify_label(b.label)
            if prev_label.scheme != label.scheme:
                return None
            if prev_label.value.isdigit() and label.value.isdigit() and int(label.value) != int(prev_label.value) + 1:
                return None
            return b.lead_in_block
    return None


def _find_lead_in(blocks: list[Block], depths: list[int], idx: int, depth: int) -> Optional[int]:
    """The closest preceding block at a shallower level: the parent item, or the
    paragraph that introduces the list ("Customer shall not:"). An unnumbered paragraph
    ending in ":" introduces a new run of items even at the same level. Items of one run
    share the lead-in of the item before them ("(b)" has the lead-in of "(a)", even past
    an unnumbered paragraph that continues "(a)"). A heading is a title, not a lead-in,
    unless it ends in ":"; a paragraph that ends a sentence ("… this Agreement.") only
    counts when the item reads as its continuation."""
    item = blocks[idx]
    for j in range(idx - 1, -1, -1):
        b = blocks[j]
        if b.kind == TABLE_CELL or b.non_operative_reason == "toc":
            continue
        unlabeled_para = b.label is None and b.kind not in (LIST_ITEM, HEADING)
        if unlabeled_para and b.text.rstrip().endswith(":"):
            return j
        if depths[j] == depth and b.kind != HEADING and (b.label is not None or b.kind == LIST_ITEM) and j != idx:
            return b.lead_in_block  # a sibling: the same run, the same lead-in
        if depths[j] < depth:
            if b.kind == HEADING:
                return j if b.text.rstrip().endswith(":") else None
            if unlabeled_para and b.text.rstrip().endswith((".", "!", "?", '."')):
                first = item.text[:1]
                short = len(b.text.split()) <= 8  # "Restrictions (Prohibited Uses)."
                return j if (short or first.islower() or "following" in b.text[-200:].lower()) else None
            return j
        if idx - j > 400:
            break
    return None


def _collect_definitions(doc: Document) -> None:
    terms = doc.defined_terms
    blocks = doc.blocks

    def add(term: str, definition: str, b: Block) -> None:
        term = _clean_term(term)
        if not term or len(term) > 80 or term in terms:
            return
        terms[term] = DefinedTerm(term=term, definition=definition.strip(), block=b.index, section=b.section, page=b.page, line=b.line)

    for b in blocks:
        if b.kind == TABLE_CELL or b.non_operative_reason == "toc":
            continue
        text = b.text
        m = _DEF_QUOTED.match(text)
        whole = False
        if m and (m.group("verb") != ":" or len(m.group(1).split()) <= 6):
            names = [m.group(1)] + _QUOTED.findall(m.group(2) or "")
            definition = text[m.start("verb"):] if m.group("verb") != ":" else text[m.end("verb"):].strip()
            if text.rstrip().endswith(":"):
                definition = _with_following_items(doc, b, definition)
            for n in names:
                add(n, definition, b)
            whole = True
        elif b.kind != HEADING and _in_definitions(b.headings, b.lead_in):
            pm = _DEF_PLAIN.match(text)
            if pm and len(pm.group("term").split()) <= 6:
                definition = text[pm.start("verb"):]
                if text.rstrip().endswith(":"):
                    definition = _with_following_items(doc, b, definition)
                add(pm.group("term"), definition, b)
                whole = True
        if whole and b.operative and b.non_operative_reason is None:
            b.non_operative_reason = "definition"
        # Parenthetical definitions anywhere: (the "Agreement"), (each, a "Party").
        for pg in _PAREN_GROUP.finditer(text):
            inner = pg.group(1)
            if '"' not in inner or not _PAREN_DEF.match(inner):
                continue
            before = _sentence_around(text, pg.start())
            tail = before[-200:]
            for n in _QUOTED.findall(inner):
                add(n, tail, b)


def _with_following_items(doc: Document, b: Block, definition: str) -> str:
    items = [x.text for x in doc.blocks[b.index + 1 :] if x.lead_in_block == b.index]
    return " ".join([definition] + items) if items else definition


def _fill_tables(shapes: list[Table], blocks: list[Block]) -> list[Table]:
    """The body tables the reader shaped, each cell given the text of the blocks
    read from it (a cell of several paragraphs has several) and the table its
    first block's place in the file."""
    by_cell: dict[tuple[int, int, int], list[Block]] = {}
    for b in blocks:
        if b.kind == TABLE_CELL and b.table is not None and b.row is not None and b.col is not None:
            by_cell.setdefault((b.table, b.row, b.col), []).append(b)
    out = []
    for shape in shapes:
        if shape.part != BODY:
            continue
        first: Optional[Block] = None
        for cell in shape.cells:
            held = by_cell.get((shape.number, cell.row, cell.col), [])
            cell.blocks = tuple(b.index for b in held)
            cell.text = "\n".join(b.text for b in held)
            if held and (first is None or held[0].index < first.index):
                first = held[0]
        if first is not None:
            shape.page = shape.page if shape.page is not None else first.page
            shape.line = shape.line if shape.line is not None else first.line
            shape.paragraph = shape.paragraph if shape.paragraph is not None else first.paragraph
        out.append(shape)
    return out


def _table_definitions(doc: Document) -> None:
    """Two-column tables of term | definition."""
    tables: dict[int, list[Block]] = {}
    for b in doc.blocks:
        if b.kind == TABLE_CELL and b.table is not None:
            tables.setdefault(b.table, []).append(b)
    for cells in tables.values():
        rows: dict[int, dict[int, Block]] = {}
        for c in cells:
            rows.setdefault(c.row or 0, {})[c.col or 0] = c
        if not rows or any(len(r) != 2 for r in rows.values()):
            continue
        ordered = [rows[k] for k in sorted(rows)]
        first = ordered[0]
        cols = sorted(first)
        header = " ".join(first[c].text.lower() for c in cols)
        has_header = "term" in header and "defin" in header or header.strip() in ("term meaning", "word meaning")
        body = ordered[1:] if has_header else ordered
        quoted = sum(1 for r in body if r[cols[0]].text.startswith('"'))
        context = _in_definitions(first[cols[0]].headings, None)
        if not (has_header or (body and quoted >= max(1, len(body) // 2)) or context):
            continue
        for r in body:
            t, d = r[cols[0]], r[cols[1]]
            term = _clean_term(t.text)
            if not term or len(term.split()) > 8 or not d.text or term in doc.defined_terms:
                continue
            doc.defined_terms[term] = DefinedTerm(term=term, definition=d.text, block=t.index, section=t.section, page=t.page, line=t.line)
