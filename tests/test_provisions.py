"""Provisions read by their roles: the reading itself, `extract --provisions` on every
format, and the classes of language that the roles decide, through the real CLI.

Clauses here were drafted for these tests from the pack's specification; each class
has more than one phrasing and a distractor that must not count.
"""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from clause_lint import grammar
from clause_lint.cli import cli
from clause_lint.nlp import get_nlp
from clause_lint.provisions import read_provisions

HEAD = "Facial Recognition Service Terms\n\n"


def _read(text: str) -> list[dict[str, str]]:
    doc = get_nlp()(text)
    cues = grammar.find_cues(doc)
    carves = grammar.find_carve_outs(doc, [(s.start, s.end) for s in doc.sents],
                                     [c.start for c in cues if c.force != grammar.NEUTRAL])
    semis = [t.i for t in doc if t.text == ";"]
    out = []
    for sent in doc.sents:
        for prov in read_provisions(doc, sent.start, sent.end, cues, carves, semis):
            out.append({"modality": prov.force, **prov.roles()})
    return out


# -- the reading -----------------------------------------------------------------
def test_roles_of_a_plain_prohibition() -> None:
    (p,) = _read("Customer shall not use the Service in any weapon system.")
    assert p == {"modality": "prohibition", "actor": "Customer", "action": "use", "object": "the Service",
                 "purpose": "in any weapon system"}


def test_that_after_a_word_of_knowing_opens_no_narrowing_clause() -> None:
    from clause_lint.provisions import narrowing_at

    def narrowed(text: str, words: str) -> object:
        doc = get_nlp()(text)
        toks = [t.lower_ for t in doc]
        first = words.split()
        start = next(i for i in range(len(toks)) if toks[i:i + len(first)] == first)
        return narrowing_at(doc, start, start + len(first), 0, len(doc))

    # what the unaware are not told is no subset of them...
    assert narrowed("Customer shall not scan people who are unaware that they are being recorded.",
                    "people who are unaware") is None
    assert narrowed("Customer shall not track visitors who are not aware that cameras are in use.",
                    "visitors who are not aware") is None
    # ...while a relative clause after the class still narrows it
    assert narrowed("Customer shall not use the Service for any surveillance that violates civil liberties.",
                    "surveillance") == "surveillance that violates civil liberties"


def test_a_duty_to_ensure_that_it_does_not_happen_is_a_ban() -> None:
    ensure, ban = _read("Customer shall ensure that the Service is not used in any weapon system.")
    assert ensure["modality"] == "obligation" and ensure["action"] == "ensure"
    assert ban["modality"] == "prohibition" and ban["actor"] == "Customer"
    assert ban["action"] == "used" and ban["purpose"] == "in any weapon system"
    nobody = _read("The Supplier shall procure that no police force receives the Software.")[-1]
    assert nobody["modality"] == "prohibition" and nobody["action"] == "receives"
    # advice to see to it stays advice
    (_, advice) = _read("Customers should ensure that the Service is not used in any weapon system.")
    assert advice["modality"] == "prohibition"
    doc = get_nlp()("Customers should ensure that the Service is not used in any weapon system.")
    assert [c.binding for c in grammar.find_cues(doc) if c.label == grammar.ENSURE_NOT] == [False]


def test_a_whole_clause_before_and_is_not_the_actor() -> None:
    (p,) = _read("Customer's use of the Services is subject to the Policy, and any breach of it entitles Provider to suspend the Services.")
    assert p["actor"] == "any breach of it"
    (q,) = _read("Customer, and its Affiliates, shall not use the Service for weapons.")
    assert q["actor"] == "Customer, and its Affiliates"


def test_neither_party_shall_bans_both_and_an_excuse_bans_nothing() -> None:
    (ban,) = _read("Neither party shall use the Service in any weapon system.")
    assert ban == {"modality": "prohibition", "actor": "party", "action": "use", "object": "the Service",
                   "purpose": "in any weapon system"}
    excuse = _read("Neither party shall be in breach if prevented by war or military action.")
    assert all(p["modality"] != "prohibition" for p in excuse)


