"""structure.build: labels, sections, headings, lead-ins, definitions, non-operative
blocks and offsets — from RawBlocks directly and through the text readers."""

from __future__ import annotations

import pytest

from clause_lint.extract import read_bytes
from clause_lint.model import FOOTER, HEADING, LIST_ITEM, PARAGRAPH, TABLE_CELL, Extracted, RawBlock, Revision
from clause_lint.structure import build, detect_label, split_sentences


def doc_of(*blocks: RawBlock, fmt: str = "txt", **kw):
    return build(Extracted(format=fmt, blocks=list(blocks), **kw), "doc." + fmt)


def P(text: str, **kw) -> RawBlock:
    return RawBlock(text=text, **kw)


def H(text: str, level=None, **kw) -> RawBlock:
    return RawBlock(text=text, kind=HEADING, heading_level=level, **kw)


def sections(doc):
    return [(b.section, b.label, b.text) for b in doc.blocks]


# --------------------------------------------------------------------------- labels


@pytest.mark.parametrize(
    "text,label,rest",
    [
        ("1. Definitions", "1", "Definitions"),
        ("1.1 Scope of licence", "1.1", "Scope of licence"),
        ("1.1.1 Sub-scope", "1.1.1", "Sub-scope"),
        ("4.2. Customer shall not:", "4.2", "Customer shall not:"),
        ("4.2(b) resell the Service", "4.2(b)", "resell the Service"),
        ("4.2(b)(iii) use it in weapons", "4.2(b)(iii)", "use it in weapons"),
        ("(a) use the Service", "(a)", "use the Service"),
        ("(iv) no tracking", "(iv)", "no tracking"),
        ("(A) Capital item", "(A)", "Capital item"),
        ("a. first item", "a", "first item"),
        ("a) first item", "a)", "first item"),
        ("iv. fourth", "iv", "fourth"),
        ("A. Scope of Work and deliverables", "A", "Scope of Work and deliverables"),
        ("IV. REMEDIES", "IV", "REMEDIES"),
        ("Section 5 Term", "Section 5", "Term"),
        ("Section 5.1. Renewal", "Section 5.1", "Renewal"),
        ("§ 5 Scope", "§ 5", "Scope"),
        ("ARTICLE IV - USE RESTRICTIONS", "ARTICLE IV", "USE RESTRICTIONS"),
        ("Article 4: Restrictions", "Article 4", "Restrictions"),
        ("Schedule 2", "Schedule 2", ""),
        ("Exhibit A Form of Order", "Exhibit A", "Form of Order"),
        ("Annex 1 – Data", "Annex 1", "Data"),
        ("Appendix B. Security", "Appendix B", "Security"),
        ("Clause 7. Liability", "Clause 7", "Liability"),
    ],
)
def test_detect_label(text, label, rest):
    found = detect_label(text)
    assert found is not None, text
    assert found[0].text == label
    assert found[1].strip() == rest


@pytest.mark.parametrize(
    "text",
    [
        "1,000 units shall be delivered",
        "2024. The parties agreed",
        "U.S. law governs this Agreement",
        "A. Smith",
        "I am the licensor",
        "(a)",
        "Section 5 of this Agreement survives termination",
        "SECTION 11 OF THIS AGREEMENT CONTAINS AN ARBITRATION CLAUSE",
        "Section 2, as amended, applies",
        "section 5 applies",
        "1.5 million users",
        "100 Units shall be delivered",
        "e.g. the Service",
        "Part of the fee is refundable",
        "Article 4 of the Convention applies",
    ],
)
def test_detect_label_false_positives(text):
    assert detect_label(text) is None


def test_label_is_moved_out_of_text_and_kept_on_block():
    doc = doc_of(P("4.2 Customer shall not use the Service."))
    b = doc.blocks[0]
    assert (b.label, b.section, b.text) == ("4.2", "4.2", "Customer shall not use the Service.")


def test_table_cells_are_not_label_detected():
    doc = doc_of(P("1.5 GB per user", kind=TABLE_CELL, table=1, row=1, col=1))
    assert doc.blocks[0].label is None and doc.blocks[0].text == "1.5 GB per user"


# --------------------------------------------------------------------------- sections


def test_composition_decimal_letter_roman():
    doc = doc_of(
        P("4. Restrictions"),
        P("4.1 Customer may use the Service internally."),
        P("4.2 Customer shall not:"),
        P("(a) resell the Service;"),
        P("(b) use the Service for:"),
        P("(i) tracking people;"),
        P("(ii) profiling people; or"),
        P("(iii) mass surveillance;"),
        P("This paragraph continues item (b)."),
        P("(c) use the Service in any weapon system."),
        P("4.3 Customer shall comply with law."),
        P("5. Term"),
    )
    assert [b.section for b in doc.blocks] == [
        "4", "4.1", "4.2", "4.2(a)", "4.2(b)", "4.2(b)(i)", "4.2(b)(ii)", "4.2(b)(iii)",
        "4.2(b)(iii)", "4.2(c)", "4.3", "5",
    ]
    assert [b.level for b in doc.blocks][:8] == [0, 1, 1, 2, 2, 3, 3, 3]


