"""Every output format, from hand-built reports.

The fixture has three readable documents (a PDF with pages and lines, a .docx with
paragraph numbers and a warning, a Markdown file with info-level and baseline
findings) and one that could not be read; it has every status, every kind of
suppression, and evidence full of characters that break naive reporters.
"""

from __future__ import annotations

import copy
import json
import os
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Optional

import pytest

from clause_lint.report import (
    FORMATS,
    RenderOptions,
    artifact_uri,
    fails,
    render,
)
from clause_lint.report.github import escape_data, escape_property
from clause_lint.report.markdown import md
from clause_lint.results import (
    fingerprint,
    DocumentError,
    DocumentResult,
    Evidence,
    PackInfo,
    Report,
    RuleResult,
    Suppression,
)
from clause_lint.rules.model import Rule

SCHEMA = Path("/work/shared/schemas/sarif-schema-2.1.0.json")
PACK = "safe-face-pledge"

# Markup, entities, quotes, a newline, CRLF, non-ASCII, a percent sign, a bell and an
# attempted terminal escape: all of it must come out intact or harmlessly replaced.
TRICKY = 'Customer may use the <Service> for "defence" & R&D;\nincl. Überwachung — 5 % of € sales\r\n\x07\x1b[31mred'
MODEL_CLAUSE = {
    "SFP101": 'Customer shall not use the Service in any weapon system or to locate targets for "lethal force".',
    "SFP102": "Customer shall not use the Service for mass, covert or warrantless surveillance.",
    "SFP103": "Customer shall not sell to, or use the Service for, law enforcement & immigration agencies.",
    "SFP104": "Provider may audit Customer's use and suspend access for any breach of Section 4.\n"
              "Provider may terminate this Agreement on notice for such breach.",
    "SFP202": "Provider shall submit the models to independent benchmark evaluation <NIST FRVT>.",
}
TITLES = {
    "SFP101": ("no-lethal-use", "No lethal use"),
    "SFP102": ("no-secret-surveillance", "No secret or discriminatory government surveillance"),
    "SFP103": ("no-unwarranted-law-enforcement", "No unwarranted law enforcement use"),
    "SFP104": ("rules-enforced", "The rules are enforced"),
    "SFP202": ("benchmark-evaluation", "Independent benchmark evaluation"),
}
SEVERITY = {"present": "none", "weak": "warning", "missing": "error", "contradicted": "error"}


def make_rule(rid: str) -> Rule:
    name, title = TITLES[rid]
    return Rule(
        id=rid, name=name, title=title, pack=PACK,
        summary=f"The document must bind the customer: {title.lower()}.",
        explanation="Without it the customer's protection depends on goodwill <not contract> & trust.",
        reference={"section": "1." + rid[-1], "title": "Safe Face Pledge", "url": "https://example.org/pledge#" + rid},
        severity=dict(SEVERITY),
        messages={s: f"{title}: {s}." for s in SEVERITY},
        fix={"missing": MODEL_CLAUSE[rid], "weak": MODEL_CLAUSE[rid], "contradicted": "Delete the permission. " + MODEL_CLAUSE[rid]},
    )


RULES = [make_rule(r) for r in TITLES]
BY_ID = {r.id: r for r in RULES}


def result(rid: str, status: str, evidence=(), severity: Optional[str] = None, suppressed=None,
           fp: Optional[str] = None, message: Optional[str] = None) -> RuleResult:
    rule = BY_ID[rid]
    sev = severity or ("none" if status == "not_applicable" else rule.severity_for(status))
    return RuleResult(
        rule=rid, pack=PACK, name=rule.name, title=rule.title, status=status, severity=sev,
        message=message or rule.messages.get(status, f"{rule.title}: not applicable."),
        evidence=list(evidence), remediation=rule.fix.get(status),
        reference="Safe Face Pledge " + rule.reference["section"], suppressed=suppressed, fingerprint=fp,
    )


