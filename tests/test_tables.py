"""Tables kept as tables: the grid, its header rows and merged cells, from .docx, HTML
and Markdown, through ``clause-lint extract`` (JSON and text) and the check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import docx
from click.testing import CliRunner
from docx.oxml import OxmlElement

from clause_lint.api import Linter, Options, load_document
from clause_lint.cli import cli

try:
    from pdf_factory import T, build_pdf
except ImportError:  # run from the project root as a package
    from tests.pdf_factory import T, build_pdf


def _extract_json(path: Path) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["extract", "--format", "json", str(path)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _extract_text(path: Path) -> str:
    result = CliRunner().invoke(cli, ["extract", str(path)])
    assert result.exit_code == 0, result.output
    return result.output


def _cells(table: dict[str, Any]) -> dict[tuple[int, int], dict[str, Any]]:
    return {(c["row"], c["col"]): c for row in table["cells"] for c in row}


def _fee_schedule(path: Path, header: bool = True) -> None:
    """A 3x3 table: a header row (repeated on each page when ``header``), 'Face
    matching' merged down two rows, 'waived in year one' merged across two columns."""
    d = docx.Document()
    d.add_paragraph("Schedule 1. Fees")
    t = d.add_table(rows=3, cols=3)
    for k, text in enumerate(["Item", "Fee", "Notes"]):
        t.cell(0, k).text = text
    if header:
        t.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    t.cell(1, 0).merge(t.cell(2, 0)).text = "Face matching"
    t.cell(1, 1).text = "10"
    t.cell(1, 2).text = ""
    t.cell(2, 1).merge(t.cell(2, 2)).text = "waived in year one"
    d.add_paragraph("Customer shall pay the fees in Schedule 1.")
    d.save(str(path))


def test_docx_table_grid_header_and_merged_cells(tmp_path: Path) -> None:
    path = tmp_path / "fees.docx"
    _fee_schedule(path)
    out = _extract_json(path)
    [table] = out["tables"]
    assert (table["number"], table["rows"], table["columns"]) == (1, 3, 3)
    assert (table["header_rows"], table["header_source"]) == (1, "marked")
    assert table["paragraph"] == 2  # the first cell's paragraph in the body
    cells = _cells(table)
    assert [cells[(1, k)]["text"] for k in (1, 2, 3)] == ["Item", "Fee", "Notes"]
    assert all(cells[(1, k)]["header"] for k in (1, 2, 3)) and not cells[(2, 2)]["header"]
    merged_down = cells[(2, 1)]
    assert (merged_down["text"], merged_down["rowspan"], merged_down["colspan"]) == ("Face matching", 2, 1)
    assert (3, 1) not in cells  # kept once, at its top-left
    merged_across = cells[(3, 2)]
    assert (merged_across["text"], merged_across["colspan"]) == ("waived in year one", 2)
    assert cells[(2, 3)]["text"] == "" and cells[(2, 3)]["blocks"] == []  # an empty cell keeps its place
    # Each cell names the block that holds its text.
    for cell in (cells[(1, 1)], merged_down, merged_across):
        [index] = cell["blocks"]
        block = out["blocks"][index]
        assert (block["kind"], block["text"], block["row"], block["col"]) == ("table_cell", cell["text"], cell["row"], cell["col"])

    text = _extract_text(path)
    grid = [line.strip() for line in text.splitlines() if line.strip().startswith("|")]
    assert [c.strip() for c in grid[0].split("|")[1:-1]] == ["Item", "Fee", "Notes"]
    assert set(grid[1]) <= {"|", "-"}  # the rule under the header row
    assert grid[2].startswith("| Face matching |") and grid[3].startswith("| ^ ")
    assert "waived in year one" in grid[3] and grid[3].count("|") == 3  # drawn across two columns
    assert "table 1: 3 rows x 3 columns, header row 1" in text
    assert "r1c1" not in text  # the grid replaces a line per cell


def test_docx_table_without_marked_header(tmp_path: Path) -> None:
    path = tmp_path / "plain.docx"
    _fee_schedule(path, header=False)
    [table] = _extract_json(path)["tables"]
    assert (table["header_rows"], table["header_source"]) == (0, None)
    assert "no header row" in _extract_text(path)


