"""Rule packs come from shared repositories: they are data, never code, and bounded.

Each hostile pack goes through the real command (``clause-lint check --pack FILE``,
in process via click's runner) and must give exit code 2 and one line
``clause-lint: error: FILE:LINE:COL: ...`` -- no traceback, nothing executed.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from clause_lint.cli import cli
from clause_lint.errors import PackError
from clause_lint.rules.loader import MAX_REGEX_CHARS, _regex_problem, load_pack
from clause_lint import yamlsafe

RULE = """\
rules:
  - id: TST001
    name: no-weapons
    title: No weapons
    summary: The document prohibits weapons use.
    severity: {missing: error}
    message: {present: Prohibited., missing: Not prohibited.}
    criteria:
      - status: present
        reason: prohibition of weapons
        force: [prohibition]
        any: [weapon, odd]
    fix: {missing: Customer shall not use it for weapons., weak: x, contradicted: x}
"""


def pack_text(odd_concept: str = "    terms: [odd]\n", header: str = "") -> str:
    return (
        header
        + "pack_format: 1\nname: test-pack\nversion: \"1\"\ntitle: Test pack\n"
        + "concepts:\n  weapon:\n    terms: [weapon]\n  odd:\n" + odd_concept
        + RULE
    )


def regex_pack(regex: str) -> str:
    # A double-quoted YAML string: backslashes doubled.
    quoted = regex.replace("\\", "\\\\").replace('"', '\\"')
    return pack_text(f'    patterns:\n      - [{{TEXT: {{REGEX: "{quoted}"}}}}]\n')


@pytest.fixture()
def doc(tmp_path: Path) -> Path:
    path = tmp_path / "contract.txt"
    path.write_text("1. Customer shall not use the Service for any weapon.\n", encoding="utf-8")
    return path


def run_check(pack: Path, *paths: Path, extra: tuple[str, ...] = ()):
    result = CliRunner().invoke(
        cli, ["check", *map(str, paths), "--pack", str(pack), "--no-cache", "--isolated", "--jobs", "1", *extra]
    )
    output = result.output  # click >= 8.2: stdout and stderr, interleaved as a terminal shows them
    assert "Traceback" not in output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, output


def assert_pack_error(pack: Path, doc: Path, line: int, col: int, says: str) -> str:
    code, output = run_check(pack, doc)
    assert code == 2, output
    expected = f"clause-lint: error: {pack}:{line}:{col}: "
    lines = [ln for ln in output.splitlines() if ln.startswith(expected)]
    assert len(lines) == 1, output
    assert says in lines[0], lines[0]
    return lines[0]


def test_a_valid_pack_works(tmp_path, doc):
    pack = tmp_path / "ok.yaml"
    pack.write_text(pack_text(), encoding="utf-8")
    code, output = run_check(pack, doc)
    assert code == 0, output
    assert "TST001" in output


def test_billion_laughs_yaml_is_refused_at_the_first_anchor(tmp_path, doc):
    levels = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    pack = tmp_path / "laughs.yaml"
    pack.write_text(pack_text(header="\n".join(levels) + "\n"), encoding="utf-8")
    t0 = time.monotonic()
    assert_pack_error(pack, doc, 1, 5, "YAML anchors (&name) are not allowed")
    assert time.monotonic() - t0 < 10


def test_aliases_are_refused(tmp_path, doc):
    pack = tmp_path / "alias.yaml"
    pack.write_text(pack_text("    terms: *weapon_terms\n"), encoding="utf-8")
    assert_pack_error(pack, doc, 9, 12, "YAML aliases (*name) are not allowed")


def test_merge_keys_are_refused(tmp_path, doc):
    pack = tmp_path / "merge.yaml"
    pack.write_text(pack_text("    <<: {terms: [odd]}\n"), encoding="utf-8")
    assert_pack_error(pack, doc, 9, 5, "merge keys (<<) are not allowed")


def test_huge_yaml_is_refused_before_parsing(tmp_path, doc):
    pack = tmp_path / "huge.yaml"
    filler = "# " + "x" * 1000 + "\n"
    pack.write_text(pack_text() + filler * (yamlsafe.MAX_YAML_BYTES // len(filler) + 10), encoding="utf-8")
    t0 = time.monotonic()
    assert_pack_error(pack, doc, 1, 1, "larger than 5 MB")
    assert time.monotonic() - t0 < 10


@pytest.mark.parametrize("tag", [
    "!!python/object/apply:os.system",
    "!!python/object/new:os.system",
    "!!python/name:os.system",
    "!python/object/apply:subprocess.check_call",
])
def test_python_tags_never_execute(tmp_path, doc, tag):
    marker = tmp_path / "pwned"
    pack = tmp_path / "code.yaml"
    pack.write_text(pack_text(f'    terms: {tag} ["touch {marker}"]\n'), encoding="utf-8")
    shown = tag.replace("!!", "!!", 1)
    assert_pack_error(pack, doc, 9, 12, f"YAML tag {shown} is not allowed")
    assert not marker.exists()


def test_code_tags_in_a_config_file_are_refused_too(tmp_path, doc):
    marker = tmp_path / "pwned"
    config = tmp_path / ".clause-lint.yaml"
    config.write_text(f'fail_on: !!python/object/apply:os.system ["touch {marker}"]\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(doc), "--config", str(config), "--no-cache", "--jobs", "1"])
    assert result.exit_code == 2
    # (shown as given or relative to the working folder, whichever is shorter)
    assert ".clause-lint.yaml:1:10: " in result.output and "not allowed" in result.output
    assert "Traceback" not in result.output
    assert not marker.exists()


# ----------------------------------------------------------------------------- regular expressions


@pytest.mark.parametrize("regex, says", [
    (r"(a+)+$", "nests a repetition"),
    (r"^(?:\w+\s?)+$", "nests a repetition"),
    (r"(x*){2,}", "nests a repetition"),
    ("a" * (MAX_REGEX_CHARS + 1), "over the limit of"),
    (r"(unclosed", "invalid regular expression"),
])
def test_dangerous_or_invalid_regex_names_file_line_and_rule(tmp_path, doc, regex, says):
    pack = tmp_path / "regex.yaml"
    pack.write_text(regex_pack(regex), encoding="utf-8")
    # line 10, column 18: where the REGEX key is written
    line = assert_pack_error(pack, doc, 10, 18, says)
    assert "concept odd (used by rule TST001)" in line


def test_safe_regexes_load():
    for regex in (r"^\d{1,3}(?:\.\d{1,3}){0,6}$", r"(?i)^weapons?$", r"(a{2})+", r"^[A-Z][a-z]+$"):
        assert _regex_problem(regex) is None, regex


def test_regex_checks_see_nested_attribute_patterns(tmp_path):
    pack = tmp_path / "nested.yaml"
    pack.write_text(pack_text('    patterns:\n      - [{LOWER: {REGEX: "ok"}}, {NORM: {NOT_IN: [x]}, TEXT: {REGEX: "(b+)*"}}]\n'),
                    encoding="utf-8")
    with pytest.raises(PackError, match=r"nested.yaml:10:63: concept odd .*nests a repetition"):
        load_pack(pack)


def test_a_catastrophic_regex_that_passes_the_check_is_stopped_by_the_time_budget(tmp_path):
    """(a|aa)* backtracks exponentially but has no nested quantifier: the budget is the backstop."""
    pack = tmp_path / "slow.yaml"
    pack.write_text(regex_pack(r"^(a|aa)*$"), encoding="utf-8")
    load_pack(pack)  # accepted by the structural check
    slow = tmp_path / "slow.txt"
    slow.write_text("1. Customer shall not use " + "a" * 60 + "b for any weapon.\n", encoding="utf-8")
    fine = tmp_path / "fine.txt"
    fine.write_text("1. Customer shall not use the Service for any weapon.\n", encoding="utf-8")
    t0 = time.monotonic()
    code, output = run_check(pack, slow, fine, extra=("--timeout", "2"))
    assert time.monotonic() - t0 < 30
    assert code == 2
    assert f"{slow}: error: timed out after 2 s while checking" in output
    assert f"{fine}: error" not in output
    assert "TST001" in output
