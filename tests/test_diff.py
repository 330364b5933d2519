"""`clause_lint.diff`: what a change did to a document's protections.

Real pairs of .md, .docx and .pdf files (tests/contract_versions.py) where the weapons
ban is deleted, narrowed, made non-binding or moved to another section.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clause_lint.api import Linter, Options
from clause_lint.diff import (
    ADDED,
    EDITED,
    IMPROVEMENT,
    MOVED,
    REGRESSION,
    REMOVED,
    UNCHANGED,
    DiffInputError,
    classify,
    compact,
    diff,
    word_diff,
)
from tests import contract_versions as cv

FORMATS = ("md", "docx", "pdf")


@pytest.fixture(scope="module")
def linter() -> Linter:
    return Linter(["safe-face-pledge"])


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    folder = tmp_path_factory.mktemp("versions")
    out = {}
    for fmt in FORMATS:
        for name in ("BASE", "DELETED", "NARROWED", "NON_BINDING", "MOVED"):
            out[(name, fmt)] = cv.write(folder, name.lower(), getattr(cv, name), fmt)
    return out


def changed(report) -> dict[str, tuple[str, str, str]]:
    return {r.rule: (r.before, r.after, r.change) for r in report.rules if r.change != UNCHANGED}


def test_classify_orders_statuses():
    assert classify("present", "weak") == REGRESSION
    assert classify("weak", "missing") == REGRESSION
    assert classify("missing", "contradicted") == REGRESSION
    assert classify("present", "contradicted") == REGRESSION
    assert classify("contradicted", "missing") == IMPROVEMENT
    assert classify("weak", "present") == IMPROVEMENT
    assert classify("missing", "missing") == UNCHANGED
    assert classify("not_applicable", "present") == UNCHANGED


def test_word_diff_marks_changed_words_only():
    wd = word_diff("Customer shall not use the Service.", "Customer should not use the “Service”.")
    assert [(w.op, w.text) for w in wd] == [
        ("equal", "Customer"), ("delete", "shall"), ("insert", "should"), ("equal", "not use the “Service”."),
    ]
    long = word_diff(" ".join(f"w{i}" for i in range(40)) + " end.", " ".join(f"w{i}" for i in range(40)) + " finish.")
    short = compact(long, context=3)
    assert short[0].text == "… w37 w38 w39" and short[1:] == [long[1], long[2]]


@pytest.mark.parametrize("fmt", FORMATS)
def test_deleted_clause_is_a_regression_to_missing(fmt, versions, linter):
    report = diff(versions[("BASE", fmt)], versions[("DELETED", fmt)], linter=linter)
    assert changed(report) == {"SFP101": ("present", "missing", REGRESSION)}
    (reg,) = report.regressions
    assert reg.severity == "error" and reg.fails("error")
    assert reg.evidence_before is not None and reg.evidence_before.section == "1.1"
    assert reg.evidence_after is None
    (clause,) = reg.clauses
    assert clause.change == REMOVED and clause.new is None
    assert clause.old.section == "1.1" and "weapon system" in clause.old.text
    # The clauses after it were renumbered, not changed.
    others = {r.rule: r for r in report.unchanged}
    assert [c.describe() for c in others["SFP103"].clauses] == ["moved 1.2 → 1.1"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_narrowing_carve_out_is_a_regression_to_weak(fmt, versions, linter):
    report = diff(versions[("BASE", fmt)], versions[("NARROWED", fmt)], linter=linter)
    assert changed(report) == {"SFP101": ("present", "weak", REGRESSION)}
    (reg,) = report.regressions
    (clause,) = reg.clauses
    assert clause.change == EDITED and clause.old.section == clause.new.section == "1.1"
    assert [w.text for w in clause.words if w.op == "insert"] == ["except with our written consent."]
    assert not [w for w in clause.words if w.op == "delete"]
    # Weak is a warning for this rule: the default fail level (error) lets it pass.
    assert reg.severity == "warning" and not reg.fails("error") and reg.fails("warning")


@pytest.mark.parametrize("fmt", FORMATS)
def test_shall_to_should_is_a_regression_to_weak(fmt, versions, linter):
    report = diff(versions[("BASE", fmt)], versions[("NON_BINDING", fmt)], linter=linter)
    assert changed(report) == {"SFP101": ("present", "weak", REGRESSION)}
    (clause,) = report.regressions[0].clauses
    assert [(w.op, w.text) for w in clause.words if w.op != "equal"] == [("delete", "shall"), ("insert", "should")]
    assert report.regressions[0].evidence_after.text.startswith("Customer should not")


@pytest.mark.parametrize("fmt", FORMATS)
def test_moved_and_renumbered_clause_is_unchanged(fmt, versions, linter):
    report = diff(versions[("BASE", fmt)], versions[("MOVED", fmt)], linter=linter)
    assert changed(report) == {}
    assert not report.regressions and not report.improvements
    weapons = next(r for r in report.rules if r.rule == "SFP101")
    (clause,) = weapons.clauses
    assert clause.change == MOVED and (clause.old.section, clause.new.section) == ("1.1", "2.1")
    assert not clause.text_changed


def test_reversed_diff_is_an_improvement(versions, linter):
    report = diff(versions[("DELETED", "md")], versions[("BASE", "md")], linter=linter)
    assert changed(report) == {"SFP101": ("missing", "present", IMPROVEMENT)}
    (clause,) = report.improvements[0].clauses
    assert clause.change == ADDED and clause.new.section == "1.1"
    assert not report.failing("info")


def test_select_and_ignore_apply_to_both_versions(versions):
    report = diff(versions[("BASE", "md")], versions[("DELETED", "md")], select={"SFP1"}, ignore={"SFP101"})
    assert [r.rule for r in report.rules] == ["SFP102", "SFP103", "SFP104"]
    assert not report.regressions


def test_pack_applying_to_one_version_only_judges_both(tmp_path, linter):
    old = cv.write_md(tmp_path / "old.md", cv.BASE)
    new = tmp_path / "new.md"
    # The new draft drops every mention of faces, and with it the weapons ban.
    new.write_text("# Services Agreement\n\n1.1 Customer shall not use the Service for law enforcement "
                   "purposes unless authorised by a court order.\n", encoding="utf-8")
    report = diff(old, new, linter=linter)
    assert report.warnings and "applies to one version only" in report.warnings[0]
    assert changed(report)["SFP101"] == ("present", "missing", REGRESSION)


def test_inputs_as_bytes_and_documents(versions, linter):
    from clause_lint.api import load_document

    base = versions[("BASE", "md")]
    by_bytes = diff(("v1/terms.md", base.read_bytes()), load_document(str(versions[("DELETED", "md")])), linter=linter)
    assert by_bytes.old.path == "v1/terms.md"
    assert changed(by_bytes) == {"SFP101": ("present", "missing", REGRESSION)}


def test_unreadable_version_names_the_file(tmp_path, versions, linter):
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DiffInputError) as info:
        diff(versions[("BASE", "md")], bad, linter=linter)
    assert info.value.path == str(bad) and "docx" in info.value.message


def test_to_dict_is_json_and_stable(versions, linter):
    a = diff(versions[("BASE", "docx")], versions[("NARROWED", "docx")], linter=linter).to_dict()
    b = diff(versions[("BASE", "docx")], versions[("NARROWED", "docx")], linter=Linter(["safe-face-pledge"], Options())).to_dict()
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert a["summary"] == {"regressions": 1, "improvements": 0, "unchanged": 8}
    reg = a["regressions"][0]
    assert reg["before"] == "present" and reg["after"] == "weak"
    assert reg["clauses"][0]["old"]["paragraph"] is not None


# --------------------------------------------------------------------------- CLI

from click.testing import CliRunner  # noqa: E402

from clause_lint.cli import cli  # noqa: E402

SCHEMA = Path("/work/shared/schemas/sarif-schema-2.1.0.json")


def run_cli(*args: str):
    return CliRunner().invoke(cli, ["diff", "--isolated", *map(str, args)])


def test_cli_deleted_clause_fails_with_text_report(versions):
    res = run_cli(versions[("BASE", "docx")], versions[("DELETED", "docx")])
    assert res.exit_code == 1, res.output
    out = res.stdout
    assert "Regressions (1):" in out and "SFP101 no-lethal-use  present → missing  [error, fails]" in out
    assert "1.1 removed" in out and "[-Customer shall not use the Service for any weapon system.-]" in out
    assert "SFP103: moved 1.2 → 1.1" in out
    assert out.rstrip().endswith("1 regression, 0 improvements, 8 unchanged; 1 regression at or above 'error'.")


def test_cli_fail_on_uses_the_severity_of_the_new_status(versions):
    old, new = versions[("BASE", "md")], versions[("NON_BINDING", "md")]
    res = run_cli(old, new)
    assert res.exit_code == 0, res.output  # weak is a warning for SFP101
    assert "{+should+}" in res.stdout and "[-shall-]" in res.stdout
    assert run_cli(old, new, "--fail-on", "warning").exit_code == 1
    assert run_cli(old, new, "--fail-on", "never").exit_code == 0
    assert run_cli(old, new, "--severity", "SFP101:weak=error").exit_code == 1
    assert run_cli(old, new, "--fail-on", "warning", "--ignore", "SFP101").exit_code == 0


def test_cli_moved_clause_passes(versions):
    res = run_cli(versions[("BASE", "pdf")], versions[("MOVED", "pdf")], "--fail-on", "info")
    assert res.exit_code == 0, res.output
    assert "Regressions (0)" in res.stdout and "SFP101: moved 1.1 → 2.1" in res.stdout


def test_cli_json_is_byte_stable_and_sorted(versions, tmp_path):
    args = (versions[("BASE", "md")], versions[("NARROWED", "md")], "--format", "json")
    first, second = run_cli(*args), run_cli(*args, "-o", tmp_path / "d.json")
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == (tmp_path / "d.json").read_text(encoding="utf-8")
    data = json.loads(first.stdout)
    assert first.stdout == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    (reg,) = data["regressions"]
    assert (reg["rule"], reg["before"], reg["after"]) == ("SFP101", "present", "weak")
    assert {"op": "insert", "text": "except with our written consent."} in reg["clauses"][0]["words"]


def test_cli_markdown_is_a_pull_request_comment(versions):
    res = run_cli(versions[("BASE", "md")], versions[("NON_BINDING", "md")], "--format", "markdown")
    out = res.stdout
    assert out.startswith("### clause-lint: what this change does")
    assert "| 🔻 | SFP101 No lethal use | ✅ Present | ⚠️ Weak | 1.1 edited |" in out
    assert "**Changed words:** Customer ~~shall~~ **should** not use the Service for any weapon system." in out
    assert "<details><summary>8 unchanged rules</summary>" in out


def test_cli_sarif_locates_regressions_in_new_and_validates(versions):
    old, new = versions[("BASE", "docx")], versions[("DELETED", "docx")]
    res = run_cli(old, new, "--format", "sarif", "--fail-on", "never")
    assert res.exit_code == 0
    log = json.loads(res.stdout)
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "SFP101" and result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("deleted.docx")
    assert result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("base.docx")
    assert result["properties"]["before"] == "present" and result["properties"]["after"] == "missing"
    if not SCHEMA.exists():
        pytest.skip("SARIF schema not available")
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator_cls = jsonschema.validators.validator_for(schema)
    for doc in (log, json.loads(run_cli(old, versions[("NARROWED", "docx")], "--format", "sarif").stdout)):
        errors = list(validator_cls(schema, format_checker=validator_cls.FORMAT_CHECKER).iter_errors(doc))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


@pytest.mark.parametrize("make_bad, expected", [
    (lambda d: d / "nowhere.md", "no such file"),
    (lambda d: (d / "junk.pdf").write_bytes(b"%PDF-1.4 garbage") and d / "junk.pdf", "pdf"),
    (lambda d: (d / "empty.md").write_text("") or d / "empty.md", "empty"),
])
def test_cli_bad_input_is_one_line_and_exit_2(make_bad, expected, versions, tmp_path):
    bad = make_bad(tmp_path)
    res = run_cli(versions[("BASE", "md")], bad)
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{bad}: error: ") and expected in lines[0].lower()
    assert "Traceback" not in res.output


def test_cli_unknown_rule_is_exit_2(versions):
    res = run_cli(versions[("BASE", "md")], versions[("DELETED", "md")], "--select", "NOPE9")
    assert res.exit_code == 2 and "unknown rule 'NOPE9'" in res.stderr


# --------------------------------------------------------------------------- one redlined .docx

from clause_lint.diff import diff_redline  # noqa: E402


@pytest.fixture(scope="module")
def redline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return cv.redline_builder().save(tmp_path_factory.mktemp("redline") / "redline.docx")


def test_redline_compares_rejected_with_accepted_and_names_revisions(redline, linter):
    report = diff_redline(str(redline), linter=linter)
    assert report.old.label.endswith("(changes rejected)") and report.new.label.endswith("(changes accepted)")
    assert changed(report) == {
        "SFP101": ("present", "missing", REGRESSION),
        "SFP102": ("present", "weak", REGRESSION),
        "SFP103": ("present", "weak", REGRESSION),
    }
    regs = {r.rule: r for r in report.regressions}
    assert [(v.kind, v.author, v.date[:10], v.section, v.text) for v in regs["SFP101"].revisions] == [
        ("deletion", cv.DOE, "2026-03-02", "1.1", cv.WEAPONS)]
    assert regs["SFP101"].summary() == (
        'the deletion by J. Doe on 2026-03-02 in 1.1 removes the "No lethal use" protection (SFP101 present → missing)')
    assert [(v.kind, v.author, v.text) for v in regs["SFP102"].revisions] == [
        ("insertion", cv.DOE, ", except with our written consent")]
    # Two revisions by the other reviewer: the deleted "shall" (in 1.2 as it read
    # before) and the inserted "should" (in 1.1 once the deletion above is accepted).
    assert [(v.kind, v.author, v.section, v.text) for v in regs["SFP103"].revisions] == [
        ("deletion", cv.SMITH, "1.2", "shall"), ("insertion", cv.SMITH, "1.1", "should")]
    assert not any(r.revisions for r in report.unchanged)


def test_cli_redline(redline):
    res = CliRunner().invoke(cli, ["diff", "--isolated", str(redline)])
    assert res.exit_code == 1, res.output
    assert ("cause: the deletion by J. Doe on 2026-03-02 in 1.1: “Customer shall not use the Service for any weapon "
            "system.”") in " ".join(res.stdout.split())  # the text report wraps at 100 columns
    assert max(len(line) for line in res.stdout.splitlines()) <= 100
    data = json.loads(CliRunner().invoke(cli, ["diff", "--isolated", str(redline), "--format", "json"]).stdout)
    assert [r["rule"] for r in data["regressions"]] == ["SFP101", "SFP102", "SFP103"]
    assert data["regressions"][0]["summary"].startswith("the deletion by J. Doe on 2026-03-02 in 1.1 removes")
    md = CliRunner().invoke(cli, ["diff", "--isolated", str(redline), "--format", "markdown"]).stdout
    assert "- Caused by the insertion by A. Smith on 2026-03-04 in 1.1: “should”" in md


def test_redline_of_a_file_without_changes_or_not_docx(versions, tmp_path):
    res = CliRunner().invoke(cli, ["diff", "--isolated", str(versions[("BASE", "docx")])])
    assert res.exit_code == 0 and "note: the document has no tracked changes" in res.stdout
    assert "Regressions (0)" in res.stdout
    res = CliRunner().invoke(cli, ["diff", "--isolated", str(versions[("BASE", "md")])])
    assert res.exit_code == 2
    assert res.stderr.strip() == (f"{versions[('BASE', 'md')]}: error: a MD file has no tracked changes; "
                                  "give OLD and NEW to compare two versions")


# --------------------------------------------------------------------------- annotate --diff


def test_annotate_diff_comments_on_the_revisions(redline, tmp_path):
    import zipfile

    from lxml import etree

    out = tmp_path / "reviewed.docx"
    before = redline.read_bytes()
    res = CliRunner().invoke(cli, ["annotate", str(redline), "-o", str(out), "--diff", "--author", "Legal Ops"])
    assert res.exit_code == 1, res.output  # the deleted weapons ban is an error
    assert res.stdout.strip() == f"{out}: 4 comment(s): 4 on tracked changes that weaken the document"
    assert redline.read_bytes() == before
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(out) as zf:
        body = etree.fromstring(zf.read("word/document.xml"))
        comments = etree.fromstring(zf.read("word/comments.xml"))
    text = {c.get(w + "id"): "\n".join("".join(t.text or "" for t in p.iter(w + "t")) for p in c.iter(w + "p"))
            for c in comments.iter(w + "comment")}
    assert {c.get(w + "author") for c in comments.iter(w + "comment")} == {"Legal Ops"}
    # Each comment range holds exactly one tracked change: the revision it explains.
    anchored = {}
    for start in body.iter(w + "commentRangeStart"):
        cid = start.get(w + "id")
        revision = start.getnext()
        assert revision.getnext().tag == w + "commentRangeEnd" and revision.getnext().get(w + "id") == cid
        anchored[(revision.tag.split("}")[1], revision.get(w + "author"))
                 + ("".join(t.text for t in revision.iter(w + "t", w + "delText")),)] = text[cid]
    assert set(anchored) == {
        ("del", cv.DOE, cv.WEAPONS), ("ins", cv.DOE, ", except with our written consent"),
        ("del", cv.SMITH, "shall"), ("ins", cv.SMITH, "should"),
    }
    assert anchored[("del", cv.DOE, cv.WEAPONS)].startswith(
        'clause-lint SFP101 no-lethal-use: the deletion by J. Doe on 2026-03-02 in 1.1 removes the "No lethal use" '
        "protection (SFP101 present → missing).")
    assert "Suggested wording: " in anchored[("ins", cv.SMITH, "should")]


def test_annotate_diff_needs_a_docx(versions, tmp_path):
    res = CliRunner().invoke(cli, ["annotate", str(versions[("BASE", "md")]), "-o", str(tmp_path / "o.docx"), "--diff"])
    assert res.exit_code == 2 and "has no tracked changes" in res.stderr
    assert not (tmp_path / "o.docx").exists()


# --------------------------------------------------------------------------- the bundled redline sample

SAMPLE = Path(__file__).resolve().parent.parent / "sample_contracts" / "halden-facegate-licence-redline.docx"


def test_sample_redline_reports_what_the_readme_shows(linter):
    report = diff_redline(str(SAMPLE), linter=linter)
    assert changed(report) == {
        "SFP101": ("present", "weak", REGRESSION),
        "SFP103": ("present", "missing", REGRESSION),
        "SFP301": ("present", "weak", REGRESSION),
        "SFP202": ("missing", "present", IMPROVEMENT),
    }
    regs = {r.rule: r for r in report.regressions}
    assert regs["SFP103"].summary() == (
        "the deletion by J. Doe (Halden Security Group) on 2026-03-02 in 7.2(c) removes the "
        '"No unwarranted law enforcement use" protection (SFP103 present → missing)')
    assert {(v.author, v.kind, v.text) for v in regs["SFP301"].revisions} == {
        ("A. Smith (Halden Security Group)", "deletion", "shall"),
        ("A. Smith (Halden Security Group)", "insertion", "should")}
    assert [(v.author, v.kind) for v in report.improvements[0].revisions] == [("A. Smith (Halden Security Group)", "insertion")]
    # The fee change (3.2) changes no rule and is named nowhere.
    assert not any("sixty" in v.text for r in report.rules for v in r.revisions)


def test_deleting_one_of_two_similar_bans_is_not_an_edit_of_the_other(tmp_path, linter):
    military = "Customer shall not use the Service for any military purpose."
    old = cv.write_md(tmp_path / "old.md", [("Use Restrictions", [cv.WEAPONS, military, cv.POLICE])])
    new = cv.write_md(tmp_path / "new.md", [("Use Restrictions", [military, cv.POLICE])])
    report = diff(old, new, linter=linter)
    weapons = next(r for r in report.rules if r.rule == "SFP101")
    # The military ban still decides (unchanged); the weapons clause that decided
    # before is removed, not "edited into" the military ban that was already there.
    assert weapons.change == UNCHANGED
    assert [c.describe() for c in weapons.clauses] == ["1.1 removed", "moved 1.2 → 1.1"]


def test_readme_diff_example_is_current():
    import re

    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    m = re.search(r"```console\n\$ clause-lint diff (\S+) (.*?)\n(.*?)```", readme, re.S)
    assert m, "the README's diff example is gone"
    path, flags, shown = m.group(1), m.group(2).split(), m.group(3)
    import os

    cwd = os.getcwd()
    os.chdir(root)
    try:
        res = CliRunner().invoke(cli, ["diff", "--isolated", path, *flags])
    finally:
        os.chdir(cwd)
    assert res.exit_code == 1
    assert res.stdout == shown, "README example is stale: rerun the command and paste its output"


def test_cli_colour_only_when_asked(versions):
    old, new = versions[("BASE", "md")], versions[("NON_BINDING", "md")]
    plain = run_cli(old, new).stdout
    coloured = run_cli(old, new, "--color").stdout
    assert "\x1b[" not in plain
    assert "\x1b[31m[-shall-]\x1b[0m" in coloured and "\x1b[32m{+should+}\x1b[0m" in coloured
    assert "\x1b[" not in run_cli(old, new, "--color", "--format", "json").stdout


def test_cli_markdown_removed_clause_and_paths(versions):
    res = run_cli(versions[("BASE", "md")], versions[("DELETED", "md")], "--format", "markdown")
    out = res.stdout
    assert f"`{versions[('BASE', 'md')]}` → `{versions[('DELETED', 'md')]}`" in out  # code spans, not escapes
    assert "**Before** (section 1.1, line 7):\n\n> Customer shall not use the Service for any weapon system." in out
    assert "Changed words" not in out  # a removed clause is quoted, not struck through word by word


def test_waived_regression_is_shown_and_does_not_fail(versions, tmp_path, monkeypatch):
    new = tmp_path / "new.md"
    new.write_text("<!-- clause-lint: disable-file SFP101 -- the weapons ban moved to the master agreement -->\n"
                   + versions[("DELETED", "md")].read_text(encoding="utf-8"), encoding="utf-8")
    res = run_cli(versions[("BASE", "md")], new)
    assert res.exit_code == 0, res.output
    flat = " ".join(res.stdout.split())  # the text report wraps at 100 columns
    assert ("SFP101 no-lethal-use present → missing [error] waived by inline comment: the weapons ban moved to "
            "the master agreement") in flat
    data = json.loads(run_cli(versions[("BASE", "md")], new, "--format", "json").stdout)
    assert data["regressions"][0]["suppressed"]["by"] == "inline"
    # A waiver file beside the run does the same for a .docx (no inline comments there).
    monkeypatch.chdir(tmp_path)
    old_docx, new_docx = versions[("BASE", "docx")], versions[("DELETED", "docx")]
    (tmp_path / "clause-lint-waivers.yaml").write_text(
        f"waivers:\n  - document: '{new_docx.name}'\n    rule: SFP101\n    reason: accepted by the AI board\n"
        "    approved_by: legal@example.com\n", encoding="utf-8")
    import shutil

    shutil.copy(new_docx, tmp_path / new_docx.name)
    res = CliRunner().invoke(cli, ["diff", str(old_docx), new_docx.name, "--format", "sarif"])
    assert res.exit_code == 0, res.output
    (result,) = json.loads(res.stdout)["runs"][0]["results"]
    assert result["suppressions"][0]["justification"] == "accepted by the AI board"
    assert run_cli(old_docx, new_docx).exit_code == 1  # --isolated: no waiver file
