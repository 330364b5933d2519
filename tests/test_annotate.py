"""`clause-lint annotate`: Word comments on weak/contradicted passages, missing clauses up front."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from lxml import etree

from clause_lint.annotate import body_paragraphs
from clause_lint.cli import cli
from tests.docx_factory import DocxBuilder, cell, dele, ins, p, run, table
from tests.pdf_factory import text_pdf

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

SUBJECT = "The Service performs facial recognition and face verification on images supplied by Customer."
WEAK_SFP101 = "Customer shall not use the Service for the design or production of nuclear, chemical or biological weapons or missiles."
COVERT_SFP102 = "Customer may use the Service to conduct covert surveillance of individuals."
PRESENT_SFP104 = (
    "Provider may audit Customer's compliance with this Agreement and may suspend the Service "
    "for any breach of the use restrictions."
)


def contract(path: Path) -> Path:
    """A contract with a weak clause (SFP101), contradicted clauses (SFP102 in a table
    cell, SFP302 in a paragraph with tracked changes), a present clause (SFP104), and
    everything else missing; tracked changes before them shift no paragraph numbers."""
    doc = DocxBuilder()
    doc.add(
        p("Face Recognition Service Agreement"),
        p(SUBJECT),
        # A deleted paragraph mark: the reader joins this paragraph to the next one.
        p(run("Fees are payable monthly "), mark_deleted=True),
        p(run("in advance."), ins(" Late fees apply.", author="Ann")),
        # The weak sentence shares one run with another sentence: the comment must
        # cover only the weak one.
        p(run("Customer shall pay all fees when due. " + WEAK_SFP101 + " Invoices are sent by email.")),
        table([["Topic", "Clause"], ["Permitted uses", cell(COVERT_SFP102)]]),
        p(
            dele("Customer may publish benchmarks. ", author="Bob"),
            run("Customer shall not publish "),
            ins("any benchmark or performance test results", author="Ann"),
            run(" of the Service."),
        ),
        p(PRESENT_SFP104),
    )
    return doc.save(path)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def anchored_text(document: docx.document.Document) -> dict[int, str]:
    """Comment id -> the text between its range marks, as it reads (deletions skipped)."""
    open_ids: set[int] = set()
    texts: dict[int, list[str]] = {}
    for el in document.element.body.iter():
        if el.tag == W + "commentRangeStart":
            cid = int(el.get(W + "id"))
            open_ids.add(cid)
            texts.setdefault(cid, [])
        elif el.tag == W + "commentRangeEnd":
            open_ids.discard(int(el.get(W + "id")))
        elif el.tag == W + "t":
            for cid in open_ids:
                texts[cid].append(el.text or "")
    return {cid: "".join(parts) for cid, parts in texts.items()}


def paragraph_of_comment(document: docx.document.Document, cid: int) -> etree._Element:
    start = document.element.body.find(f".//{W}commentRangeStart[@{W}id='{cid}']")
    assert start is not None
    el = start
    while el.tag != W + "p":
        el = el.getparent()
    return el


@pytest.fixture(scope="module")
def annotated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str, object]:
    folder = tmp_path_factory.mktemp("annotate")
    source = contract(folder / "contract.docx")
    before = sha(source)
    out = folder / "reviewed.docx"
    result = CliRunner().invoke(
        cli, ["annotate", str(source), "-o", str(out), "--author", "Jane Reviewer", "--initials", "JR"]
    )
    return source, out, before, result


def test_round_trip_comments(annotated) -> None:
    source, out, before, result = annotated
    assert result.exit_code == 1, result.output  # missing clauses at error level
    assert "4 comment(s)" in result.output
    reviewed = docx.Document(str(out))
    comments = list(reviewed.comments)
    assert len(comments) == 4
    assert {c.author for c in comments} == {"Jane Reviewer"}
    assert {c.initials for c in comments} == {"JR"}
    anchors = anchored_text(reviewed)
    by_rule = {c.text.split()[1]: c for c in comments if c.text.startswith("clause-lint SFP")}
    assert set(by_rule) == {"SFP101", "SFP102", "SFP302"}

    weak = by_rule["SFP101"]
    assert "WEAK" in weak.text and "Suggested wording:" in weak.text
    # Exactly the weak sentence, split out of the run it shared with two others.
    assert anchors[weak.comment_id] == WEAK_SFP101

    covert = by_rule["SFP102"]
    assert "CONTRADICTED" in covert.text
    assert anchors[covert.comment_id] == COVERT_SFP102
    assert paragraph_of_comment(reviewed, covert.comment_id).getparent().tag == W + "tc"

    bench = by_rule["SFP302"]
    assert "CONTRADICTED" in bench.text
    # Anchored in the paragraph with the tracked changes; the deleted text is not in it.
    assert anchors[bench.comment_id].startswith("Customer shall not publish any benchmark")
    assert "publish benchmarks" not in anchors[bench.comment_id]

    # No comment on the present clause.
    assert all("SFP104" not in c.text for c in comments)
    assert not any(PRESENT_SFP104 in t for t in anchors.values())


def test_opening_comment_lists_missing_clauses(annotated) -> None:
    _, out, _, _ = annotated
    reviewed = docx.Document(str(out))
    opening = next(c for c in reviewed.comments if c.text.startswith("clause-lint review"))
    # On the first paragraph of the body.
    first = body_paragraphs(reviewed.element.body)[0]
    assert paragraph_of_comment(reviewed, opening.comment_id) is first
    assert anchored_text(reviewed)[opening.comment_id] == "Face Recognition Service Agreement"
    for rule in ("SFP201", "SFP202", "SFP301", "SFP401"):
        assert f"\u2022 {rule} " in opening.text
    assert "SFP104" not in opening.text and "SFP101" not in opening.text
    assert opening.text.count("Model clause:") >= 4
    assert len(opening.paragraphs) > 3  # one paragraph per line, readable in Word


def test_original_unchanged(annotated) -> None:
    source, out, before, _ = annotated
    assert sha(source) == before
    assert sha(out) != before
    # The copy keeps the document's text and tracked changes.
    with zipfile.ZipFile(out) as zf:
        body = zf.read("word/document.xml").decode()
    assert "<w:ins " in body and "<w:del " in body and "word/comments.xml" in zipfile.ZipFile(out).namelist()


def test_existing_comments_are_kept(tmp_path: Path) -> None:
    doc = DocxBuilder()
    doc.comment(0, "A human reviewer's note.")
    from tests.docx_factory import comment_ref

    doc.add(p(SUBJECT), p(comment_ref(0, run(COVERT_SFP102))))
    source = doc.save(tmp_path / "c.docx")
    out = tmp_path / "out.docx"
    result = CliRunner().invoke(cli, ["annotate", str(source), "-o", str(out)])
    assert result.exit_code in (0, 1), result.output
    comments = list(docx.Document(str(out)).comments)
    assert comments[0].text == "A human reviewer's note."
    ids = [c.comment_id for c in comments]
    assert len(ids) == len(set(ids)) and len(comments) >= 3
    assert {c.author for c in comments[1:]} == {"clause-lint"}


def test_output_equal_to_input_is_refused(tmp_path: Path) -> None:
    source = contract(tmp_path / "contract.docx")
    before = sha(source)
    result = CliRunner().invoke(cli, ["annotate", str(source), "-o", str(source)])
    assert result.exit_code == 2
    assert "refusing to overwrite" in result.output
    assert sha(source) == before
    # Also through another spelling of the same path.
    other = tmp_path / "." / "contract.docx"
    result = CliRunner().invoke(cli, ["annotate", str(source), "-o", str(other)])
    assert result.exit_code == 2 and sha(source) == before


def test_pdf_input_writes_html_report(tmp_path: Path) -> None:
    pdf = text_pdf(tmp_path / "terms.pdf", [["Face Recognition Terms", SUBJECT, COVERT_SFP102]])
    result = CliRunner().invoke(cli, ["annotate", str(pdf), "-o", str(tmp_path / "reviewed.docx")])
    assert result.exit_code == 1, result.output
    html_path = tmp_path / "reviewed.html"
    assert html_path.is_file() and not (tmp_path / "reviewed.docx").exists()
    html = html_path.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html") and "SFP102" in html
    assert "cannot hold Word comments" in result.output and str(html_path) in result.output


def test_unreadable_docx_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    result = CliRunner().invoke(cli, ["annotate", str(bad), "-o", str(tmp_path / "out.docx")])
    assert result.exit_code == 2
    assert "bad.docx: error:" in result.output
    assert not (tmp_path / "out.docx").exists()


def test_clean_document_gets_no_comments(tmp_path: Path) -> None:
    # Not about facial recognition: the pack is not applicable, nothing is a finding;
    # the opening comment says why nothing was checked.
    doc = DocxBuilder().add(p("Catering Agreement"), p("The Caterer shall deliver lunch every weekday."))
    source = doc.save(tmp_path / "catering.docx")
    out = tmp_path / "out.docx"
    result = CliRunner().invoke(cli, ["annotate", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    comments = list(docx.Document(str(out)).comments)
    assert len(comments) == 1 and "Not checked: not about facial analysis" in comments[0].text


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_copy(annotated, tmp_path: Path) -> None:
    _, out, _, _ = annotated
    profile = tmp_path / "profile"
    base = [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore"]
    done = subprocess.run(base + ["--convert-to", "pdf", "--outdir", str(tmp_path), str(out)], capture_output=True, timeout=180)
    assert done.returncode == 0, done.stderr
    pdf = tmp_path / "reviewed.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    # LibreOffice read the comments: its own format keeps them as annotations.
    done = subprocess.run(base + ["--convert-to", "odt", "--outdir", str(tmp_path), str(out)], capture_output=True, timeout=180)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "reviewed.odt") as zf:
        content = zf.read("content.xml").decode()
    assert content.count("<office:annotation ") + content.count("<office:annotation>") == 4
    assert "Jane Reviewer" in content


def reseller(path: Path) -> Path:
    """A reseller agreement whose use restrictions only bar *assisting* others (SFP401,
    decided by a list's lead-in) and whose market definition takes in the police (SFP103,
    through two provisions that use the defined term)."""
    doc = DocxBuilder()
    doc.add(
        p("Face Verification Reseller Agreement"),
        p("1. Definitions"),
        p("1.1 \u201cProduct\u201d means the Supplier's facial recognition and face verification software."),
        # The opening quote ends the run before: the comment still takes it in.
        p(run("1.2 \u201c"), run("Market\u201d means identity checks for banks and the public sector, "
                                 "including police and law enforcement agencies.")),
        p("2. Appointment"),
        p("2.1 Supplier may itself supply the Product within the Market."),
        p("2.2 Reseller shall promote the Product within the Market."),
        p("3. Restrictions"),
        p("3.1 Reseller shall not, and shall not assist any person to:"),
        p("(a) modify, adapt or translate the Product;"),
        p("(b) reverse engineer or decompile the Product;"),
        p("(c) remove any proprietary notice on the Product."),
    )
    return doc.save(path)


def test_one_comment_per_rule_per_provision(tmp_path: Path) -> None:
    """A list gets one comment, not one per item; a finding that comes through a defined
    term is commented once, on the definition, naming the provisions that use it."""
    source = reseller(tmp_path / "reseller.docx")
    out = tmp_path / "reviewed.docx"
    result = CliRunner().invoke(cli, ["annotate", str(source), "-o", str(out)])
    assert result.exit_code in (0, 1), result.output
    reviewed = docx.Document(str(out))
    anchored = anchored_text(reviewed)
    comments = list(reviewed.comments)
    rules = [c.text.split()[1] for c in comments if c.text.startswith("clause-lint SFP")]
    assert len(rules) == len(set(rules)), f"a rule commented twice: {rules}"
    # The missing clauses: once, in the one opening comment.
    openings = [c for c in comments if c.text.startswith("clause-lint review")]
    assert len(openings) == 1 and "Missing clauses" in openings[0].text
    assert all("Model clause:" not in c.text for c in comments if c not in openings)

    flow = next(c for c in comments if c.text.startswith("clause-lint SFP401"))
    assert anchored[flow.comment_id].startswith("Reseller shall not, and shall not assist any person to")
    for item in ("modify, adapt or translate", "reverse engineer", "proprietary notice"):
        assert all(item not in text for text in anchored.values())

    police = next(c for c in comments if c.text.startswith("clause-lint SFP103"))
    on = anchored[police.comment_id]
    assert on.startswith("\u201cMarket\u201d means") and "law enforcement agencies" in on
    assert "definition of \u201cMarket\u201d is the text to change" in police.text
    assert "\u00a72.1 and \u00a72.2" in police.text
    assert all("within the Market" not in text for text in anchored.values())
    assert f"{len(comments)} comment(s)" in result.output
