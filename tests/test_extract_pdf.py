"""The PDF reader on real PDFs built with reportlab (see tests/pdf_factory.py)."""

from __future__ import annotations

import glob
import os

import pytest

from clause_lint.errors import ClauseLintError, CorruptFile, EncryptedFile, LimitExceeded, NeedsOCR
from clause_lint.extract import ocr, pdf, read_path
from clause_lint.limits import DEFAULT_LIMITS, Limits
from clause_lint.model import BODY, FOOTER, HEADER

try:
    from pdf_factory import PAGE_H, PAGE_W, Image, T, build_pdf, flow, scanned_pdf, text_pdf
except ImportError:  # tests/ imported as a package
    from tests.pdf_factory import PAGE_H, PAGE_W, Image, T, build_pdf, flow, scanned_pdf, text_pdf

CORPUS = "/work/shared/corpus/bin"


def read(path, limits: Limits = DEFAULT_LIMITS):
    with open(path, "rb") as fh:
        return pdf.read(fh.read(), str(path), limits)


def body(extracted):
    return [b for b in extracted.blocks if b.part == BODY]


def texts(extracted):
    return [b.text for b in body(extracted)]


body_blocks = body


# --- paragraphs, pages and lines -------------------------------------------------------


def test_paragraphs_pages_and_lines(tmp_path):
    page1 = flow(
        [
            "The Supplier shall deliver the goods described in the order",
            "to the address the Customer gives in writing.",
            "Payment is due within thirty days of the invoice date.",
        ],
        gap_after=[1],
    )
    page2 = flow(["Either party may end this agreement on notice.", "Notices must be in writing."], top=100, gap_after=[0])
    ex = read(build_pdf(tmp_path / "p.pdf", [page1, page2]))
    assert ex.format == "pdf" and ex.pages == 2
    got = [(b.text, b.page, b.line, b.end_line) for b in body(ex)]
    assert got == [
        ("The Supplier shall deliver the goods described in the order to the address the Customer gives in writing.", 1, 1, 2),
        ("Payment is due within thirty days of the invoice date.", 1, 3, 3),
        ("Either party may end this agreement on notice.", 2, 1, 1),
        ("Notices must be in writing.", 2, 2, 2),
    ]
    assert all(b.label is None for b in ex.blocks)


def test_line_numbers_count_the_header(tmp_path):
    pages = []
    words = ["delivery", "payment", "termination"]
    for n, word in enumerate(words, start=1):
        pages.append(
            [T(72, 30, "Acme Ltd - Master Services Agreement", 9)]
            + flow([f"Clause text about {word} that a reader counts as line two.", f"More on {word} here."], top=90)
            + [T(300, 750, f"Page {n} of 3", 9)]
        )
    ex = read(build_pdf(tmp_path / "h.pdf", pages))
    blocks = body(ex)
    assert [(b.page, b.line, b.end_line) for b in blocks] == [(1, 2, 3), (2, 2, 3), (3, 2, 3)]


def test_repeated_headers_footers_and_page_numbers_removed(tmp_path):
    pages = []
    for n in range(1, 5):
        items = [T(72, 30, "CONFIDENTIAL - Acme / Beta Supply Agreement", 9)]
        items += flow([f"Body paragraph {'ABCD'[n - 1]} says the supplier keeps records.", "It keeps them for six years."], top=100)
        items += [T(280, 740, f"- {n} -", 9), T(72, 755, f"Acme Supply v2 Page {n} of 4", 8)]
        pages.append(items)
    ex = read(build_pdf(tmp_path / "hf.pdf", pages))
    joined = " ".join(texts(ex))
    assert "CONFIDENTIAL" not in joined
    assert "Page" not in joined and "- 2 -" not in joined
    assert texts(ex) == [f"Body paragraph {c} says the supplier keeps records. It keeps them for six years." for c in "ABCD"]
    # The repeated header is kept once, outside the body.
    headers = [b for b in ex.blocks if b.part == HEADER]
    assert [h.text for h in headers] == ["CONFIDENTIAL - Acme / Beta Supply Agreement"]
    assert (headers[0].page, headers[0].line) == (1, 1)
    footers = [b for b in ex.blocks if b.part == FOOTER]
    assert [(f.text, f.page) for f in footers] == [("Acme Supply v2 Page 1 of 4", 1)]  # "- 1 -" is dropped