def test_roman_or_letter_by_context():
    doc = doc_of(*[P(f"({c}) item {c}") for c in "abcdefghij"])
    assert [b.section for b in doc.blocks][-3:] == ["(h)", "(i)", "(j)"]
    assert doc.blocks[8].level == doc.blocks[7].level  # (i) after (h) is a letter
    doc = doc_of(P("(a) first"), P("(i) sub one"), P("(ii) sub two"), P("(b) second"))
    assert [b.section for b in doc.blocks] == ["(a)", "(a)(i)", "(a)(ii)", "(b)"]


def test_a_letter_whose_first_item_opened_inside_a_paragraph():
    # "(a)" opens inside the section's paragraph and holds the roman list under it;
    # "(b)" is its sibling, and the "(i)" after "(c)" starts a list of its own.
    doc = doc_of(
        P("Sec. 3. Reporting. (a) The Agency shall take the following steps:"),
        P("(i) publish its policy;"),
        P("(ii) train its officers."),
        P("(b) The Agency shall keep records of every search."),
        P("(c) The Secretary shall request a study that will:"),
        P("(i) measure error rates; and"),
        P("(ii) publish the findings."),
    )
    assert [b.section for b in doc.blocks] == [
        "Section 3", "Section 3(a)(i)", "Section 3(a)(ii)", "Section 3(b)", "Section 3(c)", "Section 3(c)(i)",
        "Section 3(c)(ii)",
    ]
    # An "(a)" inside an item keeps its "(b)" under that item.
    doc = doc_of(P("1. Duties"), P("(i) The Licensee shall: (a) keep records;"), P("(b) allow audits."), P("(ii) The Licensor shall pay."))
    assert [b.section for b in doc.blocks] == ["1", "1(i)", "1(i)(b)", "1(ii)"]
    # With no "(a)" anywhere, a "(b)" still opens a level of its own.
    doc = doc_of(P("1. Duties"), P("(i) The Licensee shall keep records."), P("(b) allow audits."))
    assert [b.section for b in doc.blocks] == ["1", "1(i)", "1(i)(b)"]


def test_items_under_an_inline_enumerator_of_the_paragraph_above():
    """'… (a) reverse engineer it, or (b) use it to:' then '(i) …': the items are
    (b)'s; a later '(c)' is (b)'s sibling. A lone '(a)' counts only where it opens a
    sentence, and a reference such as 'clause (a) of Schedule 2' opens nothing."""
    doc = doc_of(
        P("13.1 Customer shall not (a) reverse engineer the Service, or (b) use it to:"),
        P("(i) identify people in public places; or"),
        P("(ii) track employees."),
        P("(c) sell the Service."),
        P("13.2 Customer shall pay the fees."),
    )
    assert [b.section for b in doc.blocks] == ["13.1", "13.1(b)(i)", "13.1(b)(ii)", "13.1(c)", "13.2"]
    assert doc.blocks[1].lead_in == doc.blocks[0].text
    doc = doc_of(P("4. Audits"), P("As set out in clause (a) of Schedule 2, Customer shall:"), P("(i) keep records."))
    assert [b.section for b in doc.blocks] == ["4", "4", "4(i)"]
    # The run sits in an exception; the sentence goes on to its own main clause.
    doc = doc_of(P("17.3 Arbitration. Except for (i) matters for the Experts, or (ii) any dispute over inventorship, "
                   "any dispute arising out of this Agreement shall be resolved by arbitration as follows:"),
                 P("(a) Rules. The ICC Rules apply."))
    assert [b.section for b in doc.blocks] == ["17.3", "17.3(a)"]


def test_article_section_schedule_keywords():
    doc = doc_of(
        P("ARTICLE IV USE RESTRICTIONS", kind=HEADING),
        P("Section 4.1 Customer shall not reverse engineer the Service."),
        P("(a) Customer shall not resell."),
        P("Schedule 2", kind=HEADING),
        P("1. Support hours are 9 to 5."),
        P("(a) Weekends are excluded."),
    )
    assert [b.section for b in doc.blocks] == [
        "Article IV", "Section 4.1", "Section 4.1(a)", "Schedule 2", "Schedule 2.1", "Schedule 2.1(a)",
    ]
    assert doc.blocks[0].label == "ARTICLE IV"  # as written; the section is normalised


def test_unnumbered_heading_closes_sections_of_its_level():
    doc = doc_of(
        H("1. Purpose", level=2),
        P("This policy explains the rules."),
        H("Prohibited Uses", level=2),
        P("Do not use the Service for surveillance."),
    )
    assert [b.section for b in doc.blocks] == ["1", "1", None, None]


