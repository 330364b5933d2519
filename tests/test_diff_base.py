"""`clause-lint check --diff-base REF`: only regressions since a git revision.

A real git repository in a temporary folder; the slow test installs the pre-commit
hook with `args: [--diff-base, HEAD]` and makes real commits through it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from clause_lint.cli import cli
from tests import contract_versions as cv
from tests.test_precommit import PRE_COMMIT, _hook_repo

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

GIT_ENV = dict(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.com")
# An old document that was never complete: it lacks most clauses.
IMPERFECT = "# Face Matching Terms\n\nThe Service performs face recognition.\n\n1.1 Customer shall pay all fees.\n"


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env)
    return done.stdout


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "policies"
    (root / "docs").mkdir(parents=True)
    cv.write_md(root / "docs" / "policy.md", cv.BASE)
    cv.write_docx(root / "docs" / "contract.docx", cv.BASE)
    (root / "docs" / "old-terms.md").write_text(IMPERFECT, encoding="utf-8")
    cv.write_md(root / "docs" / "untouched.md", cv.BASE)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "policies")
    monkeypatch.chdir(root)
    monkeypatch.setenv("CLAUSE_LINT_CACHE_DIR", str(tmp_path / "cache"))
    return root


def check(*args: str):
    return CliRunner().invoke(cli, ["check", "--isolated", "-j", "1", *args])


def test_only_regressions_are_reported(repo):
    cv.write_md(repo / "docs" / "policy.md", cv.DELETED)
    (repo / "docs" / "old-terms.md").write_text(IMPERFECT + "\n1.2 Fees are due monthly.\n", encoding="utf-8")
    res = check("--diff-base", "HEAD", "--format", "json", "docs")
    assert res.exit_code == 1, res.output
    data = json.loads(res.stdout)
    found = {d["path"]: [(r["rule"], r["status"]) for r in d["results"]] for d in data["documents"]}
    # The touched old document keeps its missing clauses, but they are not new: not reported.
    assert found == {"docs/old-terms.md": [], "docs/policy.md": [("SFP101", "missing")]}
    (result,) = data["documents"][1]["results"]
    assert result["message"].endswith("(was present at HEAD: 1.1 removed)")
    assert ("--diff-base HEAD: 2 changed document(s) compared, 2 unchanged skipped, 0 new checked in full"
            in res.stderr)


def test_moved_clause_passes_and_fail_on_applies(repo):
    cv.write_docx(repo / "docs" / "contract.docx", cv.MOVED)
    assert check("--diff-base", "HEAD", "--fail-on", "info", "docs").exit_code == 0
    cv.write_docx(repo / "docs" / "contract.docx", cv.NARROWED)
    res = check("--diff-base", "HEAD", "docs/contract.docx")
    assert res.exit_code == 0, res.output  # weak is a warning
    assert "SFP101" in res.stdout and "was present at HEAD: 1.1 edited" in res.stdout
    assert check("--diff-base", "HEAD", "--fail-on", "warning", "docs/contract.docx").exit_code == 1


def test_base_is_any_revision(repo):
    cv.write_md(repo / "docs" / "policy.md", cv.NON_BINDING)
    git(repo, "commit", "-qam", "soften the weapons ban")
    assert check("--diff-base", "HEAD", "--fail-on", "warning", "docs").exit_code == 0  # nothing since HEAD
    res = check("--diff-base", "HEAD~1", "--fail-on", "warning", "--format", "sarif", "docs")
    assert res.exit_code == 1
    (result,) = json.loads(res.stdout)["runs"][0]["results"]
    assert result["ruleId"] == "SFP101" and result["properties"]["status"] == "weak"


def test_new_document_is_checked_in_full(repo):
    cv.write_md(repo / "docs" / "new-policy.md", cv.BASE)
    res = check("--diff-base", "HEAD", "--format", "json", "docs/new-policy.md")
    assert res.exit_code == 1  # SFP401 missing is an error, and nothing older excuses it
    (doc,) = json.loads(res.stdout)["documents"]
    assert len(doc["results"]) == 9
    assert "1 new checked in full" in res.stderr


def test_old_version_unreadable_is_checked_in_full_with_a_warning(repo):
    (repo / "docs" / "broken.docx").write_bytes(b"PK\x03\x04 broken")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "broken")
    cv.write_docx(repo / "docs" / "broken.docx", cv.BASE)
    res = check("--diff-base", "HEAD", "docs/broken.docx")
    assert res.exit_code == 1
    assert "docs/broken.docx: warning: its version at HEAD could not be read (not a valid .docx" in res.stderr


@pytest.mark.parametrize("args, message", [
    (["--diff-base", "no-such-branch", "docs"], "clause-lint: error: --diff-base: unknown git revision 'no-such-branch'"),
    (["--diff-base", "--all", "docs"], "clause-lint: error: --diff-base: '--all' is not a git revision"),
])
def test_bad_revision_is_one_line_exit_2(repo, args, message):
    res = check(*args)
    assert res.exit_code == 2 and res.stderr.strip() == message


def test_outside_a_repository_is_exit_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cv.write_md(tmp_path / "p.md", cv.BASE)
    res = check("--diff-base", "HEAD", "p.md")
    assert res.exit_code == 2
    assert res.stderr.strip() == "clause-lint: error: --diff-base needs a git repository: p.md is not in one"


def test_unreadable_new_version_costs_only_that_file(repo):
    cv.write_md(repo / "docs" / "policy.md", cv.DELETED)
    (repo / "docs" / "untouched.md").write_bytes(b"\x00\x01binary")
    res = check("--diff-base", "HEAD", "--format", "json", "docs")
    assert res.exit_code == 2
    assert "docs/untouched.md: error:" in res.stderr
    docs = {d["path"]: d for d in json.loads(res.stdout)["documents"]}
    assert [r["rule"] for r in docs["docs/policy.md"]["results"]] == ["SFP101"]


def test_write_baseline_cannot_be_combined(repo):
    res = check("--diff-base", "HEAD", "--write-baseline", "b.json", "docs")
    assert res.exit_code == 2 and "cannot be combined with --diff-base" in res.output


# --------------------------------------------------------------------------- pre-commit


def _commit(repo: Path, message: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "commit", "-qam", message], cwd=repo, capture_output=True, text=True,
                          env=env, timeout=1500)


@pytest.mark.slow
@pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed")
def test_pre_commit_hook_blocks_a_weakening_commit_only(tmp_path: Path) -> None:
    hook_repo = _hook_repo(tmp_path / "hook")
    rev = git(hook_repo, "rev-parse", "HEAD").strip()
    repo = tmp_path / "policies"
    (repo / "docs").mkdir(parents=True)
    cv.write_md(repo / "docs" / "policy.md", cv.BASE)
    (repo / "docs" / "old-terms.md").write_text(IMPERFECT, encoding="utf-8")
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {hook_repo}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: clause-lint\n"
        "        args: [--diff-base, HEAD]\n",
        encoding="utf-8",
    )
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path / "pc-home"), "NO_COLOR": "1"}
    env.pop("VIRTUAL_ENV", None)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "policies")  # before the hook is installed
    subprocess.run([PRE_COMMIT, "install"], cwd=repo, check=True, capture_output=True, env=env)

    # Touching an old, imperfect document: its missing clauses are not new.
    (repo / "docs" / "old-terms.md").write_text(IMPERFECT + "\n1.2 Fees are due monthly.\n", encoding="utf-8")
    done = _commit(repo, "fees", env)
    assert done.returncode == 0, done.stdout + done.stderr

    # Deleting the weapons ban: blocked, and the commit does not happen.
    cv.write_md(repo / "docs" / "policy.md", cv.DELETED)
    done = _commit(repo, "drop the weapons ban", env)
    out = " ".join((done.stdout + done.stderr).split())  # the text report wraps lines
    assert done.returncode != 0, out
    assert "MISSING SFP101 no-lethal-use" in out and "was present at HEAD: 1.1 removed" in out
    assert "1 changed document(s) compared" in out
    assert git(repo, "log", "--format=%s").splitlines()[0] == "fees"


def test_renamed_document_is_compared_with_its_old_name(repo):
    git(repo, "mv", "docs/policy.md", "docs/face-policy.md")
    cv.write_md(repo / "docs" / "face-policy.md", cv.DELETED)
    git(repo, "add", "-A")
    res = check("--diff-base", "HEAD", "--format", "json", "docs/face-policy.md")
    assert res.exit_code == 1, res.output
    (doc,) = json.loads(res.stdout)["documents"]
    assert [r["rule"] for r in doc["results"]] == ["SFP101"]  # only the regression, not every finding
    assert "1 changed document(s) compared" in res.stderr and "0 new" in res.stderr


def test_nothing_changed_loads_no_linter_and_waivers_for_old_findings_are_not_stale(repo, monkeypatch):
    # A waiver for a finding the old document already had: under --diff-base it
    # matches nothing, and that is not a reason to warn or fail.
    (repo / "clause-lint-waivers.yaml").write_text(
        "waivers:\n"
        "  - rule: SFP401\n"
        "    document: docs/old-terms.md\n"
        "    reason: accepted by legal in 2024\n"
        "    approved_by: legal@example.com\n", encoding="utf-8")
    import clause_lint.runner as runner

    def no_linter(*args, **kwargs):
        raise AssertionError("the linter was built although nothing changed")

    monkeypatch.setattr(runner, "make_linter", no_linter)
    res = CliRunner().invoke(cli, ["check", "-j", "1", "--strict-waivers", "--diff-base", "HEAD", "docs"])
    assert res.exit_code == 0, res.output
    assert "matched no finding" not in res.stderr
    assert "0 changed document(s) compared, 4 unchanged skipped" in res.stderr
    monkeypatch.undo()
    cv.write_md(repo / "docs" / "policy.md", cv.NARROWED)
    res = CliRunner().invoke(cli, ["check", "-j", "1", "--strict-waivers", "--diff-base", "HEAD", "docs"])
    assert res.exit_code == 0, res.output  # the narrowed ban is a warning; the waiver is not stale
    assert "matched no finding" not in res.stderr