def test_lone_page_numbers_removed_on_two_page_document(tmp_path):
    pages = [
        flow(["First page text that ends the first paragraph."], top=80) + [T(300, 750, "1", 10)],
        flow(["Second page text with the second paragraph."], top=80) + [T(300, 750, "2", 10)],
    ]
    ex = read(build_pdf(tmp_path / "n.pdf", pages))
    assert texts(ex) == ["First page text that ends the first paragraph.", "Second page text with the second paragraph."]


def test_a_number_in_the_body_is_not_a_page_number(tmp_path):
    page = flow(["The fee is set out below:", "250", "payable yearly in advance by the Customer."], top=300)
    ex = read(build_pdf(tmp_path / "b.pdf", [page]))
    assert "250" in " ".join(texts(ex))


def test_dehyphenation(tmp_path):
    page = flow(
        [
            "The parties will agree an exam-",
            "ple schedule and the Know-",
            "How transfer plan before go-",
            "live, as the steering commit-",
            "tee decides.",
        ]
    )
    ex = read(build_pdf(tmp_path / "d.pdf", [page]))
    assert texts(ex) == [
        "The parties will agree an example schedule and the Know-How transfer plan before golive, "
        "as the steering committee decides."
    ]


def test_numbered_paragraphs_split(tmp_path):
    lines = [
        "1. Definitions apply to this agreement and to every schedule",
        "attached to it.",
        "1.1 Affiliate means any entity that controls a party.",
        "4.2(b) The licence covers internal use only.",
        "(a) first item of the list;",
        "(iv) fourth item in roman numbering;",
        "Section 5 Term and termination of the contract",
        "ARTICLE IV",
        "Schedule 2 Service levels",
    ]
    ex = read(build_pdf(tmp_path / "num.pdf", [flow(lines)]))
    assert texts(ex) == [
        "1. Definitions apply to this agreement and to every schedule attached to it.",
        "1.1 Affiliate means any entity that controls a party.",
        "4.2(b) The licence covers internal use only.",
        "(a) first item of the list;",
        "(iv) fourth item in roman numbering;",
        "Section 5 Term and termination of the contract",
        "ARTICLE IV",
        "Schedule 2 Service levels",
    ]
    assert [b.line for b in body(ex)] == [1, 3, 4, 5, 6, 7, 8, 9]


def test_reference_wrapped_to_line_start_does_not_split(tmp_path):
    lines = [
        "The Customer may terminate this agreement under the conditions of Section",
        "5.2 of the Master Agreement and must then return all materials promptly.",
    ]
    ex = read(build_pdf(tmp_path / "w.pdf", [flow(lines)]))
    assert len(body(ex)) == 1


def test_indented_first_line_starts_a_paragraph(tmp_path):
    lines = [
        "The first paragraph has an indented opening line and goes on",
        "to a second line that ends here.",
        "The second paragraph starts with the same indentation, with no",
        "blank line above it, as many contracts are typeset.",
    ]
    ex = read(build_pdf(tmp_path / "i.pdf", [flow(lines, indent={0: 24, 2: 24})]))
    assert len(body(ex)) == 2
    assert body(ex)[1].text.startswith("The second paragraph")
    assert body(ex)[1].line == 3


def test_two_columns_read_column_by_column(tmp_path):
    left = [f"left column line {i} about the supplier's duties" for i in range(1, 11)]
    right = [f"right column line {i} about the customer's duties" for i in range(1, 11)]
    left[-1] += "."  # the left column's paragraph ends; the right one starts afresh
    right[0] = "Right" + right[0][5:]
    items = [T(72, 40, "MUTUAL NON-DISCLOSURE AGREEMENT AND SCHEDULE OF DUTIES FOR BOTH", 12)]
    items += flow(left, x=72, top=80, size=9, leading=12)
    items += flow(right, x=330, top=80, size=9, leading=12)
    ex = read(build_pdf(tmp_path / "cols.pdf", [items]))
    got = texts(ex)
    assert got[0].startswith("MUTUAL NON-DISCLOSURE")
    assert got[1] == " ".join(left)
    assert got[2] == " ".join(right)
    # line numbers stay those of the page: both columns start on line 2
    assert [(b.line, b.end_line) for b in body(ex)[1:]] == [(2, 11), (2, 11)]