def test_a_restriction_disapplied_for_a_class_frees_that_class() -> None:
    (freed,) = _read("This restriction does not apply to Customers in the defence sector.")
    assert freed["modality"] == "permission" and freed["object"] == "Customers in the defence sector"
    (spared,) = _read("This restriction does not apply to non-military customers.")
    assert spared["negated"] == "military"
    (research,) = _read("The foregoing shall not apply to internal research that does not involve weapons.")
    assert research["negated"].startswith("does not involve weapons")


def test_passive_subject_is_the_object_and_by_names_the_user() -> None:
    (p,) = _read("The Service may be used by police departments for suspect identification.")
    assert p["modality"] == "permission"
    assert p["object"] == "The Service"
    assert p["user"] == "by police departments"
    assert p["purpose"] == "for suspect identification"
    assert "actor" not in p


def test_transfer_verbs_take_a_recipient_other_verbs_a_purpose() -> None:
    (disclose,) = _read("Provider will not disclose Customer Data to investigators.")
    assert disclose["recipient"] == "to investigators"
    (use,) = _read("Customer shall not use the Service to track protesters.")
    assert use["purpose"] == "to track protesters"
    assert "recipient" not in use


def test_coordinated_clauses_share_the_actor() -> None:
    first, second = _read("You may add notices to the files and may provide additional terms for your changes.")
    assert first["actor"] == second["actor"] == "You"
    assert second["action"] == "provide"


def test_exception_and_condition_are_told_apart() -> None:
    (p,) = _read("Licensee shall not use the Model other than for research purposes.")
    assert p["exception"] == "other than for research purposes"
    (q,) = _read("Licensee shall not disclose the data except as required by law.")
    assert q["condition"] == "except as required by law"
    assert "exception" not in q


def test_non_prefix_negates_only_the_word_after_it() -> None:
    (p,) = _read("Licensee shall not use the Model for any non-military purpose.")
    assert p["negated"] == "military"
    assert "non" in p["purpose"]


def test_postposed_cue_reads_the_words_before_it() -> None:
    (p,) = _read("Use of the Service in weapon systems is prohibited.")
    assert p["action"] == "Use"
    assert p["purpose"] == "in weapon systems"
    q = _read("Licensee is prohibited from using the Model to locate targets where lethal force may be used.")[0]
    assert q["actor"] == "Licensee" and q["action"] == "using"


def test_a_section_disapplied_by_number_frees_the_class_it_names() -> None:
    (freed,) = _read("Section 4 does not apply to Customers in the defence sector.")
    assert freed == {"modality": "permission", "object": "Customers in the defence sector"}
    (police,) = _read("Clauses 4 and 5 shall not apply where the Customer is a police force.")
    assert police["modality"] == "permission" and "police force" in police["object"]


def test_a_cue_in_a_relative_clause_does_not_end_the_main_provision() -> None:
    main = _read("Customer shall not use the Service to identify targets in operations where lethal force may be used.")[0]
    assert "lethal force" in main["purpose"]


def test_an_aside_between_the_cue_and_its_verb_is_skipped() -> None:
    (p,) = _read("Provider may, at its option, terminate this Agreement if Customer breaches Section 4.")
    assert p["action"] == "terminate" and p["object"] == "this Agreement"
    (q,) = _read("Customer shall, within ten days of a request, give Provider the records of its use.")
    assert q["action"] == "give"
    # a time phrase with no commas, when a verb of the lexicon follows it
    (r,) = _read("Licensee shall within thirty days deliver a certificate of compliance.")
    assert r["action"] == "deliver" and r["object"] == "a certificate of compliance"
    (t,) = _read("Customer shall upon request provide the usage logs.")
    assert t["action"] == "provide"


def test_a_grant_grants_the_use_it_names() -> None:
    doc = get_nlp()("Provider hereby grants to Customer a non-exclusive right to use the Service for research.")
    cues = grammar.find_cues(doc)
    (prov,) = read_provisions(doc, 0, len(doc), cues, [], [])
    assert prov.force == "permission" and prov.action_lemmas == ("grant", "use")


