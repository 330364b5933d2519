"""Inline suppression comments and waiver files, through the real CLI on real files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from clause_lint.cli import cli
from clause_lint.suppress import glob_match, parse_inline
from tests.docx_factory import DocxBuilder, p
from tests.pdf_factory import text_pdf

SERVICES = "Provider licenses its facial recognition software and face templates to Customer."
WEAK = "Provider will test the Service using industry-standard testing."  # SFP202 weak (warning)
LETHAL = "Customer shall not use the Service for weapons or lethal purposes."  # SFP101 present
# SFP301 (notice and consent) is missing (warning) in every document here.


def md(*paragraphs: str) -> str:
    return "# Facial Recognition Services Agreement\n\n" + "\n\n".join(paragraphs) + "\n"


def run(*args: str) -> Any:
    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click < 8.2
    except TypeError:
        runner = CliRunner()
    return runner.invoke(cli, list(args), catch_exceptions=False)


def check(*args: str) -> tuple[Any, dict[str, dict[str, dict[str, Any]]]]:
    """Run `check` with JSON output and a fail level at which every finding here fails.

    Returns the CLI result and {file name: {rule id: result}}."""
    r = run("check", "--format", "json", "--fail-on", "warning", "--select", "SFP101,SFP202,SFP301", *args)
    assert r.exit_code in (0, 1), r.stderr
    data = json.loads(r.stdout)
    docs = {Path(d["path"]).name: {res["rule"]: res for res in d["results"]} for d in data["documents"]}
    docs["_warnings"] = {Path(d["path"]).name: d["warnings"] for d in data["documents"]}  # type: ignore[assignment]
    return r, docs


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: str, text: str) -> str:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(text, encoding="utf-8")
    return path


# =========================================================================== inline


def test_without_comments_the_findings_fail() -> None:
    write("c.md", md(SERVICES, WEAK, LETHAL))
    r, docs = check("c.md")
    assert r.exit_code == 1
    assert docs["c.md"]["SFP202"]["status"] == "weak" and "suppressed" not in docs["c.md"]["SFP202"]


def test_disable_next_line_in_markdown() -> None:
    write("c.md", md(SERVICES, "<!-- clause-lint: disable-next-line SFP202 -- counsel accepted internal testing -->", WEAK, LETHAL))
    r, docs = check("c.md", "--select", "SFP202")
    res = docs["c.md"]["SFP202"]
    assert res["status"] == "weak"  # the status stays; the finding is waived
    assert res["suppressed"] == {"by": "inline", "reason": "counsel accepted internal testing", "source": "c.md:5"}
    assert r.exit_code == 1  # SFP301 is still missing
    r2 = run("check", "--fail-on", "warning", "--select", "SFP202", "c.md")
    assert r2.exit_code == 0
    assert "WAIVED" in r2.stdout and "counsel accepted internal testing" in r2.stdout


def test_disable_next_line_covers_only_the_next_paragraph() -> None:
    write("c.md", md("<!-- clause-lint: disable-next-line SFP202 -- not this one -->", SERVICES, WEAK, LETHAL))
    _, docs = check("c.md")
    assert "suppressed" not in docs["c.md"]["SFP202"]
    # directly above the paragraph, without a blank line, works as well
    write("d.md", md(SERVICES, "<!-- clause-lint: disable-next-line SFP202 -- ok -->\n" + WEAK, LETHAL))
    _, docs = check("d.md")
    assert docs["d.md"]["SFP202"]["suppressed"]["by"] == "inline"


def test_disable_and_enable_range() -> None:
    inside = md(SERVICES, "<!-- clause-lint: disable SFP202 -- legacy wording -->", WEAK, "<!-- clause-lint: enable SFP202 -->", LETHAL)
    after = md(SERVICES, "<!-- clause-lint: disable SFP202 -- legacy wording -->", LETHAL, "<!-- clause-lint: enable SFP202 -->", WEAK)
    unclosed = md(SERVICES, LETHAL, "<!-- clause-lint: disable SFP202 -- to the end -->", WEAK)
    write("inside.md", inside)
    write("after.md", after)
    write("unclosed.md", unclosed)
    _, docs = check("inside.md", "after.md", "unclosed.md")
    assert docs["inside.md"]["SFP202"]["suppressed"]["reason"] == "legacy wording"
    assert "suppressed" not in docs["after.md"]["SFP202"]
    assert docs["unclosed.md"]["SFP202"]["suppressed"]["reason"] == "to the end"


def test_enable_one_of_several_rules_keeps_the_others_disabled() -> None:
    write("c.md", md(SERVICES, "<!-- clause-lint: disable SFP202, SFP101 -- both -->", "<!-- clause-lint: enable SFP101 -->", WEAK, LETHAL))
    _, docs = check("c.md")
    assert docs["c.md"]["SFP202"]["suppressed"]["reason"] == "both"


def test_missing_clause_only_by_file_level_comment() -> None:
    write("range.md", md("<!-- clause-lint: disable SFP301 -- no notice needed -->", SERVICES, WEAK, LETHAL))
    write("file.md", md(SERVICES, WEAK, LETHAL, "<!-- clause-lint: disable-file SFP301 -- notice is in the privacy policy -->"))
    _, docs = check("range.md", "file.md")
    assert docs["range.md"]["SFP301"]["status"] == "missing"
    assert "suppressed" not in docs["range.md"]["SFP301"]  # a range has no line to cover a missing clause
    assert docs["file.md"]["SFP301"]["suppressed"]["reason"] == "notice is in the privacy policy"
    assert "suppressed" not in docs["file.md"]["SFP202"]


def test_all_and_comma_separated_ids_and_rule_names() -> None:
    write("all.md", md(SERVICES, WEAK, LETHAL, "<!-- clause-lint: disable-file all -- template, not a contract -->"))
    write("ids.md", md(SERVICES, WEAK, LETHAL, "<!-- clause-lint: disable-file independent-benchmark,SFP301 -- reviewed -->"))
    r, docs = check("all.md", "ids.md")
    assert docs["all.md"]["SFP202"]["suppressed"]["by"] == "inline"
    assert docs["all.md"]["SFP301"]["suppressed"]["by"] == "inline"
    assert "suppressed" not in docs["all.md"]["SFP101"]  # present: nothing to suppress
    assert docs["ids.md"]["SFP202"]["suppressed"]["reason"] == "reviewed"
    assert docs["ids.md"]["SFP301"]["suppressed"]["reason"] == "reviewed"
    assert r.exit_code == 0


def test_plain_text_hash_and_slash_comments() -> None:
    text = (
        "FACIAL RECOGNITION SERVICES AGREEMENT\n\n"
        f"1. {SERVICES}\n\n"
        "# clause-lint: disable SFP202 -- accepted in 2024 review\n"
        f"2. {WEAK}\n"
        "# clause-lint: enable SFP202\n\n"
        f"3. {LETHAL}\n\n"
        "// clause-lint: disable-file SFP301 -- consent handled elsewhere\n"
    )
    write("c.txt", text)
    r, docs = check("c.txt")
    assert docs["c.txt"]["SFP202"]["suppressed"] == {"by": "inline", "reason": "accepted in 2024 review", "source": "c.txt:5"}
    assert docs["c.txt"]["SFP301"]["suppressed"]["reason"] == "consent handled elsewhere"
    assert r.exit_code == 0


def test_html_comments() -> None:
    html = (
        "<!doctype html><html><body><h1>Facial Recognition Services Agreement</h1>\n"
        f"<p>{SERVICES}</p>\n"
        "<!-- clause-lint: disable-next-line SFP202 -- accepted -->\n"
        f"<p>{WEAK}</p>\n<p>{LETHAL}</p>\n</body></html>\n"
    )
    write("c.html", html)
    _, docs = check("c.html")
    assert docs["c.html"]["SFP202"]["suppressed"]["reason"] == "accepted"


def test_bad_comments_become_document_warnings() -> None:
    write("c.md", md(
        SERVICES,
        "<!-- clause-lint: disabel SFP202 -- typo -->",
        "<!-- clause-lint: disable SFP999 -- no such rule -->",
        "<!-- clause-lint: disable-next-line SFP202 -->",
        WEAK,
        "<!-- clause-lint: enable SFP301 -->",
        LETHAL,
        "<!-- an ordinary comment -->",
    ))
    r = run("check", "--format", "json", "c.md")  # every rule runs, so SFP999 is surely unknown
    doc = json.loads(r.stdout)["documents"][0]
    warnings = doc["warnings"]
    results = {res["rule"]: res for res in doc["results"]}
    assert any("line 5" in w and "unknown clause-lint comment 'disabel'" in w for w in warnings)
    assert any("line 7" in w and "unknown rule 'SFP999'" in w for w in warnings)
    assert any("line 9" in w and "without a reason" in w for w in warnings)
    assert any("line 13" in w and "enable without a matching disable" in w for w in warnings)
    assert len(warnings) == 4
    # a comment without a reason still applies; its reason is simply empty
    assert results["SFP202"]["suppressed"] == {"by": "inline", "reason": None, "source": "c.md:9"}
    # when only some rules run, an id may name one of the others: no warning then
    _, docs = check("c.md")
    assert not any("SFP999" in w for w in docs["_warnings"]["c.md"])


def test_parse_inline_ranges_directly() -> None:
    known = {"SFP202": "SFP202", "SFP301": "SFP301", "independent-benchmark": "SFP202"}
    comments = [
        {"line": 3, "text": "clause-lint: disable all -- everything"},
        {"line": 6, "text": "clause-lint: enable SFP202"},
        {"line": 9, "text": "clause-lint: enable all"},
        {"line": 10, "text": "clause-lint: disable-next-line independent-benchmark — em dash reason"},
    ]
    rules, warnings = parse_inline(comments, [1, 4, 7, 12, 14], known)
    assert warnings == []
    first, rest, nxt = rules
    assert (first.rules, first.start, first.end) == (frozenset(), 3, 6)
    assert (rest.excluded, rest.start, rest.end) == (frozenset({"SFP202"}), 6, 9)
    assert (nxt.rules, nxt.start, nxt.end, nxt.reason) == (frozenset({"SFP202"}), 12, 12, "em dash reason")


# =========================================================================== waivers


def _docx(path: str, *paragraphs: str) -> str:
    doc = DocxBuilder()
    doc.add(*(p(t) for t in paragraphs))
    doc.save(path)
    return path


def _pdf(path: str, *paragraphs: str) -> str:
    lines: list[str] = []
    gaps = []
    for t in paragraphs:
        lines.append(t)
        gaps.append(len(lines) - 1)
    text_pdf(path, [lines], gap_after=gaps)
    return path


WAIVERS = """\
waivers:
  - document: "contracts/*.docx"
    rule: SFP202
    reason: Vendor contract predates the pledge; renegotiation due 2027.
    approved_by: J. Doe (Legal)
    expires: 2099-12-31
  - document: "scans/**/*.pdf"
    rule: independent-benchmark
    reason: Scanned archive copy.
