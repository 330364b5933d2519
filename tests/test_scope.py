"""Whether a document is about facial analysis, by meaning: through the real CLI, on
hand-made files, on every bundled sample, and on the development corpus when present.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from clause_lint.api import Linter, Options
from clause_lint.cli import cli

HERE = Path(__file__).parent
SAMPLES = HERE.parent / "sample_contracts"
LABELS = yaml.safe_load((HERE / "scope_labels.yaml").read_text(encoding="utf-8"))
CORPUS = next((p for p in (HERE.parent.parent / "shared" / "corpus", Path("/work/shared/corpus")) if p.is_dir()), None)


def _check(tmp_path: Path, text: str, name: str = "contract.md") -> tuple[int, dict]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(cli, ["check", "--no-cache", "-j", "1", "--format", "json", str(path)])
    return res.exit_code, json.loads(res.stdout)["documents"][0]


CATERING = """# Catering Services Agreement

1. Brightface Catering Ltd shall deliver lunch to the Client's offices each working day.

2. The parties shall meet face-to-face once a quarter to review the menu.

3. The amount due is the amount stated on the face of each invoice.

4. The Client may terminate this Agreement for convenience on thirty days' notice.
"""


def test_incidental_face_words_and_company_names_are_out_of_scope(tmp_path: Path) -> None:
    code, doc = _check(tmp_path, CATERING)
    assert code == 0  # nothing to fix in a contract about lunch
    assert doc["applicable"]["safe-face-pledge"] is False
    assert {r["status"] for r in doc["results"]} == {"not_applicable"}
    assert doc["scope"]["safe-face-pledge"]["applicable"] is False


@pytest.mark.parametrize("text", [
    "Violators face disciplinary action. Employees faced with a conflict shall tell their manager.",
    "Customer shall comply with all privacy laws, including any biometric privacy law, when it processes payroll data.",
    "Sensitive data includes health, genetic or biometric data; Supplier shall encrypt sensitive data at rest.",
])
def test_verbs_law_names_and_data_categories_are_out_of_scope(tmp_path: Path, text: str) -> None:
    _, doc = _check(tmp_path, "# Services Agreement\n\n" + text + "\n")
    assert doc["applicable"]["safe-face-pledge"] is False, doc["scope"]


@pytest.mark.parametrize("text, why", [
    ('"Service" means the face verification API described in the Order Form.\n\nCustomer may use the Service in its '
     "own mobile applications.", "defined term"),
    ("Customer shall not use the facial recognition features of the Platform to identify protesters.", "prohibition"),
    ("# Face Match API Terms\n\nThese terms govern your use of our APIs.", "heading"),
])
def test_a_provision_definition_or_heading_about_faces_is_in_scope(tmp_path: Path, text: str, why: str) -> None:
    code, doc = _check(tmp_path, text + "\n")
    scope = doc["scope"]["safe-face-pledge"]
    assert doc["applicable"]["safe-face-pledge"] is True, scope
    assert why in scope["reason"]
    assert scope["evidence"]["text"]  # the deciding passage is shown
    assert code == 1  # in scope, and the pledge's clauses are missing


def _stem(path: str) -> str:
    return os.path.basename(path).rsplit(".", 1)[0]


@pytest.fixture(scope="module")
def linter() -> Linter:
    return Linter(options=Options(assume_applicable=False))


def test_every_sample_is_in_or_out_of_scope_as_labelled(linter: Linter) -> None:
    files = sorted(p for p in SAMPLES.iterdir() if p.is_file())
    assert {_stem(str(p)) for p in files} == set(LABELS["samples"])
    for path in files:
        got = linter.check(str(path)).applicable["safe-face-pledge"]
        assert got == (LABELS["samples"][_stem(str(path))] == "in"), path.name


@pytest.mark.skipif(CORPUS is None, reason="the development corpus (../shared/corpus) is not here")
def test_the_corpus_is_in_or_out_of_scope_as_labelled(linter: Linter) -> None:
    files = sorted(p for sub in ("docs", "bin") for p in (CORPUS / sub).iterdir()
                   if p.is_file() and not p.name.endswith(".json"))
    labels = LABELS["corpus"]
    assert {_stem(str(p)) for p in files} == set(labels)
    wrong = []
    for path in files:
        result = linter.check(str(path))
        if result.error is not None:
            continue  # a scan without OCR, say: nothing to judge
        got = result.applicable["safe-face-pledge"]
        if got != (labels[_stem(str(path))] == "in"):
            wrong.append(f"{path.name}: {result.scope['safe-face-pledge']['reason']}")
    assert not wrong, wrong