def test_word_numbering_levels_are_used():
    doc = doc_of(
        P("Restrictions", label="1.", label_source="numbering", level=0, list_id="7"),
        P("Customer shall not:", label="1.1", label_source="numbering", level=1, list_id="7"),
        P("resell the Service;", label="(a)", label_source="numbering", level=2, list_id="7"),
        P("use it for weapons.", label="(b)", label_source="numbering", level=2, list_id="7"),
        P("Term", label="2.", label_source="numbering", level=0, list_id="7"),
    )
    assert [b.section for b in doc.blocks] == ["1", "1.1", "1.1(a)", "1.1(b)", "2"]
    assert doc.blocks[3].lead_in == "Customer shall not:"
    assert doc.blocks[3].label == "(b)" and doc.blocks[3].text == "use it for weapons."


# --------------------------------------------------------------------------- lead-ins


def test_lead_in_customer_shall_not_list():
    doc = doc_of(
        P("4.2 Customer shall not:"),
        P("(a) copy the Service;"),
        P("(b) resell the Service; or"),
        P("(c) use the Service in any weapon system."),
    )
    for b in doc.blocks[1:]:
        assert b.lead_in == "Customer shall not:"
        assert b.lead_in_block == 0


def test_lead_in_from_unnumbered_paragraph_and_nested_items():
    doc = doc_of(
        P("Definitions apply throughout."),
        P("Customer agrees that it will not, directly or indirectly:"),
        P("(a) use the Service for:"),
        P("(i) real-time identification; or"),
        P("(ii) emotion recognition;"),
        P("(b) sell data."),
    )
    a, i, ii, b = doc.blocks[2:]
    assert a.lead_in == "Customer agrees that it will not, directly or indirectly:"
    assert i.lead_in == "use the Service for:" and i.lead_in_block == 2
    assert ii.lead_in_block == 2
    assert b.lead_in_block == 1


def test_long_lead_in_takes_last_sentence():
    intro = ("This Agreement is entered into by the parties named on the cover page and governs the "
             "provision of the Service, including all updates, support and documentation made "
             "available from time to time by the Provider to the Customer. "
             "In addition, the Customer shall not:")
    doc = doc_of(P(intro), P("(a) resell the Service."))
    assert doc.blocks[1].lead_in == "In addition, the Customer shall not:"


def test_bullets_get_lead_in_and_keep_section():
    doc = doc_of(
        P("3. Acceptable Use"),
        P("You may not use the Services:"),
        P("for weapons development;", kind=LIST_ITEM),
        P("for mass surveillance.", kind=LIST_ITEM),
        P("We may suspend accounts."),
    )
    assert [b.section for b in doc.blocks] == ["3"] * 5
    assert [b.lead_in for b in doc.blocks[2:4]] == ["You may not use the Services:"] * 2
    assert doc.blocks[2].label is None
    assert doc.blocks[4].lead_in is None


def test_top_level_list_after_ordinary_paragraph_has_no_lead_in():
    doc = doc_of(P("This Agreement starts today."), P("1. Licence grant. You may use the Software."))
    assert doc.blocks[1].lead_in is None


# --------------------------------------------------------------------------- headings


def test_heading_chain():
    doc = doc_of(
        H("Master Agreement", level=1),
        H("4. Use Restrictions", level=2),
        H("4.1 General", level=3),
        P("Customer shall not copy."),
        H("5. Term", level=2),
        P("One year."),
    )
    assert doc.blocks[3].headings == ("Master Agreement", "4. Use Restrictions", "4.1 General")
    assert doc.blocks[5].headings == ("Master Agreement", "5. Term")
    assert doc.blocks[1].label == "4" and doc.blocks[1].text == "Use Restrictions"
    assert all(not b.operative and b.non_operative_reason == "heading" for b in doc.blocks if b.kind == HEADING)


def test_text_reader_headings_chain():
    text = "TERMS AND CONDITIONS\n\n1. Definitions\n\nThe words below have these meanings.\n\n2. Restrictions\n\nYou shall not copy.\n"
    doc = build(read_bytes(text.encode(), "t.txt"), "t.txt")
    last = doc.blocks[-1]
    assert last.text == "You shall not copy." and last.section == "2"
    assert last.headings == ("TERMS AND CONDITIONS", "2. Restrictions")


# --------------------------------------------------------------------------- definitions