def test_html_table_th_thead_and_spans(tmp_path: Path) -> None:
    path = tmp_path / "limits.html"
    path.write_text(
        "<html><body><p>Usage limits.</p>"
        "<table><thead><tr><th>Tier</th><th colspan='2'>Limits</th></tr></thead>"
        "<tbody><tr><td rowspan='2'>Gold</td><td>calls</td><td>1000</td></tr>"
        "<tr><td>users</td><td>5</td></tr></tbody></table>"
        "<table><tr><td colspan='100000'>A cell claiming a hundred thousand columns</td></tr>"
        "<tr><td>a</td><td>b</td></tr></table>"
        "</body></html>",
        encoding="utf-8",
    )
    out = _extract_json(path)
    first, second = out["tables"]
    assert (first["rows"], first["columns"], first["header_rows"], first["header_source"]) == (3, 3, 1, "marked")
    cells = _cells(first)
    assert cells[(1, 2)]["colspan"] == 2 and cells[(2, 1)]["rowspan"] == 2
    assert (cells[(3, 2)]["text"], cells[(3, 3)]["text"]) == ("users", "5")  # placed after the cell spanning down
    assert out["blocks"][cells[(3, 2)]["blocks"][0]]["col"] == 2
    # A hostile span is capped; the grid stays small and the text is kept.
    assert second["columns"] == 100 and second["header_source"] is None
    assert _cells(second)[(1, 1)]["text"].startswith("A cell claiming")
    assert "table 2: 2 rows x 100 columns" in _extract_text(path)


def test_markdown_pipe_table_and_html_table_numbered_in_order(tmp_path: Path) -> None:
    path = tmp_path / "fees.md"
    path.write_text(
        "# Fees\n\n"
        "| Service | Fee |\n| --- | ---: |\n| Face matching | 10 |\n| Storage | |\n\n"
        "<table><tr><th>Tier</th></tr><tr><td>Gold</td></tr></table>\n",
        encoding="utf-8",
    )
    out = _extract_json(path)
    first, second = out["tables"]
    assert (first["number"], first["line"], first["rows"], first["columns"], first["header_rows"]) == (1, 3, 3, 2, 1)
    assert _cells(first)[(3, 2)]["text"] == ""
    assert (second["number"], second["header_rows"]) == (2, 1)
    assert _cells(second)[(2, 1)]["text"] == "Gold"
    assert out["blocks"][_cells(second)[(2, 1)]["blocks"][0]]["table"] == 2