def test_an_entitlement_allows_the_verb_it_names() -> None:
    doc = get_nlp()("Any breach entitles Provider to suspend the Service.")
    (prov,) = read_provisions(doc, 0, len(doc), grammar.find_cues(doc), [], [])
    assert prov.force == "permission" and prov.action_lemmas == ("entitle", "suspend")


def _subordinate(text: str) -> list[bool]:
    doc = get_nlp()(text)
    cues = grammar.find_cues(doc)
    carves = grammar.find_carve_outs(doc, [(s.start, s.end) for s in doc.sents],
                                     [c.start for c in cues if c.force != grammar.NEUTRAL])
    return [p.subordinate for s in doc.sents for p in read_provisions(doc, s.start, s.end, cues, carves, [])]


def test_the_party_after_agrees_that_is_the_actor() -> None:
    (p,) = _read("Customer agrees that Provider may inspect Customer's records of use.")
    assert p["modality"] == "permission" and p["actor"] == "Provider" and p["action"] == "inspect"
    assert _subordinate("Customer agrees that Provider may inspect Customer's records of use.") == [False]
    # a "that" after a noun still opens a relative clause that describes, not grants
    assert _subordinate("The notices that Provider may send are informational.") == [True]


def test_inline_items_each_have_their_own_cue_and_the_proviso_runs_through_the_series() -> None:
    from clause_lint.provisions import enumerators, series_items

    text = ("Licensor grants you a licence to copy the SDK, provided that (i) you keep the notices, "
            "(ii) you do not modify the SDK, (iii) you distribute it only under terms that include Section 3: "
            "(a) in full, or (b) by reference.")
    doc = get_nlp()(text)
    at = {t.text: t.i for t in doc if t.text.startswith("(")}
    distribute = next(t.i for t in doc if t.text == "distribute")
    reference = next(t.i for t in doc if t.text == "reference")
    # in (iii): the series began at (i)
    enums = enumerators(doc, 0, len(doc))
    assert series_items(doc, enums, distribute) == [(at["(i)"], at["(iii)"])]
    # in (b) of (iii): both levels
    assert series_items(doc, enums, reference) == [(at["(a)"], at["(b)"]), (at["(i)"], at["(iii)"])]
    # the first item has no earlier one to set apart
    assert series_items(doc, enums, at["(i)"] + 1) == []
    cues = grammar.find_cues(doc)
    carves = grammar.find_carve_outs(doc, [(s.start, s.end) for s in doc.sents], [c.start for c in cues if c.force != grammar.NEUTRAL])
    proviso = next(c for c in carves if doc[c.start].lower_ == "provided")
    assert proviso.end > at["(iii)"]


def test_citations_are_references() -> None:
    (p,) = _read("The Government's rights are restricted as provided in the defence acquisition regulations.")
    assert p["reference"].startswith("as provided in")


# -- extract --provisions on every format -------------------------------------------
CLAUSE = "Customer shall not use the Service in any weapon system."


def _make(tmp_path: Path, fmt: str) -> Path:
    if fmt == "docx":
        path = tmp_path / "terms.docx"
        d = docx.Document()
        d.add_paragraph("Facial Recognition Service Terms")
        d.add_paragraph(CLAUSE)
        d.save(str(path))
    elif fmt == "pdf":
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfgen import canvas

        path = tmp_path / "terms.pdf"
        c = canvas.Canvas(str(path), pagesize=A4)
        c.drawString(72, 760, "Facial Recognition Service Terms")
        c.drawString(72, 730, CLAUSE)
        c.save()
    elif fmt == "html":
        path = tmp_path / "terms.html"
        path.write_text(f"<html><body><h1>Terms</h1><p>{CLAUSE}</p></body></html>", encoding="utf-8")
    else:
        path = tmp_path / f"terms.{fmt}"
        path.write_text(HEAD + CLAUSE + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["txt", "md", "html", "docx", "pdf"])