"""


def test_waivers_match_documents_by_glob_docx_and_pdf() -> None:
    write("contracts/acme.md", md(SERVICES, WEAK, LETHAL))
    _docx("contracts/acme.docx", "Facial Recognition Services Agreement", SERVICES, WEAK, LETHAL)
    Path("scans/2019").mkdir(parents=True)
    _pdf("scans/2019/old.pdf", "Facial Recognition Services Agreement", SERVICES, WEAK, LETHAL)
    write("clause-lint-waivers.yaml", WAIVERS)
    r, docs = check("contracts", "scans", "--select", "SFP202")
    assert {k for k in docs if not k.startswith("_")} == {"acme.md", "acme.docx", "old.pdf"}
    assert docs["acme.docx"]["SFP202"]["status"] == "weak"
    assert docs["acme.docx"]["SFP202"]["suppressed"] == {
        "by": "waiver",
        "reason": "Vendor contract predates the pledge; renegotiation due 2027.",
        "source": "clause-lint-waivers.yaml:2",
        "approved_by": "J. Doe (Legal)",
        "expires": "2099-12-31",
    }
    assert docs["old.pdf"]["SFP202"]["status"] == "weak"
    assert docs["old.pdf"]["SFP202"]["suppressed"]["reason"] == "Scanned archive copy."
    assert "suppressed" not in docs["acme.md"]["SFP202"]  # .md is not covered by either glob
    assert r.exit_code == 1
    assert "warning" not in r.stderr  # both waivers were used
    # the text report shows them as waived, with the reason
    text = run("check", "--select", "SFP202", "contracts/acme.docx").stdout
    assert "WAIVED (by waiver: Vendor contract predates the pledge" in text


def test_waiver_file_is_found_beside_the_config(monkeypatch: pytest.MonkeyPatch, in_tmp: Path) -> None:
    write("repo/.clause-lint.yaml", "format: json\n")
    write("repo/clause-lint-waivers.yaml", "waivers:\n  - {document: 'docs/*.md', rule: SFP202, reason: beside the config}\n")
    write("repo/docs/c.md", md(SERVICES, WEAK, LETHAL))
    monkeypatch.chdir(in_tmp / "repo" / "docs")
    _, docs = check("c.md")
    assert docs["c.md"]["SFP202"]["suppressed"]["reason"] == "beside the config"
    _, docs = check("--isolated", "c.md")
    assert "suppressed" not in docs["c.md"]["SFP202"]  # --isolated ignores found files


def test_expired_waiver_warns_and_does_not_apply() -> None:
    write("docs/c.md", md(SERVICES, WEAK, LETHAL))
    write("clause-lint-waivers.yaml", "waivers:\n  - document: docs/*.md\n    rule: SFP202\n    reason: temporary\n    expires: 2020-01-01\n")
    r, docs = check("docs/c.md", "--select", "SFP202")
    assert "suppressed" not in docs["c.md"]["SFP202"]
    assert r.exit_code == 1
    assert "clause-lint-waivers.yaml:2: warning: waiver for SFP202 on docs/*.md expired 2020-01-01" in r.stderr


def test_unused_waiver_is_reported_and_fails_with_strict_waivers() -> None:
    write("docs/c.md", md(SERVICES, WEAK, LETHAL))
    write("clause-lint-waivers.yaml", (
        "waivers:\n"
        "  - {document: docs/c.md, rule: SFP101, reason: was weak once}\n"      # SFP101 is present now
        "  - {document: other/*.md, rule: SFP202, reason: for other files}\n"  # not checked in this run
    ))
    r = run("check", "--select", "SFP101", "docs/c.md")
    assert r.exit_code == 0
    assert "clause-lint-waivers.yaml:2: warning: waiver for SFP101 on docs/c.md matched no finding" in r.stderr
    assert "other/*.md" not in r.stderr  # a waiver for documents not checked is not "unused"
    r = run("check", "--select", "SFP101", "--strict-waivers", "docs/c.md")
    assert r.exit_code == 1
    write(".clause-lint.yaml", "strict_waivers: true\n")
    assert run("check", "--select", "SFP101", "docs/c.md").exit_code == 1
    assert run("check", "--select", "SFP101", "--no-strict-waivers", "docs/c.md").exit_code == 0


@pytest.mark.parametrize(
    "entry, where, words",
    [
        ("  - {document: docs/*.md, rule: SFP202}\n", ":2:5:", "has no reason; every waiver must say why"),
        ("  - {document: docs/*.md, rule: SFP202, reason: '  '}\n", ":2:", "has no reason"),
        ("  - {document: docs/*.md, rule: SFP999, reason: why}\n", ":2:1:", "unknown rule 'SFP999' in waiver"),
        ("  - {document: docs/*.md, rule: SFP202, reason: why, expires: soon}\n", ":2:", "expires must be a date written YYYY-MM-DD"),
        ("  - {document: docs/*.md, rule: SFP202, reason: why, approver: me}\n", ":2:", "unknown key 'approver'"),
        ("  - {rule: SFP202, reason: why}\n", ":2:", "waiver needs 'document'"),
    ],
)
def test_invalid_waivers_are_errors(entry: str, where: str, words: str) -> None:
    write("docs/c.md", md(SERVICES, WEAK, LETHAL))
    write("w.yaml", "waivers:\n" + entry)
    r = run("check", "--waivers", "w.yaml", "docs/c.md")
    assert r.exit_code == 2
    assert f"w.yaml{where}" in r.stderr and words in r.stderr
    assert r.stdout == ""  # the file is checked before any linting


def test_missing_waiver_file_named_explicitly_is_an_error() -> None:
    write("docs/c.md", md(SERVICES, WEAK, LETHAL))
    r = run("check", "--waivers", "nope.yaml", "docs/c.md")
    assert r.exit_code == 2 and "nope.yaml: cannot read waiver file" in r.stderr


def test_waiver_globs() -> None:
    assert glob_match("docs/*.pdf", "docs/a.pdf")
    assert not glob_match("docs/*.pdf", "docs/sub/a.pdf")
    assert glob_match("docs/**/*.pdf", "docs/a.pdf")
    assert glob_match("docs/**/*.pdf", "docs/x/y/a.pdf")
    assert glob_match("**", "anything/at/all.md")
    assert glob_match("*.docx", "deep/in/tree/a.docx")  # no slash: the file name alone
    assert not glob_match("*.docx", "deep/in/tree/a.docx.md")
    assert glob_match("./contracts/acme-[0-9].md", "contracts/acme-7.md")
    assert not glob_match("contracts/acme-[!0-9].md", "contracts/acme-7.md")
    assert glob_match("contracts/acme (v2).md", "contracts/acme (v2).md")
