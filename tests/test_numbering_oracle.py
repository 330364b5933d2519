"""Word list labels, rule by rule, against LibreOffice's rendering of the same file.

Each case builds a .docx exercising one counting rule and states the labels Word and
LibreOffice show. ``test_expected_labels`` checks clause-lint against those labels and
runs everywhere; ``test_labels_match_libreoffice`` renders every case with LibreOffice
(``soffice --convert-to txt``) and compares every label clause-lint gives with the one
LibreOffice puts in front of the same paragraph (skipped when LibreOffice is absent;
``.ci/run`` installs it).
"""

from __future__ import annotations

import json

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import pytest
from click.testing import CliRunner

from clause_lint.cli import cli

from clause_lint.extract import read_path
from clause_lint.model import LIST_ITEM
from tests import lo_oracle
from tests.docx_factory import DocxBuilder, Level, Style, cell, dele, p, run, table

SECT = '<w:sectPr><w:pgSz w:w="12240" w:h="15840"/></w:sectPr>'
VML = 'xmlns:v="urn:schemas-microsoft-com:vml"'


def section_break(style: Optional[str] = "Heading1", runs: str = "") -> str:
    """A paragraph whose only job is to carry a section break (w:sectPr in w:pPr)."""
    pstyle = f'<w:pStyle w:val="{style}"/>' if style else ""
    return f"<w:p><w:pPr>{pstyle}{SECT}</w:pPr>{runs}</w:p>"


PAGE_BREAK = '<w:r><w:br w:type="page"/></w:r>'
BOOKMARK = '<w:bookmarkStart w:id="1" w:name="terms"/><w:bookmarkEnd w:id="1"/>'


def hidden_paragraph(text: str, num: tuple[int, int]) -> str:
    """A paragraph formatted hidden (w:vanish on its runs and its paragraph mark)."""
    xml = p(run(text, hidden=True), num=num)
    return xml.replace("</w:numPr>", "</w:numPr><w:rPr><w:vanish/></w:rPr>", 1)


def text_box(*paragraphs: str) -> str:
    """A paragraph anchoring a VML text box that holds ``paragraphs``."""
    return (
        f'<w:p><w:r><w:pict><v:shape {VML} id="box1" style="width:200pt;height:60pt"><v:textbox>'
        f'<w:txbxContent>{"".join(paragraphs)}</w:txbxContent></v:textbox></v:shape></w:pict></w:r>'
        f"{run('Anchor paragraph')}</w:p>"
    )


def drawing_text_box(*paragraphs: str) -> str:
    """A paragraph holding a DrawingML text box (wps:txbx), as Word 2010 and later write."""
    ns = ('xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
          'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
          'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"')
    return (
        f'<w:p><w:r><w:drawing><wp:inline {ns}><wp:extent cx="2540000" cy="762000"/>'
        '<wp:docPr id="7" name="Text Box 7"/><a:graphic><a:graphicData '
        'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
        '<wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="2540000" cy="762000"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></wps:spPr>'
        f'<wps:txbx><w:txbxContent>{"".join(paragraphs)}</w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp>'
        f"</a:graphicData></a:graphic></wp:inline></w:drawing></w:r>{run('Anchor paragraph')}</w:p>"
    )


def headings_doc() -> DocxBuilder:
    """Heading 1 / Heading 2 numbered through their styles ("%1." / "%1.%2"), as templates do."""
    doc = DocxBuilder()
    doc.abstract_num(1, Level("decimal", "%1."), Level("decimal", "%1.%2"), Level("lowerLetter", "(%3)"))
    doc.num(1, 1)
    doc.style(
        Style("Heading1", "heading 1", based_on="Normal", num=(1, 0)),
        Style("Heading2", "heading 2", based_on="Normal", num=(1, 1)),
    )
    return doc


def terms() -> list[str]:
    return [
        p("Definitions", style="Heading1"),
        p("Capitalised terms have the meanings given here.", style="Heading2"),
        p("Services", style="Heading1"),
        p("Provider will perform the Services.", style="Heading2"),
    ]


