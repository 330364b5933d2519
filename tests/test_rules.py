"""The safe-face-pledge pack, rule by rule, through the real pipeline.

Cases live in tests/rule_cases.yaml and tests/probe_cases.yaml (our own drafting). Each is written to a
Markdown file and linted with the bundled pack, as a user would run it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from clause_lint.api import Linter, Options

HERE = Path(__file__).parent
CASES = yaml.safe_load((HERE / "rule_cases.yaml").read_text(encoding="utf-8"))
# Probes drafted apart from the pack (other wording, UK/US drafting, passive voice,
# traps from the spec), to keep the pack honest about generalising.
PROBES = yaml.safe_load((HERE / "probe_cases.yaml").read_text(encoding="utf-8"))
# A second, independent set of longer excerpts. The cases listed here are known gaps,
# kept visible (strict xfail: fixing one makes the test say so).
PROBES_2 = yaml.safe_load((HERE / "probe_cases_2.yaml").read_text(encoding="utf-8"))
KNOWN_GAPS: dict[str, str] = {}


# A third set, drafted blind from the spec alone in the seven classes of issue 8
# (concept not governed, narrow bans, look-alike flow-down, meaning across sentences,
# enforcement and paraphrase in other words, far qualifiers), before the tool saw it.
# Measured when it arrived: 65 of 100 expectations, 10 false assurances; the pack was
# then generalised by class, never by case. The gaps left are kept visible.
PROBES_3 = yaml.safe_load((HERE / "probe_cases_3.yaml").read_text(encoding="utf-8"))
KNOWN_GAPS_3 = {
    "c5-104 termination for insolvency only":
        "a mutual termination right for insolvency reads as the mutual material-breach right (weak, not missing); "
        "asking for a breach word beside 'either party' fixes it but cost a verdict on the held-out fold, twice",
}


# Rule cases of our own that the pack reads short of the spec, kept visible the same way.
KNOWN_GAPS_CASES = {
    "a ban on police access beside footage released under a warrant":
        "after one ';' the second clause still speaks to the first (a condition there must reach the ban: "
        "'…; no consent of Provider is needed'), so the warrant process named for the footage also keeps the "
        "ban on police access to the cameras from counting",
    "no live police access to cameras and footage only under a warrant":
        "the same: one ';' joins the ban on police access to the footage released under a warrant",
    "no officer may use it without an ordinance after a public hearing":
        "a bare 'officer' is a police officer only because the contract's other party is a police department; "
        "'No Department officer may use …' is read right",
    "only systems whose algorithms have been evaluated in the nist face recognition":
        "the main clause's 'may be purchased' after a long relative clause ('whose algorithms have been evaluated "
        "…, with results published by NIST,') is read as part of that clause, so nothing governs the benchmark",
    "provider may grant access to the service only to customers that accept":
        "the same reach: '…customers that accept Section 4, and may revoke it from …' reads the second 'may' "
        "inside the relative clause, so the right to revoke is governed by 'grant'",
    "sharing feedback only with signers of a non-disclosure agreement passes no restriction on":
        "'may share its feedback only with persons who have signed a non-disclosure agreement' is now read as a duty "
        "on whom it may be shared with, as 'shall ensure that any person it shares its feedback with has signed …' was "
        "already read: a confidentiality duty passed on (weak). Whether confidentiality of the customer's own feedback "
        "is the spec's 'only confidentiality duties flow down' is a question for the spec",
    "mutual termination for insolvency or non-payment listed":
        "spec: termination for non-payment only stays missing, and insolvency names no breach; the pack reads any "
        "'either party may terminate' as the weak mutual right, because asking for a breach word beside it was tried "
        "and taken out when the held-out fold lost a verdict by it (README, accuracy section)",
    "officers may submit a probe image for a face search only in":
        "a bare 'Officers' in a police ordinance are police officers only by the document's context (as 'no officer "
        "may use it without an ordinance'); 'Police officers may submit …' is read right",
    "officers may use face recognition only in accordance with the department's general":
        "the same: the bare 'Officers' of a police ordinance",
    "face recognition shall not be used to track the movements of any":
        "'track the movements of any person' matches before the possessive, so the narrow group the possessive "
        "introduces ('any person's children at school') is not seen (this reading predates the session)",
    "developers may not provide platform data or any face recognition derived from":
        "a ban that names data and the technology together ('Platform Data, or any face recognition derived from "
        "it') is read as data sharing with the police, which the spec leaves out, so the technology's half is lost",
    "you may share platform data with another developer only if it agrees":
        "the recipient's own agreement to 'follow this Policy' inside an 'only if' condition is not read as the "
        "policy passed on: nothing yet tells the recipient's agreement from the party's own ('Customer agrees to "
        "comply with this Policy')",
    "no predicting crime nor supplying police":
        "'nor provide it to any police force' is read inside the provision of the narrow ban before it, so the "
        "police read as the recipients of the crime-prediction ban (weak) rather than of a ban of their own",
    "either party may terminate this addendum when the principal agreement ends":
        "the same as 'mutual termination for insolvency or non-payment listed': any 'either party may terminate' is "
        "read as the weak mutual right, though this one names no breach at all (termination when another agreement "
        "ends stays missing under the spec)",
    "the club may at the request of the police check the faces":
        "'at the request of the police' is read as a law-enforcement request (the records disclosures the spec "
        "leaves out), which keeps the permission from counting; nothing yet tells running the face matching for "
        "police at their request from handing them data at their request",
}


def _cases() -> list:
    out = [pytest.param(c, id=c["name"], marks=[pytest.mark.xfail(strict=True, reason=KNOWN_GAPS_CASES[c["name"]])]
                        if c["name"] in KNOWN_GAPS_CASES else []) for c in CASES]
    out += [pytest.param(c, id=c["name"]) for c in PROBES]
    for cases, gaps in ((PROBES_2, KNOWN_GAPS), (PROBES_3, KNOWN_GAPS_3)):
        for c in cases:
            marks = [pytest.mark.xfail(strict=True, reason=gaps[c["name"]])] if c["name"] in gaps else []
            out.append(pytest.param(c, id=c["name"], marks=marks))
    return out


def test_known_gaps_name_real_probes() -> None:
    names = {c["name"] for c in PROBES_3}
    assert set(KNOWN_GAPS_3) <= names
    assert set(KNOWN_GAPS_CASES) <= {c["name"] for c in CASES}
    assert len(names) == len(PROBES_3)


@pytest.fixture(scope="module")
def linter() -> Linter:
    return Linter(options=Options(assume_applicable=True))


@pytest.mark.parametrize("case", _cases())
def test_rule_case(case: dict, linter: Linter, tmp_path: Path) -> None:
    path = tmp_path / "case.md"
    path.write_text(case["text"], encoding="utf-8")
    result = linter.check(str(path))
    assert result.error is None, result.error
    got = {r.rule: r for r in result.results}
    for rule, status in case["expect"].items():
        r = got[rule]
        detail = "; ".join(e.reason for e in r.evidence) or "no evidence"
        assert r.status == status, f"{rule}: expected {status}, got {r.status} ({detail})"
        if status != "missing":
            # Every verdict other than missing must point at the clause that decided it.
            assert r.evidence, f"{rule}: {status} without evidence"
            assert r.evidence[0].line is not None
    if "evidence" in case:
        # The clause that decides is quoted first.
        first = " ".join(got[next(iter(case["expect"]))].evidence[0].text.split())
        assert case["evidence"] in first, f"first quote: {first!r}"
    if "reason" in case:
        # ... for the reason the criterion that decided gives
        why = got[next(iter(case["expect"]))].evidence[0].reason
        assert case["reason"] in why, f"first reason: {why!r}"


def test_every_rule_and_status_is_covered() -> None:
    seen = {(rule, status) for c in CASES for rule, status in c["expect"].items()}
    rules = {rule for rule, _ in seen}
    assert len(rules) == 9
    for status in ("present", "weak", "missing", "contradicted"):
        assert any(s == status for _, s in seen), status


def test_pack_examples_hold(linter: Linter, tmp_path: Path) -> None:
    """The examples the pack shows in `clause-lint explain` get the status they claim."""
    for rule in linter.rules:
        for status, examples in rule.examples.items():
            for i, text in enumerate(examples):
                path = tmp_path / f"{rule.id}-{status}-{i}.md"
                path.write_text(text + "\n", encoding="utf-8")
                got = {r.rule: r.status for r in linter.check(str(path)).results}
                assert got[rule.id] == status, f"{rule.id} example for {status!r}: got {got[rule.id]} — {text}"


def test_not_applicable_without_facial_subject(tmp_path: Path) -> None:
    path = tmp_path / "catering.md"
    path.write_text("1. Caterer shall not serve food after midnight.\n", encoding="utf-8")
    result = Linter().check(str(path))
    assert result.applicable == {"safe-face-pledge": False}
    assert {r.status for r in result.results} == {"not_applicable"}
    forced = Linter(options=Options(assume_applicable=True)).check(str(path))
    assert {r.status for r in forced.results} == {"missing"}


def test_evidence_offsets_slice_the_document(linter: Linter, tmp_path: Path) -> None:
    from clause_lint.api import load_document

    path = tmp_path / "c.md"
    path.write_text(CASES[0]["text"], encoding="utf-8")
    doc = load_document(str(path))
    result = linter.check_document(doc)
    ev = next(r for r in result.results if r.rule == "SFP101").evidence[0]
    assert "weapon system" in doc.text[ev.start:ev.end]
    assert ev.section == "4.2(c)"