def make_report() -> Report:
    pdf = DocumentResult(path="contracts/acme msa.pdf", format="pdf", pages=12, results=[
        result("SFP101", "present", [Evidence("Customer shall not use the Service in any weapon system.",
                                              "prohibition 'shall not' + 'weapon system'", "supports",
                                              section="4.2(b)", page=3, line=12)]),
        result("SFP102", "weak", [
            Evidence("Customer should not use the Service for unlawful surveillance.", "non-binding 'should'",
                     "weakens", section="5", page=4, line=2),
            Evidence("Provider monitors the Service for security.", "provider's own monitoring", "related",
                     section="9.1", page=7, line=40),
        ]),
        result("SFP103", "contradicted", [Evidence(TRICKY, "permission 'may' + 'defence'", "contradicts",
                                                   section="6.1", page=5, line=30)]),
        result("SFP104", "missing"),
        result("SFP202", "not_applicable", message="Not applicable: the provider sells no models."),
    ])
    docx = DocumentResult(path="/srv/legal/terms,final:v2.docx", format="docx",
                          warnings=["Word numbering could not be resolved; section numbers may differ"], results=[
        result("SFP101", "missing", suppressed=Suppression("waiver", "Accepted by GC, 2024-05: see memo")),
        result("SFP102", "weak", [Evidence("Customer shall not conduct unlawful surveillance 100% of the time.",
                                           "bans only 'unlawful' surveillance", "weakens", section="3", paragraph=17)]),
        result("SFP103", "present", [Evidence("No police use.", "ban on police use", "supports", paragraph=4)]),
        result("SFP104", "weak", [Evidence("Either party may terminate for uncured material breach.",
                                           "mutual termination only", "weakens", paragraph=40)],
               suppressed=Suppression("inline", None)),
        result("SFP202", "missing", severity="warning"),
    ])
    md_doc = DocumentResult(path="policies/aup.md", format="md", results=[
        result("SFP101", "contradicted", [Evidence("Defence customers may use the Service.", "permission", "contradicts",
                                                   section="2", line=8)],
               suppressed=Suppression("baseline", "in baseline"), fp="f" * 64),
        result("SFP102", "present", [Evidence("No covert surveillance.", "ban", "supports", line=3)]),
        result("SFP103", "weak", [Evidence("Law enforcement use only where lawful.", "only 'applicable law'",
                                           "weakens", line=5)], severity="info"),
        result("SFP104", "present", [Evidence("Provider may suspend access.", "suspension right", "supports", line=9)]),
        result("SFP202", "missing", severity="none"),
    ])
    bad = DocumentResult(path="inbox/broken & <bad>.pdf", format="pdf",
                         error=DocumentError("corrupt", 'not a PDF: "xref" table missing'))
    return Report(tool_version="0.1.0", packs=[PackInfo(PACK, "1.0.0", "Safe Face Pledge")],
                  documents=[pdf, docx, md_doc, bad], rules=list(RULES))


@pytest.fixture
def report() -> Report:
    return make_report()


# --------------------------------------------------------------------------- shared