COVER = table([["Cover Page", "Key Terms"], ["Customer", "Acme Ltd"]])
TERMS_LABELS = [("1.", "Definitions"), ("1.1", "Capitalised terms"), ("2.", "Services"), ("2.1", "Provider will")]


@dataclass
class Case:
    build: Callable[[], DocxBuilder]
    expected: list[tuple[str, str]]  # (label, start of the paragraph's text), numbered paragraphs in order
    # LibreOffice renders tracked changes unaccepted; for those cases it is shown the
    # same document written with the changes accepted.
    accepted: Optional[Callable[[], DocxBuilder]] = None
    # Where LibreOffice 7.4 (Debian 12's) does not apply a Word rule: text start ->
    # the label it shows instead. A later LibreOffice may show Word's label.
    lo_gap: Optional[dict[str, str]] = None


def _case_cover_then_terms() -> DocxBuilder:
    # The measured bug: a cover page (title, key-terms table, signature line), then an
    # empty Heading 1 that only carries the section break before the standard terms.
    return headings_doc().add(p("Cover Page"), COVER, p("Signed by both parties."), section_break(), *terms())


def _case_section_starting_with_table() -> DocxBuilder:
    # When the section began with a table the break paragraph stays, and is numbered.
    return headings_doc().add(COVER, p("Signed by both parties."), section_break(), *terms())


def _case_break_first() -> DocxBuilder:
    return headings_doc().add(section_break(runs=BOOKMARK), *terms())


def _case_break_with_page_break_after_table() -> DocxBuilder:
    return headings_doc().add(COVER, section_break(runs=PAGE_BREAK), *terms())


def _case_break_after_table() -> DocxBuilder:
    # After a table the break needs a paragraph of its own: it stays, and is numbered.
    return headings_doc().add(COVER, section_break(runs=BOOKMARK), *terms())


def _case_break_on_a_clause() -> DocxBuilder:
    # A paragraph with text that also ends a section is an ordinary clause.
    return headings_doc().add(p("Scope", style="Heading1"), section_break().replace(
        "</w:pPr>", "</w:pPr>" + run("Term and renewal")), *terms())


def _list_doc() -> DocxBuilder:
    doc = DocxBuilder()
    doc.abstract_num(1, Level("decimal", "%1."), Level("decimal", "%1.%2"), Level("lowerLetter", "(%3)"))
    doc.num(1, 1)
    return doc


def _case_tables() -> DocxBuilder:
    return _list_doc().add(
        p("Fees", num=(1, 0)),
        table([[cell([p("Invoices monthly", num=(1, 1))]), "Amount"],
               [cell([p("Late interest", num=(1, 1))]), "Rate"],
               [cell([p("Deposit", num=(1, 1)), p("Refund", num=(1, 1))]), "Terms"]]),
        p("Taxes", num=(1, 0)),
        p("Customer pays taxes", num=(1, 1)),
    )


def test_labels_of_several_numbered_paragraphs_in_one_cell_stay_in_its_text(tmp_path: Path) -> None:
    blocks = read_path(str(_case_tables().save(tmp_path / "t.docx"))).blocks
    assert "1.3 Deposit\n1.4 Refund" in [b.text for b in blocks]


def _case_text_box() -> DocxBuilder:
    return _list_doc().add(
        p("Fees", num=(1, 0)),
        text_box(p("Boxed note one", num=(1, 0)), p("Boxed note two", num=(1, 0))),
        p("Taxes", num=(1, 0)),
    )


def _case_drawing_text_box() -> DocxBuilder:
    return _list_doc().add(
        p("Fees", num=(1, 0)),
        drawing_text_box(p("Boxed note one", num=(1, 0)), p("Boxed note two", num=(1, 1))),
        p("Taxes", num=(1, 0)),
        p("Customer pays taxes", num=(1, 1)),
    )