def test_defined_terms_of_every_form():
    doc = doc_of(
        P('This Agreement (the "Agreement") is made between Acme Inc. ("Provider") and the customer (each, a "Party").'),
        P('"Service" means the hosted product.'),
        P('"Licensee" or "you" shall mean the person accepting this Agreement.'),
        P('"Marks" has the meaning given in Section 7.'),
        P('A "covered work" means the Program or a work based on it.'),
        P('"Prohibited Use" means any of the following:'),
        P("(a) facial recognition;"),
        P("(b) weapons targeting."),
        P("The Vendor (hereinafter \"Supplier\") agrees."),
        H("Definitions"),
        P("Output means the results produced by the Service."),
    )
    t = doc.defined_terms
    for term in ("Agreement", "Provider", "Party", "Service", "Licensee", "you", "Marks", "covered work", "Prohibited Use", "Supplier", "Output"):
        assert term in t, term
    assert t["Service"].definition == "means the hosted product."
    assert t["Service"].block == 1
    assert t["Prohibited Use"].definition == "means any of the following: facial recognition; weapons targeting."
    assert t["Agreement"].definition.startswith("This Agreement")
    assert t["Output"].definition == "means the results produced by the Service."
    assert doc.blocks[1].operative and doc.blocks[1].non_operative_reason == "definition"
    assert doc.blocks[0].non_operative_reason is None  # a parenthetical does not make a definition block


def test_definitions_table():
    cells = []
    rows = [("Term", "Definition"), ("Biometric Data", "data about a person's face"), ("Operator", "the user")]
    for r, (a, b) in enumerate(rows, 1):
        cells.append(P(a, kind=TABLE_CELL, table=1, row=r, col=1))
        cells.append(P(b, kind=TABLE_CELL, table=1, row=r, col=2))
    doc = doc_of(*cells)
    assert set(doc.defined_terms) == {"Biometric Data", "Operator"}
    assert doc.defined_terms["Operator"].definition == "the user"


def test_two_column_table_without_definitions_is_ignored():
    cells = []
    for r, (a, b) in enumerate([("Plan", "Price"), ("Basic", "$10")], 1):
        cells += [P(a, kind=TABLE_CELL, table=1, row=r, col=1), P(b, kind=TABLE_CELL, table=1, row=r, col=2)]
    assert doc_of(*cells).defined_terms == {}


# --------------------------------------------------------------------------- non-operative


def test_recitals_toc_and_signature_blocks():
    doc = doc_of(
        H("Table of Contents"),
        P("1. Definitions .......... 3"),
        P("2. Restrictions .......... 5"),
        H("Recitals"),
        P("The Provider develops face analysis software."),
        P("WHEREAS, the Customer wishes to license it;"),
        P("NOW, THEREFORE, the parties agree as follows:"),
        H("1. Definitions"),
        P('"Service" means the software.'),
        P("2. Restrictions. Customer shall not use the Service for surveillance."),
        P("By: ______________"),
        P("Name: Jane Roe"),
        P("Title: CEO"),
    )
    reasons = [b.non_operative_reason for b in doc.blocks]
    assert reasons == [
        "heading", "toc", "toc", "heading", "recital", "recital", "recital", "heading", "definition",
        None, "signature", "signature", "signature",
    ]
    assert [b.operative for b in doc.blocks][8:10] == [True, True]
    # TOC lines never open sections
    assert doc.blocks[1].section is None and doc.blocks[9].section == "2"


def test_toc_without_dot_leaders_ends_at_repeated_label():
    doc = doc_of(
        H("Contents"),
        P("1. Definitions"),
        P("2. Restrictions"),
        P("1. Definitions. Words have these meanings in this Agreement, unless the context says otherwise."),
        P("2. Restrictions. Customer shall not use the Service for surveillance."),
    )
    assert [b.non_operative_reason for b in doc.blocks] == ["heading", "toc", "toc", None, None]
    assert [b.section for b in doc.blocks] == [None, None, None, "1", "2"]


def test_whereas_outside_recitals_heading():
    doc = doc_of(P("WHEREAS the parties wish to cooperate;"), P("1. Licence. You may use the Software."))
    assert doc.blocks[0].non_operative_reason == "recital" and not doc.blocks[0].operative
    assert doc.blocks[1].operative


# --------------------------------------------------------------------------- offsets, parts, revisions


def test_offsets_slice_exactly_and_text_is_normalised():
    doc = doc_of(
        P("1.\tThe \u201cCustomer\u201d shall\u00a0not \u2014 ever \u2014 use ﬁngerprints."),
        P("(a)  spaced   out\ntext"),
        P("Plain paragraph."),
    )
    assert doc.blocks[0].text == 'The "Customer" shall not - ever - use fingerprints.'
    assert doc.blocks[1].text == "spaced out text"
    assert doc.text == "\n".join(b.text for b in doc.blocks)
    for b in doc.blocks:
        assert doc.text[b.start : b.end] == b.text


