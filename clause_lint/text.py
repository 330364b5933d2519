"""Text normalisation shared by every reader.

One normalised form makes offsets, matching and fingerprints agree across formats:
ligatures are expanded, invisible characters dropped, every kind of space becomes a
plain space, and typographic quotes and dashes become their straight forms (so a
pack's ``"Prohibited Use"`` matches ``“Prohibited Use”``).
"""

from __future__ import annotations

import re
import unicodedata

_TRANSLATE = {
    # ligatures
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
    "\ufb05": "st", "\ufb06": "st",
    # invisible characters
    "\u00ad": "", "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "",
    # spaces
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2002": " ", "\u2003": " ",
    "\u2009": " ", "\u200a": " ", "\u3000": " ", "\t": " ", "\u2028": " ", "\u2029": " ",
    # quotes
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2033": '"', "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u2039": "'", "\u203a": "'",
    # dashes and minus
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\ufe58": "-", "\ufe63": "-", "\uff0d": "-",
    # bullets and ellipsis keep their meaning in one character
    "\u2026": "...",
}
_TABLE = str.maketrans(_TRANSLATE)
_SPACES = re.compile(r"[ ]{2,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalize(text: str) -> str:
    """Return ``text`` in clause-lint's normal form, on one line per paragraph.

    Newlines are kept (readers decide what a line is); runs of spaces collapse.
    """
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_TABLE)
    text = _CONTROL.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    return _SPACES.sub(" ", text)


def normalize_inline(text: str) -> str:
    """Normalise and fold all whitespace (newlines included) to single spaces."""
    return " ".join(normalize(text).split())


def printable(text: str) -> str:
    """``text`` with every non-printable character written as a Python escape.

    For file names and other strings shown to people that may come from a hostile
    source: a newline would forge a second ``PATH: error:`` line, an escape sequence
    would drive the terminal (colours, window title, hidden text) and a bidirectional
    override would show a name backwards. Escaping keeps the name recognisable and
    two different names distinct (``evil\\n\\x1b[31m.txt``), where replacing or
    dropping the characters would not.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def _escape(c: str) -> str:
    if "\udc80" <= c <= "\udcff":  # an undecodable byte of a file name (surrogateescape)
        return f"\\x{ord(c) - 0xdc00:02x}"
    return c.encode("unicode_escape").decode("ascii")
