"""What a lawyer reads, through the CLI: out-of-scope documents are quiet and marked
"not checked" in every format, locations read as the document labels them, limit
errors name the option to change."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from clause_lint.cli import cli

FACE_TERMS = (
    "# FaceCheck Terms\n\n"
    "These terms cover the FaceCheck facial recognition service and the face templates it creates.\n\n"
    "## 4. Use Restrictions\n\n"
    "4.1 Customer shall not:\n\n"
    "(a) use the Service in any weapon system;\n\n"
    "(b) use the Service for mass surveillance of individuals.\n"
)

# Nothing here is about faces or biometrics: no pack applies.
CATERING = (
    "CATERING SERVICES AGREEMENT\n\n"
    "1. Services\n\n"
    "1.1 The Caterer shall supply lunch for up to forty staff on each working day.\n\n"
    "2. Fees\n\n"
    "2.1 The Client shall pay each invoice within thirty days of receipt.\n"
)


def run(args: list[str], cwd: Path) -> Result:
    old = os.getcwd()
    try:
        os.chdir(cwd)
        return CliRunner().invoke(cli, args, catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "facecheck.md").write_text(FACE_TERMS, encoding="utf-8")
    (tmp_path / "catering.txt").write_text(CATERING, encoding="utf-8")
    return tmp_path


def check(folder: Path, *extra: str) -> Result:
    return run(["check", "facecheck.md", "catering.txt", "--no-cache", "--isolated", "--fail-on", "never", *extra], folder)


def test_text_out_of_scope_is_one_line(folder: Path) -> None:
    for extra in ((), ("--hide-present",), ("--verbose",)):
        out = check(folder, *extra).output
        lines = [line for line in out.splitlines() if "catering.txt" in line]
        assert len(lines) == 1, out
        assert re.search(r"catering\.txt \(TXT\): not checked: not about facial analysis\b.* \u2014 \S", lines[0]), lines[0]
        assert "N/A" not in out and "Not applicable:" not in out
        # The lines after it belong to the next document or the summary, not to catering.txt.
        after = out.split(lines[0], 1)[1].lstrip("\n").splitlines()
        assert not after[0].startswith("  "), after[:3]
        assert "1 document not checked (out of scope)" in out.splitlines()[-1]
    # The in-scope document is still reported rule by rule.
    assert "SFP101" in check(folder).output


def test_json_marks_not_checked_and_keeps_every_key(folder: Path) -> None:
    data = json.loads(check(folder, "--format", "json").output)
    docs = {d["path"]: d for d in data["documents"]}
    catering, face = docs["catering.txt"], docs["facecheck.md"]
    for doc in (catering, face):
        assert {"path", "format", "error", "applicable", "warnings", "results", "checked"} <= set(doc)
    assert catering["checked"] is False and catering["applicable"] == {"safe-face-pledge": False}
    assert catering["not_checked"].startswith("not about facial analysis")
    assert {r["status"] for r in catering["results"]} == {"not_applicable"}  # every rule still listed
    assert face["checked"] is True and "not_checked" not in face
    assert data["summary"]["not_checked"] == 1


def test_html_and_markdown_never_show_out_of_scope_as_clean(folder: Path) -> None:
    html = check(folder, "--format", "html").output
    rows = re.findall(r"<tr[^>]*>.*?</tr>", html.split("Documents, worst first")[1].split("</table>")[0], re.S)
    catering = next(r for r in rows if "catering.txt" in r)
    assert "Not checked" in catering and "not about facial analysis" in catering
    assert '<td class="num">0</td>' not in catering
    section = html.split('<h2>catering.txt</h2>')[1].split("</section>")[0]
    assert "Not checked" in section and "Not applicable" not in section
    assert "@media print" in html and "@page" in html

    md = check(folder, "--format", "markdown").output
    row = next(line for line in md.splitlines() if line.startswith("| catering.txt"))
    assert "**Not checked:**" in row and "| 0 |" not in row
    section = md.split("## catering.txt")[1]
    assert section.lstrip().startswith("TXT") and "**Not checked:** not about facial analysis" in section
    assert "Not applicable" not in section.split("##")[0]


def test_html_badges_are_svg_not_emoji(folder: Path) -> None:
    html = check(folder, "--format", "html").output
    assert "<svg" in html and 'class="badge s-not_checked"' in html
    assert not re.search("[\u2600-\u27bf\U0001f300-\U0001faff]", html)


# --------------------------------------------------------------------------- locations

LABELLED = (
    "FaceCheck Terms\n\n"
    "These terms cover the FaceCheck facial recognition service and the face templates it creates.\n\n"
    "Section 4 Use Restrictions\n\n"
    "Customer shall not use the Service in any weapon system or for mass surveillance of individuals.\n\n"
    "Exhibit 10.1 Market\n\n"
    '"Market" means banks and the public sector, including police and law enforcement agencies.\n\n'
    "Provider may supply the Service within the Market.\n"
)


def test_word_labels_keep_their_word_and_quotes_do_not_double(tmp_path: Path) -> None:
    (tmp_path / "terms.txt").write_text(LABELLED, encoding="utf-8")
    out = run(["check", "terms.txt", "--no-cache", "--isolated", "--fail-on", "never", "--verbose"], tmp_path).output
    assert "SFP101 no-lethal-use  Section 4 l.7" in out
    assert "Exhibit 10.1 l." in out
    assert "\u00a7Section" not in out and "\u00a7Exhibit" not in out
    # A quoted definition nests its own quotes instead of doubling them.
    assert "\"'Market' means banks" in out
    assert '""' not in out
    extract = run(["extract", "terms.txt"], tmp_path).output
    assert "Section 4      paragraph" in extract and "\u00a7Section" not in extract
    html = run(["check", "terms.txt", "--no-cache", "--isolated", "--fail-on", "never", "--format", "html"], tmp_path).output
    assert re.search(r"\(Exhibit 10\.1, line \d+\)", html) and "section Exhibit" not in html


def test_table_cell_shown_as_table_row_cell(tmp_path: Path) -> None:
    from tests.docx_factory import DocxBuilder, cell, p, table

    doc = DocxBuilder()
    doc.add(
        p("Face Recognition Service Agreement"),
        p("The Service performs facial recognition and face verification on images supplied by Customer."),
        table([["Topic", "Clause"], ["Prohibited uses", cell("Customer shall not use the Service for the design or production of nuclear, "
                                                    "chemical or biological weapons or missiles.")]]),
    )
    doc.save(tmp_path / "table.docx")
    out = run(["check", "table.docx", "--no-cache", "--isolated", "--fail-on", "never"], tmp_path).output
    line = next(x for x in out.splitlines() if "SFP101" in x)
    assert line.rstrip().endswith("table 1 r2c2") and "\u00b6" not in line, line
    data = json.loads(run(["check", "table.docx", "--no-cache", "--isolated", "--fail-on", "never", "--format", "json"],
                          tmp_path).output)
    ev = next(r for r in data["documents"][0]["results"] if r["rule"] == "SFP101")["evidence"][0]
    assert (ev["table"], ev["row"], ev["col"]) == (1, 2, 2)
    html = run(["check", "table.docx", "--no-cache", "--isolated", "--fail-on", "never", "--format", "html"], tmp_path).output
    assert "table 1, row 2, cell 2" in html


def test_long_line_gives_a_character_position(tmp_path: Path) -> None:
    filler = " ".join(["Invoices are payable within thirty days of receipt and no fee is refundable."] * 80)
    ban = "Customer shall not use the Service in any weapon system."
    line = f"{filler} {ban} {filler}"
    text = "FaceCheck facial recognition terms\n\nThe FaceCheck service performs face recognition on face templates.\n\n" + line + "\n"
    (tmp_path / "long.txt").write_text(text, encoding="utf-8")
    out = run(["check", "long.txt", "--no-cache", "--isolated", "--fail-on", "never"], tmp_path).output
    shown = next(x for x in out.splitlines() if "SFP101" in x)
    assert shown.rstrip().endswith(f"l.5 char {line.index(ban) + 1}"), shown
    data = json.loads(run(["check", "long.txt", "--no-cache", "--isolated", "--fail-on", "never", "--format", "json"],
                          tmp_path).output)
    ev = next(r for r in data["documents"][0]["results"] if r["rule"] == "SFP101")["evidence"][0]
    assert ev["line"] == 5 and ev["column"] == line.index(ban) + 1


def test_limit_errors_name_the_option(tmp_path: Path) -> None:
    (tmp_path / "terms.txt").write_text(LABELLED, encoding="utf-8")
    for option, value in (("--max-file-size", "10"), ("--max-chars", "50")):
        result = run(["check", "terms.txt", "--no-cache", "--isolated", option, value], tmp_path)
        assert result.exit_code == 2
        assert f"raise it with {option}" in result.output and "max_" not in result.output, result.output


CHROMIUM = next((p for p in map(__import__("shutil").which, ("chromium", "chromium-browser", "google-chrome")) if p), None)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")
def test_html_report_prints_without_clipping(folder: Path) -> None:
    """Printed to PDF by headless Chromium, every character of the report lies on the page."""
    import subprocess

    import pypdfium2 as pdfium

    long_name = "a-very-long-customer-agreement-file-name-without-any-spaces-" * 2 + "facecheck.md"
    (folder / long_name).write_text(FACE_TERMS, encoding="utf-8")
    html = run(["check", "facecheck.md", "catering.txt", long_name, "--no-cache", "--isolated", "--fail-on", "never",
                "--format", "html"], folder).output
    (folder / "report.html").write_text(html, encoding="utf-8")
    pdf_path = folder / "report.pdf"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf_path}", (folder / "report.html").as_uri()],
                   check=True, capture_output=True, timeout=120)
    pdf = pdfium.PdfDocument(str(pdf_path))
    text = ""
    for page in pdf:
        width, height = page.get_size()
        tp = page.get_textpage()
        for i in range(tp.count_chars()):
            left, bottom, right, top = tp.get_charbox(i)
            assert -1 <= left and right <= width + 1 and -1 <= bottom and top <= height + 1, (i, left, right, width)
        text += tp.get_text_range()
    # A hyphen where a line wraps comes back as U+FFFE: compare without hyphens.
    flat = "".join(text.split()).replace("\ufffe", "").replace("-", "")
    assert long_name.replace("-", "") in flat  # wrapped, not cut off
    assert "Notchecked" in flat and "notaboutfacialanalysis" in flat


def test_engine_scope_reason_is_preferred_to_the_pack_description() -> None:
    """When the engine explains why a document is out of scope (DocumentResult.scope),
    every format shows that explanation rather than the pack's generic description."""
    from clause_lint.report import RenderOptions, render
    from clause_lint.results import DocumentResult, PackInfo, Report, RuleResult

    doc = DocumentResult(path="catering.pdf", format="pdf", applicable={"safe-face-pledge": False},
                         results=[RuleResult("SFP101", "safe-face-pledge", "no-lethal-use", "No lethal use",
                                             "not_applicable", "none", "Not applicable.")])
    doc.scope = {"safe-face-pledge": {"applicable": False, "reason": "only 'face-to-face' meetings are mentioned"}}
    report = Report("0", [PackInfo("safe-face-pledge", "1.0.0", "Safe Face Pledge",
                                   "the document concerns facial analysis technology (face detection)")], [doc])
    expected = "not about facial analysis technology \u2014 only 'face-to-face' meetings are mentioned"
    assert expected in render(report, "text", RenderOptions())
    assert json.loads(render(report, "json", RenderOptions()))["documents"][0]["not_checked"] == expected
    assert "only &#x27;face-to-face&#x27; meetings are mentioned" in render(report, "html", RenderOptions())
    assert "only 'face-to-face' meetings are mentioned" in render(report, "markdown", RenderOptions())