def test_extract_provisions_every_format(tmp_path: Path, fmt: str) -> None:
    path = _make(tmp_path, fmt)
    runner = CliRunner()
    res = runner.invoke(cli, ["extract", "--provisions", "--format", "json", str(path)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    found = [p for p in data["provisions"] if p["modality"] == "prohibition"]
    assert found, data
    assert found[0]["roles"]["action"] == "use"
    assert found[0]["roles"]["purpose"] == "in any weapon system"
    text = runner.invoke(cli, ["extract", "--provisions", str(path)])
    assert text.exit_code == 0
    assert "prohibition 'shall not' · actor: Customer · action: use" in text.output


def test_extract_provisions_list_items_inherit_the_lead_in(tmp_path: Path) -> None:
    path = tmp_path / "aup.md"
    path.write_text(HEAD + "Customer shall not:\n\n(a) use the Service in any weapon system;\n\n"
                    "(b) sell the Service to any police agency.\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["extract", "--provisions", "--format", "json", str(path)])
    items = [p for p in json.loads(res.output)["provisions"] if p["inherited"]]
    assert [p["roles"].get("action") for p in items] == ["use", "sell"]
    assert items[1]["roles"]["recipient"] == "to any police agency"


# -- classes of language the roles decide (through `check`) ---------------------------
def _check(tmp_path: Path, body: str) -> dict[str, dict]:
    path = tmp_path / "clause.md"
    path.write_text(HEAD + body + "\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["check", "--no-cache", "-j", "1", "--assume-applicable", "--format", "json", str(path)])
    assert res.exit_code in (0, 1), res.output
    data = json.loads(res.output)
    return {r["rule"]: r for r in data["documents"][0]["results"]}


@pytest.mark.parametrize("body", [
    "Licensee shall not use the Model for any non-military purpose.",
    "The Model must not be used other than for military purposes.",
    "You may use the Software only for non-civilian, that is military, purposes; you shall not use it for any non-military purpose.",
])
def test_banning_everything_but_military_use_permits_it(tmp_path: Path, body: str) -> None:
    r = _check(tmp_path, body)["SFP101"]
    assert r["status"] == "contradicted", r
    assert r["evidence"][0]["provision"]["roles"], r


@pytest.mark.parametrize("body", [
    "The Service may only be used for non-military purposes.",
    "Customer shall use the Service solely for non-military applications.",
])
def test_allowing_only_non_military_use_bans_military_use(tmp_path: Path, body: str) -> None:
    assert _check(tmp_path, body)["SFP101"]["status"] == "present"


@pytest.mark.parametrize("body", [
    "By way of illustration, a company that trades in weapons may be treated as a restricted acquirer.",
    "An affiliate that manufactures weapon systems may be deemed a competitor for the purposes of Section 9.",
])
def test_weapons_in_the_subject_of_an_unrelated_permission_are_not_a_permission_of_weapons_use(tmp_path: Path, body: str) -> None:
    assert _check(tmp_path, body)["SFP101"]["status"] != "contradicted"


@pytest.mark.parametrize("body", [
    "Military customers may use the Service for any purpose.",
    "The Service may be used by armed forces in combat operations.",
])
def test_military_users_allowed_to_use_is_contradicted(tmp_path: Path, body: str) -> None:
    assert _check(tmp_path, body)["SFP101"]["status"] == "contradicted"


@pytest.mark.parametrize("body", [
    "Provider will not disclose user records to law enforcement without a court order.",
    "We shall not hand over Customer Data to police investigators unless a subpoena is served.",
])
def test_provider_withholding_data_from_police_is_not_a_police_use_restriction(tmp_path: Path, body: str) -> None:
    assert _check(tmp_path, body)["SFP103"]["status"] != "present"


@pytest.mark.parametrize("body", [
    "Customer shall not sell or license the Service to any police department or immigration agency.",
    "Reseller shall not make the Service available to law enforcement agencies.",
    "Customer shall not use the Service on behalf of any law enforcement agency.",
])
def test_supplying_police_is_a_police_use_restriction(tmp_path: Path, body: str) -> None:
    r = _check(tmp_path, body)["SFP103"]
    assert r["status"] == "present", r
    assert r["evidence"][0]["provision"]["roles"]


@pytest.mark.parametrize("body", [
    "Agencies shall prohibit the transfer or purchase of the following property:\n\n(i) firearms of large calibre;\n\n(ii) weaponized drones.",
    "Licensee shall not sell or transfer any firearms or ammunition to minors.",
])
def test_trade_in_weapons_is_not_a_ban_on_using_the_technology_for_weapons(tmp_path: Path, body: str) -> None:
    assert _check(tmp_path, body)["SFP101"]["status"] != "present"


def test_evidence_names_the_provision_and_roles_in_text_output(tmp_path: Path) -> None:
    path = tmp_path / "clause.md"
    path.write_text(HEAD + "The Service may be used by police departments for suspect identification.\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["check", "--no-cache", "-j", "1", "--assume-applicable", str(path)])
    assert "CONTRADICTED  SFP103" in res.output
    assert "Read as: permission 'may'; action: used; object: The Service" in " ".join(res.output.split())
    assert "user: by police departments" in res.output


# -- more classes: consent, law-only notice, citations, survival, disapplication ------
@pytest.mark.parametrize("body", [
    "Provider reserves the right, with your consent, to capture a facial image to verify your identity.",
    "Customer may enrol a person's face template only with the consent of the individual.",
])
def test_face_capture_only_with_the_persons_consent_is_public_awareness(tmp_path: Path, body: str) -> None:
    assert _check(tmp_path, body)["SFP301"]["status"] == "present"


@pytest.mark.parametrize("body", [
    "You are responsible for complying with any biometric privacy laws that require you to give notice to or obtain consent from the people your cameras record.",
    "Customer shall inform individuals whose faces are analysed and obtain their consent, in each case only as far as data protection law requires.",
])
def test_notice_only_as_far_as_the_law_requires_is_weak(tmp_path: Path, body: str) -> None:
    assert _check(tmp_path, body)["SFP301"]["status"] == "weak"


USE_RULES = "## 4. Use Restrictions\n\nCustomer shall not use the Service for mass surveillance or in any weapon system.\n\n"


@pytest.mark.parametrize("clause", [
    "Either party may terminate this Agreement if the other party fails to cure a breach of Section 4 within five days.",
    "Provider may suspend the Service immediately upon any violation of Section 4.",
])
def test_termination_for_breach_of_the_cited_use_rules_is_enforcement(tmp_path: Path, clause: str) -> None:
    r = _check(tmp_path, USE_RULES + "## 9. Termination\n\n" + clause)["SFP104"]
    assert r["status"] == "present", r


@pytest.mark.parametrize("clause", [
    "Sections 4, 7 and 12 shall survive the termination or expiration of this Agreement.",
    "Upon termination of this Agreement, Customer shall cease all use of the Service and pay all fees due.",
])
def test_what_survives_or_follows_termination_is_not_enforcement(tmp_path: Path, clause: str) -> None:
    assert _check(tmp_path, USE_RULES + "## 9. Term\n\n" + clause)["SFP104"]["status"] == "missing"


@pytest.mark.parametrize("body", [
    "Customer's right to cure shall not apply in cases of imminent harm to Provider's systems or other customers.",
    "The limitations in this Section shall not apply to claims for death or personal harm.",
])
def test_a_rule_that_shall_not_apply_is_no_ban(tmp_path: Path, body: str) -> None:
    assert _check(tmp_path, body)["SFP101"]["status"] == "missing"


def test_a_lead_in_that_points_back_carries_the_ban(tmp_path: Path) -> None:
    body = ("You may not use the Model in any way that could cause harm.\n\n"
            "This applies in particular to the following fields:\n\n- military\n\n- animal slaughter\n")
    r = _check(tmp_path, body)["SFP101"]
    assert r["status"] == "present", r


@pytest.mark.parametrize("body", [
    "You are responsible for ensuring that you comply with all applicable laws when you use the cameras.",
    "Customer shall ensure that it complies with the export laws of every country.",
])
def test_ensuring_ones_own_compliance_is_not_flow_down(tmp_path: Path, body: str) -> None:
    assert _check(tmp_path, body)["SFP401"]["status"] == "missing"


def test_nist_security_controls_are_no_benchmark(tmp_path: Path) -> None:
    body = "The hosting controls shall be based on NIST Special Publication 800-53 and audited annually."
    assert _check(tmp_path, body)["SFP202"]["status"] != "present"


@pytest.mark.parametrize("body", [
    "You may not use the Service in a manner that infringes the rights of others or may be harmful to others.",
    "Customer shall not deploy the Service in any way that could injure any person.",
])
def test_may_in_a_relative_clause_is_possibility_not_permission(tmp_path: Path, body: str) -> None:
    r = _check(tmp_path, body)["SFP101"]
    assert r["status"] == "weak", r  # a general ban on harming people


@pytest.mark.parametrize("body", [
    "Licensee will not use the Brand Elements in any context that might harm Licensor's reputation.",
    "Customer shall not use the Service in a way that could harm Provider's systems or goodwill.",
])
def test_harm_to_a_reputation_or_systems_is_not_harm_to_people(tmp_path: Path, body: str) -> None:
    assert _check(tmp_path, body)["SFP101"]["status"] == "missing"


@pytest.mark.parametrize("body, rule", [
    ("Customer shall not use the Service as part of any law enforcement application that violates the civil liberties of natural persons.", "SFP103"),
    ("Do not use our products for prohibited law enforcement purposes.", "SFP103"),
    ("Customer shall not use the Service for any surveillance which infringes the privacy of protected groups.", "SFP102"),
])
def test_a_ban_on_a_qualified_subset_is_weak(tmp_path: Path, body: str, rule: str) -> None:
    r = _check(tmp_path, body)[rule]
    assert r["status"] == "weak", r
    assert "subset" in r["evidence"][0]["reason"]


@pytest.mark.parametrize("body, rule", [
    ("Customer shall not use the Service for any law enforcement purpose.", "SFP103"),
    ("Customer shall not use the Service for surveillance, which includes monitoring of individuals.", "SFP102"),
])
def test_an_unqualified_ban_stays_present(tmp_path: Path, body: str, rule: str) -> None:
    assert _check(tmp_path, body)[rule]["status"] == "present"


def test_a_title_like_lead_in_with_prohibited_uses_governs_its_items(tmp_path: Path) -> None:
    body = "Restrictions (Prohibited Uses).\n\n- No surveillance or tracking of persons, weaponization, or military uses.\n"
    got = _check(tmp_path, body)
    assert got["SFP101"]["status"] == "present"
    assert got["SFP102"]["status"] == "present"


def test_commissioning_an_independent_scientific_study_is_external_evaluation(tmp_path: Path) -> None:
    body = ("The Department shall ask the National Academy of Sciences to study the accuracy of facial recognition "
            "systems across demographic groups and to publish its findings.")
    got = _check(tmp_path, body)
    assert got["SFP202"]["status"] == "present"
    assert got["SFP302"]["status"] == "present"


def test_independent_experts_in_a_dispute_clause_are_not_evaluators(tmp_path: Path) -> None:
    body = "Any technical dispute shall be resolved by a panel of independent experts chosen by both parties."
    assert _check(tmp_path, body)["SFP302"]["status"] == "missing"


def test_incite_in_a_list_of_activities_is_not_a_content_rule(tmp_path: Path) -> None:
    body = ("You will not use the Model to engage in, promote, incite or assist activities that risk death "
            "or bodily harm, including:\n\n- military or warfare applications;\n\n- weapons development.\n")
    assert _check(tmp_path, body)["SFP101"]["status"] == "present"


def test_an_inline_list_keeps_its_lead_in_across_a_full_stop_inside_an_item(tmp_path: Path) -> None:
    body = ("You agree that you will not do any of the following:(i) resell the Service to any third party. "
            "For clarity, internal testing is not resale;(ii) reverse engineer the Service;"
            "(iii) publicly disseminate benchmarks of the Service for the purpose of marketing a competing product.")
    r = _check(tmp_path, body)["SFP302"]
    assert r["status"] == "weak", r
    assert r["evidence"][0]["provision"]["modality"] == "prohibition"


@pytest.mark.parametrize("body, status", [
    # the narrowing words sit in another item: this item's ban on benchmarking stands
    ("The User shall not: (a) resell the SDK to a competing product vendor; (b) use the SDK to do benchmarking intended for publication.", "contradicted"),
    ("The User shall not: (a) reverse engineer the SDK; (b) publish benchmarks of the SDK for the purpose of marketing a competing product.", "weak"),
])
def test_inline_list_items_are_judged_by_their_own_words(tmp_path: Path, body: str, status: str) -> None:
    assert _check(tmp_path, body)["SFP302"]["status"] == status


@pytest.mark.parametrize("body, status", [
    # one ';' joins two clauses of one sentence: the second's "each request" conditions the first
    ("Researchers interested in evaluating our models may contact us; we will consider each request individually.", "weak"),
    # a list after a colon: each item is judged by its own words, so a later item's words do not reach
    ("Researchers may: evaluate the Model and publish the results; apply to us for support, which we consider case by case.", "present"),
])
def test_one_semicolon_joins_clauses_and_a_list_keeps_items_apart(tmp_path: Path, body: str, status: str) -> None:
    assert _check(tmp_path, body)["SFP302"]["status"] == status


def test_financial_audits_and_share_transfers_are_not_evaluation_or_flow_down(tmp_path: Path) -> None:
    body = ("The Company shall deliver to each Party audited financial statements, including any independent "
            "auditor's report thereon. A Party may transfer its shares only to a buyer who takes them subject to "
            "the same terms as the seller.")
    got = _check(tmp_path, body)
    assert got["SFP302"]["status"] == "missing"
    assert got["SFP401"]["status"] != "present"


def test_the_deciding_clause_is_quoted_first_and_centred_on_its_words(tmp_path: Path) -> None:
    body = ("## Acceptable Use\n\nCustomer shall not: (a) copy the Documentation; (b) exceed the rate limits; "
            "(c) remove any proprietary notices; (d) resell access to the Service; (e) use the Service to locate, "
            "identify or track any person as a target in an operation where lethal force may be used; (f) frame the Service.\n\n"
            "## Definitions\n\n\"Restricted Purpose\" means any purpose connected with weapons.\n")
    r = _check(tmp_path, body)["SFP101"]
    assert r["status"] == "present"
    quote = r["evidence"][0]["text"]
    assert quote.startswith("Customer shall not")
    assert "lethal force" in quote and "copy the Documentation" not in quote


def test_the_customers_own_right_to_terminate_is_not_enforcement(tmp_path: Path) -> None:
    body = USE_RULES + "## 9. Term\n\nYou may terminate these Terms at any time, for any reason, by closing your account."
    assert _check(tmp_path, body)["SFP104"]["status"] == "missing"


def test_a_title_case_line_is_not_quoted_before_the_clause_it_heads(tmp_path: Path) -> None:
    body = ("Do Not Develop Weapons\n\nYou may not use our models to design, produce or modify weapons or "
            "weapon systems.\n")
    r = _check(tmp_path, body)["SFP101"]
    assert r["status"] == "present"
    assert r["evidence"][0]["text"].startswith("You may not use our models")


# -- what the lawyer reads: reasons in words, fixes in the document's terms ----------
def test_no_internal_concept_name_reaches_any_output_format(tmp_path: Path) -> None:
    from clause_lint.rules import load_packs

    concepts = {name for pack in load_packs(["safe-face-pledge"]) for name in pack.concepts if "_" in name}
    runner = CliRunner()
    for fmt in ("text", "json", "sarif", "markdown", "html", "junit", "github"):
        res = runner.invoke(cli, ["check", "--no-cache", "-j", "1", "-v", "--format", fmt, str(Path(__file__).parent.parent / "sample_contracts")])
        assert res.exit_code in (0, 1), res.output
        leaked = sorted(c for c in concepts if c in res.stdout)
        assert not leaked, f"{fmt}: {leaked}"
        assert "no deontic cue" not in res.stdout


def test_model_clauses_use_the_documents_own_names(tmp_path: Path) -> None:
    body = ('"Licensee" means the person who accepts this licence.\n\n"Licensor" means Opal Labs.\n\n'
            '"Software" means the face matching library.\n\nLicensee may use the Software for any lawful purpose.\n')
    r = _check(tmp_path, body)["SFP101"]
    assert r["status"] == "missing"
    assert "Licensee shall not" in r["remediation"] and "the Software" in r["remediation"]
    assert "Customer" not in r["remediation"]


def test_a_weakened_clause_gets_the_fix_for_its_weakness(tmp_path: Path) -> None:
    r = _check(tmp_path, "Customer should not use the facial recognition Service in any weapon system.")["SFP101"]
    assert r["status"] == "weak"
    assert "replace 'should not' with 'shall'" in r["remediation"]
    assert "non-binding" in r["evidence"][0]["reason"]
    assert r["message"].startswith("The lethal-use restriction falls short: prohibition covering weapons")


# -- the parties' own names ----------------------------------------------------------
def _parties(tmp_path: Path, body: str) -> tuple[object, object]:
    from clause_lint.analysis import party_names
    from clause_lint.api import load_document

    path = tmp_path / "parties.md"
    path.write_text('Made between Kestrel Imaging Ltd ("Kestrel") and Harbour Analytics Inc. ("Harbour").\n\n' + body,
                    encoding="utf-8")
    return party_names(load_document(str(path)))


def test_the_customer_is_the_name_granted_rights_more_often_than_it_grants(tmp_path: Path) -> None:
    body = ("1. Kestrel hereby grants to Harbour a licence to use the Software.\n\n"
            "2. Kestrel grants Harbour a right to receive updates.\n\n"
            "3. Harbour grants Kestrel a licence to host Harbour's data.\n")
    assert _parties(tmp_path, body) == ("Harbour", "Kestrel")


def test_no_party_names_when_the_grants_balance_or_name_no_defined_party(tmp_path: Path) -> None:
    assert _parties(tmp_path, "1. Kestrel grants Harbour a licence.\n\n2. Harbour grants Kestrel a licence.\n") == (None, None)
    assert _parties(tmp_path, "1. Licensor grants Licensee a licence.\n") == (None, None)


def test_model_clauses_name_the_parties_as_the_document_does(tmp_path: Path) -> None:
    path = tmp_path / "licence.md"
    path.write_text('Made between Kestrel Imaging Ltd ("Kestrel") and Harbour Analytics Inc. ("Harbour").\n\n'
                    "1. Kestrel hereby grants to Harbour a licence to use the face matching software.\n\n"
                    "2. Harbour shall not use the software in any weapon system.\n", encoding="utf-8")
    out = CliRunner().invoke(cli, ["check", "--no-cache", "--format", "json", "--select", "SFP104", str(path)])
    (result,) = json.loads(out.output)["documents"][0]["results"]
    assert result["status"] == "missing"
    assert "Kestrel may audit Harbour's use" in result["remediation"]
    assert "Customer" not in result["remediation"] and "Provider" not in result["remediation"]


def test_the_holder_of_a_right_not_to_be_restricted_is_its_actor() -> None:
    # "Customer shall not restrict Provider's right to audit …": Provider may audit
    (p,) = _read("Customer shall not restrict or obstruct Provider's right to audit the use.")
    assert p["modality"] == "permission" and p["actor"] == "Provider"
    # the hindering verb with no right named keeps the subject as actor
    (p,) = _read("Customer shall not restrict access to the Service.")
    assert p["actor"] == "Customer"