def test_other_parts_and_revisions_and_carried_fields():
    doc = doc_of(
        P("Page 1 of 3", part=FOOTER),
        P("1. Customer shall not resell.", paragraph=1),
        P("(a) Customer shall not build weapons.", paragraph=2),
        revisions=[Revision(kind="insertion", text="build weapons", paragraph=2), Revision(kind="deletion", text="x", paragraph=99)],
        numbering_resolved=True,
        pages=3,
        warnings=["w"],
        metadata={"comments": []},
    )
    assert [b.text for b in doc.blocks] == ["Customer shall not resell.", "Customer shall not build weapons."]
    assert [b.text for b in doc.other_parts] == ["Page 1 of 3"] and doc.other_parts[0].part == FOOTER
    assert "Page 1" not in doc.text
    assert doc.metadata["other_text"][doc.other_parts[0].start : doc.other_parts[0].end] == "Page 1 of 3"
    assert (doc.revisions[0].block, doc.revisions[0].section) == (1, "1(a)")
    assert doc.revisions[1].block is None
    assert (doc.numbering_resolved, doc.pages, doc.warnings, doc.format) == (True, 3, ["w"], "txt")


def test_empty_blocks_are_dropped():
    doc = doc_of(P("   "), P("Real text."))
    assert [b.text for b in doc.blocks] == ["Real text."] and doc.blocks[0].index == 0


def test_split_sentences_keeps_abbreviations():
    assert split_sentences("Acme Inc. is a U.S. company. It sells cameras.") == [
        "Acme Inc. is a U.S. company.", "It sells cameras.",
    ]


# --------------------------------------------------------------------------- through readers


def test_plain_text_contract_end_to_end():
    text = (
        "1. LICENSE\n\n"
        "1.1 Grant. Provider grants Customer a licence to use the Service, subject to\n"
        "the restrictions below.\n\n"
        "1.2 Restrictions. Customer shall not:\n"
        "  (a) reverse engineer the Service;\n"
        "  (b) use the Service to:\n"
        "      (i) identify people in public; or\n"
        "      (ii) target weapons;\n"
        "  (c) resell the Service.\n\n"
        "2. TERM\n\n"
        "This Agreement lasts one year.\n"
    )
    doc = build(read_bytes(text.encode(), "c.txt"), "c.txt")
    got = [(b.section, b.text) for b in doc.blocks]
    assert got == [
        ("1", "LICENSE"),
        ("1.1", "Grant. Provider grants Customer a licence to use the Service, subject to the restrictions below."),
        ("1.2", "Restrictions. Customer shall not:"),
        ("1.2(a)", "reverse engineer the Service;"),
        ("1.2(b)", "use the Service to:"),
        ("1.2(b)(i)", "identify people in public; or"),
        ("1.2(b)(ii)", "target weapons;"),
        ("1.2(c)", "resell the Service."),
        ("2", "TERM"),
        ("2", "This Agreement lasts one year."),
    ]
    ii = doc.blocks[6]
    assert ii.lead_in == "use the Service to:" and doc.blocks[ii.lead_in_block].lead_in == "Restrictions. Customer shall not:"
    assert ii.line == 10
    assert doc.blocks[0].kind == HEADING and doc.blocks[8].kind == HEADING


def test_markdown_heading_label_and_list_sections():
    md = "## 4. Use Restrictions\n\nCustomer shall not:\n\n- copy the Service\n- use it in weapons\n\nAfter the list.\n\n## 5. Term\n\n1. One year.\n"
    doc = build(read_bytes(md.encode(), "x.md"), "x.md")
    got = [(b.kind, b.section, b.label, b.text) for b in doc.blocks]
    assert got == [
        (HEADING, "4", "4", "Use Restrictions"),
        (PARAGRAPH, "4", None, "Customer shall not:"),
        (LIST_ITEM, "4", None, "copy the Service"),
        (LIST_ITEM, "4", None, "use it in weapons"),
        (PARAGRAPH, "4", None, "After the list."),
        (HEADING, "5", "5", "Term"),
        (LIST_ITEM, "5.1", "1", "One year."),
    ]
    assert doc.blocks[3].lead_in == "Customer shall not:"
    assert doc.blocks[4].lead_in is None


# --------------------------------------------------------------------------- what a lawyer sees
# Regression tests: sections and lead-ins as Word or a PDF viewer shows them.


