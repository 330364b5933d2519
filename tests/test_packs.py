"""The pack language: loading, validation errors with positions, and a user's own pack."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from clause_lint.api import Linter, Options
from clause_lint.cli import cli
from clause_lint.errors import PackError
from clause_lint.rules import bundled_pack_names, load_pack, load_packs

HOUSE_PACK = textwrap.dedent(
    """\
    pack_format: 1
    name: house-rules
    version: "2.1.0"
    title: House rules for data processing agreements
    applicability:
      description: the document concerns personal data
      concepts: [personal_data]
      min_matches: 1
    carve_outs:
      discretionary: [our_consent]
    concepts:
      personal_data:
        terms: [personal data, personal information]
      our_consent:
        terms: [prior written consent, sole discretion]
      sell_data:
        patterns:
          - [{LEMMA: {IN: [sell, rent]}}, {OP: "{0,3}"}, {LOWER: data}]
    rules:
      - id: HR101
        name: no-data-sale
        title: No sale of personal data
        summary: The processor must not sell personal data.
        severity: {missing: error, weak: warning, contradicted: error}
        message: {present: ok, weak: narrowed, missing: absent, contradicted: permitted}
        criteria:
          - status: contradicted
            force: [permission]
            any: [sell_data]
            reason: express permission to sell data
          - status: present
            force: [prohibition]
            any: [sell_data]
            reason: prohibition on selling data
        weakened_by:
          carve_outs: [discretionary]
        fix: {missing: "Processor shall not sell personal data.", weak: "Remove the exception.", contradicted: "Delete the permission."}
        examples:
          present: ["Processor shall not sell any personal data."]
    """
)


def write(tmp_path: Path, text: str, name: str = "pack.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_pack_loads_and_is_complete() -> None:
    assert "safe-face-pledge" in bundled_pack_names()
    (pack,) = load_packs(["safe-face-pledge"])
    assert [r.id for r in pack.rules] == ["SFP101", "SFP102", "SFP103", "SFP104", "SFP201", "SFP202", "SFP301", "SFP302", "SFP401"]
    for rule in pack.rules:
        assert rule.reference.get("section"), rule.id
        assert rule.explanation and rule.summary, rule.id
        for status in ("missing", "weak", "contradicted"):
            assert len(rule.fix[status]) > 40, (rule.id, status)


def test_a_users_own_pack_runs_through_the_same_engine(tmp_path: Path) -> None:
    pack = write(tmp_path, HOUSE_PACK)
    linter = Linter([str(pack)], Options(packs=[str(pack)]))
    cases = {
        "Processor shall not sell personal data to anyone.": "present",
        "Processor may sell aggregated personal data to partners.": "contradicted",
        "Without our prior written consent, Processor shall not sell personal data.": "weak",
        "Processor shall keep personal data secure.": "missing",
    }
    for i, (text, status) in enumerate(cases.items()):
        doc = write(tmp_path, text + "\n", f"dpa{i}.md")
        result = linter.check(str(doc))
        assert result.applicable == {"house-rules": True}
        assert [(r.rule, r.status) for r in result.results] == [("HR101", status)], text
    off_topic = write(tmp_path, "The parties shall meet monthly.\n", "minutes.md")
    assert linter.check(str(off_topic)).results[0].status == "not_applicable"


def test_cli_with_a_pack_folder_and_both_packs(tmp_path: Path) -> None:
    folder = tmp_path / "packs"
    folder.mkdir()
    write(folder, HOUSE_PACK, "house.yaml")
    doc = write(tmp_path, "The facial recognition service must not sell personal data.\n", "x.md")
    result = CliRunner().invoke(cli, ["check", str(doc), "--pack", "safe-face-pledge", "--pack", str(folder),
                                      "--format", "json", "--no-cache", "--isolated"])
    data = json.loads(result.stdout)
    assert [p["name"] for p in data["packs"]] == ["safe-face-pledge", "house-rules"]
    rules = [r["rule"] for r in data["documents"][0]["results"]]
    assert rules[-1] == "HR101" and len(rules) == 10


@pytest.mark.parametrize(
    ("edit", "where", "words"),
    [
        # an unknown key inside a rule: the line of that key and the rule's id
        (lambda t: t.replace("    title: No sale", "    titel: oops\n    title: No sale"), ":22:5:", ["unknown key", "HR101"]),
        # a criterion naming a concept that does not exist
        (lambda t: t.replace("any: [sell_data]\n        reason: prohibition", "any: [sell_datta]\n        reason: prohibition"), ":", ["unknown concept 'sell_datta'", "HR101"]),
        # roles of a concept the pack does not define, and a role the engine does not read
        (lambda t: t.replace("any: [sell_data]\n        reason: prohibition", "any: [sell_data]\n        roles_of: {sell_dta: [object]}\n        reason: prohibition"),
         ":", ["unknown concept 'sell_dta'", "HR101"]),
        (lambda t: t.replace("any: [sell_data]\n        reason: prohibition", "any: [sell_data]\n        roles_of: {sell_data: [buyer]}\n        reason: prohibition"),
         ":", ["roles_of", "HR101"]),
        # a concept standing in for one the pack does not define, or missing its document condition
        (lambda t: t.replace("  sell_data:\n", "  sell_data:\n    stands_for: sell_dta\n    in_documents_about: [sell_data]\n"),
         ":", ["concept sell_data", "stands_for names unknown concept 'sell_dta'"]),
        (lambda t: t.replace("  sell_data:\n", "  sell_data:\n    stands_for: sell_data\n"), ":", ["in_documents_about"]),
        # a status the language does not have
        (lambda t: t.replace("status: contradicted", "status: maybe"), ":", ["status", "HR101"]),
        # a malformed spaCy token pattern
        (lambda t: t.replace("{LOWER: data}", "{LOWERCASE: data}"), ":", ["concept sell_data", "invalid token pattern"]),
        # broken YAML
        (lambda t: t.replace("title: House rules", "title: [House rules"), ":", ["invalid YAML"]),
        # a model clause missing for one status
        (lambda t: t.replace(', contradicted: "Delete the permission."', ""), ":", ["fix needs model language for 'contradicted'"]),
    ],
)
def test_pack_errors_name_file_line_and_rule(tmp_path: Path, edit, where: str, words: list[str]) -> None:
    path = write(tmp_path, edit(HOUSE_PACK))
    with pytest.raises(PackError) as info:
        load_pack(path)
    message = str(info.value)
    assert message.startswith(f"{path}:"), message
    line, col = message[len(str(path)) + 1 :].split(":")[:2]
    assert line.isdigit() and col.isdigit()
    assert where in message
    for w in words:
        assert w in message, message


def test_bad_pack_is_exit_code_2_and_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, HOUSE_PACK.replace("status: contradicted", "status: maybe"))
    doc = write(tmp_path, "text\n", "x.md")
    result = CliRunner().invoke(cli, ["check", str(doc), "--pack", str(path), "--no-cache", "--isolated"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
    unknown = CliRunner().invoke(cli, ["check", str(doc), "--pack", "no-such-pack", "--no-cache", "--isolated"])
    assert unknown.exit_code == 2 and "no such pack" in unknown.stderr


def test_duplicate_rule_ids_across_packs_are_refused(tmp_path: Path) -> None:
    a = write(tmp_path, HOUSE_PACK, "a.yaml")
    b = write(tmp_path, HOUSE_PACK.replace("name: house-rules", "name: other-rules"), "b.yaml")
    with pytest.raises(PackError, match="HR101 is defined in both"):
        load_packs([str(a), str(b)])


def test_yaml_one_point_one_booleans_stay_words(tmp_path: Path) -> None:
    text = HOUSE_PACK.replace("terms: [prior written consent, sole discretion]", "terms: [prior written consent, on, no, yes]")
    pack = load_pack(write(tmp_path, text))
    assert pack.concepts["our_consent"]["terms"] == ["prior written consent", "on", "no", "yes"]