def test_unknown_format_and_fail_level_are_rejected(report):
    with pytest.raises(ValueError, match="format"):
        render(report, "yaml", RenderOptions())
    with pytest.raises(ValueError, match="fail level"):
        render(report, "text", RenderOptions(fail_on="sometimes"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_deterministic_and_leaves_the_report_alone(report, fmt):
    before = copy.deepcopy(report)
    first = render(report, fmt, RenderOptions())
    second = render(make_report(), fmt, RenderOptions())
    assert first == second
    assert report == before
    # No path of this machine leaks in: every input path is relative or /srv/...
    assert os.getcwd() not in first
    assert first.endswith("\n")
    first.encode("utf-8")  # no lone surrogates or other unencodable text


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_handles_an_empty_report(fmt):
    out = render(Report(tool_version="0.1.0", packs=[], documents=[]), fmt, RenderOptions())
    # Nothing to annotate is no output at all for GitHub; every other format says so.
    assert out == "" if fmt == "github" else out.endswith("\n")


@pytest.mark.parametrize("fmt", ["text", "sarif", "junit", "github", "markdown", "html"])
def test_control_characters_never_reach_the_output(report, fmt):
    out = render(report, fmt, RenderOptions())
    assert "\x07" not in out and "\x1b" not in out and "\r" not in out


def test_fails_by_level(report):
    pdf, docx, md_doc, _ = report.documents
    contradicted, missing = pdf.results[2], pdf.results[3]
    weak_warning, info_weak = pdf.results[1], md_doc.results[2]
    assert fails(contradicted, "error") and fails(missing, "error")
    assert not fails(weak_warning, "error") and fails(weak_warning, "warning")
    assert not fails(info_weak, "warning") and fails(info_weak, "info")
    assert not fails(contradicted, "never")
    assert not fails(docx.results[0], "info")  # waived
    assert not fails(md_doc.results[4], "info")  # severity none is not a finding
    assert not fails(pdf.results[0], "info") and not fails(pdf.results[4], "info")


def test_fingerprint_survives_reflow_but_not_a_changed_clause():
    def fp(text, line=1, rule="SFP102", path="a/b.pdf"):
        ev = Evidence(text, "r", "weakens", line=line)
        return fingerprint(path, result(rule, "weak", [ev]))

    base = fp("Customer should not use it for surveillance.")
    assert re.fullmatch(r"[0-9a-f]{64}", base)
    assert fp("Customer  should NOT use it\nfor \u201csurveillance\u201d", line=90) == base
    assert fp("Customer should not use it for surveillance.", path="./a/b.pdf") == base
    assert fp("Customer shall not use it for surveillance.") != base
    assert fp("Customer should not use it for surveillance.", rule="SFP101") != base
    assert fp("Customer should not use it for surveillance.", path="a/c.pdf") != base
    assert fingerprint("x.pdf", result("SFP104", "missing")) == fingerprint("x.pdf", result("SFP104", "missing"))


def test_artifact_uri_is_relative_to_root_and_percent_encoded(tmp_path):
    doc = tmp_path / "sub dir" / "a#b%.pdf"
    assert artifact_uri(str(doc), str(tmp_path)) == ("sub%20dir/a%23b%25.pdf", True)
    assert artifact_uri("./x/../y z.docx", None) == ("y%20z.docx", True)
    uri, rel = artifact_uri("/elsewhere/c.pdf", str(tmp_path))
    assert (uri, rel) == ("file:///elsewhere/c.pdf", False)


# --------------------------------------------------------------------------- json


def test_json_is_to_dict_in_documented_order(report):
    out = render(report, "json", RenderOptions())
    data = json.loads(out)
    assert data == report.to_dict()
    assert list(data) == ["tool", "packs", "documents", "summary"]
    assert [d["path"] for d in data["documents"]] == [d.path for d in report.documents]
    assert list(data["documents"][0]["results"][0])[:3] == ["rule", "pack", "name"]
    assert "Überwachung" in out  # not \u-escaped
    assert data["documents"][0]["results"][2]["evidence"][0]["text"] == TRICKY
    assert out == render(make_report(), "json", RenderOptions())


# --------------------------------------------------------------------------- sarif


def sarif(report, **kw) -> dict:
    return json.loads(render(report, "sarif", RenderOptions(**kw)))


def test_sarif_validates_against_the_official_schema(report, tmp_path):
    if not SCHEMA.exists():
        pytest.skip("SARIF schema not available")
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator_cls = jsonschema.validators.validator_for(schema)
    for log in (sarif(report), sarif(report, root=str(tmp_path)),
                sarif(Report(tool_version="0.1.0", packs=[], documents=[]))):
        errors = sorted(validator_cls(schema, format_checker=validator_cls.FORMAT_CHECKER).iter_errors(log),
                        key=str)
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_sarif_rules_describe_every_selected_rule(report):
    driver = sarif(report)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "clause-lint" and driver["version"] == "0.1.0"
    assert "informationUri" not in driver
    rules = driver["rules"]
    assert [r["id"] for r in rules] == list(TITLES)
    sfp104 = rules[3]
    assert sfp104["name"] == "rules-enforced"
    assert sfp104["shortDescription"]["text"] == "The rules are enforced"
    assert "goodwill <not contract> & trust" in sfp104["fullDescription"]["text"]
    assert MODEL_CLAUSE["SFP104"] in sfp104["help"]["text"]
    assert "> Provider may audit Customer's use" in sfp104["help"]["markdown"]
    assert sfp104["defaultConfiguration"]["level"] == "error"
    assert sfp104["helpUri"] == "https://example.org/pledge#SFP104"
    assert sfp104["properties"]["pack"] == PACK and PACK in sfp104["properties"]["tags"]
    assert sfp104["properties"]["reference"]["section"] == "1.4"


def test_sarif_results_are_the_findings_with_locations_and_fingerprints(report):
    run = sarif(report)["runs"][0]
    results = run["results"]
    rules = run["tool"]["driver"]["rules"]
    # pdf: weak, contradicted, missing; docx: waived missing, weak, waived weak, missing(warning);
    # md: baseline-suppressed contradicted, info weak. Present, n/a and severity "none" are absent.
    assert [(r["ruleId"], r["properties"]["status"]) for r in results] == [
        ("SFP102", "weak"), ("SFP103", "contradicted"), ("SFP104", "missing"),
        ("SFP101", "missing"), ("SFP102", "weak"), ("SFP104", "weak"), ("SFP202", "missing"),
        ("SFP101", "contradicted"), ("SFP103", "weak"),
    ]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        loc = r["locations"][0]["physicalLocation"]
        assert loc["region"]["startLine"] >= 1
        assert re.fullmatch(r"[0-9a-f]{64}", r["partialFingerprints"]["clauseLint/v1"])
    assert [r["level"] for r in results] == ["warning", "error", "error", "error", "warning", "warning",
                                             "warning", "error", "note"]

    weak, contradicted, missing = results[:3]
    pdf = report.documents[0]
    assert weak["partialFingerprints"]["clauseLint/v1"] == fingerprint(pdf.path, pdf.results[1])
    assert results[7]["partialFingerprints"]["clauseLint/v1"] == "f" * 64  # the engine's wins

    loc = contradicted["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"] == {"uri": "contracts/acme%20msa.pdf", "uriBaseId": "%SRCROOT%"}
    assert loc["physicalLocation"]["region"]["startLine"] == 30
    assert loc["properties"] == {"section": "6.1", "page": 5, "line": 30}
    snippet = loc["physicalLocation"]["region"]["snippet"]["text"]
    assert '<Service> for "defence" & R&D;\nincl. Überwachung — 5 % of € sales' in snippet
    assert "Reason: permission 'may' + 'defence'." in contradicted["message"]["text"]
    assert contradicted["message"]["text"].startswith("No unwarranted law enforcement use: contradicted.")

    assert weak["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 40
    assert missing["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}

    docx_weak = results[4]["locations"][0]
    assert docx_weak["physicalLocation"]["region"]["startLine"] == 17  # Word paragraph
    assert docx_weak["properties"] == {"section": "3", "paragraph": 17}
    # An absolute input path outside the root stays absolute, as a file: URI.
    assert docx_weak["physicalLocation"]["artifactLocation"] == {"uri": "file:///srv/legal/terms%2Cfinal:v2.docx"}


def test_sarif_suppressions_and_document_errors(report):
    run = sarif(report)["runs"][0]
    results = run["results"]
    sup = {(r["ruleId"], r["properties"]["status"]): r.get("suppressions") for r in results}
    assert sup[("SFP101", "missing")] == [{"kind": "external", "status": "accepted",
                                          "justification": "Accepted by GC, 2024-05: see memo",
                                          "properties": {"by": "waiver"}}]
    assert sup[("SFP104", "weak")][0]["kind"] == "inSource"
    assert "justification" not in sup[("SFP104", "weak")][0]
    assert sup[("SFP101", "contradicted")][0]["kind"] == "external"
    assert sup[("SFP102", "weak")] is None

    inv = run["invocations"][0]
    assert inv["executionSuccessful"] is False
    errors = [n for n in inv["toolExecutionNotifications"] if n["level"] == "error"]
    assert errors == [{
        "level": "error",
        "message": {"text": 'inbox/broken & <bad>.pdf: not a PDF: "xref" table missing'},
        "descriptor": {"id": "corrupt"},
        "locations": [{"physicalLocation": {"artifactLocation": {
            "uri": "inbox/broken%20%26%20%3Cbad%3E.pdf", "uriBaseId": "%SRCROOT%"}}}],
    }]
    assert "originalUriBaseIds" not in run  # no root given: no absolute path written

    ok = Report(tool_version="0.1.0", packs=[], documents=report.documents[:1], rules=RULES)
    assert sarif(ok)["runs"][0]["invocations"][0] == {"executionSuccessful": True}


def test_sarif_root_makes_absolute_inputs_relative(report, tmp_path):
    report.documents[0].path = str(tmp_path / "contracts" / "acme msa.pdf")
    run = sarif(report, root=str(tmp_path))["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == Path(tmp_path).as_uri() + "/"
    uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri == {"uri": "contracts/acme%20msa.pdf", "uriBaseId": "%SRCROOT%"}


# --------------------------------------------------------------------------- junit


def junit(report, fail_on="error") -> ET.Element:
    return ET.fromstring(render(report, "junit", RenderOptions(fail_on=fail_on)).encode("utf-8"))


@pytest.mark.parametrize("fail_on, failing", [
    ("error", {("contracts/acme msa.pdf", "SFP103 no-unwarranted-law-enforcement"),
               ("contracts/acme msa.pdf", "SFP104 rules-enforced")}),
    ("warning", {("contracts/acme msa.pdf", "SFP102 no-secret-surveillance"),
                 ("contracts/acme msa.pdf", "SFP103 no-unwarranted-law-enforcement"),
                 ("contracts/acme msa.pdf", "SFP104 rules-enforced"),
                 ("/srv/legal/terms,final:v2.docx", "SFP102 no-secret-surveillance"),
                 ("/srv/legal/terms,final:v2.docx", "SFP202 benchmark-evaluation")}),
    ("never", set()),
])
def test_junit_failures_follow_the_fail_level(report, fail_on, failing):
    root = junit(report, fail_on)
    got = {(c.get("classname"), c.get("name")) for c in root.iter("testcase") if c.find("failure") is not None}
    assert got == failing
    assert root.get("failures") == str(len(failing))
    assert root.get("tests") == "16" and root.get("errors") == "1" and root.get("skipped") == "4"
    assert sum(int(s.get("failures")) for s in root.iter("testsuite")) == len(failing)


def test_junit_info_level_adds_the_info_finding(report):
    root = junit(report, "info")
    names = {(c.get("classname"), c.get("name")) for c in root.iter("testcase") if c.find("failure") is not None}
    assert ("policies/aup.md", "SFP103 no-unwarranted-law-enforcement") in names
    assert len(names) == 6


def test_junit_content_survives_escaping(report):
    root = junit(report)
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [d.path for d in report.documents]
    case = next(c for c in suites[0] if c.get("name") == "SFP103 no-unwarranted-law-enforcement")
    failure = case.find("failure")
    assert failure.get("type") == "contradicted"
    assert failure.get("message") == "contradicted: No unwarranted law enforcement use: contradicted."
    assert '<Service> for "defence" & R&D;' in failure.text and "Überwachung — 5 % of € sales" in failure.text
    assert "section 6.1, page 5, line 30" in failure.text
    assert MODEL_CLAUSE["SFP103"] in failure.text
    waived = next(c for c in suites[1] if c.get("name") == "SFP101 no-lethal-use").find("skipped")
    assert waived.get("message") == "missing, waived by waiver: Accepted by GC, 2024-05: see memo"
    err_case = suites[3].find("testcase")
    err = err_case.find("error")
    assert err.get("type") == "corrupt" and err.get("message") == 'not a PDF: "xref" table missing'
    assert err_case.get("classname") == "inbox/broken & <bad>.pdf"
    # A below-threshold finding passes but is still visible.
    weak = next(c for c in suites[0] if c.get("name") == "SFP102 no-secret-surveillance")
    assert weak.find("failure") is None and "weak (warning)" in weak.find("system-out").text


# --------------------------------------------------------------------------- github

_CMD = re.compile(r"::(error|warning|notice)( [^:]*)?::(.*)")


def unescape(data: str) -> str:
    return data.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def test_github_annotations(report):
    out = render(report, "github", RenderOptions())
    lines = out.splitlines()
    parsed = []
    for line in lines:
        m = _CMD.fullmatch(line)
        assert m, line
        props = dict(p.split("=", 1) for p in m.group(2).strip().split(",")) if m.group(2) else {}
        parsed.append((m.group(1), {k: unescape(v) for k, v in props.items()}, unescape(m.group(3))))
    titles = [(cmd, p.get("title")) for cmd, p, _ in parsed if "title" in p]
    assert titles == [
        ("warning", "SFP102 no-secret-surveillance (weak)"),
        ("error", "SFP103 no-unwarranted-law-enforcement (contradicted)"),
        ("error", "SFP104 rules-enforced (missing)"),
        ("warning", "SFP102 no-secret-surveillance (weak)"),
        ("warning", "SFP202 benchmark-evaluation (missing)"),
        ("notice", "SFP103 no-unwarranted-law-enforcement (weak)"),
    ]  # nothing for present, n/a, waived, baseline or severity "none"
    cmd, props, data = parsed[1]
    assert props == {"file": "contracts/acme msa.pdf", "line": "30",
                     "title": "SFP103 no-unwarranted-law-enforcement (contradicted)"}
    assert data.split("\n")[0] == "No unwarranted law enforcement use: contradicted."
    # The passage's own double quotes nest as single ones inside the quotation.
    assert "<Service> for 'defence' & R&D; incl. Überwachung — 5 % of € sales" in data
    assert "Fix: Delete the permission." in data
    # The file name's "," and ":" are escaped in the property; "%" in data as %25.
    assert "file=/srv/legal/terms%2Cfinal%3Av2.docx,line=17," in out
    assert "100%25 of the time" in out
    assert parsed[2][1]["line"] == "1"  # missing clause: first line
    assert ("error", {"file": "inbox/broken & <bad>.pdf"}, 'not a PDF: "xref" table missing') in parsed
    assert ("warning", {"file": "/srv/legal/terms,final:v2.docx"},
            "Word numbering could not be resolved; section numbers may differ") in parsed


def test_github_escaping_rules():
    assert escape_data("50% done\r\nnext: a,b") == "50%25 done%0Anext: a,b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


# --------------------------------------------------------------------------- text


def test_text_reads_well_and_has_no_colour_by_default(report):
    out = render(report, "text", RenderOptions())
    assert "\x1b[" not in out
    lines = out.splitlines()
    assert lines[0] == "contracts/acme msa.pdf (PDF, 12 pages)"
    assert re.search(r"^  PRESENT +SFP101 no-lethal-use  §4\.2\(b\) p\.3 l\.12$", out, re.M)
    assert re.search(r"^  CONTRADICTED  SFP103 no-unwarranted-law-enforcement  §6\.1 p\.5 l\.30$", out, re.M)
    assert re.search(r"^  WEAK +SFP102 no-secret-surveillance  §3 ¶17$", out, re.M)
    assert re.search(r"^  N/A +SFP202 benchmark-evaluation$", out, re.M)
    assert "WAIVED (by waiver: Accepted by GC, 2024-05: see memo)  SFP101 no-lethal-use" in out
    assert "WAIVED (by inline comment)  SFP104 rules-enforced" in out
    assert '"Customer may use the <Service> for \'defence\' & R&D; incl. Überwachung — 5 % of €\n' in out
    assert "Why: permission 'may' + 'defence'" in out
    assert "\n                Fix: Provider may audit Customer's use" in out
    # The model clause's second paragraph starts its own line, aligned under the first.
    assert "\n                     Provider may terminate this Agreement on notice for such breach.\n" in out
    assert "inbox/broken & <bad>.pdf: error: not a PDF: \"xref\" table missing" in lines
    assert "/srv/legal/terms,final:v2.docx: warning: Word numbering could not be resolved" in out
    assert lines[-1] == ("4 documents, 15 rules: 4 present, 4 weak, 4 missing, 2 contradicted, "
                         "1 not applicable (3 waived); 1 error; 2 findings at or above 'error'")
    # Detail lines wrap at 100 columns; "PATH: warning: ..." lines stay whole for grep.
    assert max(len(line) for line in lines if line.startswith(" " * 16)) <= 100
    # Present and n/a get no fix; waived findings need none.
    block = out.split("SFP101 no-lethal-use  §4.2(b)")[1].split("\n  ")[0]
    assert "Fix:" not in block


def test_text_colour_options_and_verbosity(report):
    coloured = render(report, "text", RenderOptions(color=True))
    assert "\x1b[1;31mCONTRADICTED\x1b[0m" in coloured and "\x1b[32mPRESENT" in coloured
    quiet = render(report, "text", RenderOptions(show_present=False))
    assert "PRESENT" not in quiet and "MISSING" in quiet
    assert "provider's own monitoring" not in quiet
    verbose = render(report, "text", RenderOptions(verbose=True))
    assert 'Also §9.1 p.7 l.40 (related): "Provider monitors the Service for security."' in verbose
    never = render(report, "text", RenderOptions(fail_on="never")).splitlines()[-1]
    assert never.endswith("; 6 findings, none failing (fail level 'never')")
    warning = render(report, "text", RenderOptions(fail_on="warning")).splitlines()[-1]
    assert warning.endswith("5 findings at or above 'warning'")


def test_text_truncates_long_evidence(report):
    long = "Customer shall not " + "use the Service for any weapon system " * 20
    report.documents[0].results[0].evidence[0].text = long
    out = render(report, "text", RenderOptions())
    quoted = re.search(r'"(Customer shall not use[^"]*)"', out.replace("\n" + " " * 16, " ")).group(1)
    assert quoted.endswith("…") and 100 < len(quoted) <= 160


# --------------------------------------------------------------------------- markdown


def test_markdown_tables_and_details(report):
    out = render(report, "markdown", RenderOptions())
    assert out.index("## Summary") < out.index("## contracts/acme msa.pdf")
    # Every table row has as many cells as its header (escaped pipes do not count).
    for table in re.findall(r"(?:^\|.*\|\n)+", out, re.M):
        rows = table.strip("\n").split("\n")
        widths = {len(re.split(r"(?<!\\)\|", row)) for row in rows}
        assert len(widths) == 1, rows
    assert "| SFP101 no\\-lethal\\-use |" not in out  # only a leading "-" is escaped
    assert "| SFP101 no-lethal-use | No lethal use | 1 | 0 | 0 | 0 | 2 | 0 |" in out
    assert "| SFP103 no-unwarranted-law-enforcement | No unwarranted law enforcement use | ⛔ Contradicted |" in out
    assert "| SFP101 no-lethal-use | No lethal use | 💤 Waived (missing) |" in out
    assert "| SFP202 benchmark-evaluation | Independent benchmark evaluation | — Not applicable |" in out
    worst = out.split("### Documents, worst first")[1].split("\n\n")[1]
    order = [line.split(" | ")[0][2:] for line in worst.splitlines()[2:]]
    assert order == ["inbox/broken \\& \\<bad\\>.pdf", "contracts/acme msa.pdf",
                     "/srv/legal/terms,final:v2.docx", "policies/aup.md"]
    assert "**Evidence** (section 6.1, page 5, line 30):" in out
    assert "> Customer may use the \\<Service\\> for \"defence\" \\& R\\&D; incl. Überwachung" in out
    assert "> Provider may audit Customer's use and suspend access for any breach of Section 4.\n>\n> Provider" in out
    assert "*Waived by waiver: Accepted by GC, 2024-05: see memo.*" in out
    assert "**Could not be read:** not a PDF: \"xref\" table missing (`corrupt`)" in out


def test_markdown_renders_evidence_literally():
    markdown_it = pytest.importorskip("markdown_it")
    report = make_report()
    out = render(report, "markdown", RenderOptions())
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(out)
    assert "<Service>" not in html  # no raw tag got through
    text = _visible_text(html)
    assert 'Customer may use the <Service> for "defence" & R&D; incl. Überwachung — 5 % of € sales' in text
    assert MODEL_CLAUSE["SFP202"] in text
    assert html.count("<table>") == 2 + 3  # summary tables + one per readable document


def test_md_escape_keeps_text_and_blocks_markup():
    assert md("1. first") == "1\\. first"
    assert md("- item") == "\\- item"
    assert md("version 0.1.0") == "version 0.1.0"
    assert md("a|b *c* <x> & $y$") == "a\\|b \\*c\\* \\<x\\> \\& \\$y\\$"


# --------------------------------------------------------------------------- html


class _Collector(HTMLParser):
    VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "embed", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"unexpected </{tag}> with open {self.stack[-3:]}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] != "style":
            self.text.append(data)


def _visible_text(html: str) -> str:
    p = _Collector()
    p.feed(html)
    return " ".join(" ".join(p.text).split())


def test_html_is_self_contained_well_formed_and_escaped(report):
    out = render(report, "html", RenderOptions())
    p = _Collector()
    p.feed(out)
    p.close()
    assert not p.problems and p.stack == []
    tags = {t for t, _ in p.tags}
    assert "script" not in tags and "link" not in tags and "img" not in tags and "iframe" not in tags
    assert "url(" not in out and "@import" not in out
    assert "@media print" in out and "break-inside: avoid" in out
    for tag, attrs in p.tags:
        href = attrs.get("href")
        if href is not None:
            assert href.startswith("#") or href.startswith("https://example.org/"), href
            if href.startswith("#"):
                assert f'id="{href[1:]}"' in out
        assert not any(k.startswith("on") for k in attrs)
    text = " ".join(" ".join(p.text).split())
    for rid in TITLES:
        assert rid in text
    for clause in MODEL_CLAUSE.values():
        assert " ".join(clause.split()) in text
    assert 'Customer may use the <Service> for "defence" & R&D; incl. Überwachung — 5 % of € sales' in text
    assert "&lt;Service&gt;" in out and "<Service>" not in out
    # Status as icon and word, not colour alone; the icons are inline SVG, not emoji
    # (which render as empty boxes where no emoji font is installed).
    for word in ("Present", "Weak", "Missing", "Contradicted", "Waived (missing)", "Not applicable"):
        assert word in text
    for shown in ("present", "weak", "missing", "contradicted", "waived", "not_applicable"):
        assert re.search(rf'<span class="badge s-{shown}"><svg class="icon" [^>]*aria-hidden="true"', out), shown
    assert not re.search("[\u2600-\u27bf\U0001f300-\U0001faff]", out), "emoji in the HTML report"
    assert "Could not be read: not a PDF: \"xref\" table missing" in text
    assert "section 3, paragraph 17" in text and "section 6.1, page 5, line 30" in text


def test_html_summary_lists_documents_worst_first(report):
    out = render(report, "html", RenderOptions())
    summary = out.split("Documents, worst first")[1].split("</table>")[0]
    hrefs = re.findall(r'<a href="#(doc-\d)">', summary)
    assert hrefs == ["doc-4", "doc-1", "doc-2", "doc-3"]
    single = render(Report(tool_version="0.1.0", packs=report.packs, documents=report.documents[:1],
                           rules=RULES), "html", RenderOptions())
    assert "Summary" not in single and "Documents, worst first" not in single


def test_html_does_not_link_unsafe_reference_urls(report):
    BY_ID["SFP104"].reference["url"] = "javascript:alert(1)"
    try:
        report.documents[0].results[3].reference = "javascript:alert(2)"
        out = render(report, "html", RenderOptions())
    finally:
        BY_ID["SFP104"].reference["url"] = "https://example.org/pledge#SFP104"
    assert "javascript:" not in out