def _recitals_docx(tmp_path):
    from tests.docx_factory import DocxBuilder, Level, heading_styles, p

    doc = DocxBuilder().style(*heading_styles(3))
    doc.abstract_num(1, Level("decimal", "%1."), Level("decimal", "%1.%2"), Level("lowerLetter", "(%3)"))
    doc.num(1, abstract=1)
    doc.add(
        p("Widget Hosting Agreement", style="Heading1"),
        p("This Agreement is made between:"),
        p('(1) Alpha Widgets Limited ("Provider"); and'),
        p('(2) Beta Retail Limited ("Customer").'),
        p("Background", style="Heading3"),
        p("(A) Provider hosts widgets."),
        p("(B) Customer wishes to use them."),
        p("The parties agree as follows:"),
        p("Definitions", style="Heading1", num=(1, 0)),
        p("In this Agreement the following words have the following meanings:", num=(1, 1)),
        p('"Fees" means the fees in the order;', num=(1, 2)),
        p('"Site" means each shop of Customer.', num=(1, 2)),
        p('"Prohibited Use" means any use:', num=(1, 1)),
        p("for weapons; or", num=(1, 2)),
        p("for covert surveillance.", num=(1, 2)),
        p("The Service", style="Heading1", num=(1, 0)),
        p("Provider shall host the widgets.", num=(1, 1)),
    )
    return doc.save(tmp_path / "recitals.docx")


def test_word_numbered_heading_after_typed_recitals_starts_the_clauses(tmp_path):
    path = _recitals_docx(tmp_path)
    doc = build(read_bytes(path.read_bytes(), str(path)), str(path))
    got = [(b.section, b.text[:24]) for b in doc.blocks]
    assert got == [
        (None, "Widget Hosting Agreement"),
        (None, "This Agreement is made b"),
        ("(1)", 'Alpha Widgets Limited ("'),
        ("(2)", 'Beta Retail Limited ("Cu'),
        (None, "Background"),
        ("(A)", "Provider hosts widgets."),
        ("(B)", "Customer wishes to use t"),
        (None, "The parties agree as fol"),  # not part of recital (B)
        ("1", "Definitions"),  # was "(B)(1)"
        ("1.1", "In this Agreement the fo"),
        ("1.1(a)", '"Fees" means the fees in'),
        ("1.1(b)", '"Site" means each shop o'),
        ("1.2", '"Prohibited Use" means a'),
        ("1.2(a)", "for weapons; or"),
        ("1.2(b)", "for covert surveillance."),
        ("2", "The Service"),
        ("2.1", "Provider shall host the "),
    ]
    by = {b.section: b for b in doc.blocks if b.section}
    assert by["(1)"].lead_in == by["(2)"].lead_in == "This Agreement is made between:"
    assert [b.non_operative_reason for b in doc.blocks[5:8]] == ["recital"] * 3
    assert doc.blocks[5].lead_in is None  # a heading ("Background") is a title, not a lead-in
    intro = "In this Agreement the following words have the following meanings:"
    assert by["1.1(a)"].lead_in == by["1.1(b)"].lead_in == intro
    assert by["1.2(b)"].lead_in == '"Prohibited Use" means any use:'
    # Clause numbers are not introduced by the heading or by the last recital line.
    assert by["1.1"].lead_in is None and by["1.2"].lead_in is None and by["2.1"].lead_in is None


def test_typed_recitals_without_heading_do_not_parent_clause_one():
    # A PDF does not mark "Background" as a heading.
    doc = doc_of(
        P("Background"),
        P("(A) The Client runs offices."),
        P("(B) The Caterer provides food."),
        P("1. DEFINITIONS"),
        P('1.1 "Premises" means the offices.'),
        P("2. SERVICES"),
    )
    assert [b.section for b in doc.blocks] == [None, "(A)", "(B)", "1", "1.1", "2"]
    assert [b.operative for b in doc.blocks] == [False, False, False, True, True, True]


def test_decimal_after_letters_nests_only_when_introduced():
    doc = doc_of(P("(a) Customer shall pay:"), P("1. the fees;"), P("(b) Customer shall not resell."), P("1. FEES"))
    assert [b.section for b in doc.blocks] == ["(a)", "(a)(1)", "(b)", "1"]


def test_recital_heading_then_numbered_paragraph_ends_recitals():
    doc = doc_of(
        H("Recitals", level=2),
        P("(A) Provider hosts widgets."),
        P("1. Provider shall host the widgets.", label_source=None),
        P("Customer shall pay for them."),
    )
    assert [b.section for b in doc.blocks] == [None, "(A)", "1", "1"]
    assert [b.non_operative_reason for b in doc.blocks] == ["heading", "recital", None, None]


def test_now_therefore_closes_recitals():
    doc = doc_of(
        P("A. Array owns patents."),
        P("B. Ono wants a licence."),
        P("NOW, THEREFORE, the Parties agree as follows:"),
    )
    assert [b.section for b in doc.blocks] == ["A", "B", None]
    # Inside a clause the typed letters stay open: "4.2" holds them.
    doc = doc_of(P("4.2 Fees:"), P("(a) are due monthly."), P("The parties agree as follows:"))
    assert [b.section for b in doc.blocks] == ["4.2", "4.2(a)", "4.2(a)"]


