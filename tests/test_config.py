"""Configuration files, their command-line twins, `init` and several outputs, through the real CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from clause_lint.cli import cli
from clause_lint.config import STARTER, find_config, load_config, parse_severity_option
from clause_lint.errors import ConfigError

REPO = Path(__file__).resolve().parent.parent

# A facial-recognition contract (so the pack applies): SFP101 present, SFP202 weak
# (warning), SFP301 missing (warning).
CONTRACT = """\
# Facial Recognition Services Agreement

## 1. Services

Provider licenses its facial recognition software and face templates to Customer.

## 2. Testing

Provider will test the Service using industry-standard testing.

## 3. Use

Customer shall not use the Service for weapons or lethal purposes.
"""

# About something else entirely: the pack is not applicable unless assumed.
LEASE = """\
# Office Lease

The Tenant shall pay rent monthly. The Landlord will test the smoke detectors using industry-standard testing.
"""


def run(*args: str) -> Any:
    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click < 8.2
    except TypeError:
        runner = CliRunner()
    return runner.invoke(cli, list(args), catch_exceptions=False)


def results(out: str) -> dict[str, dict[str, Any]]:
    """rule id -> result, for a one-document JSON report."""
    data = json.loads(out)
    assert len(data["documents"]) == 1, data["documents"]
    return {r["rule"]: r for r in data["documents"][0]["results"]}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path/proj with the contract in docs/, as the current folder."""
    root = tmp_path / "proj"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "contract.md").write_text(CONTRACT, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


# --------------------------------------------------------------------------- discovery


def test_config_is_found_by_walking_up(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / ".clause-lint.yaml").write_text("select: [SFP202]\nformat: json\n", encoding="utf-8")
    deep = project / "docs" / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    r = run("check", "../../contract.md")
    assert r.exit_code == 0, r.stderr  # SFP202 weak is a warning; fail_on is error
    assert set(results(r.stdout)) == {"SFP202"}


def test_nearest_config_wins_and_yaml_beats_pyproject(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / ".clause-lint.yaml").write_text("select: [SFP101]\nformat: json\n", encoding="utf-8")
    sub = project / "docs"
    (sub / "pyproject.toml").write_text('[tool.clause-lint]\nselect = ["SFP202"]\nformat = "json"\n', encoding="utf-8")
    monkeypatch.chdir(sub)
    assert set(results(run("check", "contract.md").stdout)) == {"SFP202"}  # nearer pyproject
    (sub / ".clause-lint.yaml").write_text("select: [SFP301]\nformat: json\n", encoding="utf-8")
    assert set(results(run("check", "contract.md").stdout)) == {"SFP301"}  # yaml before pyproject
    assert find_config(str(sub)) == str(sub / ".clause-lint.yaml")


def test_pyproject_table(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "policies"\n\n[tool.clause-lint]\nselect = ["SFP101", "SFP202"]\n'
        'fail-on = "warning"\nformat = "json"\n\n[tool.clause-lint.severity]\nSFP202 = { weak = "info" }\n',
        encoding="utf-8",
    )
    r = run("check", "docs/contract.md")
    res = results(r.stdout)
    assert set(res) == {"SFP101", "SFP202"}
    assert res["SFP202"]["severity"] == "info"
    assert r.exit_code == 0  # info is below warning


def test_pyproject_without_table_is_skipped(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / ".clause-lint.yaml").write_text("select: [SFP101]\nformat: json\n", encoding="utf-8")
    (project / "docs" / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    monkeypatch.chdir(project / "docs")
    assert set(results(run("check", "contract.md").stdout)) == {"SFP101"}


def test_config_option_and_isolated(project: Path, tmp_path: Path) -> None:
    (project / ".clause-lint.yaml").write_text("select: [SFP101]\nformat: json\n", encoding="utf-8")
    other = tmp_path / "elsewhere.yaml"
    other.write_text("select: [SFP202]\nformat: json\n", encoding="utf-8")
    assert set(results(run("check", "--config", str(other), "docs/contract.md").stdout)) == {"SFP202"}
    r = run("check", "--isolated", "--format", "json", "docs/contract.md")
    assert len(results(r.stdout)) == 9  # every rule: the config's select is ignored
    r = run("check", "--isolated", "--config", str(other), "docs/contract.md")
    assert r.exit_code == 2 and "--isolated" in r.stderr


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "text, where, words",
    [
        ("packs: [safe-face-pledge]\nformat: json\nselekt: [SFP101]\n", ":3:1:", "unknown key 'selekt' (did you mean 'select'?)"),
        ("fail_on: sometimes\n", ":1:1:", "fail_on must be one of error, warning, info, never"),
        ("assume_applicable: yes\n", ":1:1:", "assume_applicable must be true or false"),
        ("severity:\n  SFP202: {sometimes: info}\n", ":2:", "unknown status 'sometimes'"),
        ("severity:\n  SFP202: {missing: loud}\n", ":2:", "severity.SFP202.missing must be one of error, warning, info, none"),
        ("packs:\n  - safe-face-pledge\n  - no-such-pack.yaml\n", ":3:5:", "pack 'no-such-pack.yaml'"),
        ("include: 3\n", ":1:1:", "include must be a list of strings"),
        ("format: pdf\n", ":1:1:", "format must be one of text, json"),
        ("select: [SFP101\n", ":", "invalid YAML"),
        ("- select\n", ":1:1:", "must be a mapping"),
        ("waivers: *w\n", ":1:", "aliases"),
    ],
)
def test_bad_config_is_an_error_with_file_and_line(project: Path, text: str, where: str, words: str) -> None:
    (project / ".clause-lint.yaml").write_text(text, encoding="utf-8")
    r = run("check", "docs/contract.md")
    assert r.exit_code == 2
    assert f".clause-lint.yaml{where}" in r.stderr
    assert words in r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_unknown_rule_in_config_says_where(project: Path) -> None:
    (project / ".clause-lint.yaml").write_text("format: json\nignore: [SFP999]\n", encoding="utf-8")
    r = run("check", "docs/contract.md")
    assert r.exit_code == 2
    assert ".clause-lint.yaml:2:1: unknown rule 'SFP999' in ignore" in r.stderr
    (project / ".clause-lint.yaml").write_text("severity:\n  SFP999: {missing: info}\n", encoding="utf-8")
    r = run("check", "docs/contract.md")
    assert r.exit_code == 2 and ".clause-lint.yaml:1:1: unknown rule 'SFP999' in severity" in r.stderr


def test_pyproject_errors_point_at_the_key(project: Path) -> None:
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.clause-lint]\nformat = "json"\nfail_on = 3\n', encoding="utf-8")
    r = run("check", "docs/contract.md")
    assert r.exit_code == 2
    assert "pyproject.toml:6:1: fail_on must be one of" in r.stderr
    (project / "pyproject.toml").write_text('[tool.clause-lint]\nselect = [\n', encoding="utf-8")
    r = run("check", "docs/contract.md")
    assert r.exit_code == 2 and "pyproject.toml:" in r.stderr and "invalid TOML" in r.stderr