def _case_num_id_zero() -> DocxBuilder:
    return headings_doc().add(
        p("Definitions", style="Heading1"),
        p("Schedule heading", style="Heading1", num=(0, 0)),  # numId 0: numbering removed
        p("Services", style="Heading1"),
        p("Provider will perform the Services.", style="Heading2"),
    )


def _case_start_override() -> DocxBuilder:
    doc = _list_doc()
    doc.num(2, 1, start_overrides={0: 1})  # a new list instance starting at 1
    doc.num(3, 1)  # no override: continues the abstract list's own count
    doc.num(4, 1, start_overrides={0: 5})
    return doc.add(
        p("Alpha", num=(1, 0)),
        p("Beta", num=(1, 0)),
        p("Restarted", num=(2, 0)),
        p("Restarted again", num=(2, 0)),
        p("Shared count", num=(3, 0)),
        p("Starts at five", num=(4, 0)),
    )


def _case_start_override_shared_count() -> DocxBuilder:
    # All nums of one abstractNum share its counters; a startOverride resets its level
    # once, when that num first uses the level, and the shared count goes on.
    doc = _list_doc()
    doc.num(2, 1, start_overrides={0: 1})
    doc.num(3, 1)
    doc.num(5, 1, start_overrides={1: 7})
    seq = [(1, 0), (1, 0), (2, 0), (3, 0), (1, 0), (2, 0), (5, 1), (1, 0), (5, 1)]
    return doc.add(*[p(f"Clause {i} of list {n}", num=(n, lvl)) for i, (n, lvl) in enumerate(seq)])


def _case_level_override() -> DocxBuilder:
    doc = _list_doc()
    doc.num(2, 1, level_overrides={0: Level("upperRoman", "Part %1", start=3)})
    return doc.add(p("Alpha", num=(1, 0)), p("Roman part", num=(2, 0)), p("Next part", num=(2, 0)))


def _case_hidden() -> DocxBuilder:
    # Hidden paragraphs still take their number: the next visible one shows "3.".
    return _list_doc().add(p("Alpha", num=(1, 0)), hidden_paragraph("Hidden drafting note", (1, 0)),
                           p("Gamma", num=(1, 0)))


def _case_deleted() -> DocxBuilder:
    return _list_doc().add(
        p("Alpha", num=(1, 0)),
        p(dele("Deleted clause"), num=(1, 0), mark_deleted=True),
        p("Gamma", num=(1, 0)),
        p("Gamma one", num=(1, 1)),
    )


def _case_deleted_before_table() -> DocxBuilder:
    return _list_doc().add(
        p("Alpha", num=(1, 0)),
        p(dele("Deleted clause"), num=(1, 0), mark_deleted=True),
        table([["Fee", "Amount"]]),
        p("Gamma", num=(1, 0)),
    )


def _case_deleted_before_table_accepted() -> DocxBuilder:
    return _list_doc().add(p("Alpha", num=(1, 0)), table([["Fee", "Amount"]]), p("Gamma", num=(1, 0)))


def _case_deleted_accepted() -> DocxBuilder:
    return _list_doc().add(p("Alpha", num=(1, 0)), p("Gamma", num=(1, 0)), p("Gamma one", num=(1, 1)))


def _case_restarts() -> DocxBuilder:
    return _list_doc().add(
        p("One", num=(1, 0)), p("One one", num=(1, 1)), p("One one a", num=(1, 2)), p("One one b", num=(1, 2)),
        p("One two", num=(1, 1)), p("One two a", num=(1, 2)),
        p("Two", num=(1, 0)), p("Two one", num=(1, 1)), p("Two one a", num=(1, 2)),
    )


def _case_lvl_restart() -> DocxBuilder:
    doc = DocxBuilder()
    # Level 3 restarts only after level 1 (not after level 2); level 2 never restarts.
    doc.abstract_num(1, Level("decimal", "%1."), Level("upperLetter", "%2.", restart=0),
                     Level("lowerRoman", "(%3)", restart=1))
    doc.num(1, 1)
    return doc.add(
        p("One", num=(1, 0)), p("Item A", num=(1, 1)), p("Item A i", num=(1, 2)), p("Item B", num=(1, 1)),
        p("Item B ii", num=(1, 2)), p("Two", num=(1, 0)), p("Item C", num=(1, 1)), p("Item C i", num=(1, 2)),
    )