def test_single_column_form_with_labels_is_not_split_into_columns(tmp_path):
    items = []
    for i in range(8):
        items.append(T(72, 80 + i * 16, f"Label {i}"))
        items.append(T(320, 80 + i * 16, f"value number {i} of the form field"))
    ex = read(build_pdf(tmp_path / "form.pdf", [items]))
    # Read row by row (label, then its value), not column by column: a table of
    # eight rows of two cells.
    assert texts(ex)[:4] == ["Label 0", "value number 0 of the form field", "Label 1", "value number 1 of the form field"]
    [table] = ex.tables
    assert (table.n_rows, table.n_cols) == (8, 2)


def test_rotated_margin_stamp_left_out_of_body(tmp_path):
    items = flow(["The Licensee shall not use the software for surveillance.", "This obligation survives termination."], top=300)
    items.append(T(590, 700, "FILED 2025-04-23 RECEIVED BY THE REGISTRAR", 8, angle=90))
    ex = read(build_pdf(tmp_path / "rot.pdf", [items]))
    assert texts(ex) == ["The Licensee shall not use the software for surveillance. This obligation survives termination."]
    assert any("rotated" in w for w in ex.warnings)


def test_rotated_page_is_read_in_its_direction(tmp_path):
    # A landscape page drawn rotated on a portrait sheet: all text runs up the page.
    items = [T(100, 700, "The first rotated line of the schedule table", angle=90),
             T(114, 700, "and its second line, read in the same direction.", angle=90)]
    ex = read(build_pdf(tmp_path / "rotpage.pdf", [items]))
    assert texts(ex) == ["The first rotated line of the schedule table and its second line, read in the same direction."]


def test_fake_bold_doubled_text_deduplicated(tmp_path):
    items = [T(72, 80, "Confidentiality"), T(72.4, 80, "Confidentiality")]
    items += flow(["Each party keeps the other's information secret."], top=110)
    ex = read(build_pdf(tmp_path / "bold.pdf", [items]))
    assert texts(ex) == ["Confidentiality", "Each party keeps the other's information secret."]


