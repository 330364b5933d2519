"""The PDF reader on real PDFs built with reportlab (see tests/pdf_factory.py)."""

from __future__ import annotations

import glob
import os

import pytest

from clause_lint.errors import ClauseLintError, CorruptFile, EncryptedFile, LimitExceeded, NeedsOCR
from clause_lint.extract import pdf, read_path
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
    assert texts(ex)[0] == "Label 0 value number 0 of the form field"


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


# --- files that cannot be read --------------------------------------------------------


def test_scanned_pdf_needs_ocr(tmp_path):
    with pytest.raises(NeedsOCR, match="no text layer"):
        read(scanned_pdf(tmp_path / "scan.pdf", pages=2))


def test_partly_scanned_pdf_warns(tmp_path):
    pages = [flow(["A typed cover page with the parties' names on it."]), [Image(36, 36, PAGE_W - 72, PAGE_H - 72)]]
    ex = read(build_pdf(tmp_path / "part.pdf", pages))
    assert texts(ex) == ["A typed cover page with the parties' names on it."]
    assert any("page 2 has no text layer" in w for w in ex.warnings)


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
    with pytest.raises(LimitExceeded, match="max_pages"):
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
        assert 1 <= b.line <= b.end_line
    # Reading order within a page: blocks of one column never go back up.
    if "scanned" in path:
        assert any("OCR" in w for w in ex.warnings)  # its hidden OCR layer is flagged
    # no page furniture left in the body
    assert not any(pdf._PAGE_NUMBER.match(b.text) and len(b.text) < 12 for b in blocks)