def _case_is_lgl() -> DocxBuilder:
    doc = DocxBuilder()
    doc.abstract_num(1, Level("upperRoman", "Article %1"), Level("decimal", "Section %1.%2", is_lgl=True),
                     Level("lowerLetter", "(%3)"))
    doc.num(1, 1)
    return doc.add(p("Definitions", num=(1, 0)), p("Defined terms", num=(1, 1)), p("Term", num=(1, 2)),
                   p("Services", num=(1, 0)), p("Scope", num=(1, 1)))


def _case_style_link() -> DocxBuilder:
    doc = DocxBuilder()
    # The list style "Legal List" defines the levels (abstractNum 1, styleLink); the
    # list the paragraphs use (abstractNum 2) only points to it (numStyleLink).
    doc.abstract_num(1, Level("decimal", "%1."), Level("lowerLetter", "(%2)"), style_link="LegalList")
    doc.abstract_num(2, num_style_link="LegalList")
    doc.num(1, 1)
    doc.num(2, 2)
    doc.style(Style("LegalList", "Legal List", type="numbering", num=(1, None)))
    return doc.add(p("First", num=(2, 0)), p("First a", num=(2, 1)), p("First b", num=(2, 1)),
                   p("Second", num=(2, 0)))


CASES: dict[str, Case] = {
    "section-break-after-cover-page": Case(_case_cover_then_terms, TERMS_LABELS),
    "section-break-section-starts-with-table": Case(_case_section_starting_with_table, [
        ("2.", "Definitions"), ("2.1", "Capitalised terms"), ("3.", "Services"), ("3.1", "Provider will")]),
    "section-break-first-paragraph": Case(_case_break_first, TERMS_LABELS),
    "section-break-with-page-break": Case(_case_break_with_page_break_after_table, TERMS_LABELS),
    "section-break-after-table": Case(_case_break_after_table, [
        ("2.", "Definitions"), ("2.1", "Capitalised terms"), ("3.", "Services"), ("3.1", "Provider will")]),
    "section-break-on-a-clause": Case(_case_break_on_a_clause, [
        ("1.", "Scope"), ("2.", "Term and renewal"), ("3.", "Definitions"), ("3.1", "Capitalised terms"),
        ("4.", "Services"), ("4.1", "Provider will")]),
    "tables": Case(_case_tables, [
        ("1.", "Fees"), ("1.1", "Invoices monthly"), ("1.2", "Late interest"), ("2.", "Taxes"),
        ("2.1", "Customer pays")]),
    # Text boxes are not read, and their list items do not count in the body's list.
    "text-box": Case(_case_text_box, [("1.", "Fees"), ("2.", "Taxes")]),
    "drawing-text-box": Case(_case_drawing_text_box, [("1.", "Fees"), ("2.", "Taxes"), ("2.1", "Customer pays")]),
    "num-id-zero": Case(_case_num_id_zero, [("1.", "Definitions"), ("2.", "Services"), ("2.1", "Provider will")]),
    "start-override": Case(_case_start_override, [
        ("1.", "Alpha"), ("2.", "Beta"), ("1.", "Restarted"), ("2.", "Restarted again"), ("3.", "Shared count"),
        ("5.", "Starts at five")]),
    "start-override-shared-count": Case(_case_start_override_shared_count, [
        ("1.", "Clause 0"), ("2.", "Clause 1"), ("1.", "Clause 2"), ("2.", "Clause 3"), ("3.", "Clause 4"),
        ("4.", "Clause 5"), ("4.7", "Clause 6"), ("5.", "Clause 7"), ("5.1", "Clause 8")]),
    # A replaced level changes the format; the count goes on with the abstract list.
    "level-override": Case(_case_level_override, [("1.", "Alpha"), ("Part II", "Roman part"), ("Part III", "Next part")]),
    "hidden-paragraph": Case(_case_hidden, [("1.", "Alpha"), ("3.", "Gamma")]),
    "deleted-paragraph": Case(_case_deleted, [("1.", "Alpha"), ("2.", "Gamma"), ("2.1", "Gamma one")],
                              accepted=_case_deleted_accepted),
    "deleted-paragraph-before-table": Case(_case_deleted_before_table, [("1.", "Alpha"), ("2.", "Gamma")],
                                           accepted=_case_deleted_before_table_accepted),
    "restart-after-higher-level": Case(_case_restarts, [
        ("1.", "One"), ("1.1", "One one"), ("(a)", "One one a"), ("(b)", "One one b"), ("1.2", "One two"),
        ("(a)", "One two a"), ("2.", "Two"), ("2.1", "Two one"), ("(a)", "Two one a")]),
    "lvl-restart": Case(_case_lvl_restart, [
        ("1.", "One"), ("A.", "Item A"), ("(i)", "Item A i"), ("B.", "Item B"), ("(ii)", "Item B ii"),
        ("2.", "Two"), ("C.", "Item C"), ("(i)", "Item C i")],
        lo_gap={"Item B ii": "(i)", "Item C": "A."}),  # LibreOffice 7.4 ignores w:lvlRestart
    "is-lgl": Case(_case_is_lgl, [
        ("Article I", "Definitions"), ("Section 1.1", "Defined terms"), ("(a)", "Term"),
        ("Article II", "Services"), ("Section 2.1", "Scope")],
        lo_gap={"Defined terms": "Section I.1", "Scope": "Section II.1"}),  # LibreOffice 7.4 ignores w:isLgl
    "num-style-link": Case(_case_style_link, [("1.", "First"), ("(a)", "First a"), ("(b)", "First b"),
                                              ("2.", "Second")]),
}