def test_ligatures_normalised(tmp_path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    font = TTFont("VeraLig", "Vera.ttf")
    if 0xFB01 not in font.face.charToGlyph:
        pytest.skip("bundled font has no fi ligature")
    pdfmetrics.registerFont(font)
    items = [T(72, 80, "The \ufb01nal invoice is \ufb02at and \u201cfixed\u201d.", font="VeraLig")]
    ex = read(build_pdf(tmp_path / "lig.pdf", [items]))
    assert texts(ex) == ['The final invoice is flat and "fixed".']


# --- headings ---------------------------------------------------------------------------


def _run_in(x: float, top: float, caption: str, rest: str, size: float = 10.5) -> list[T]:
    """A bold caption running on into plain text on one line."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    width = stringWidth(caption + " ", "Times-Bold", size)
    return [T(x, top, caption, size, font="Times-Bold"), T(x + width, top, rest, size, font="Times-Roman")]


def test_bold_larger_and_all_caps_lines_are_headings(tmp_path):
    body = dict(size=10.5, font="Times-Roman")
    items = [
        T(72, 60, "Harbour Lights Venue Hire Terms", 16, font="Helvetica-Bold"),
        T(72, 90, "These terms apply to every booking of the Harbour Lights hall made by a Hirer.", **body),
        T(72, 120, "2. USE OF THE HALL", 11, font="Helvetica-Bold"),
        T(72, 140, "2.1 The Hirer may use the hall for the event named in the booking form.", **body),
        T(72, 170, "Prohibited Activities", 10.5, font="Times-Bold"),
        T(72, 190, "The Hirer shall keep the fire exits clear at all times during the event.", **body),
        T(72, 220, "CANCELLATION", **body),
        T(72, 240, "Either party may cancel a booking by written notice to the other.", **body),
        T(72, 270, "5. Deposits.", 10.5, font="Times-Bold"),
        T(72, 290, "The deposit is returned within fourteen days after the event ends.", **body),
    ]
    items += _run_in(72, 320, "6.2 Noise.", "The Hirer shall not play amplified music after eleven at night.")
    items += [
        T(72, 350, "Signed for the venue", **body),  # short, plain type: not a heading
        T(72, 370, "Short plain lines in the body face stay paragraphs.", **body),
        # "fake bold": the same words drawn twice, offset (PDFium itself merges copies
        # under ~2 pt apart, and then the line reads as plain type)
        T(72, 400, "Damage to the Hall", **body), T(75, 400.3, "Damage to the Hall", **body),
        T(72, 420, "The Hirer pays for any damage caused during the event.", **body),
    ]
    ex = read(build_pdf(tmp_path / "h.pdf", [items]))
    got = [(b.kind, b.heading_level, b.text) for b in body_blocks(ex)]
    assert got == [
        ("heading", 1, "Harbour Lights Venue Hire Terms"),  # larger and bold
        ("paragraph", None, "These terms apply to every booking of the Harbour Lights hall made by a Hirer."),
        ("heading", 1, "2. USE OF THE HALL"),
        ("paragraph", None, "2.1 The Hirer may use the hall for the event named in the booking form."),
        ("heading", 2, "Prohibited Activities"),  # bold in the body size
        ("paragraph", None, "The Hirer shall keep the fire exits clear at all times during the event."),
        ("heading", 1, "CANCELLATION"),  # ALL CAPS
        ("paragraph", None, "Either party may cancel a booking by written notice to the other."),
        ("heading", 2, "5. Deposits."),  # a numbered heading may end with a period
        ("paragraph", None, "The deposit is returned within fourteen days after the event ends."),
        # a bold caption running on into the clause is no heading
        ("paragraph", None, "6.2 Noise. The Hirer shall not play amplified music after eleven at night."),
        ("paragraph", None, "Signed for the venue"),
        ("paragraph", None, "Short plain lines in the body face stay paragraphs."),
        ("heading", 2, "Damage to the Hall"),
        ("paragraph", None, "The Hirer pays for any damage caused during the event."),
    ]


def test_bold_heading_without_a_gap_stands_alone_and_bold_sentences_do_not(tmp_path):
    items = [
        T(72, 100, "Use Restrictions", 11, font="Helvetica-Bold"),
        T(72, 114, "Customer shall not use the Service to identify people in public places.", 11),
        T(72, 150, "Customer must read this notice before it signs.", 11, font="Helvetica-Bold"),
        T(72, 180, "Every Order is subject to these terms:", 11, font="Helvetica-Bold"),
    ]
    ex = read(build_pdf(tmp_path / "g.pdf", [items]))
    got = [(b.kind, b.text) for b in body_blocks(ex)]
    assert got == [
        ("heading", "Use Restrictions"),
        ("paragraph", "Customer shall not use the Service to identify people in public places."),
        ("paragraph", "Customer must read this notice before it signs."),  # a sentence, not a title
        ("paragraph", "Every Order is subject to these terms:"),  # a lead-in, not a title
    ]


def test_pdf_heading_is_the_cue_section_title_in_structure(tmp_path):
    from clause_lint.extract import read_bytes
    from clause_lint.structure import build

    items = [
        T(72, 100, "Prohibited Uses", 11, font="Helvetica-Bold"),
        T(72, 120, "The Licensee uses the Software for mass surveillance of crowds.", 11),
    ]
    path = build_pdf(tmp_path / "s.pdf", [items])
    doc = build(read_bytes(path.read_bytes(), str(path)), str(path))
    assert doc.blocks[0].kind == "heading" and not doc.blocks[0].operative
    assert doc.blocks[1].headings == ("Prohibited Uses",)


# --- page breaks -------------------------------------------------------------------------

FULL = "The Reseller shall market the Licensed Products in the Territory with all due care and"


def test_paragraph_split_by_a_page_break_is_joined(tmp_path):
    pages = [
        flow(["1. Appointment. The Supplier appoints the Reseller as its non-exclusive reseller.",
              "2. Marketing. " + FULL[:60], FULL], top=600, gap_after=[0]),
        flow(["diligence, and shall not make any statement about them that the Supplier has not",
              "approved in writing.",
              "3. Prices. The Reseller sets its own resale prices."], top=80, gap_after=[1]),
    ]
    ex = read(build_pdf(tmp_path / "pb.pdf", pages))
    blocks = body_blocks(ex)
    assert [(b.page, b.line, b.end_line) for b in blocks] == [(1, 1, 1), (1, 2, 2), (2, 3, 3)]
    assert blocks[1].text == ("2. Marketing. " + FULL[:60] + " " + FULL + " diligence, and shall not make any statement "
                              "about them that the Supplier has not approved in writing.")


def test_page_break_join_when_the_last_line_runs_to_the_margin(tmp_path):
    # The next page starts with a capital ("Territory") but the sentence plainly goes on.
    pages = [
        flow(["Short opening paragraph of the agreement.", FULL, FULL + " in the"], top=600, gap_after=[0]),
        flow(["Territory named in the Schedule.", "A new paragraph starts here."], top=80, gap_after=[0]),
    ]
    ex = read(build_pdf(tmp_path / "pm.pdf", pages))
    got = [b.text for b in body_blocks(ex)]
    assert got == ["Short opening paragraph of the agreement.",
                   FULL + " " + FULL + " in the Territory named in the Schedule.",
                   "A new paragraph starts here."]


def test_page_break_does_not_join_finished_or_numbered_or_titled_text(tmp_path):
    pages = [
        flow(["The first page ends with a sentence that is finished here.",
              "A list lead-in ends the page without a stop and it runs to the right margin of",
              "the page"], top=600),
        flow(["4.1 The next page opens with a numbered clause of its own."], top=80),
        flow(["Another page ends in the middle of a short line"], top=700),
        [T(72, 80, "General Terms", 11, font="Helvetica-Bold")]
        + flow(["Each party bears its own costs of entering into this agreement."], top=100),
    ]
    ex = read(build_pdf(tmp_path / "pn.pdf", pages))
    got = [(b.page, b.text[:30]) for b in body_blocks(ex)]
    assert got == [
        (1, "The first page ends with a sen"),
        (1, "A list lead-in ends the page w"),
        (2, "4.1 The next page opens with a"),
        (3, "Another page ends in the middl"),
        (4, "General Terms"),
        (4, "Each party bears its own costs"),
    ]


# --- files that cannot be read --------------------------------------------------------


def test_scanned_pdf_needs_ocr(tmp_path):
    # The "scan" is random noise: even OCR finds nothing in it.
    path = scanned_pdf(tmp_path / "scan.pdf", pages=2)
    with pytest.raises(NeedsOCR, match="no text layer: this PDF looks scanned; OCR is off"):
        read(path, Limits(ocr="never"))
    if ocr.missing_reason() is None:
        with pytest.raises(NeedsOCR, match="OCR recognised nothing"):
            read(path)
    else:
        with pytest.raises(NeedsOCR, match="install Tesseract"):
            read(path)


def test_partly_scanned_pdf_warns(tmp_path):
    pages = [flow(["A typed cover page with the parties' names on it."]), [Image(36, 36, PAGE_W - 72, PAGE_H - 72)]]
    path = build_pdf(tmp_path / "part.pdf", pages)
    ex = read(path, Limits(ocr="never"))
    assert texts(ex) == ["A typed cover page with the parties' names on it."]
    assert any("page 2 has no text layer" in w and "OCR is off" in w for w in ex.warnings)
    ex = read(path)
    assert texts(ex) == ["A typed cover page with the parties' names on it."]
    if ocr.missing_reason() is None:
        assert any("OCR found no text on page 2" in w for w in ex.warnings), ex.warnings
    else:
        assert any("page 2 has no text layer" in w and "install Tesseract" in w for w in ex.warnings)


def test_text_hidden_under_a_scan_is_flagged(tmp_path):
    # OCR text painted first, then the page image over it (as in corpus pdf09).
    items = flow(["This Agreement is governed by the laws of England.", "Each party signs below."], top=100)
    items.append(Image(0, 0, PAGE_W, PAGE_H))
    ex = read(build_pdf(tmp_path / "ocr.pdf", [items]))
    assert texts(ex) == ["This Agreement is governed by the laws of England. Each party signs below."]
    assert any("hidden OCR layer" in w for w in ex.warnings)
    assert ex.metadata["ocr_layer_pages"] == [1]


def test_noise_text_layer_needs_ocr(tmp_path):
    noise = ["Jk7q xZ9p lI1| Qw3e 0oOq vV2x Zz8k jJ5m", "pP4r tT6y Gg1h kK0l mM9n bB7v cC3x dD2s"] * 3
    with pytest.raises(NeedsOCR, match="noise"):
        read(build_pdf(tmp_path / "noise.pdf", [flow(noise)]))


def test_encrypted_with_empty_user_password_is_read(tmp_path):
    path = build_pdf(tmp_path / "enc0.pdf", [flow(["Readable without a password."])], encrypt=("", "owner-secret"))
    with open(path, "rb") as fh:
        assert b"/Encrypt" in fh.read()
    assert texts(read(path)) == ["Readable without a password."]


def test_encrypted_with_password_raises(tmp_path):
    path = build_pdf(tmp_path / "enc1.pdf", [flow(["Secret terms."])], encrypt=("user-secret", "owner-secret"))
    with pytest.raises(EncryptedFile, match="password"):
        read(path)


def test_corrupt_pdf(tmp_path):
    data = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
    with pytest.raises(CorruptFile):
        pdf.read(data, "bad.pdf", DEFAULT_LIMITS)


def test_damaged_objects_pdf(tmp_path):
    path = text_pdf(tmp_path / "ok.pdf", [["Some text on the page."]])
    data = bytearray(path.read_bytes())
    # Wreck everything between the header and the trailer.
    data[20:-60] = b"\x00" * (len(data) - 80)
    with pytest.raises(ClauseLintError):
        pdf.read(bytes(data), "wrecked.pdf", DEFAULT_LIMITS)


def test_truncated_pdf(tmp_path):
    data = text_pdf(tmp_path / "t.pdf", [["Page one text."], ["Page two text."], ["Page three text."]]).read_bytes()
    with pytest.raises(CorruptFile, match="truncated"):
        pdf.read(data[: len(data) // 2], "t.pdf", DEFAULT_LIMITS)


def test_too_many_pages(tmp_path):
    path = text_pdf(tmp_path / "many.pdf", [[f"Page {n} text of the contract."] for n in range(1, 4)])
    with pytest.raises(LimitExceeded, match="raise it with --max-pages"):
        read(path, Limits(max_pages=2))
    assert read(path, Limits(max_pages=3)).pages == 3


def test_through_the_dispatcher(tmp_path):
    path = text_pdf(tmp_path / "renamed.docx", [["A PDF saved with the wrong extension."]])
    ex = read_path(str(path))
    assert ex.format == "pdf" and texts(ex) == ["A PDF saved with the wrong extension."]
    assert "not docx" in ex.warnings[0]


# --- word quality ----------------------------------------------------------------------


def test_word_quality_separates_text_from_noise():
    assert pdf.word_quality(["The Supplier shall keep records of all deliveries for six (6) years under Section 4.2(b)."]) > 0.95
    assert pdf.word_quality(["Jk7q xZ9p Qw3e vV2x Zz8k jJ5m pP4r tT6y Gg1h kK0l"]) < 0.3
    assert pdf.word_quality(["本协议受中华人民共和国法律管辖"]) == 1.0  # no case, nothing to judge


# --- the real corpus ------------------------------------------------------------------

CORPUS_PDFS = sorted(glob.glob(os.path.join(CORPUS, "*.pdf")))


@pytest.mark.skipif(not CORPUS_PDFS, reason="corpus not present")
@pytest.mark.parametrize("path", CORPUS_PDFS, ids=os.path.basename)
def test_corpus_pdfs(path):
    ex = read(path)
    blocks = body(ex)
    assert ex.pages and len(blocks) >= 5
    for b in blocks:
        assert b.text and b.text == b.text.strip() and "\n" not in b.text
        assert 1 <= b.page <= ex.pages
        # A paragraph joined over a page break ends on a line of the next page.
        assert b.line >= 1 and b.end_line >= 1
    # Reading order within a page: blocks of one column never go back up.
    if "scanned" in path:
        assert any("OCR" in w for w in ex.warnings)  # its hidden OCR layer is flagged
    # no page furniture left in the body
    assert not any(pdf._PAGE_NUMBER.match(b.text) and len(b.text) < 12 for b in blocks)