def test_a_clause_in_a_table_cell_is_found_at_its_block(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("The Service performs facial recognition on images supplied by Customer.")
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "Topic", "Commitment"
    t.cell(1, 0).text = "Weapons"
    t.cell(1, 1).text = "Customer shall not use the Service in any weapon or weapon system."
    path = tmp_path / "grid.docx"
    d.save(str(path))
    _weapons_ban_found_in_cell_2_2(path)


def _weapons_ban_found_in_cell_2_2(path: Path) -> Any:
    """Check ``path``: SFP101 is present and its first quote is the block of the
    table's cell at row 2, column 2. Returns that evidence."""
    doc = load_document(str(path))
    result = Linter(options=Options(assume_applicable=True)).check_document(doc)
    sfp101 = next(r for r in result.results if r.rule == "SFP101")
    assert sfp101.status == "present"
    [table] = doc.tables
    cell = next(c for c in table.cells if (c.row, c.col) == (2, 2))
    assert sfp101.evidence[0].block in cell.blocks
    return sfp101.evidence[0]


def test_a_table_built_to_blow_up_the_grid_stays_small(tmp_path: Path) -> None:
    """Thousands of cells each claiming a 100 x 100 span: the grid is capped, the run
    stays quick, and a table too big to draw is listed cell by cell."""
    rows = "".join("<tr>" + "<td rowspan='100' colspan='100'>x</td>" * 40 + "</tr>" for _ in range(150))
    path = tmp_path / "spans.html"
    path.write_text(f"<html><body><table>{rows}</table></body></html>", encoding="utf-8")
    doc = load_document(str(path))
    [table] = doc.tables
    assert len(table.cells) == 6000
    assert sum(c.rowspan * c.colspan for c in table.cells) <= 200_000 + 6000
    text = _extract_text(path)
    assert "table 1:" not in text and "table 1 r1c1" in text  # not drawn: listed by cell


# --- PDF: tables rebuilt from the layout ----------------------------------------------

def _pdf_fee_table(path: Path, rows_on_second_page: int = 0) -> None:
    """A paragraph, a three-column fee table (bold header row, a description that
    wraps onto a second line in its cell, a fee cell left empty), a paragraph under
    it; with ``rows_on_second_page`` the table goes on over the page break under a
    repeated header row, as word processors print it."""
    def header(top: float) -> list[T]:
        return [T(72, top, "Service", font="Helvetica-Bold"), T(220, top, "Description", font="Helvetica-Bold"),
                T(450, top, "Monthly fee", font="Helvetica-Bold")]

    page1 = [T(72, 72, "Schedule 2. The fees for each service are set out in the table below.")]
    page1 += header(110)
    page1 += [T(72, 128, "Face matching"), T(220, 128, "Comparison of two face images"), T(450, 128, "USD 900"),
              T(220, 142, "returning a similarity score"),
              T(72, 160, "Liveness check"), T(220, 160, "Detection of spoofed images"), T(450, 160, "USD 300"),
              T(72, 178, "Support"), T(220, 178, "Business-hours help desk")]
    pages = [page1]
    if rows_on_second_page:
        page2 = header(72)
        for k in range(rows_on_second_page):
            top = 90 + 18 * k
            page2 += [T(72, top, f"Add-on {k + 1}"), T(220, top, f"Optional module {k + 1}"), T(450, top, "USD 50")]
        page2.append(T(72, 90 + 18 * rows_on_second_page + 30, "Fees are payable monthly in advance."))
        pages.append(page2)
    else:
        page1.append(T(72, 220, "Fees are payable monthly in advance."))
    build_pdf(path, pages)


def test_pdf_table_grid_from_the_layout(tmp_path: Path) -> None:
    path = tmp_path / "fees.pdf"
    _pdf_fee_table(path)
    out = _extract_json(path)
    [table] = out["tables"]
    assert (table["rows"], table["columns"], table["page"]) == (4, 3, 1)
    assert (table["header_rows"], table["header_source"]) == (1, "layout")  # bold over regular rows
    cells = _cells(table)
    assert [cells[(1, k)]["text"] for k in (1, 2, 3)] == ["Service", "Description", "Monthly fee"]
    assert cells[(2, 2)]["text"] == "Comparison of two face images returning a similarity score"
    assert cells[(3, 3)]["text"] == "USD 300"
    assert (4, 3) not in cells and cells[(4, 2)]["text"] == "Business-hours help desk"
    block = out["blocks"][cells[(2, 2)]["blocks"][0]]
    assert (block["kind"], block["table"], block["row"], block["col"], block["page"]) == ("table_cell", 1, 2, 2, 1)
    # The text around the table stays paragraphs, in reading order.
    kinds = [(b["kind"], b["text"][:12]) for b in out["blocks"]]
    assert kinds[0] == ("paragraph", "The fees for") and kinds[-1] == ("paragraph", "Fees are pay")
    drawn = _extract_text(path)
    assert "table 1: 4 rows x 3 columns, header row 1" in drawn
    assert "| Liveness check | Detection of spoofed images" in drawn


def test_pdf_table_over_a_page_break_is_one_table_without_the_repeated_header(tmp_path: Path) -> None:
    path = tmp_path / "fees2.pdf"
    _pdf_fee_table(path, rows_on_second_page=3)
    out = _extract_json(path)
    [table] = out["tables"]
    assert (table["rows"], table["columns"], table["header_rows"]) == (7, 3, 1)
    cells = _cells(table)
    assert cells[(5, 1)]["text"] == "Add-on 1" and cells[(7, 3)]["text"] == "USD 50"
    assert sum(1 for b in out["blocks"] if b["text"] == "Service") == 1
    assert out["blocks"][cells[(5, 1)]["blocks"][0]]["page"] == 2


def test_pdf_contents_list_and_spaced_clause_numbers_are_not_tables(tmp_path: Path) -> None:
    """Titles with page numbers set far to the right, and clause numbers set apart
    from their text, line up in columns too; neither is a table."""
    contents = [T(72, 72, "Contents")]
    for k, title in enumerate(["Definitions", "Licence", "Restrictions", "Term and termination"]):
        contents += [T(72, 100 + 16 * k, f"{k + 1}. {title}"), T(520, 100 + 16 * k, str(3 + 2 * k))]
    clauses = []
    for k, text in enumerate(["Customer shall pay the fees when due.", "Provider shall keep the Service available.",
                              "Either party may end this Agreement on notice."]):
        clauses += [T(72, 200 + 16 * k, f"{k + 1}.1"), T(130, 200 + 16 * k, text)]
    path = tmp_path / "contents.pdf"
    build_pdf(path, [contents + clauses])
    out = _extract_json(path)
    assert out["tables"] == []
    assert not any(b["kind"] == "table_cell" for b in out["blocks"])
    # Numbers that go up and down are quantities, not pages: that is a table.
    counts = [T(72, 72, "Seats by region")]
    for k, (region, seats) in enumerate([("Europe", 40), ("Americas", 25), ("Asia", 60)]):
        counts += [T(72, 100 + 16 * k, region), T(520, 100 + 16 * k, str(seats))]
    build_pdf(path, [counts])
    [table] = _extract_json(path)["tables"]
    assert (table["rows"], table["columns"]) == (3, 2)


def test_a_clause_in_a_pdf_table_cell_is_found_at_its_cell(tmp_path: Path) -> None:
    page = [T(72, 72, "The Service performs facial recognition on images supplied by Customer."),
            T(72, 110, "Topic", font="Helvetica-Bold"), T(200, 110, "Commitment", font="Helvetica-Bold"),
            T(72, 128, "Weapons"), T(200, 128, "Customer shall not use the Service in any weapon system."),
            T(72, 146, "Records"), T(200, 146, "Customer shall keep records of each search.")]
    path = tmp_path / "grid.pdf"
    build_pdf(path, [page])
    evidence = _weapons_ban_found_in_cell_2_2(path)
    assert (evidence.page, evidence.line) == (1, 3)