def test_every_quote_holds_the_words_that_decided(tmp_path: Path) -> None:
    """A quote is centred on the words its reason cites, wherever they are: far into a
    long sentence, in a lead-in, or in the definition a clause reaches through its
    defined term (the definition is quoted after the clause)."""
    long_tail = " ".join(f"(p{i}) disclose the records of shipment number {i};" for i in range(40))
    doc = (
        "# FaceCheck Terms\n\n"
        "These terms cover the FaceCheck facial recognition service and its face templates.\n\n"
        "1.2 \"Hazardous Use\" means any use in which a failure of the Service could lead to bodily injury, "
        "such as operating aircraft or medical devices.\n\n"
        f"4.1 Customer shall not: {long_tail} or (z) use the Service in any weapon system.\n\n"
        "4.2 Customer will not: (a) copy the Service; (b) resell the Service; or (c) use the Service for any Hazardous Use.\n"
    )
    (tmp_path / "terms.md").write_text(doc, encoding="utf-8")
    result = run(["check", "terms.md", "--no-cache", "--isolated", "--format", "json", "--fail-on", "never"], tmp_path)
    cited = re.compile(r"'([^']{2,}?)' \(")
    seen = 0
    for rule in json.loads(result.output)["documents"][0]["results"]:
        for e in rule["evidence"]:
            words = cited.findall(e["reason"])
            if words:
                seen += 1
                quote = " ".join(e["text"].lower().split())
                assert any(" ".join(w.lower().split()) in quote for w in words), (rule["rule"], e["text"], e["reason"])
    assert seen >= 2
    sfp101 = next(r for r in json.loads(result.output)["documents"][0]["results"] if r["rule"] == "SFP101")
    quotes = " | ".join(e["text"] for e in sfp101["evidence"])
    assert "weapon system" in quotes and "medical devices" in quotes
    assert '"Hazardous Use" means any use' in quotes  # the definition is quoted with its term


