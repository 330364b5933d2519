"""Baselines through the real CLI: record today's findings, fail only on new ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from clause_lint.cli import cli
from tests.docx_factory import DocxBuilder, p

SERVICES = "Provider licenses its facial recognition software and face templates to Customer."
WEAK = "Provider will test the Service using industry-standard testing."  # SFP202 weak
LETHAL = "Customer shall not use the Service for weapons or lethal purposes."  # SFP101 present
FILLER = [
    "The parties agree to the recitals above.",
    "Customer will pay the fees stated in each order form within thirty days.",
    "This Agreement is governed by the laws of the State of New York.",
]


def md(*paragraphs: str) -> str:
    return "# Facial Recognition Services Agreement\n\n" + "\n\n".join(paragraphs) + "\n"


def run(*args: str) -> Any:
    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click < 8.2
    except TypeError:
        runner = CliRunner()
    return runner.invoke(cli, list(args), catch_exceptions=False)


def check_json(*args: str) -> tuple[int, dict[str, dict[str, Any]]]:
    """Exit code and {rule: result} for one document, every finding failing."""
    r = run("check", "--isolated", "--format", "json", "--fail-on", "info", *args)
    assert r.exit_code in (0, 1), r.stderr
    doc = json.loads(r.stdout)["documents"][0]
    return r.exit_code, {res["rule"]: res for res in doc["results"]}


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    return tmp_path


def test_write_baseline_then_rerun_is_clean(in_tmp: Path) -> None:
    Path("docs/c.md").write_text(md(SERVICES, WEAK, LETHAL), encoding="utf-8")
    assert run("check", "--isolated", "--fail-on", "info", "docs/c.md").exit_code == 1

    r = run("check", "--isolated", "--fail-on", "info", "--write-baseline", "baseline.json", "docs/c.md")
    assert r.exit_code == 0, r.stderr  # what was just recorded is accepted
    data = json.loads(Path("baseline.json").read_text(encoding="utf-8"))
    assert data["version"] == 1 and data["tool"] == "clause-lint"
    entries = {e["rule"]: e for e in data["entries"]}
    assert set(entries) == {"SFP102", "SFP103", "SFP104", "SFP201", "SFP202", "SFP301", "SFP302", "SFP401"}  # not SFP101: present
    assert entries["SFP202"]["document"] == "docs/c.md" and entries["SFP202"]["status"] == "weak"
    assert all(len(e["fingerprint"]) == 64 for e in data["entries"])

    code, res = check_json("--baseline", "baseline.json", "docs/c.md")
    assert code == 0
    assert res["SFP202"]["status"] == "weak"
    assert res["SFP202"]["suppressed"]["by"] == "baseline"
    assert res["SFP202"]["fingerprint"] == entries["SFP202"]["fingerprint"]
    assert "suppressed" not in res["SFP101"]


def test_edits_above_the_finding_keep_it_suppressed_but_a_changed_clause_resurfaces(in_tmp: Path) -> None:
    doc = Path("docs/c.md")
    doc.write_text(md(SERVICES, WEAK, LETHAL), encoding="utf-8")
    assert run("check", "--isolated", "--write-baseline", "baseline.json", "docs/c.md").exit_code == 0
    _, before = check_json("--baseline", "baseline.json", "docs/c.md")
    line_before = before["SFP202"]["evidence"][0]["line"]

    doc.write_text(md(*FILLER, SERVICES, "## Testing", WEAK, LETHAL), encoding="utf-8")
    code, after = check_json("--baseline", "baseline.json", "docs/c.md")
    assert after["SFP202"]["evidence"][0]["line"] > line_before  # it moved…
    assert after["SFP202"]["suppressed"]["by"] == "baseline"  # …and is still the same finding
    assert after["SFP301"]["suppressed"]["by"] == "baseline"  # missing: rule + document only
    assert code == 0

    # Reflowing the same words (new line breaks, different spacing and case) is no change.
    doc.write_text(md(*FILLER, SERVICES, "Provider will test the Service\nusing  Industry-Standard testing.", LETHAL), encoding="utf-8")
    code, _ = check_json("--baseline", "baseline.json", "docs/c.md")
    assert code == 0

    doc.write_text(md(*FILLER, SERVICES, "Provider will test the Service using its own internal testing procedures.", LETHAL), encoding="utf-8")
    code, changed = check_json("--baseline", "baseline.json", "docs/c.md")
    assert changed["SFP202"]["status"] == "weak"
    assert "suppressed" not in changed["SFP202"]  # a different clause is a new finding
    assert changed["SFP301"]["suppressed"]["by"] == "baseline"
    assert code == 1


def test_a_new_finding_in_another_document_fails(in_tmp: Path) -> None:
    Path("docs/a.md").write_text(md(SERVICES, WEAK, LETHAL), encoding="utf-8")
    assert run("check", "--isolated", "--write-baseline", "baseline.json", "docs").exit_code == 0
    Path("docs/b.md").write_text(md(SERVICES, WEAK, LETHAL), encoding="utf-8")
    r = run("check", "--isolated", "--format", "json", "--baseline", "baseline.json", "docs")
    assert r.exit_code == 1
    docs = {Path(d["path"]).name: {x["rule"]: x for x in d["results"]} for d in json.loads(r.stdout)["documents"]}
    assert docs["a.md"]["SFP202"]["suppressed"]["by"] == "baseline"
    assert "suppressed" not in docs["b.md"]["SFP202"]  # same text, other document


def test_document_identity_is_relative_to_the_baseline_file(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Path("docs/c.md").write_text(md(SERVICES, WEAK, LETHAL), encoding="utf-8")
    assert run("check", "--isolated", "--write-baseline", "baseline.json", "docs/c.md").exit_code == 0
    # Another spelling of the same file, from another folder: the same findings.
    monkeypatch.chdir(in_tmp / "docs")
    code, res = check_json("--baseline", "../baseline.json", "c.md")
    assert code == 0 and res["SFP202"]["suppressed"]["by"] == "baseline"
    code, res = check_json("--baseline", str(in_tmp / "baseline.json"), str(in_tmp / "docs" / "c.md"))
    assert code == 0


def test_sarif_partial_fingerprints_match_the_baseline(in_tmp: Path) -> None:
    Path("docs/c.md").write_text(md(SERVICES, WEAK, LETHAL), encoding="utf-8")
    r = run("check", "--isolated", "--write-baseline", "baseline.json", "--output-format", "sarif=r.sarif", "docs/c.md")
    assert r.exit_code == 0, r.stderr
    base = {e["rule"]: e["fingerprint"] for e in json.loads(Path("baseline.json").read_text(encoding="utf-8"))["entries"]}
    sarif = json.loads(Path("r.sarif").read_text(encoding="utf-8"))
    seen = {}
    for result in sarif["runs"][0]["results"]:
        (value,) = result["partialFingerprints"].values()
        seen[result["ruleId"]] = value
    assert base and all(seen[rule] == fp for rule, fp in base.items())


def test_baseline_in_a_docx_survives_inserted_paragraphs(in_tmp: Path) -> None:
    def save(*paragraphs: str) -> None:
        b = DocxBuilder()
        b.add(*(p(t) for t in paragraphs))
        b.save(in_tmp / "docs" / "c.docx")

    save("Facial Recognition Services Agreement", SERVICES, WEAK, LETHAL)
    assert run("check", "--isolated", "--write-baseline", "baseline.json", "docs/c.docx").exit_code == 0
    save("Facial Recognition Services Agreement", *FILLER, SERVICES, *FILLER, WEAK, LETHAL)
    code, res = check_json("--baseline", "baseline.json", "docs/c.docx")
    assert res["SFP202"]["evidence"][0]["paragraph"] > 3
    assert res["SFP202"]["suppressed"]["by"] == "baseline" and code == 0


def test_rewriting_a_baseline_keeps_accepted_findings_and_drops_fixed_ones(in_tmp: Path) -> None:
    doc = Path("docs/c.md")
    doc.write_text(md(SERVICES, WEAK, LETHAL), encoding="utf-8")
    assert run("check", "--isolated", "--write-baseline", "baseline.json", "docs/c.md").exit_code == 0
    doc.write_text(md(SERVICES, LETHAL, "Provider shall submit its face recognition models to NIST's face recognition evaluations and publish the results."), encoding="utf-8")
    r = run("check", "--isolated", "--baseline", "baseline.json", "--write-baseline", "baseline.json", "docs/c.md")
    assert r.exit_code == 0
    rules = {e["rule"] for e in json.loads(Path("baseline.json").read_text(encoding="utf-8"))["entries"]}
    assert "SFP202" not in rules  # fixed: now present
    assert "SFP301" in rules


def test_baseline_from_config_and_bad_baselines(in_tmp: Path) -> None:
    Path("docs/c.md").write_text(md(SERVICES, WEAK, LETHAL), encoding="utf-8")
    assert run("check", "--isolated", "--write-baseline", "docs/b.json", "docs/c.md").exit_code == 0
    Path(".clause-lint.yaml").write_text("baseline: docs/b.json\nfail_on: info\n", encoding="utf-8")
    assert run("check", "docs/c.md").exit_code == 0

    Path("bad.json").write_text("{not json", encoding="utf-8")
    r = run("check", "--baseline", "bad.json", "docs/c.md")
    assert r.exit_code == 2 and "bad.json:1:2: baseline is not valid JSON" in r.stderr and r.stdout == ""
    Path("bad.json").write_text('{"version": 99, "entries": []}', encoding="utf-8")
    r = run("check", "--baseline", "bad.json", "docs/c.md")
    assert r.exit_code == 2 and "version 99 is not supported" in r.stderr
    r = run("check", "--baseline", "missing.json", "docs/c.md")
    assert r.exit_code == 2 and "missing.json: cannot read baseline" in r.stderr