def test_bad_severity_flag_is_a_usage_error(project: Path) -> None:
    for bad in ("SFP202", "SFP202:missing", "SFP202:gone=info", "SFP202:missing=loud"):
        r = run("check", "--isolated", "--severity", bad, "docs/contract.md")
        assert r.exit_code == 2, bad
        assert "--severity" in r.stderr
    assert parse_severity_option("SFP202:missing=info,weak=none") == ("SFP202", {"missing": "info", "weak": "none"})


# --------------------------------------------------------------------------- flags override config


def _copy_pack(dest: Path, name: str) -> Path:
    text = (REPO / "rules" / "safe-face-pledge.yaml").read_text(encoding="utf-8")
    assert "\nname: safe-face-pledge\n" in text
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(text.replace("\nname: safe-face-pledge\n", f"\nname: {name}\n", 1), encoding="utf-8")
    return dest


def test_select_ignore_severity_flags_override_config(project: Path) -> None:
    (project / ".clause-lint.yaml").write_text(
        "format: json\nselect: [SFP101]\nseverity:\n  SFP202: {weak: error}\n", encoding="utf-8"
    )
    assert set(results(run("check", "--select", "SFP202", "docs/contract.md").stdout)) == {"SFP202"}
    r = run("check", "--select", "SFP202", "--severity", "SFP202:weak=info", "docs/contract.md")
    assert results(r.stdout)["SFP202"]["severity"] == "info" and r.exit_code == 0
    r = run("check", "--select", "SFP202", "docs/contract.md")
    assert results(r.stdout)["SFP202"]["severity"] == "error" and r.exit_code == 1  # from the config
    (project / ".clause-lint.yaml").write_text("format: json\nignore: [SFP202]\n", encoding="utf-8")
    res = results(run("check", "--ignore", "SFP101", "docs/contract.md").stdout)
    assert "SFP202" in res and "SFP101" not in res


