"""Plain-text, Markdown and HTML readers: encodings, paragraphs, lists, tables,
comments, line numbers."""

from __future__ import annotations

import codecs
import glob
import os

import pytest

from clause_lint.errors import ClauseLintError
from clause_lint.extract import read_bytes, read_path
from clause_lint.extract.plaintext import decode
from clause_lint.limits import DEFAULT_LIMITS
from clause_lint.model import HEADING, LIST_ITEM, PARAGRAPH, TABLE_CELL
from clause_lint.structure import build

CLAUSE = "The Customer shall not use the Service for mass surveillance of café patrons.\n"


def texts(extracted):
    return [b.text for b in extracted.blocks]


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    "data",
    [
        CLAUSE.encode("utf-8"),
        codecs.BOM_UTF8 + CLAUSE.encode("utf-8"),
        codecs.BOM_UTF16_LE + CLAUSE.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + CLAUSE.encode("utf-16-be"),
        CLAUSE.encode("utf-16-le"),
        CLAUSE.encode("utf-16-be"),
        codecs.BOM_UTF32_LE + CLAUSE.encode("utf-32-le"),
        CLAUSE.encode("latin-1"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le", "utf16be", "utf32le-bom", "latin1"],
)
def test_encodings_decode_to_the_same_text(data):
    ex = read_bytes(data, "c.txt")
    assert texts(ex) == [CLAUSE.strip()]


def test_cp1252_smart_quotes_become_straight_quotes_after_structure():
    data = "\u201cService\u201d means the hosted product \u2013 all of it.\n".encode("cp1252")
    ex = read_bytes(data, "c.txt")
    assert ex.blocks[0].text.startswith("\u201cService\u201d")
    doc = build(ex, "c.txt")
    assert doc.blocks[0].text == '"Service" means the hosted product - all of it.'
    assert "Service" in doc.defined_terms


def test_decode_never_raises_on_garbage_bytes():
    text, enc = decode(bytes(range(128, 256)) * 3)
    assert isinstance(text, str) and text
    assert enc


# --------------------------------------------------------------------------- plain text

WRAPPED = """MASTER SERVICES AGREEMENT

1. Definitions

"Service" means the hosted face analysis product made available by the
Provider to the Customer under an Order, together with any updates and
documentation.

2. Restrictions. The Customer shall not, and shall not permit any third
party to:
(a) use the Service to identify individuals in public spaces;
(b) resell the Service; or
(c) use the Service in any weapon system, as described in
Section 5 of the Order.

# clause-lint: disable SFP202
3. Term. This Agreement continues for one year.
"""


def test_hard_wrapped_paragraphs_are_joined_and_numbered_lines_split():
    ex = read_bytes(WRAPPED.encode(), "msa.txt")
    got = texts(ex)
    assert got[0] == "MASTER SERVICES AGREEMENT"
    assert ex.blocks[0].kind == HEADING
    assert got[1] == "1. Definitions" and ex.blocks[1].kind == HEADING
    assert got[2].startswith('"Service" means the hosted face analysis product made available by the Provider')
    assert got[2].endswith("together with any updates and documentation.")
    assert got[3] == "2. Restrictions. The Customer shall not, and shall not permit any third party to:"
    assert got[4] == "(a) use the Service to identify individuals in public spaces;"
    # "Section 5 of the Order" at a line start is a cross-reference, not a new block
    assert got[6] == "(c) use the Service in any weapon system, as described in Section 5 of the Order."
    assert got[7] == "3. Term. This Agreement continues for one year."


def test_plaintext_line_numbers_and_directive_comments():
    ex = read_bytes(WRAPPED.encode(), "msa.txt")
    by_text = {b.text[:12]: b for b in ex.blocks}
    assert by_text["MASTER SERVI"].line == 1
    assert by_text['"Service" me'].line == 5
    assert by_text['"Service" me'].end_line == 7
    assert by_text["(c) use the "].line == 13 and by_text["(c) use the "].end_line == 14
    assert by_text["3. Term. Thi"].line == 17
    assert ex.metadata["comments"] == [{"line": 16, "text": "clause-lint: disable SFP202"}]
    assert not any("clause-lint" in t for t in texts(ex))


def test_unwrapped_text_keeps_one_paragraph_per_line_and_bullets():
    long = "You may use the software for research purposes only, and you shall keep all notices intact in every copy you make of it. " * 2
    text = f"SHORT TITLE\n{long}\nYou may not:\n*\tsell the software;\n- use it for surveillance.\n"
    ex = read_bytes(text.encode(), "t.txt")
    kinds = [(b.kind, b.text[:20]) for b in ex.blocks]
    assert kinds[0] == (HEADING, "SHORT TITLE")
    assert kinds[1][0] == PARAGRAPH
    assert kinds[2] == (PARAGRAPH, "You may not:")
    assert kinds[3] == (LIST_ITEM, "sell the software;")
    assert kinds[4] == (LIST_ITEM, "use it for surveilla")


def test_standalone_page_numbers_go_to_footer_part():
    ex = read_bytes(b"1. Licence. You may use the Software.\n\n2\n\nPage 3 of 9\n\n2. Term. One year.\n", "t.txt")
    assert [(b.part, b.text) for b in ex.blocks] == [
        ("body", "1. Licence. You may use the Software."), ("footer", "2"), ("footer", "Page 3 of 9"), ("body", "2. Term. One year.")
    ]
    doc = build(ex, "t.txt")
    assert [b.section for b in doc.blocks] == ["1", "2"]


def test_hyphen_at_line_end_is_kept_without_space():
    ex = read_bytes(b"You are granted a non-exclusive, worldwide, non-\ntransferable licence to use the Materials in your products.\n", "t.txt")
    assert "non-transferable" in ex.blocks[0].text


# One paragraph per line (a web page saved as text), items indented with tabs, some
# lines ending in a space, no blank lines around the title.
TABBED = (
    "Harbourside Model Licence and Acceptable Use Policy: this policy covers every download of the Harbourside "
    "models and of their outputs, and the current copy is kept at https://harbourside.example/policy\n"
    "Forbidden Purposes\n"
    "We want every licensee to use the Harbourside models with care and for good ends, in every country where "
    "they are used. You agree that you will not use the models to:\n"
    "1. Break the law, including to:\n"
    "\ta. Take part in or plan unlawful activity, such as: \n"
    "\t\ti. Arson or sabotage \n"
    "\t\tii. Smuggling of goods across a border\n"
    "\t\tiii. bribery of officials\n"
    "\tb. Stalk or harass a person\n"
    "\tc. Track people through cameras without their consent\n"
    "2. Mislead others, including use of the models for:\n"
    "\ta. Fake reviews\n"
    "Report any breach of this policy to the Harbourside compliance team, who will answer within five working "
    "days of receiving the report and keep the reporter's name confidential.\n"
)


def test_indented_enumerators_start_items_even_after_short_lines():
    ex = read_bytes(TABBED.encode(), "aup.txt")
    got = [(b.kind, b.text) for b in ex.blocks]
    assert got[1] == (HEADING, "Forbidden Purposes")  # a title between paragraphs
    assert [t for _, t in got[3:-1]] == [
        "1. Break the law, including to:",
        "a. Take part in or plan unlawful activity, such as:",
        "i. Arson or sabotage",
        "ii. Smuggling of goods across a border",
        "iii. bribery of officials",
        "b. Stalk or harass a person",
        "c. Track people through cameras without their consent",
        "2. Mislead others, including use of the models for:",
        "a. Fake reviews",
    ]
    assert [b.line for b in ex.blocks[3:6]] == [4, 5, 6]
    doc = build(ex, "aup.txt")
    by = {b.section: b for b in doc.blocks if b.section}
    assert sorted(by) == ["1", "1(a)", "1(a)(i)", "1(a)(ii)", "1(a)(iii)", "1(b)", "1(c)", "2", "2(a)"]
    # the numbered list hangs from the paragraph that introduces it
    assert by["1"].lead_in_block == by["2"].lead_in_block == 2
    assert by["2"].lead_in.endswith("You agree that you will not use the models to:")
    assert by["1(a)(ii)"].lead_in == "Take part in or plan unlawful activity, such as:"
    assert by["1(c)"].headings == ("Forbidden Purposes",)


def test_wrapped_line_starting_with_a_number_stays_in_its_paragraph():
    text = (
        "The Customer shall pay every invoice issued under this agreement within thirty\n"
        "(30) days of its date, and any sum unpaid after that time bears interest under\n"
        "Section\n"
        "7.2 of the Master Agreement until the sum is paid in full by the Customer.\n"
    )
    ex = read_bytes(text.encode(), "wrap.txt")
    assert len(ex.blocks) == 1 and ex.blocks[0].text.startswith("The Customer shall pay")


def test_short_title_case_lines_in_a_run_are_not_headings():
    long = " for each party, as amended from time to time by a notice given under this clause to the other party."
    text = (
        "The following addresses receive every notice under this agreement" + long + "\n"
        "Harbour Office\n"
        "Quay Street Chambers\n"
        "Each notice takes effect when it is delivered to the right address during business hours" + long + "\n"
        "You may use the models for:\n"
        "Research Projects\n"
        "Teaching purposes in a school or a university, with every notice of the licensor kept intact" + long + "\n"
        "The licensor keeps all rights that this licence does not grant in express words" + long + "\n"
        "Export Control\n"
        "The licensee complies with every export law that applies to the models and to their use" + long + "\n"
    )
    ex = read_bytes(text.encode(), "notices.txt")
    assert len(ex.blocks) == 10
    assert [b.text for b in ex.blocks if b.kind == HEADING] == ["Export Control"]


def test_collapsed_numbered_paragraphs_on_one_line_are_split():
    line = ("The parties agree as follows:   1. Definitions.   a. \"Reseller\" shall mean the party named above, "
            "including its permitted successors.   b. \"Products\" shall mean the software listed in the order form. ")
    ex = read_bytes((line * 2).encode(), "t.txt")
    starts = [t[:4] for t in texts(ex)]
    assert "1. D" in starts and "a. \"" in starts and "b. \"" in starts


# --------------------------------------------------------------------------- markdown

MD = """# Acceptable Use

<!-- clause-lint: disable SFP101 -->

## 4. Use Restrictions

Customer **shall not**, and shall not allow any [third party](https://example.com) to:

1. use the Service for `real-time` identification;
2. sell the Service; or
   1. nested item one
   2. nested item two
3. use the Service in any weapon system.

- a bullet <!-- inline note --> item

| Term | Definition |
| --- | --- |
| "Output" | *results* of the Service |

> Quoted paragraph.
"""


def test_markdown_blocks_kinds_levels_and_lines():
    ex = read_bytes(MD.encode(), "aup.md")
    blocks = ex.blocks
    assert [(b.kind, b.heading_level, b.line) for b in blocks[:2]] == [(HEADING, 1, 1), (HEADING, 2, 5)]
    assert blocks[1].text == "4. Use Restrictions"
    lead = blocks[2]
    assert lead.text == "Customer shall not, and shall not allow any third party to:" and lead.line == 7
    items = [b for b in blocks if b.kind == LIST_ITEM]
    assert [(b.label, b.level, b.text) for b in items[:5]] == [
        ("1", 0, "use the Service for real-time identification;"),
        ("2", 0, "sell the Service; or"),
        ("1", 1, "nested item one"),
        ("2", 1, "nested item two"),
        ("3", 0, "use the Service in any weapon system."),
    ]
    assert items[0].line == 9 and items[2].line == 11 and items[4].line == 13
    assert len({b.list_id for b in items[:5]}) == 1
    bullet = items[5]
    assert bullet.label is None and bullet.text == "a bullet item" and bullet.list_id != items[0].list_id
    cells = [b for b in blocks if b.kind == TABLE_CELL]
    assert [(c.row, c.col, c.text) for c in cells] == [
        (1, 1, "Term"), (1, 2, "Definition"), (2, 1, '"Output"'), (2, 2, "results of the Service")
    ]
    assert blocks[-1].text == "Quoted paragraph." and blocks[-1].style == "quote"
    assert ex.metadata["comments"] == [
        {"line": 3, "text": "clause-lint: disable SFP101"},
        {"line": 15, "text": "inline note"},
    ]
    assert not any("clause-lint" in b.text for b in blocks)


def test_markdown_structure_sections():
    doc = build(read_bytes(MD.encode(), "aup.md"), "aup.md")
    secs = {b.text: b.section for b in doc.blocks}
    assert secs["Use Restrictions"] == "4"
    assert secs["use the Service for real-time identification;"] == "4.1"
    assert secs["nested item two"] == "4.2.2"
    assert secs["use the Service in any weapon system."] == "4.3"
    weapon = next(b for b in doc.blocks if b.text.startswith("use the Service in any weapon"))
    assert weapon.lead_in == "Customer shall not, and shall not allow any third party to:"
    nested = next(b for b in doc.blocks if b.text == "nested item one")
    assert nested.lead_in == "sell the Service; or"
    assert doc.defined_terms["Output"].definition == "results of the Service"


def test_markdown_numbered_lines_inside_one_paragraph_split():
    md = "1. Payment\n    1. Fees apply as follows:\n        a. Billing. Invoices are monthly.\n        b. Taxes. Customer pays taxes.\n2. Term\n"
    doc = build(read_bytes(md.encode(), "x.md"), "x.md")
    assert [(b.section, b.text) for b in doc.blocks] == [
        ("1", "Payment"),
        ("1.1", "Fees apply as follows:"),
        ("1.1(a)", "Billing. Invoices are monthly."),
        ("1.1(b)", "Taxes. Customer pays taxes."),
        ("2", "Term"),
    ]
    assert doc.blocks[3].lead_in == "Fees apply as follows:"


# --------------------------------------------------------------------------- html

HTML = """<!DOCTYPE html>
<html>
<head><meta charset="windows-1252"><title>Terms</title>
<style>p { color: red }</style></head>
<body>
<nav>Home | Pricing</nav>
<script>var s = "shall not use for surveillance";</script>
<h1>Terms of Use</h1>
<!-- clause-lint: disable SFP303 -->
<h2>4. Use Restrictions</h2>
<p>4.2 Customer shall not:</p>
<ol type="a">
  <li>identify people in public spaces;</li>
  <li><p>resell the Service; or</p>
    <ol type="i"><li>first nested</li>
    <li>second nested</li></ol></li>
  <li value="7">use the Service in any weapon system.</li>
</ol>
<ol start="3" type="I"><li>roman three</li></ol>
<table><tr><th>Term</th><th>Definition</th></tr>
<tr><td>&ldquo;Operator&rdquo;</td><td>the person running a camera</td></tr></table>
<div>Intro line<br>1. first after break<br>2. second after break</div>
<noscript>enable javascript</noscript>
<footer>Copyright notice</footer>
</body>
</html>
"""


def test_html_drops_scripts_styles_nav_and_reads_lists():
    data = HTML.replace("&ldquo;", "\u201c").replace("&rdquo;", "\u201d").encode("cp1252")
    ex = read_bytes(data, "terms.html")
    got = texts(ex)
    joined = " ".join(got)
    assert "surveillance" not in joined and "color" not in joined and "Pricing" not in joined
    assert "javascript" not in joined
    assert got[0] == "Terms of Use" and ex.blocks[0].kind == HEADING and ex.blocks[0].heading_level == 1
    items = [b for b in ex.blocks if b.kind == LIST_ITEM]
    assert [(b.label, b.level, b.text) for b in items] == [
        ("a", 0, "identify people in public spaces;"),
        ("b", 0, "resell the Service; or"),
        ("i", 1, "first nested"),
        ("ii", 1, "second nested"),
        ("g", 0, "use the Service in any weapon system."),
        ("III", 0, "roman three"),
    ]
    # line numbers from the source
    assert ex.blocks[0].line == 8
    assert items[0].line == 13 and items[3].line == 16
    cells = [b for b in ex.blocks if b.kind == TABLE_CELL]
    assert cells[2].text == "\u201cOperator\u201d" and (cells[2].row, cells[2].col) == (2, 1)
    assert "Intro line" in got and "1. first after break" in got and "2. second after break" in got
    footer = [b for b in ex.blocks if b.part == "footer"]
    assert [b.text for b in footer] == ["Copyright notice"]
    assert ex.metadata["comments"] == [{"line": 9, "text": "clause-lint: disable SFP303"}]


def test_html_structure_sections_and_lead_ins():
    doc = build(read_bytes(HTML.encode("utf-8"), "terms.html"), "terms.html")
    secs = [(b.section, b.text) for b in doc.blocks if b.kind == LIST_ITEM]
    assert secs[:5] == [
        ("4.2(a)", "identify people in public spaces;"),
        ("4.2(b)", "resell the Service; or"),
        ("4.2(b)(i)", "first nested"),
        ("4.2(b)(ii)", "second nested"),
        ("4.2(g)", "use the Service in any weapon system."),
    ]
    weapon = doc.blocks[[b.text for b in doc.blocks].index("use the Service in any weapon system.")]
    assert weapon.lead_in == "Customer shall not:"
    assert doc.blocks[weapon.lead_in_block].section == "4.2"
    assert [b.text for b in doc.other_parts] == ["Copyright notice"]
    assert "Copyright notice" not in doc.text
    assert doc.defined_terms["Operator"].definition == "the person running a camera"


def test_html_deeply_nested_markup_does_not_crash():
    data = ("<div>" * 3000 + "<p>1. Customer shall not build weapons.</p>" + "</div>" * 3000).encode()
    ex = read_bytes(data, "deep.html")
    assert texts(ex) == ["1. Customer shall not build weapons."]


def test_empty_html_is_an_error():
    with pytest.raises(ClauseLintError):
        read_bytes(b"<html><head><script>x()</script></head><body></body></html>", "e.html")


# --------------------------------------------------------------------------- corpus smoke

CORPUS = "/work/shared/corpus/docs"


@pytest.mark.skipif(not os.path.isdir(CORPUS), reason="development corpus not present")
def test_corpus_text_documents_read_and_structure():
    paths = sorted(glob.glob(os.path.join(CORPUS, "*.md")) + glob.glob(os.path.join(CORPUS, "*.txt")))
    assert paths
    with_sections = 0
    for path in paths:
        doc = build(read_path(path, DEFAULT_LIMITS), path)
        assert doc.blocks, path
        for b in doc.blocks:
            assert doc.text[b.start : b.end] == b.text, path
        if sum(1 for b in doc.blocks if b.section) >= 5:
            with_sections += 1
    # most real contracts number their clauses
    assert with_sections >= len(paths) // 2