def numbered(path: Path) -> list[tuple[str, str]]:
    """(label, text) of every body paragraph clause-lint gives a list label."""
    out = []
    for block in read_path(str(path)).blocks:
        if block.part == "body" and block.label is not None:
            out.append((block.label, block.text))
        elif block.part == "body" and block.kind == LIST_ITEM:
            out.append(("", block.text))
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_expected_labels(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    path = case.build().save(tmp_path / f"{name}.docx")
    got = numbered(path)
    assert [label for label, _ in got] == [label for label, _ in case.expected], got
    for (_, text), (_, start) in zip(got, case.expected):
        assert text.startswith(start)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, list[str]]]:
    """Every case saved, and rendered by LibreOffice in one run (about 2 s)."""
    if lo_oracle.soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
    folder = tmp_path_factory.mktemp("numbering-cases")
    ours: dict[str, Path] = {}
    theirs: dict[str, Path] = {}
    for name, case in CASES.items():
        ours[name] = case.build().save(folder / f"{name}.docx")
        if case.accepted is not None:
            theirs[name] = case.accepted().save(folder / f"{name}.accepted.docx")
        else:
            theirs[name] = ours[name]
    lines = lo_oracle.render(sorted(set(theirs.values())))
    return {name: (ours[name], lines[theirs[name]]) for name in CASES}


@pytest.mark.parametrize("name", sorted(CASES))
def test_labels_match_libreoffice(name: str, rendered: dict[str, tuple[Path, list[str]]]) -> None:
    path, lines = rendered[name]
    case = CASES[name]
    result = lo_oracle.compare_file(path, lines)
    assert result.unaligned == []
    # Every numbered paragraph was compared, not only the ones that happen to line up.
    assert result.numbered == len(case.expected)
    gap = case.lo_gap or {}
    for ours, theirs, text in result.mismatches:
        assert gap.get(text) == theirs, f"clause-lint {ours!r}, LibreOffice {theirs!r}: {text}"
    assert result.matched + len(result.mismatches) == result.numbered


