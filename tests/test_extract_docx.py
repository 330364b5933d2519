"""The .docx reader: numbering, headings, tracked changes, tables, parts and safety."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from clause_lint.errors import ClauseLintError, CorruptFile, LimitExceeded
from clause_lint.extract import docx as docx_reader
from clause_lint.extract import read_bytes, read_path
from clause_lint.extract.docx_numbering import format_number
from clause_lint.limits import DEFAULT_LIMITS, Limits
from clause_lint.model import FOOTER, FOOTNOTE, HEADER, HEADING, LIST_ITEM, PARAGRAPH, TABLE_CELL
from tests.docx_factory import (
    NS_DECL,
    DocxBuilder,
    Level,
    Style,
    block_sdt,
    br,
    cell,
    comment_ref,
    complex_field,
    dele,
    heading_styles,
    hyperlink,
    ins,
    move_from,
    move_to,
    p,
    run,
    sdt,
    simple_field,
    tab,
    table,
    write_zip,
)

CORPUS = Path("/work/shared/corpus/bin")


def read(doc: DocxBuilder, tmp_path: Path, name: str = "t.docx"):
    """Save ``doc`` and read it back through the dispatcher, as the CLI does."""
    return read_path(str(doc.save(tmp_path / name)))


def body(ex):
    return [b for b in ex.blocks if b.part == "body"]


def labels(ex):
    return [b.label for b in body(ex)]


def legal_doc() -> DocxBuilder:
    """A document with one three-level list: "%1." / "%1.%2" / "(%3)"."""
    doc = DocxBuilder()
    doc.abstract_num(
        1,
        Level("decimal", "%1."),
        Level("decimal", "%1.%2"),
        Level("lowerLetter", "(%3)"),
    )
    doc.num(1, abstract=1)
    return doc


# ----------------------------------------------------------------------------- numbering


def test_multilevel_decimal_and_letter_labels(tmp_path):
    doc = legal_doc().add(
        p("Services.", num=(1, 0)),
        p("Scope of the services.", num=(1, 1)),
        p("Changes to the services.", num=(1, 1)),
        p("by written order;", num=(1, 2)),
        p("by email.", num=(1, 2)),
        p("Third subclause.", num=(1, 1)),
        p("Fees.", num=(1, 0)),
        p("Invoices.", num=(1, 1)),
        p("due in thirty days.", num=(1, 2)),
    )
    ex = read(doc, tmp_path)
    assert labels(ex) == ["1.", "1.1", "1.2", "(a)", "(b)", "1.3", "2.", "2.1", "(a)"]
    first = body(ex)[3]
    assert first.text == "by written order;"  # the label is not part of the text
    assert (first.kind, first.level, first.list_id, first.label_source) == (LIST_ITEM, 2, "1", "numbering")
    assert ex.numbering_resolved is True
    assert ex.metadata["numbered_paragraphs"] == 9
    assert ex.format == "docx"


@pytest.mark.parametrize(
    "level, expected",
    [
        (Level("lowerRoman", "(%1)"), ["(i)", "(ii)", "(iii)", "(iv)"]),
        (Level("upperRoman", "Article %1"), ["Article I", "Article II", "Article III", "Article IV"]),
        (Level("upperLetter", "%1."), ["A.", "B.", "C.", "D."]),
        (Level("lowerLetter", "%1)"), ["a)", "b)", "c)", "d)"]),
        (Level("decimalZero", "%1"), ["01", "02", "03", "04"]),
        (Level("decimal", "Section %1", start=7), ["Section 7", "Section 8", "Section 9", "Section 10"]),
        (Level("ordinal", "%1"), ["1st", "2nd", "3rd", "4th"]),
        (Level("someFutureFormat", "%1."), ["1.", "2.", "3.", "4."]),  # unknown → decimal
    ],
)
def test_number_formats(tmp_path, level, expected):
    doc = DocxBuilder().abstract_num(4, level).num(9, abstract=4)
    doc.add(*[p(f"Item {i}", num=(9, 0)) for i in range(4)])
    assert labels(read(doc, tmp_path)) == expected


def test_format_number_edges():
    assert format_number(27, "lowerLetter") == "aa"
    assert format_number(52, "upperLetter") == "ZZ"
    assert format_number(1999, "upperRoman") == "MCMXCIX"
    assert format_number(11, "ordinal") == "11th"
    assert format_number(22, "ordinal") == "22nd"
    assert format_number(21, "ordinalText") == "Twenty-first"
    assert format_number(3, "cardinalText") == "Three"
    assert format_number(5, "none") == ""


def test_bullets_are_list_items_without_label(tmp_path):
    doc = DocxBuilder().abstract_num(2, Level("bullet", "\u2022"), Level("bullet", "o")).num(5, abstract=2)
    doc.add(p("The party shall:"), p("keep records", num=(5, 0)), p("nested point", num=(5, 1)))
    ex = read(doc, tmp_path)
    items = body(ex)[1:]
    assert [(b.kind, b.label, b.level) for b in items] == [(LIST_ITEM, None, 0), (LIST_ITEM, None, 1)]
    assert ex.metadata["bullet_paragraphs"] == 2
    assert ex.numbering_resolved is True


def test_legal_numbering_shows_upper_levels_in_arabic(tmp_path):
    doc = DocxBuilder().abstract_num(
        1, Level("upperRoman", "Article %1"), Level("decimalZero", "Section %1.%2", is_lgl=True)
    ).num(1, abstract=1)
    doc.add(p("One", num=(1, 0)), p("Two", num=(1, 0)), p("Sub", num=(1, 1)), p("Sub", num=(1, 1)))
    assert labels(read(doc, tmp_path)) == ["Article I", "Article II", "Section 2.01", "Section 2.02"]


def test_lvl_restart_zero_keeps_counting_across_parents(tmp_path):
    doc = DocxBuilder().abstract_num(
        1, Level("decimal", "%1."), Level("lowerLetter", "(%2)", restart=0)
    ).num(1, abstract=1)
    doc.add(p("A", num=(1, 0)), p("a", num=(1, 1)), p("b", num=(1, 1)), p("B", num=(1, 0)), p("c", num=(1, 1)))
    assert labels(read(doc, tmp_path)) == ["1.", "(a)", "(b)", "2.", "(c)"]


def test_deeper_level_before_its_parent_counts_the_parent_as_used(tmp_path):
    # Word's documented behaviour: "1.1" for the orphan, then the first level-1 item is "2."
    doc = legal_doc().add(p("orphan", num=(1, 1)), p("first top", num=(1, 0)), p("child", num=(1, 1)))
    assert labels(read(doc, tmp_path)) == ["1.1", "2.", "2.1"]


def test_ilvl_defaults_to_zero(tmp_path):
    doc = legal_doc().add(p("First", num=(1, None)), p("Second", num=(1, None)))
    assert labels(read(doc, tmp_path)) == ["1.", "2."]


def test_two_nums_sharing_an_abstract_num_continue_one_count(tmp_path):
    doc = legal_doc().num(2, abstract=1)
    doc.add(p("one", num=(1, 0)), p("two", num=(1, 0)), p("an interruption"), p("three", num=(2, 0)))
    ex = read(doc, tmp_path)
    assert labels(ex) == ["1.", "2.", None, "3."]
    assert [b.list_id for b in body(ex)] == ["1", "1", None, "2"]


def test_start_override_restarts_a_second_list(tmp_path):
    doc = legal_doc().num(2, abstract=1, start_overrides={0: 1}).num(3, abstract=1, start_overrides={0: 5})
    doc.add(
        p("one", num=(1, 0)),
        p("two", num=(1, 0)),
        p("again one", num=(2, 0)),
        p("again two", num=(2, 0)),
        p("sub", num=(2, 1)),
        p("from five", num=(3, 0)),
    )
    assert labels(read(doc, tmp_path)) == ["1.", "2.", "1.", "2.", "2.1", "5."]


def test_level_override_replaces_the_format(tmp_path):
    doc = legal_doc().num(2, abstract=1, level_overrides={0: Level("upperLetter", "Schedule %1")})
    doc.add(p("x", num=(2, 0)), p("y", num=(2, 0)))
    assert labels(read(doc, tmp_path)) == ["Schedule A", "Schedule B"]


def test_numbering_inherited_from_styles_and_based_on_chain(tmp_path):
    doc = legal_doc()
    doc.style(
        Style("Heading1", "heading 1", num=(1, 0)),
        Style("Heading2", "heading 2", based_on="Heading1", num=(1, 1)),
        Style("ClauseHead", "Clause Heading", based_on="Heading1"),  # inherits numPr and heading
    )
    doc.add(
        p("Definitions", style="Heading1"),
        p("Terms", style="Heading2"),
        p("Payment", style="ClauseHead"),
        p("Unnumbered heading", style="Heading1", num=(0, None)),  # numId 0 removes numbering
        p("Liability", style="Heading1"),
    )
    ex = read(doc, tmp_path)
    got = [(b.label, b.kind, b.heading_level, b.style) for b in body(ex)]
    assert got == [
        ("1.", HEADING, 1, "heading 1"),
        ("1.1", HEADING, 2, "heading 2"),
        ("2.", HEADING, 1, "Clause Heading"),
        (None, HEADING, 1, "heading 1"),
        ("3.", HEADING, 1, "heading 1"),
    ]
    assert ex.numbering_resolved is True


def test_style_numbering_without_ilvl_uses_the_level_linked_to_the_style(tmp_path):
    doc = DocxBuilder().abstract_num(
        1, Level("decimal", "%1.", pstyle="Level1"), Level("lowerRoman", "(%2)", pstyle="Level2")
    ).num(1, abstract=1)
    doc.style(Style("Level1", "Level 1", num=(1, None)), Style("Level2", "Level 2", num=(1, None)))
    doc.add(p("Head clause text", style="Level1"), p("sub clause text", style="Level2"), p("more", style="Level2"))
    assert labels(read(doc, tmp_path)) == ["1.", "(i)", "(ii)"]


def test_num_style_link_follows_the_numbering_style(tmp_path):
    doc = DocxBuilder()
    doc.abstract_num(1, Level("decimal", "%1."), Level("lowerLetter", "(%2)"), style_link="LegalList")
    doc.abstract_num(2, num_style_link="LegalList")
    doc.num(1, abstract=1).num(2, abstract=2)
    doc.style(Style("LegalList", "Legal List", type="numbering", num=(1, None)))
    doc.add(p("first", num=(2, 0)), p("sub", num=(2, 1)), p("second", num=(2, 0)))
    ex = read(doc, tmp_path)
    assert labels(ex) == ["1.", "(a)", "2."]
    assert ex.numbering_resolved is True


def test_typed_numbers_stay_in_text(tmp_path):
    ex = read(DocxBuilder().add(p("4.2 Term. This agreement lasts one year.")), tmp_path)
    (block,) = body(ex)
    assert (block.text, block.label, block.kind) == ("4.2 Term. This agreement lasts one year.", None, PARAGRAPH)
    assert ex.numbering_resolved is None  # no automatic numbering at all


def test_missing_numbering_definition_is_reported_but_text_is_read(tmp_path):
    doc = legal_doc().add(p("known", num=(1, 0)), p("unknown list item", num=(42, 0)), p("known two", num=(1, 0)))
    ex = read(doc, tmp_path)
    assert ex.numbering_resolved is False
    assert [b.text for b in body(ex)] == ["known", "unknown list item", "known two"]
    assert labels(ex) == ["1.", None, "2."]
    assert ex.metadata["unresolved_numbered_paragraphs"] == 1
    assert any("42" in w for w in ex.warnings)


def test_numbering_part_missing_entirely(tmp_path):
    doc = DocxBuilder(with_numbering=False).add(p("item", num=(1, 0)))
    ex = read(doc, tmp_path)
    assert ex.numbering_resolved is False
    assert body(ex)[0].text == "item"


# ----------------------------------------------------------------------------- headings


def test_headings_by_style_name_outline_level_and_title(tmp_path):
    doc = DocxBuilder()
    doc.style(
        *heading_styles(2),
        Style("Title", "Title"),
        Style("Chapter", "Chapter", outline=1),  # custom style with an outline level
        Style("Plain", "Plain heading look", based_on="Heading1", outline=9),  # 9 = body text
    )
    doc.add(
        p("Master Agreement", style="Title"),
        p("Scope", style="Heading1"),
        p("Details", style="Heading2"),
        p("Chapter heading", style="Chapter"),
        p("Direct outline", outline=2),
        p("Looks like a heading but is body text", style="Plain"),
        p("Ordinary text."),
    )
    got = [(b.kind, b.heading_level) for b in body(read(doc, tmp_path))]
    assert got == [
        (HEADING, 1),
        (HEADING, 1),
        (HEADING, 2),
        (HEADING, 2),
        (HEADING, 3),
        (PARAGRAPH, None),
        (PARAGRAPH, None),
    ]


def test_clause_styled_as_heading_stays_a_list_item(tmp_path):
    # Some templates put whole numbered clauses in Heading 2; they are operative text.
    doc = legal_doc().style(*heading_styles(2))
    doc.add(
        p("Confidentiality", style="Heading1", num=(1, 0)),
        p("Each party shall keep the other party's information secret and use it only for this agreement.",
          style="Heading2", num=(1, 1)),
    )
    blocks = body(read(doc, tmp_path))
    assert [(b.kind, b.label, b.heading_level) for b in blocks] == [(HEADING, "1.", 1), (LIST_ITEM, "1.1", None)]


# ----------------------------------------------------------------------------- tracked changes


def test_tracked_changes_read_as_accepted_and_recorded(tmp_path):
    doc = DocxBuilder().add(
        p("Intro."),
        p(
            run("The supplier "),
            dele("may", author="Ann Lee", date="2024-05-01T10:00:00Z"),
            ins("shall not", author="Bo Chan", date="2024-05-02T11:00:00Z"),
            run(" sell data."),
        ),
    )
    ex = read(doc, tmp_path)
    assert body(ex)[1].text == "The supplier shall not sell data."
    assert [(r.kind, r.text, r.author, r.date, r.paragraph) for r in ex.revisions] == [
        ("deletion", "may", "Ann Lee", "2024-05-01T10:00:00Z", 2),
        ("insertion", "shall not", "Bo Chan", "2024-05-02T11:00:00Z", 2),
    ]


def test_split_insertions_join_and_moves_follow_accept_all(tmp_path):
    doc = DocxBuilder().add(
        p(run("A "), ins("new "), ins("clause"), run(" here"), move_from("old place"), move_to(" moved")),
    )
    ex = read(doc, tmp_path)
    assert body(ex)[0].text == "A new clause here moved"
    kinds = [(r.kind, r.text) for r in ex.revisions]
    assert kinds == [("insertion", "new clause"), ("deletion", "old place"), ("insertion", "moved")]


def test_deleted_paragraph_mark_joins_paragraphs(tmp_path):
    doc = DocxBuilder().add(
        p(run("The licence ends "), mark_deleted=True),
        p("on termination."),
        p("Next."),
    )
    ex = read(doc, tmp_path)
    assert [b.text for b in body(ex)] == ["The licence ends on termination.", "Next."]
    assert [b.paragraph for b in body(ex)] == [1, 3]


def test_fully_deleted_numbered_paragraph_does_not_take_a_number(tmp_path):
    doc = legal_doc().add(
        p("first", num=(1, 0)),
        p(dele("removed clause"), num=(1, 0), mark_deleted=True),
        p("second", num=(1, 0)),
    )
    ex = read(doc, tmp_path)
    assert [(b.label, b.text) for b in body(ex)] == [("1.", "first"), ("2.", "second")]
    assert [(r.kind, r.text) for r in ex.revisions] == [("deletion", "removed clause")]


def test_rejected_view_reads_the_text_before_the_changes(tmp_path):
    inserted_mark = (
        '<w:p><w:pPr><w:rPr><w:ins w:id="30" w:author="Bo Chan" w:date="2024-05-02T11:00:00Z"/></w:rPr></w:pPr>'
        '<w:r><w:t xml:space="preserve">The licence ends</w:t></w:r>'
        '<w:ins w:id="31" w:author="Bo Chan" w:date="2024-05-02T11:00:00Z"><w:r><w:t>.</w:t></w:r></w:ins></w:p>'
    )
    numbered_by_change = (
        '<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>'
        '<w:pPrChange w:id="32" w:author="Bo Chan" w:date="2024-05-02T11:00:00Z"><w:pPr/></w:pPrChange></w:pPr>'
        '<w:r><w:t>Numbered by a tracked change.</w:t></w:r></w:p>'
    )
    doc = legal_doc().add(
        p(run("The supplier "), dele("may", author="Ann Lee"), ins("shall not", author="Bo Chan"), run(" sell data.")),
        p(dele("A deleted clause."), mark_deleted=True),
        p("Kept."),
        inserted_mark,
        p(ins("Inserted words"), run(" on termination.")),
        numbered_by_change,
    )
    path = str(doc.save(tmp_path / "t.docx"))
    accepted = read_path(path)
    rejected = read_path(path, tracked_changes="reject")
    assert [b.text for b in body(accepted)] == [
        "The supplier shall not sell data.", "Kept.", "The licence ends.", "Inserted words on termination.",
        "Numbered by a tracked change.",
    ]
    assert [b.text for b in body(rejected)] == [
        "The supplier may sell data.", "A deleted clause.", "Kept.", "The licence ends on termination.",
        "Numbered by a tracked change.",
    ]
    assert body(accepted)[-1].label == "1." and body(rejected)[-1].label is None
    # The same revisions, in the same order, in both views.
    assert [(r.kind, r.text, r.author) for r in rejected.revisions] == [
        (r.kind, r.text, r.author) for r in accepted.revisions
    ]
    assert rejected.metadata["tracked_changes"] == "reject"
    with pytest.raises(ValueError):
        docx_reader.read(b"", path, DEFAULT_LIMITS, "ignore")


# ----------------------------------------------------------------------------- tables


def test_tables_in_reading_order_with_merges_and_nesting(tmp_path):
    nested = table([["inner 1", "inner 2"]])
    doc = DocxBuilder().add(
        p("Before the table."),
        table(
            [
                ["Party", "Role", "Notes"],
                [cell("Spanning two columns", span=2), cell("tall", vmerge="restart")],
                ["Acme", "Buyer", cell(vmerge="continue")],
                ["Holder", cell([p("outer text"), nested]), "x"],
            ]
        ),
        p("After the table."),
    )
    ex = read(doc, tmp_path)
    got = [(b.kind, b.text, b.table, b.row, b.col) for b in body(ex)]
    assert got == [
        (PARAGRAPH, "Before the table.", None, None, None),
        (TABLE_CELL, "Party", 1, 1, 1),
        (TABLE_CELL, "Role", 1, 1, 2),
        (TABLE_CELL, "Notes", 1, 1, 3),
        (TABLE_CELL, "Spanning two columns", 1, 2, 1),
        (TABLE_CELL, "tall", 1, 2, 3),
        (TABLE_CELL, "Acme", 1, 3, 1),
        (TABLE_CELL, "Buyer", 1, 3, 2),
        (TABLE_CELL, "Holder", 1, 4, 1),
        (TABLE_CELL, "outer text", 1, 4, 2),
        (TABLE_CELL, "inner 1", 2, 1, 1),
        (TABLE_CELL, "inner 2", 2, 1, 2),
        (TABLE_CELL, "x", 1, 4, 3),
        (PARAGRAPH, "After the table.", None, None, None),
    ]
    # Paragraph numbers count every w:p in body order, cells included.
    assert body(ex)[0].paragraph == 1
    assert body(ex)[1].paragraph == 2
    assert body(ex)[-1].paragraph == max(b.paragraph for b in body(ex))
    assert ex.metadata["tables"] == 2


def test_numbered_paragraphs_inside_cells(tmp_path):
    doc = legal_doc().add(
        p("Clause", num=(1, 0)),
        table([[cell([p("only item", num=(1, 1))]), cell([p("first", num=(1, 2)), p("second", num=(1, 2))])]]),
        p("Next clause", num=(1, 0)),
    )
    blocks = body(read(doc, tmp_path))
    assert (blocks[1].label, blocks[1].text) == ("1.1", "only item")
    assert (blocks[2].label, blocks[2].text) == (None, "(a) first\n(b) second")
    assert blocks[3].label == "2."


# ----------------------------------------------------------------------------- inline content


def test_content_controls_hyperlinks_and_fields_included(tmp_path):
    doc = DocxBuilder().add(
        p(run("Customer: "), sdt("Acme Corp"), run(".")),
        block_sdt(p("Inside a block content control."), table([["cell in control"]])),
        p(run("See "), hyperlink("the policy"), run(" and page "), complex_field("PAGE", "3"), run(".")),
        p(run("Ref "), simple_field("REF Clause4 \\h", "4.2"), run(" applies.")),
    )
    texts = [b.text for b in body(read(doc, tmp_path))]
    assert texts == [
        "Customer: Acme Corp.",
        "Inside a block content control.",
        "cell in control",
        "See the policy and page 3.",
        "Ref 4.2 applies.",
    ]
    assert not any("PAGE" in t or "REF" in t for t in texts)


def test_comments_hidden_text_and_special_characters(tmp_path):
    doc = DocxBuilder().add(
        p(comment_ref(1, run("The fee is fixed.")), run("secret note", hidden=True)),
        p(run("Name:"), tab(), run("Acme"), br(), run("Line two "), "<w:r><w:t>e</w:t><w:noBreakHyphen/><w:t>mail</w:t></w:r>"),
        p("<w:r><w:sym w:font=\"Wingdings\" w:char=\"F0FE\"/><w:t xml:space=\"preserve\"> agreed</w:t></w:r>"),
    ).comment(1, "Reviewer thinks this is too low")
    ex = read(doc, tmp_path)
    texts = [b.text for b in ex.blocks]
    assert texts == ["The fee is fixed.", "Name: Acme\nLine two e-mail", "\u2611 agreed"]
    assert not any("too low" in t for t in texts)


def test_headers_footers_and_footnotes_come_after_the_body(tmp_path):
    doc = DocxBuilder().add(p("Body text."))
    doc.header("CONFIDENTIAL").header("CONFIDENTIAL")  # same text in two header parts
    doc.footer(p(run("Page "), complex_field("PAGE", "1")))
    doc.footnote("A footnote about the law.")
    ex = read(doc, tmp_path)
    assert [(b.part, b.text) for b in ex.blocks] == [
        ("body", "Body text."),
        (HEADER, "CONFIDENTIAL"),
        (FOOTER, "Page 1"),
        (FOOTNOTE, "A footnote about the law."),
    ]
    assert all(b.paragraph is None for b in ex.blocks if b.part != "body")


def test_strict_ooxml_namespace_is_read():
    strict = 'xmlns:w="http://purl.oclc.org/ooxml/wordprocessingml/main"'
    xml = f"<w:document {strict}><w:body><w:p><w:r><w:t>Strict text.</w:t></w:r></w:p></w:body></w:document>"
    ex = read_bytes(DocxBuilder(document_xml=xml).to_bytes(), "strict.docx")
    assert [b.text for b in ex.blocks] == ["Strict text."]


# ----------------------------------------------------------------------------- bad input


def test_truncated_zip_is_corrupt(tmp_path):
    data = DocxBuilder().add(p("text")).to_bytes()
    with pytest.raises(CorruptFile, match="not a valid .docx"):
        docx_reader.read(data[: len(data) // 2], "t.docx", DEFAULT_LIMITS)
    with pytest.raises(ClauseLintError) as info:  # through the dispatcher
        read_bytes(data[: len(data) // 2], "t.docx")
    assert info.value.code == "corrupt"


def test_damaged_member_data_is_corrupt():
    data = bytearray(DocxBuilder().add(p("some text " * 200)).to_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("word/document.xml")
    # Overwrite the middle of the compressed document.xml; the central directory survives.
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 10
    data[start : start + 20] = b"\xff" * 20
    with pytest.raises(CorruptFile):
        read_bytes(bytes(data), "t.docx")


def test_malformed_xml_is_corrupt():
    doc = DocxBuilder(document_xml=f"<w:document {NS_DECL}><w:body><w:p></w:body>")
    with pytest.raises(CorruptFile, match="word/document.xml is not well-formed"):
        read_bytes(doc.to_bytes(), "t.docx")


def test_missing_or_broken_document_part_is_corrupt():
    no_document = write_zip({"[Content_Types].xml": b"<Types/>", "word/other.xml": b"<x/>"})
    with pytest.raises(CorruptFile, match="no word/document.xml"):
        docx_reader.read(no_document, "t.docx", DEFAULT_LIMITS)
    not_word = write_zip({"word/document.xml": b"<html><body/></html>"})
    with pytest.raises(CorruptFile, match="no w:body"):
        docx_reader.read(not_word, "t.docx", DEFAULT_LIMITS)


def test_broken_numbering_part_costs_only_the_labels():
    doc = legal_doc().add(p("clause text", num=(1, 0)))
    doc.header("header")
    with zipfile.ZipFile(io.BytesIO(doc.to_bytes())) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    files["word/numbering.xml"] = b"<w:numbering"
    files["word/header1.xml"] = b"not xml"
    ex = read_bytes(write_zip(files), "t.docx")
    assert [b.text for b in ex.blocks] == ["clause text"]
    assert ex.numbering_resolved is False
    assert any("numbering.xml skipped" in w for w in ex.warnings)
    assert any("header1.xml skipped" in w for w in ex.warnings)


def test_zip_bomb_member_is_refused():
    doc = DocxBuilder(extra_files={"word/media/bomb.bin": b"\0" * (8 * 1024 * 1024)}).add(p("text"))
    data = doc.to_bytes()
    assert len(data) < 100_000  # 8 MB of zeros deflate to a few kilobytes
    with pytest.raises(LimitExceeded, match="expands .* times, over the limit"):
        read_bytes(data, "t.docx")


def test_too_many_entries_and_too_large_total_are_refused():
    doc = DocxBuilder(extra_files={f"customXml/item{i}.xml": b"<a/>" for i in range(30)}).add(p("text"))
    data = doc.to_bytes()
    with pytest.raises(LimitExceeded, match="entries, over the limit"):
        read_bytes(data, "t.docx", Limits(max_zip_entries=20))
    with pytest.raises(LimitExceeded, match="unpacks to .* over the limit"):
        read_bytes(data, "t.docx", Limits(max_unzipped_bytes=1000))
    assert read_bytes(data, "t.docx").blocks[0].text == "text"  # fine under the defaults


def test_external_entity_is_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        f"<w:document {NS_DECL}><w:body><w:p><w:r><w:t>before &xxe; after</w:t></w:r></w:p></w:body></w:document>"
    )
    ex = read_bytes(DocxBuilder(document_xml=xml).to_bytes(), "t.docx")
    assert "TOP-SECRET" not in ex.blocks[0].text
    assert ex.blocks[0].text == "before after"
    assert any("DTD" in w for w in ex.warnings)


def test_entity_expansion_bomb_does_not_expand():
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE w:document [{entities}]>'
        f"<w:document {NS_DECL}><w:body><w:p><w:r><w:t>start &lol9; end</w:t></w:r></w:p></w:body></w:document>"
    )
    started = time.perf_counter()
    try:
        ex = read_bytes(DocxBuilder(document_xml=xml).to_bytes(), "t.docx")
    except CorruptFile as exc:  # recent libxml2 refuses the declarations outright
        assert "expand" in str(exc)
    else:
        assert ex.blocks[0].text == "start end"
    assert time.perf_counter() - started < 5


# ----------------------------------------------------------------------------- real files


@pytest.mark.skipif(not CORPUS.is_dir(), reason="development corpus not available")
def test_corpus_docx_files_read_cleanly():
    files = sorted(CORPUS.glob("*.docx"))
    assert files
    for path in files:
        ex = read_path(str(path))
        assert body(ex), path.name
        assert ex.numbering_resolved is not False, path.name
        assert not any(b.part == "body" and b.text != b.text.strip() for b in ex.blocks)
    docx02 = [f for f in files if f.name.startswith("docx02")]
    if docx02:
        ex = read_path(str(docx02[0]))
        found = set(labels(ex))
        assert {"1.", "1.1", "(a)"} <= found
        assert ex.numbering_resolved is True
        assert ex.metadata["numbered_paragraphs"] >= 100