def test_include_exclude_flags_override_config(project: Path) -> None:
    (project / "docs" / "notes.txt").write_text(CONTRACT.replace("#", ""), encoding="utf-8")
    (project / ".clause-lint.yaml").write_text("format: json\ninclude: ['*.md']\n", encoding="utf-8")

    def paths(*flags: str) -> list[str]:
        data = json.loads(run("check", *flags, "docs").stdout)
        return sorted(os.path.basename(d["path"]) for d in data["documents"])

    assert paths() == ["contract.md"]
    assert paths("--include", "*.txt") == ["notes.txt"]
    (project / ".clause-lint.yaml").write_text("format: json\nexclude: ['*.txt']\n", encoding="utf-8")
    assert paths() == ["contract.md"]
    assert paths("--exclude", "*.md") == ["notes.txt"]


def test_assume_applicable_flag_overrides_config(project: Path) -> None:
    (project / "docs" / "lease.md").write_text(LEASE, encoding="utf-8")
    (project / ".clause-lint.yaml").write_text("format: json\nselect: [SFP202]\nassume_applicable: true\n", encoding="utf-8")
    assert results(run("check", "docs/lease.md").stdout)["SFP202"]["status"] == "weak"
    assert results(run("check", "--no-assume-applicable", "docs/lease.md").stdout)["SFP202"]["status"] == "not_applicable"
    (project / ".clause-lint.yaml").write_text("format: json\nselect: [SFP202]\n", encoding="utf-8")
    assert results(run("check", "--assume-applicable", "docs/lease.md").stdout)["SFP202"]["status"] == "weak"


def test_fail_on_and_format_flags_override_config(project: Path) -> None:
    (project / ".clause-lint.yaml").write_text("format: json\nfail_on: never\n", encoding="utf-8")
    r = run("check", "docs/contract.md")
    assert r.exit_code == 0 and json.loads(r.stdout)["tool"]["name"] == "clause-lint"
    r = run("check", "--fail-on", "warning", "--format", "sarif", "docs/contract.md")
    assert r.exit_code == 1
    assert json.loads(r.stdout)["version"] == "2.1.0"