def test_sections_after_a_cover_page_are_numbered_as_word_shows_them(tmp_path: Path) -> None:
    """Through the CLI: the sections a report points at are the ones the document shows."""
    path = _case_cover_then_terms().save(tmp_path / "agreement.docx")
    result = CliRunner().invoke(cli, ["extract", "--format", "json", str(path)])
    assert result.exit_code == 0, result.output
    sections = {b["text"]: b["section"] for b in json.loads(result.output)["blocks"]}
    assert sections["Capitalised terms have the meanings given here."] == "1.1"
    assert sections["Provider will perform the Services."] == "2.1"


def random_document(seed: int) -> DocxBuilder:
    """A document mixing the counting rules at random (levels each list defines only)."""
    rng = random.Random(seed)
    formats = ["decimal", "lowerLetter", "lowerRoman", "upperLetter", "upperRoman"]
    doc = DocxBuilder()
    doc.abstract_num(1, Level("decimal", "%1."), Level("decimal", "%1.%2"), Level(rng.choice(formats), "(%3)"),
                     Level("lowerRoman", "%4)"))
    doc.abstract_num(2, Level("upperRoman", "Art. %1"), Level(rng.choice(formats), "%1-%2", start=rng.choice([0, 1, 2])))
    doc.abstract_num(3, Level("decimal", "%1)"), Level("lowerLetter", "%2)"), style_link="ClauseList")
    doc.abstract_num(4, num_style_link="ClauseList")
    doc.num(1, 1)
    doc.num(2, 1, start_overrides={0: rng.randint(1, 4)})
    doc.num(3, 1)
    doc.num(4, 2)
    doc.num(5, 2, start_overrides={1: 3}, level_overrides={0: Level("upperLetter", "Part %1")})
    doc.num(6, 3)
    doc.num(7, 4)
    doc.style(
        Style("Heading1", "heading 1", based_on="Normal", num=(1, 0)),
        Style("Heading2", "heading 2", based_on="Normal", num=(1, 1)),
        Style("ListPara", "List Paragraph", based_on="Normal", num=(4, None)),
        Style("ClauseList", "Clause List", type="numbering", num=(6, None)),
    )
    levels_of = {1: 4, 2: 4, 3: 4, 4: 2, 5: 2, 6: 2, 7: 2}
    blocks = []
    for j in range(rng.randint(5, 25)):
        text = f"Paragraph {seed}-{j} reads here"
        r = rng.random()
        if r < 0.35:
            num_id = rng.choice([1, 1, 1, 2, 3, 4, 5, 7])
            blocks.append(p(text, num=(num_id, rng.randrange(levels_of[num_id]))))
        elif r < 0.5:
            blocks.append(p(text, style=rng.choice(["Heading1", "Heading2"])))
        elif r < 0.55:
            blocks.append(p(text, style="Heading1", num=(0, 0)))
        elif r < 0.62:
            blocks.append(table([[cell([p(text + " in a cell", num=(1, rng.randrange(3)))]), "x"]]))
        elif r < 0.68:
            blocks.append(section_break(rng.choice(["Heading1", None]), rng.choice(["", PAGE_BREAK])))
        elif r < 0.72:
            blocks.append(hidden_paragraph(text + " hidden", (1, rng.randrange(2))))
        elif r < 0.78:
            blocks.append(p(text, style="ListPara"))
        elif r < 0.82:
            blocks.append(p(""))
        elif r < 0.86:
            blocks.append(p("", num=(1, rng.randrange(2))))
        else:
            blocks.append(p(text))
    return doc.add(*blocks)


RANDOM_SEEDS = range(20)


def test_random_documents_match_libreoffice(tmp_path: Path) -> None:
    """Rules in combination: every label of 20 generated documents as LibreOffice shows it."""
    if lo_oracle.soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
    paths = [random_document(seed).save(tmp_path / f"random-{seed}.docx") for seed in RANDOM_SEEDS]
    rendered = lo_oracle.render(paths)
    numbered_total = 0
    for path in paths:
        result = lo_oracle.compare_file(path, rendered[path])
        assert result.mismatches == [] and result.unaligned == [], path.name
        numbered_total += result.numbered
    assert numbered_total > 100  # the documents really are full of lists
