"""Word automatic numbering: ``numbering.xml`` + ``styles.xml`` → displayed list labels.

Word does not store list numbers in the text; it computes them while laying out the
document. This module repeats that computation for the parts clause-lint needs:

* ``w:num`` → ``w:abstractNum`` (following ``w:numStyleLink`` to the numbering style's
  own list), ``w:lvlOverride`` with ``w:startOverride`` or a whole replacement ``w:lvl``;
* per level: ``w:start``, ``w:numFmt``, ``w:lvlText`` (``"%1.%2"``, ``"(%3)"``),
  ``w:lvlRestart``, ``w:isLgl``, ``w:pStyle``;
* paragraph styles carrying ``w:numPr`` and ``w:outlineLvl`` through ``w:basedOn`` chains.

Counters live per abstractNum, so every ``w:num`` pointing at one abstractNum continues
one count, as Word and LibreOffice do; a ``w:startOverride`` sets its level's counter
the first time that ``w:num`` uses the level, and the shared count goes on from there
(a replaced ``w:lvl`` alone changes the look, not the count).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_VAL = W + "val"
MAX_LEVELS = 9
_MAX_CHAIN = 32  # basedOn / numStyleLink hops; real documents need a handful


# ECMA-376 numbers are 32-bit; a hostile file's "1e308" or 5,000 digits is clamped to
# that range (and "inf" is ignored) so counters and labels stay small.
_INT_LIMIT = 2**31 - 1


def _int(value: Optional[str], default: Optional[int] = None) -> Optional[int]:
    if value is None:
        return default
    try:
        n = int(value.strip())
    except ValueError:
        try:
            n = int(float(value))
        except (ValueError, OverflowError):
            return default
    return max(-_INT_LIMIT, min(_INT_LIMIT, n))


def _child_val(el: Any, tag: str) -> Optional[str]:
    """``w:val`` of the direct child ``tag`` of ``el``; "" when the child has no value."""
    if el is None:
        return None
    child = el.find(tag)
    if child is None:
        return None
    return child.get(_VAL, "")


def _on(value: Optional[str]) -> bool:
    """OOXML boolean: present without a value means true."""
    return value is not None and value.lower() not in ("0", "false", "off")


# --------------------------------------------------------------------- number formats

_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
          "fourteen fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_ORDINAL_WORDS = {
    "one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
    "nine": "ninth", "twelve": "twelfth",
}
_CHICAGO = ("*", "\u2020", "\u2021", "\u00a7")


def _roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def _words(n: int) -> str:
    if n < 20:
        return _UNITS[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        return _TENS[tens] + ("-" + _UNITS[unit] if unit else "")
    hundreds, rest = divmod(n, 100)
    return _UNITS[hundreds] + " hundred" + (" " + _words(rest) if rest else "")


def _ordinal_suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


# Counters above this in letter-repeating formats (26 x 40 letters) are shown as digits.
MAX_REPEATED_LABEL = 1040


def format_number(n: int, fmt: str) -> str:
    """Display counter ``n`` in Word number format ``fmt`` (unknown formats → decimal)."""
    if fmt == "none":
        return ""
    if fmt in ("decimal", "") or n < 0:
        return str(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if n == 0 and fmt not in ("decimalEnclosedParen", "decimalEnclosedFullstop"):
        return "0"
    if fmt in ("lowerLetter", "upperLetter", "chicago") and n > MAX_REPEATED_LABEL:
        return str(n)  # "aaaa…" 38 million letters long for a start of 10^9: no list is that long
    if fmt in ("lowerLetter", "upperLetter"):
        # Word repeats the letter after z: y, z, aa, bb, ...
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        if n >= 4000:
            return str(n)
        return _roman(n).upper() if fmt == "upperRoman" else _roman(n)
    if fmt == "ordinal":
        return f"{n}{_ordinal_suffix(n)}"
    if fmt in ("cardinalText", "ordinalText") and n < 1000:
        words = _words(n)
        if fmt == "ordinalText":
            head, _, last = words.rpartition(" ")
            tail_head, dash, tail = last.rpartition("-")
            if tail in _ORDINAL_WORDS:
                tail = _ORDINAL_WORDS[tail]
            elif tail.endswith("y"):
                tail = tail[:-1] + "ieth"
            else:
                tail += "th"
            words = (head + " " if head else "") + tail_head + dash + tail
        return words[0].upper() + words[1:]
    if fmt == "decimalEnclosedParen":
        return f"({n})"
    if fmt == "decimalEnclosedFullstop":
        return f"{n}."
    if fmt == "decimalEnclosedCircle" and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt in ("hex", "upperHex"):
        return f"{n:X}"
    if fmt == "lowerHex":
        return f"{n:x}"
    if fmt == "chicago":
        return _CHICAGO[(n - 1) % 4] * ((n - 1) // 4 + 1)
    return str(n)


# --------------------------------------------------------------------- definitions

@dataclass(frozen=True)
class Level:
    """One ``w:lvl`` of an abstract numbering definition."""

    start: int = 0  # ECMA-376: an omitted w:start means 0
    fmt: str = "decimal"
    text: Optional[str] = None  # w:lvlText; None = no label displayed
    restart: Optional[int] = None  # w:lvlRestart (1-based level; 0 = never restart)
    is_lgl: bool = False
    pstyle: Optional[str] = None  # paragraph style linked to this level

    @property
    def bullet(self) -> bool:
        return self.fmt == "bullet"

    @classmethod
    def from_xml(cls, lvl: Any, base: Optional["Level"] = None) -> "Level":
        base = base or cls()
        start = _int(_child_val(lvl, W + "start"), None)
        fmt = _child_val(lvl, W + "numFmt")
        text_el = lvl.find(W + "lvlText")
        restart = _int(_child_val(lvl, W + "lvlRestart"), None)
        is_lgl = _child_val(lvl, W + "isLgl")
        pstyle = _child_val(lvl, W + "pStyle")
        return cls(
            start=base.start if start is None else start,
            fmt=base.fmt if not fmt else fmt,
            text=base.text if text_el is None else text_el.get(_VAL, ""),
            restart=base.restart if restart is None else restart,
            is_lgl=base.is_lgl if is_lgl is None else _on(is_lgl),
            pstyle=base.pstyle if pstyle is None else pstyle,
        )


@dataclass
class AbstractNum:
    id: str
    levels: dict[int, Level] = field(default_factory=dict)
    num_style_link: Optional[str] = None  # this list is defined by that numbering style


@dataclass
class Num:
    id: str
    abstract_id: Optional[str]
    start_overrides: dict[int, int] = field(default_factory=dict)
    level_overrides: dict[int, Any] = field(default_factory=dict)  # ilvl -> w:lvl element


@dataclass
class StyleDef:
    id: str
    name: Optional[str]
    type: str
    based_on: Optional[str]
    num_id: Optional[str]
    ilvl: Optional[int]
    outline: Optional[int]


@dataclass(frozen=True)
class ResolvedStyle:
    """A paragraph style with its basedOn chain applied."""

    name: Optional[str]
    num_id: Optional[str]
    ilvl: Optional[int]
    num_style: Optional[str]  # id of the style in the chain that carries the numPr
    heading_level: Optional[int]  # 1-based, from w:outlineLvl or a Heading N / Title name
    outline: Optional[int]  # raw w:outlineLvl from the chain (9 = body text)


_HEADING_NAME = re.compile(r"^heading\s*([1-9])$", re.IGNORECASE)


def heading_from_name(name: Optional[str]) -> Optional[int]:
    if not name:
        return None
    m = _HEADING_NAME.match(name.strip())
    if m:
        return int(m.group(1))
    if name.strip().lower() == "title":
        return 1
    return None


class Styles:
    """Paragraph and numbering styles from ``styles.xml`` (empty when it is missing)."""

    def __init__(self, root: Any = None) -> None:
        self.by_id: dict[str, StyleDef] = {}
        self.default_paragraph: Optional[str] = None
        self._cache: dict[Optional[str], ResolvedStyle] = {}
        if root is None:
            return
        for st in root.iter(W + "style"):
            sid = st.get(W + "styleId")
            if not sid:
                continue
            stype = st.get(W + "type", "paragraph")
            ppr = st.find(W + "pPr")
            num_id = ilvl = outline = None
            if ppr is not None:
                numpr = ppr.find(W + "numPr")
                if numpr is not None:
                    num_id = _child_val(numpr, W + "numId")
                    ilvl = _int(_child_val(numpr, W + "ilvl"))
                outline = _int(_child_val(ppr, W + "outlineLvl"))
            self.by_id[sid] = StyleDef(
                id=sid,
                name=_child_val(st, W + "name") or None,
                type=stype,
                based_on=_child_val(st, W + "basedOn") or None,
                num_id=num_id or None,
                ilvl=ilvl,
                outline=outline,
            )
            if stype == "paragraph" and _on(st.get(W + "default")) and self.default_paragraph is None:
                self.default_paragraph = sid

    def chain(self, style_id: Optional[str]) -> list[StyleDef]:
        """The style and its basedOn ancestors, nearest first (cycles cut)."""
        out: list[StyleDef] = []
        seen: set[str] = set()
        while style_id and style_id not in seen and len(out) < _MAX_CHAIN:
            seen.add(style_id)
            st = self.by_id.get(style_id)
            if st is None:
                break
            out.append(st)
            style_id = st.based_on
        return out

    def resolve(self, style_id: Optional[str]) -> ResolvedStyle:
        if style_id is None or style_id not in self.by_id:
            style_id = self.default_paragraph if style_id is None else style_id
        cached = self._cache.get(style_id)
        if cached is not None:
            return cached
        chain = self.chain(style_id)
        name = chain[0].name if chain else style_id
        num_id = ilvl = num_style = outline = None
        for st in chain:
            if num_id is None and st.num_id is not None:
                num_id, num_style = st.num_id, st.id
                ilvl = st.ilvl
            if outline is None and st.outline is not None:
                outline = st.outline
        heading = None
        if outline is not None:
            heading = outline + 1 if 0 <= outline <= 8 else None
        else:
            for st in chain:
                heading = heading_from_name(st.name) or heading_from_name(st.id)
                if heading:
                    break
        resolved = ResolvedStyle(name, num_id, ilvl, num_style, heading, outline)
        self._cache[style_id] = resolved
        return resolved


class Numbering:
    """The definitions in ``numbering.xml`` (empty when the part is missing)."""

    def __init__(self, root: Any = None, styles: Optional[Styles] = None) -> None:
        self.present = root is not None
        self.abstracts: dict[str, AbstractNum] = {}
        self.nums: dict[str, Num] = {}
        self.styles = styles or Styles()
        self._levels_cache: dict[str, Optional[tuple[str, dict[int, Level]]]] = {}
        if root is None:
            return
        for an in root.iter(W + "abstractNum"):
            aid = an.get(W + "abstractNumId")
            if aid is None:
                continue
            levels: dict[int, Level] = {}
            for lvl in an.findall(W + "lvl"):
                ilvl = _int(lvl.get(W + "ilvl"))
                if ilvl is not None and 0 <= ilvl < MAX_LEVELS:
                    levels[ilvl] = Level.from_xml(lvl)
            self.abstracts[aid] = AbstractNum(aid, levels, _child_val(an, W + "numStyleLink") or None)
        for num in root.iter(W + "num"):
            nid = num.get(W + "numId")
            if nid is None:
                continue
            entry = Num(nid, _child_val(num, W + "abstractNumId"))
            for ov in num.findall(W + "lvlOverride"):
                ilvl = _int(ov.get(W + "ilvl"))
                if ilvl is None or not 0 <= ilvl < MAX_LEVELS:
                    continue
                start = _int(_child_val(ov, W + "startOverride"))
                if start is not None:
                    entry.start_overrides[ilvl] = start
                lvl = ov.find(W + "lvl")
                if lvl is not None:
                    entry.level_overrides[ilvl] = lvl
            self.nums[nid] = entry

    def _abstract_for(self, num_id: str) -> Optional[AbstractNum]:
        """The abstractNum that really holds the levels, following numStyleLink."""
        num = self.nums.get(num_id)
        seen: set[str] = set()
        while num is not None and num.abstract_id is not None and len(seen) < _MAX_CHAIN:
            abstract = self.abstracts.get(num.abstract_id)
            if abstract is None or abstract.num_style_link is None:
                return abstract
            if abstract.id in seen:
                return abstract if abstract.levels else None
            seen.add(abstract.id)
            # The numbering style's pPr/numPr names the num of the list defining it.
            link_num = None
            for st in self.styles.chain(abstract.num_style_link):
                if st.num_id is not None:
                    link_num = st.num_id
                    break
            if link_num is None:
                return abstract if abstract.levels else None
            num = self.nums.get(link_num)
        return None

    def levels(self, num_id: str) -> Optional[tuple[str, dict[int, Level]]]:
        """``(counter key, levels)`` for ``num_id``, or None if a definition is missing."""
        if num_id in self._levels_cache:
            return self._levels_cache[num_id]
        result: Optional[tuple[str, dict[int, Level]]] = None
        num = self.nums.get(num_id)
        abstract = self._abstract_for(num_id) if num is not None else None
        if num is not None and abstract is not None:
            levels = dict(abstract.levels)
            for ilvl, lvl in num.level_overrides.items():
                levels[ilvl] = Level.from_xml(lvl, levels.get(ilvl))
            # Every num of one abstractNum counts on the same counters; a
            # w:startOverride sets its level's counter when that num first uses the
            # level, and counting then goes on from there for all of them (as
            # LibreOffice renders it). A replaced w:lvl alone changes only the look.
            key = f"abstract:{abstract.id}"
            result = (key, levels)
        self._levels_cache[num_id] = result
        return result

    def level_for_style(self, num_id: str, style_ids: list[str]) -> Optional[int]:
        """The ilvl whose ``w:pStyle`` links it to one of ``style_ids``."""
        found = self.levels(num_id)
        if found is None:
            return None
        for sid in style_ids:
            for ilvl, lvl in found[1].items():
                if lvl.pstyle == sid:
                    return ilvl
        return None


@dataclass(frozen=True)
class ListLabel:
    """What Word would display in front of one numbered paragraph."""

    label: Optional[str]  # None for bullets and for labels that cannot be known
    resolved: bool
    bullet: bool = False


_PLACEHOLDER = re.compile(r"%([1-9])")


class Numberer:
    """Counts numbered paragraphs in document order and renders their labels."""

    def __init__(self, numbering: Numbering) -> None:
        self.numbering = numbering
        self._counters: dict[str, list[Optional[int]]] = {}
        self._overridden: set[tuple[str, int]] = set()  # (numId, ilvl) whose startOverride was applied

    def next(self, num_id: str, ilvl: int) -> ListLabel:
        found = self.numbering.levels(num_id)
        if found is None or ilvl not in found[1]:
            return ListLabel(None, resolved=False)
        key, levels = found
        counters = self._counters.setdefault(key, [None] * MAX_LEVELS)
        level = levels[ilvl]
        num = self.numbering.nums.get(num_id)
        if num is not None and ilvl in num.start_overrides and (num_id, ilvl) not in self._overridden:
            self._overridden.add((num_id, ilvl))
            counters[ilvl] = num.start_overrides[ilvl]
        else:
            counters[ilvl] = level.start if counters[ilvl] is None else counters[ilvl] + 1
        # A deeper level used before any shallower one counts the shallower ones as
        # used at their start (Word: Heading 2 before the first Heading 1 is "1.1",
        # and that Heading 1 then becomes "2").
        for shallower in range(ilvl):
            if counters[shallower] is None and shallower in levels:
                counters[shallower] = levels[shallower].start
        for deeper in range(ilvl + 1, MAX_LEVELS):
            restart = levels[deeper].restart if deeper in levels else None
            # lvlRestart n: restart after a level numbered 1..n is used; 0: never.
            if restart is None or (restart != 0 and ilvl < restart):
                counters[deeper] = None
        if level.bullet:
            return ListLabel(None, resolved=True, bullet=True)
        if level.text is None:
            return ListLabel(None, resolved=True)

        def render(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            lv = levels.get(k)
            if lv is None:
                return ""
            value = counters[k]
            if value is None:
                value = lv.start
            fmt = lv.fmt
            if level.is_lgl and fmt not in ("decimalZero",):
                fmt = "decimal"  # legal numbering shows every level in Arabic numerals
            if fmt == "bullet":
                return ""
            return format_number(value, fmt)

        label = _PLACEHOLDER.sub(render, level.text).strip()
        return ListLabel(label or None, resolved=True)