def test_a_quote_deep_in_a_nested_list_holds_the_lead_in_words_that_decided(tmp_path: Path) -> None:
    """Items three lists down take their prohibition and its "allow any other person"
    from the top lead-in: their quotes show that lead-in's words, then the nearer one."""
    (tmp_path / "policy.txt").write_text(
        "FACEWARE LICENCE\n\n"
        "The Software performs facial recognition on photographs and builds face templates.\n\n"
        "5. Use Policy\n\n"
        "You will not use, and will not allow any other person to use, the Software to:\n\n"
        "(a) break the law or infringe the rights of others, including to:\n\n"
        "(i) take part in, plan or promote unlawful conduct, such as:\n\n"
        "(A) violence or terrorism; or\n\n"
        "(B) the harassment of any individual.\n\n"
        "(b) operate any weapon.\n",
        encoding="utf-8",
    )
    result = run(["check", "policy.txt", "--no-cache", "--isolated", "--format", "json", "--fail-on", "never"], tmp_path)
    sfp401 = next(r for r in json.loads(result.output)["documents"][0]["results"] if r["rule"] == "SFP401")
    assert sfp401["status"] == "present"
    deep = [e["text"] for e in sfp401["evidence"] if "violence or terrorism" in e["text"].split("such as:")[-1]]
    assert deep, sfp401["evidence"]
    for text in deep:
        assert "allow any other person" in text and "such as:" in text
        assert "… …" not in text and "……" not in text
