"""Property-based tests of the text pipeline and structure detection (hypothesis).

Properties that must hold for *any* input: reading either succeeds or raises a
ClauseLintError with a one-line message; the structure stage accepts whatever a
reader returns; ``Document.text[b.start:b.end] == b.text`` for every block; labels
and sections are strings taken from the text; normalisation is idempotent.
"""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from clause_lint.errors import ClauseLintError
from clause_lint.extract import read_bytes
from clause_lint.model import HEADING, LIST_ITEM, PARAGRAPH, TABLE_CELL, Extracted, RawBlock
from clause_lint.structure import build, detect_label, split_sentences
from clause_lint.text import normalize, normalize_inline

# CLAUSE_LINT_FUZZ_SCALE=20 runs twenty times the examples (a longer local search).
_SCALE = max(1, int(os.environ.get("CLAUSE_LINT_FUZZ_SCALE", "1")))
FAST = settings(max_examples=150 * _SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=40 * _SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Any Unicode, including surrogates' neighbours, controls, combining marks and RTL.
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=400)

LABELS = st.sampled_from([
    "1.", "1", "2.", "10.", "1.1", "1.1.1", "4.2(b)", "4.2(b)(iii)", "(a)", "(b)", "(iv)", "(v)", "(i)",
    "a)", "iv)", "A.", "B.", "IV.", "iv.", "Section 5", "SECTION 5.1", "Article IV", "ARTICLE 2",
    "Schedule 2", "Exhibit A", "Annex 1", "§ 3", "§§ 4", "•", "-", "*", "(12)", "1)", "Clause 7",
    "Part II", "Appendix B", "(aa)", "(A)", "i.", "I.", "0.", "999.", "1.2.3.4.5.6.7.8.9",
])
WORDS = st.sampled_from(["Customer", "shall", "not", "use", "the", "Service", "for", "weapons", "means",
                         "Definitions", "Term", "\"Data\"", "including:", "and", "or", "provided", "that",
                         "Section", "4.2", "(b)", "herein", "WHEREAS", "Schedule", ";", ".", ":"])


def check_document(extracted: Extracted, name: str):
    doc = build(extracted, name)
    for block in doc.blocks:
        assert doc.text[block.start:block.end] == block.text
        assert block.label is None or isinstance(block.label, str)
        assert block.section is None or isinstance(block.section, str)
        assert block.level >= 0
    other = doc.metadata.get("other_text", "")
    for block in doc.other_parts:
        assert other[block.start:block.end] == block.text
    return doc


def read_or_error(data: bytes, name: str):
    try:
        extracted = read_bytes(data, name)
    except ClauseLintError as exc:
        assert exc.message.isprintable() and len(exc.message) <= 300, exc.message
        return None
    return check_document(extracted, name)


# ----------------------------------------------------------------------------- text


@FAST
@given(ANY_TEXT)
def test_normalize_is_idempotent_and_drops_controls(text):
    once = normalize(text)
    assert normalize(once) == once
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\r]", once)
    inline = normalize_inline(text)
    assert "\n" not in inline and "  " not in inline and inline == inline.strip()


@FAST
@given(ANY_TEXT, st.sampled_from(["x.txt", "x.md", "x.html"]),
       st.sampled_from(["utf-8", "utf-16", "utf-16-le", "utf-8-sig", "latin-1", "cp1252"]))
def test_text_readers_never_crash_on_any_unicode(text, name, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        assume(False)
    read_or_error(data, name)


@FAST
@given(st.binary(max_size=2000), st.sampled_from(["x.txt", "x.md", "x.html", "x.docx", "x.pdf", "x.bin"]))
def test_any_bytes_are_read_or_refused_cleanly(data, name):
    read_or_error(data, name)


@SLOW
@given(st.lists(st.tuples(LABELS, st.lists(WORDS, min_size=0, max_size=12)), min_size=1, max_size=60),
       st.sampled_from(["x.txt", "x.md"]), st.sampled_from(["\n", "\n\n", "\r\n"]))
def test_label_soup_through_the_text_readers(items, name, sep):
    text = sep.join(f"{label} {' '.join(words)}" for label, words in items)
    doc = read_or_error(text.encode(), name)
    if doc is None:
        return
    # Every composed section is built from labels that occur in the document text.
    for block in doc.blocks:
        if block.label:
            assert block.section


@FAST
@given(st.integers(min_value=1, max_value=40), st.sampled_from([".", ""]))
def test_deep_decimal_numbering_is_one_label(depth, trailing):
    label = ".".join(str((i % 9) + 1) for i in range(depth))
    found = detect_label(f"{label}{trailing} The Supplier shall comply.")
    if depth <= 1 and not trailing:
        assert found is None  # "1 The Supplier..." is a number in running text, not a label
        return
    assert found is not None
    assert found[0].text == label
    assert found[1] == "The Supplier shall comply."


@SLOW
@given(st.integers(min_value=1, max_value=60))
def test_deep_numbering_composes_sections(depth):
    blocks = [RawBlock(text=".".join(["1"] * d) + ("." if d == 1 else "") + f" Clause at depth {d}.")
              for d in range(1, depth + 1)]
    doc = check_document(Extracted(format="txt", blocks=blocks), "x.txt")
    assert [b.section for b in doc.blocks] == [".".join(["1"] * d) for d in range(1, depth + 1)]
    assert all(b.text == f"Clause at depth {d}." for d, b in enumerate(doc.blocks, start=1))


@SLOW
@given(st.lists(st.tuples(st.sampled_from([PARAGRAPH, HEADING, LIST_ITEM, TABLE_CELL]),
                          st.one_of(st.none(), LABELS), st.one_of(st.none(), st.integers(0, 12)),
                          st.one_of(st.none(), st.integers(1, 9)), st.lists(WORDS, max_size=10),
                          st.one_of(st.none(), st.sampled_from(["n1", "n2", "n3"]))),
                min_size=1, max_size=80))
def test_structure_accepts_any_sequence_of_raw_blocks(specs):
    blocks = [
        RawBlock(text=" ".join(words) or "x", kind=kind, label=label, label_source="numbering" if label else None,
                 level=level, heading_level=hl if kind == HEADING else None, list_id=list_id,
                 table=1 if kind == TABLE_CELL else None, row=1 if kind == TABLE_CELL else None,
                 col=(i % 2) + 1 if kind == TABLE_CELL else None)
        for i, (kind, label, level, hl, words, list_id) in enumerate(specs)
    ]
    check_document(Extracted(format="docx", blocks=blocks), "x.docx")


@SLOW
@given(st.sampled_from(["word ", "x", "1.", "(a) ", "shall not ", "\u00e9", "\u05d0", "\U0001f600", ". "]),
       st.integers(min_value=1000, max_value=60_000))
def test_very_long_lines(unit, repeat):
    line = unit * repeat
    doc = read_or_error(("1. " + line + "\n").encode(), "x.txt")
    if doc is not None:
        assert sum(len(b.text) for b in doc.blocks) >= len(line.strip()) * 0.9 - 10


@FAST
@given(ANY_TEXT)
def test_split_sentences_keeps_the_text(text):
    text = normalize_inline(text)
    parts = split_sentences(text)
    assert all(isinstance(p, str) for p in parts)
    # Sentences are pieces of the text, in order.
    assert "".join(p.replace(" ", "") for p in parts) == text.replace(" ", "")