def test_word_numbering_restart_in_a_new_list_is_a_sibling():
    W = dict(label_source="numbering")
    doc = doc_of(
        RawBlock("Definitions", kind=HEADING, heading_level=1, label="13.", level=0, list_id="1", **W),
        RawBlock('"User" means a person.', kind=LIST_ITEM, label="13.1", level=1, list_id="1", **W),
        P("AI Addendum"),
        RawBlock("AI Services", kind=HEADING, heading_level=1, label="1.", level=0, list_id="2", **W),
        RawBlock("Using AI Services.", kind=LIST_ITEM, label="1.1", level=1, list_id="2", **W),
    )
    assert [b.section for b in doc.blocks] == ["13", "13.1", "13.1", "1", "1.1"]


def test_word_list_restart_without_headings():
    W = dict(kind=LIST_ITEM, label_source="numbering", level=0)
    doc = doc_of(
        P("Pay the fees.", label="1.", list_id="7", **W),
        P("Keep records.", label="2.", list_id="7", **W),
        P("The supplier shall:"),
        P("deliver on time.", label="1.", list_id="9", **W),
        P("Other matters follow."),
        P("Give notice.", label="1.", list_id="11", **W),
    )
    # "1." of list 9 is introduced by the sentence ending ":" and nests; list 11 restarts.
    assert [b.section for b in doc.blocks] == ["1", "2", "2", "2.1", "2.1", "1"]


def test_bare_schedule_heading_resets_numbering():
    doc = doc_of(
        P("12. GENERAL"),
        P("12.3 English law governs this Agreement."),
        P("Schedule - Charges and Service Standards"),
        P("Management fee Fixed, per month"),
        P("1. Charges are reviewed yearly."),
    )
    assert [b.section for b in doc.blocks] == ["12", "12.3", "Schedule", "Schedule", "Schedule.1"]
    assert doc.blocks[2].label == "Schedule" and doc.blocks[2].text == "Charges and Service Standards"


@pytest.mark.parametrize(
    "text,label,rest",
    [
        ("Schedule - Charges and Service Standards", "Schedule", "Charges and Service Standards"),
        ("SCHEDULE", "SCHEDULE", ""),
        ("Annex: Data Processing", "Annex", "Data Processing"),
        ("Section 1- Types of Working Groups", "Section 1", "Types of Working Groups"),
    ],
)
def test_detect_division_labels(text, label, rest):
    found = detect_label(text)
    assert found is not None and (found[0].text, found[1].strip()) == (label, rest)


@pytest.mark.parametrize(
    "text",
    ["Schedule of fees applies", "Annex - the parties agree that the fees are due.", "schedule - later", "Exhibit - Fees are due, as agreed, in full."],
)
def test_bare_division_false_positives(text):
    assert detect_label(text) is None


def test_numbered_title_ending_name_is_not_a_signature_line():
    doc = doc_of(P("Section 1 Name:"), P("The organisation is called Acme."))
    assert doc.blocks[0].non_operative_reason is None and doc.blocks[0].section == "Section 1"


def test_in_witness_ends_the_last_clause_but_not_a_schedule():
    doc = doc_of(
        P("14.6 Kestrel may name Customer in marketing."),
        P("IN WITNESS WHEREOF, the Parties have signed this Agreement."),
        P("By: ____________"),
        P("Schedule 2", kind=HEADING),
        P("IN WITNESS WHEREOF, the guarantor signs this deed."),
    )
    assert [b.section for b in doc.blocks] == ["14.6", None, None, "Schedule 2", "Schedule 2"]


def test_heading_ending_in_colon_is_the_lead_in_of_every_item():
    doc = doc_of(
        H("1. Definitions. In this Licence:"),
        P('(a) "Licence" means these terms.'),
        P('(b) "Model" means the weights.'),
        P('(c) "You" means the licensee.'),
    )
    assert [b.lead_in for b in doc.blocks[1:]] == ["Definitions. In this Licence:"] * 3
    assert [b.section for b in doc.blocks] == ["1", "1(a)", "1(b)", "1(c)"]


def test_items_continue_after_an_unnumbered_paragraph_with_the_same_lead_in():
    doc = doc_of(
        P("4. Use Restrictions"),
        P("4.2 Customer shall not:"),
        P("(a) copy the Service;"),
        P("This includes partial copies."),
        P("(b) resell the Service; or"),
        P("(c) Use the Service in weapons."),
    )
    assert [b.section for b in doc.blocks] == ["4", "4.2", "4.2(a)", "4.2(a)", "4.2(b)", "4.2(c)"]
    for b in (doc.blocks[2], doc.blocks[4], doc.blocks[5]):
        assert b.lead_in == "Customer shall not:" and b.lead_in_block == 1
    assert doc.blocks[1].lead_in is None


