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
