"""The clause-lint command end to end: exit codes, formats, the samples, every command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from clause_lint import __version__
from clause_lint.cli import cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_contracts"
LABELS = ROOT / "tests" / "sample_labels"

FACIAL_BAN = (
    "# FaceCheck Terms\n\n"
    "These terms cover the FaceCheck facial recognition service and the face templates it creates.\n\n"
    "## 4. Use Restrictions\n\n"
    "4.1 Customer shall not:\n\n"
    "(a) use the Service in any weapon system;\n\n"
    "(b) use the Service for mass surveillance of individuals.\n"
)


def run(args: list[str], cwd: Path | None = None) -> Result:
    runner = CliRunner()
    old = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        return runner.invoke(cli, args, catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.fixture
def contract(tmp_path: Path) -> Path:
    path = tmp_path / "facecheck.md"
    path.write_text(FACIAL_BAN, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def samples_json(tmp_path_factory: pytest.TempPathFactory) -> dict:
    cwd = tmp_path_factory.mktemp("samples")
    result = run(["check", str(SAMPLES), "--format", "json", "--no-cache", "--isolated", "--jobs", "1"], cwd=cwd)
    assert result.exit_code == 1, result.output  # the samples have findings on purpose
    return json.loads(result.stdout)


def test_samples_every_rule_reported_and_every_status_shown(samples_json: dict) -> None:
    docs = samples_json["documents"]
    assert len(docs) == 8
    statuses = set()
    for doc in docs:
        assert doc["error"] is None
        assert [r["rule"] for r in doc["results"]] == [f"SFP{n}" for n in (101, 102, 103, 104, 201, 202, 301, 302, 401)]
        statuses |= {r["status"] for r in doc["results"]}
        for r in doc["results"]:
            if r["status"] in ("weak", "contradicted", "present"):
                ev = r["evidence"][0]
                assert ev["text"] and ev["reason"]
                assert ev["line"] or ev["paragraph"] or ev["page"]
            if r["status"] in ("weak", "missing", "contradicted"):
                assert r["remediation"]
    assert statuses == {"present", "weak", "missing", "contradicted", "not_applicable"}
    catering = next(d for d in docs if "catering" in d["path"])
    assert catering["applicable"] == {"safe-face-pledge": False}
    assert samples_json["summary"]["documents"] == 8


def test_samples_match_their_labels(tmp_path: Path) -> None:
    result = run(["eval", str(LABELS), str(SAMPLES), "--format", "json"], cwd=tmp_path)
    assert result.exit_code == 0, result.output
    overall = json.loads(result.stdout)["overall"]
    assert overall["pairs"] == 72
    assert overall["false_assurance"] == 0.0
    assert overall["balanced_accuracy"] >= 0.9


def test_sample_pdf_locations_point_at_page_and_line(samples_json: dict) -> None:
    kestrel = next(d for d in samples_json["documents"] if "kestrel" in d["path"])
    ev = next(r for r in kestrel["results"] if r["rule"] == "SFP302")["evidence"][0]
    assert ev["page"] >= 1 and ev["line"] >= 1 and ev["section"]


def test_json_is_byte_stable(contract: Path, tmp_path: Path) -> None:
    args = ["check", str(contract), "--format", "json", "--no-cache", "--isolated"]
    first = run(args, cwd=tmp_path).stdout
    second = run(args, cwd=tmp_path).stdout
    assert first == second
    assert "tool" in json.loads(first)


def test_exit_codes(contract: Path, tmp_path: Path) -> None:
    base = ["check", str(contract), "--no-cache", "--isolated"]
    assert run(base, cwd=tmp_path).exit_code == 1  # missing clauses are errors
    assert run(base + ["--fail-on", "never"], cwd=tmp_path).exit_code == 0
    assert run(base + ["--select", "SFP101,SFP102"], cwd=tmp_path).exit_code == 0
    assert run(base + ["--select", "SFP101", "--fail-on", "warning"], cwd=tmp_path).exit_code == 0
    bad = run(base + ["--select", "SFP999"], cwd=tmp_path)
    assert bad.exit_code == 2 and "SFP999" in bad.output
    assert run(base + ["--format", "yaml"], cwd=tmp_path).exit_code == 2


def test_unreadable_file_is_one_line_and_the_rest_is_reported(contract: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 this is not really a zip")
    result = run(["check", str(contract), str(broken), str(tmp_path / "nope.pdf"), "--format", "json",
                  "--no-cache", "--isolated", "--jobs", "1"], cwd=tmp_path)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert any(line.startswith(str(broken)) for line in errors)
    assert any(line.startswith(str(tmp_path / "nope.pdf")) for line in errors)
    data = json.loads(result.stdout)
    by_path = {d["path"]: d for d in data["documents"]}
    assert by_path[str(broken)]["error"]["code"] == "corrupt"
    assert by_path[str(broken)]["results"] == []
    assert len(by_path[str(contract)]["results"]) == 9
    assert data["summary"]["errors"] == 2


def test_text_output_plain_and_coloured(contract: Path, tmp_path: Path) -> None:
    plain = run(["check", str(contract), "--no-cache", "--isolated"], cwd=tmp_path)
    assert "\x1b[" not in plain.stdout
    assert "PRESENT" in plain.stdout and "SFP101" in plain.stdout and "§4.1(a)" in plain.stdout
    assert "Fix:" in plain.stdout
    assert "1 document" in plain.stdout.strip().splitlines()[-1]
    coloured = run(["check", str(contract), "--no-cache", "--isolated", "--color"], cwd=tmp_path)
    assert "\x1b[" in coloured.stdout


def test_assume_applicable(tmp_path: Path) -> None:
    doc = tmp_path / "lease.md"
    doc.write_text("1. Tenant shall not keep animals in the premises.\n", encoding="utf-8")
    normal = json.loads(run(["check", str(doc), "--format", "json", "--no-cache", "--isolated"], cwd=tmp_path).stdout)
    assert {r["status"] for r in normal["documents"][0]["results"]} == {"not_applicable"}
    forced = run(["check", str(doc), "--format", "json", "--no-cache", "--isolated", "--assume-applicable"], cwd=tmp_path)
    assert {r["status"] for r in json.loads(forced.stdout)["documents"][0]["results"]} == {"missing"}


def test_folders_are_searched_recursively(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "terms.md").write_text(FACIAL_BAN, encoding="utf-8")
    (tmp_path / "a" / "notes.csv").write_text("x,y\n", encoding="utf-8")
    data = json.loads(run(["check", str(tmp_path / "a"), "--format", "json", "--no-cache", "--isolated"], cwd=tmp_path).stdout)
    assert [Path(d["path"]).name for d in data["documents"]] == ["terms.md"]


def test_extract_json_one_and_several(contract: Path, tmp_path: Path) -> None:
    one = json.loads(run(["extract", str(contract), "--format", "json"]).stdout)
    assert {"path", "format", "numbering_resolved", "blocks"} <= set(one)
    item = next(b for b in one["blocks"] if b["text"].startswith("use the Service in any weapon"))
    assert item["section"] == "4.1(a)"
    assert item["lead_in"] == "Customer shall not:"
    assert item["line"] == 9
    other = tmp_path / "other.txt"
    other.write_text("1. Definitions\n\n2. Scope\n", encoding="utf-8")
    several = json.loads(run(["extract", str(contract), str(other), "--format", "json"]).stdout)
    assert [Path(d["path"]).name for d in several["documents"]] == ["facecheck.md", "other.txt"]


def test_extract_text_shows_sections_and_lead_ins(contract: Path) -> None:
    out = run(["extract", str(contract)]).stdout
    assert "§4.1(b)" in out and "lead-in: Customer shall not:" in out


def test_rules_and_explain() -> None:
    listing = run(["rules"])
    assert listing.exit_code == 0
    assert "SFP101" in listing.stdout and "restrictions-flow-down" in listing.stdout
    as_json = json.loads(run(["rules", "--format", "json"]).stdout)
    assert [r["id"] for r in as_json[0]["rules"]][:2] == ["SFP101", "SFP102"]
    explained = run(["explain", "SFP302"])
    assert explained.exit_code == 0
    for words in ("What it requires", "Why", "Example (contradicted)", "Model clause when missing", "DeWitt"):
        assert words in explained.stdout
    lethal = run(["explain", "no-lethal-use"])
    assert lethal.exit_code == 0
    # the criteria in plain words, with the roles they read
    assert "How a clause is judged" in lethal.stdout
    assert "a permission whose object, purpose, user, exception, 'non-…' class is weapons" in " ".join(lethal.stdout.split())
    unknown = run(["explain", "XYZ123"])
    assert unknown.exit_code == 2 and "unknown rule" in unknown.output


@pytest.mark.parametrize("command", ["check", "extract", "rules", "explain", "eval", "annotate", "init"])
def test_every_command_has_help(command: str) -> None:
    result = run([command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.stdout


def test_version_and_module_entry_point() -> None:
    assert run(["--version"]).stdout.strip() == f"clause-lint {__version__}"
    proc = subprocess.run([sys.executable, "-m", "clause_lint", "--version"], capture_output=True, text=True,
                          cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == f"clause-lint {__version__}"


def test_no_arguments_is_a_usage_error() -> None:
    result = run(["check"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_serve_without_its_extra_says_how_to_install_it() -> None:
    # Blocking the import stands in for an install without the [serve] extra.
    code = ("import sys; sys.modules['starlette'] = None\n"
            "from clause_lint.cli import main; sys.exit(main(['serve']))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "clause-lint: error: clause-lint serve needs the serve extra (starlette is not installed): pip install 'clause-lint[serve]'"
    ]