def test_cross_reference_split_over_a_page_break_is_not_a_label():
    doc = doc_of(
        P("6.2 Array shall notify Ono of milestones under Section 6.2(a) and Section", page=51),
        P("6.2(b) above, within fifteen days.", page=52),
        P("6.3 Royalties are due quarterly.", page=52),
    )
    assert [(b.section, b.label) for b in doc.blocks] == [("6.2", "6.2"), ("6.2", None), ("6.3", "6.3")]
    assert doc.blocks[1].text == "6.2(b) above, within fifteen days."
    assert doc.text[doc.blocks[1].start : doc.blocks[1].end] == doc.blocks[1].text


def test_pdf_recitals_and_numbered_clauses(tmp_path):
    from tests.pdf_factory import text_pdf

    path = text_pdf(
        tmp_path / "r.pdf",
        [[
            "Background",
            "(A) The Client runs offices in Marlow.",
            "(B) The Caterer provides staff restaurants.",
            "1. DEFINITIONS",
            '1.1 "Premises" means the Client\'s offices.',
            "2. CLIENT OBLIGATIONS",
            "2.1 The Client shall:",
            "(a) give access to the kitchen;",
            "(b) pay for utilities.",
        ]],
        gap_after=range(9),
    )
    doc = build(read_bytes(path.read_bytes(), str(path)), str(path))
    got = [(b.section, b.text) for b in doc.blocks]
    assert got[:5] == [
        (None, "Background"),
        ("(A)", "The Client runs offices in Marlow."),
        ("(B)", "The Caterer provides staff restaurants."),
        ("1", "DEFINITIONS"),
        ("1.1", '"Premises" means the Client\'s offices.'),
    ]
    assert got[-2:] == [("2.1(a)", "give access to the kitchen;"), ("2.1(b)", "pay for utilities.")]
    assert doc.blocks[-1].lead_in == "The Client shall:"


def test_top_level_numbered_list_after_a_colon_paragraph_shares_its_lead_in():
    doc = doc_of(
        H("Prohibited Uses"),
        P("You agree that you will not use the Model to:"),
        P("1. Break the law, including to:"),
        P("(a) plan unlawful activity;"),
        P("(b) harass a person;"),
        P("This covers attempts too."),
        P("2. Track people through cameras."),
        P("3. Mislead others."),
        H("Other Terms"),
        P("4. The licence ends on breach."),
    )
    one, a, b, note, two, three, _, four = doc.blocks[2:]
    for item in (one, two, three):
        assert item.lead_in == "You agree that you will not use the Model to:" and item.lead_in_block == 1
    assert a.lead_in == b.lead_in == "Break the law, including to:" and a.lead_in_block == 2
    assert four.lead_in is None  # a heading ends the run
    assert [x.section for x in (one, a, b, note, two, three, four)] == ["1", "1(a)", "1(b)", "1(b)", "2", "3", "4"]


def test_clause_numbers_after_the_operative_opening_have_no_lead_in():
    doc = doc_of(
        P("The parties agree as follows:"),
        P("1. Licence. The Licensor grants a licence to use the Model."),
        P("2. Term. This licence lasts one year."),
        P("The Licensee shall not:"),
        P("3. sell the Model;"),
        P("5. Notices must be in writing."),  # not the next number of the run
    )
    assert [b.lead_in for b in doc.blocks[1:3]] == [None, None]
    assert doc.blocks[4].lead_in == "The Licensee shall not:"
    assert doc.blocks[5].lead_in is None


def test_unnumbered_items_after_a_colon_take_its_lead_in():
    # a list whose bullets were lost (web page, plain text): each item reads as the
    # lead-in's continuation, and the run ends with the item that ends a sentence
    doc = doc_of(
        P("Customer may let its staff use the Service, provided that Customer:"),
        P("makes each of them aware of these Terms;"),
        P("Answers for their acts and omissions; and"),
        P("withdraws access when one of them leaves."),
        P("The Service is hosted in Ireland."),
    )
    assert [b.lead_in_block for b in doc.blocks] == [None, 0, 0, 0, None]
    assert doc.blocks[1].lead_in == "Customer may let its staff use the Service, provided that Customer:"


def test_unnumbered_items_may_close_a_numbered_clause():
    doc = doc_of(
        P("3. Licence. Provider grants Customer a licence to use the Service, provided that Customer:"),
        P("keeps its credentials secret; and"),
        P("pays the fees."),
    )
    assert [b.lead_in_block for b in doc.blocks] == [None, 0, 0]


def test_a_sentence_of_its_own_after_a_colon_is_no_item():
    doc = doc_of(
        P("The parties agree as follows:"),
        P("fees are due monthly;"),
        P("Customer shall not:"),
        P("The Service is provided as is."),
        P("Provider offers two plans:"),
        P("Basic and Premium."),
    )
    # the operative opening is no lead-in; a capitalised sentence that ends in a full
    # stop stands on its own
    assert [b.lead_in_block for b in doc.blocks] == [None, None, None, None, None, None]