def test_packs_resolve_against_the_config_folder_and_flag_overrides(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _copy_pack(project / "packs" / "house.yaml", "house-pack")
    (project / ".clause-lint.yaml").write_text("format: json\npacks: [packs/house.yaml]\n", encoding="utf-8")
    monkeypatch.chdir(project / "docs")  # the relative pack path is not relative to here
    data = json.loads(run("check", "contract.md").stdout)
    assert [p["name"] for p in data["packs"]] == ["house-pack"]
    data = json.loads(run("check", "--pack", "safe-face-pledge", "contract.md").stdout)
    assert [p["name"] for p in data["packs"]] == ["safe-face-pledge"]


def test_waivers_and_baseline_flags_override_config(project: Path) -> None:
    (project / "w1.yaml").write_text("waivers:\n  - {document: 'docs/*.md', rule: SFP202, reason: one}\n", encoding="utf-8")
    (project / "w2.yaml").write_text("waivers:\n  - {document: 'docs/*.md', rule: SFP301, reason: two}\n", encoding="utf-8")
    (project / ".clause-lint.yaml").write_text("format: json\nselect: [SFP202, SFP301]\nwaivers: w1.yaml\n", encoding="utf-8")
    res = results(run("check", "docs/contract.md").stdout)
    assert res["SFP202"]["suppressed"]["reason"] == "one" and "suppressed" not in res["SFP301"]
    res = results(run("check", "--waivers", "w2.yaml", "docs/contract.md").stdout)
    assert res["SFP301"]["suppressed"]["reason"] == "two" and "suppressed" not in res["SFP202"]

    (project / ".clause-lint.yaml").write_text("format: json\nselect: [SFP202, SFP301]\nbaseline: b1.json\n", encoding="utf-8")
    assert run("check", "--isolated", "--select", "SFP202", "--write-baseline", "b1.json", "docs/contract.md").exit_code == 0
    assert run("check", "--isolated", "--select", "SFP301", "--write-baseline", "b2.json", "docs/contract.md").exit_code == 0
    res = results(run("check", "docs/contract.md").stdout)
    assert res["SFP202"]["suppressed"]["by"] == "baseline" and "suppressed" not in res["SFP301"]
    res = results(run("check", "--baseline", "b2.json", "docs/contract.md").stdout)
    assert res["SFP301"]["suppressed"]["by"] == "baseline" and "suppressed" not in res["SFP202"]


# --------------------------------------------------------------------------- init


def test_init_writes_a_working_starter_and_refuses_to_overwrite(project: Path) -> None:
    r = run("init")
    assert r.exit_code == 0, r.stderr
    path = project / ".clause-lint.yaml"
    assert path.read_text(encoding="utf-8") == STARTER
    assert load_config(str(path)).values["fail_on"] == "error"
    r = run("check", "--format", "json", "docs/contract.md")
    plain = run("check", "--isolated", "--format", "json", "docs/contract.md")
    assert (r.exit_code, r.stdout) == (plain.exit_code, plain.stdout)  # the starter changes nothing
    assert len(results(r.stdout)) == 9

    path.write_text("select: [SFP101]\n", encoding="utf-8")
    r = run("init")
    assert r.exit_code == 2 and "already exists" in r.stderr and "--force" in r.stderr
    assert path.read_text(encoding="utf-8") == "select: [SFP101]\n"
    assert run("init", "--force").exit_code == 0
    assert path.read_text(encoding="utf-8") == STARTER


def test_every_starter_key_is_valid_when_uncommented(tmp_path: Path) -> None:
    # The commented examples must be valid too: uncomment them all and load.
    lines = []
    for line in STARTER.splitlines():
        if line.startswith("# ") and ":" in line and line[2:3].islower() and not line.startswith("# clause-lint"):
            candidate = line[2:]
            if candidate.split(":")[0].replace("_", "").isalpha() or candidate.startswith("  "):
                lines.append(candidate)
                continue
        if line.startswith("#   "):
            lines.append(line[2:])
            continue
        lines.append(line)
    text = "\n".join(lines) + "\n"
    (tmp_path / "clause-lint-waivers.yaml").write_text("waivers: []\n", encoding="utf-8")
    cfg = tmp_path / ".clause-lint.yaml"
    cfg.write_text(text, encoding="utf-8")
    config = load_config(str(cfg))
    assert {"select", "ignore", "severity", "include", "exclude", "waivers", "baseline"} <= set(config.values)
    assert config.values["severity"] == {"SFP202": {"missing": "info"}}


# --------------------------------------------------------------------------- several outputs


def test_output_format_writes_several_reports_in_one_run(project: Path) -> None:
    (project / "out").mkdir()
    r = run(
        "check", "--isolated", "--select", "SFP202", "--fail-on", "warning",
        "--output-format", "sarif=out/r.sarif", "--output-format", "junit=r.xml", "--output-format", "json=r.json",
        "docs/contract.md",
    )
    assert r.exit_code == 1
    assert "SFP202" in r.stdout  # the text report still goes to stdout
    sarif = json.loads((project / "out" / "r.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["results"][0]["ruleId"] == "SFP202"
    assert (project / "r.xml").read_text(encoding="utf-8").startswith("<?xml")
    assert results((project / "r.json").read_text(encoding="utf-8"))["SFP202"]["status"] == "weak"
    bad = run("check", "--isolated", "--output-format", "pdf=x.pdf", "docs/contract.md")
    assert bad.exit_code == 2 and "unknown format 'pdf'" in bad.stderr
    bad = run("check", "--isolated", "--output-format", "sarif", "docs/contract.md")
    assert bad.exit_code == 2 and "FMT=FILE" in bad.stderr


def test_load_config_directly_reports_positions(tmp_path: Path) -> None:
    cfg = tmp_path / ".clause-lint.yaml"
    cfg.write_text("format: json\n\n  # comment\nfail-on: warning\nfail_on: info\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r":5:1: 'fail_on' is given twice"):
        load_config(str(cfg))


@pytest.mark.parametrize("what", ["config file", "baseline", "waiver file"])
def test_settings_files_are_read_bounded_and_as_utf8(tmp_path: Path, what: str) -> None:
    from clause_lint.config import read_small_text
    from clause_lint.errors import ConfigError

    big = tmp_path / "big"
    big.write_bytes(b"x" * (1024 * 1024 + 1))
    with pytest.raises(ConfigError, match=rf"big:1:1: {what} is larger than 1 MB"):
        read_small_text(str(big), what, 1024 * 1024)
    latin = tmp_path / "latin"
    latin.write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(ConfigError, match=rf"latin:1:1: {what} is not UTF-8"):
        read_small_text(str(latin), what, 1024)
    ok = tmp_path / "ok"
    ok.write_bytes("\ufeffkey: value\n".encode("utf-8"))
    assert read_small_text(str(ok), what, 1024)[1] == "key: value\n"
