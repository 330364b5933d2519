"""The pre-commit hook, run for real with `pre-commit try-repo`.

try-repo installs the hook repository into a fresh virtualenv (spaCy included), so
this takes a minute or two; it is marked ``slow`` (deselect with ``-m "not slow"``)
but runs by default. The hook repository is a git copy of the current working tree
(not of the last commit: try-repo only brings over changes to files git already
tracks), so the test checks the code as it stands.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PRE_COMMIT = shutil.which("pre-commit", path=os.path.dirname(sys.executable)) or shutil.which("pre-commit")

POLICY = """# Face Recognition Acceptable Use Policy

The Service performs facial recognition and face verification on images.

1. Customer shall not use the Service in any weapon system or to locate targets for the use of lethal force.
2. Customer may use the Service to conduct covert surveillance of individuals.
"""
HANDBOOK = """# Staff Handbook

Employees shall take annual leave in agreement with their manager.
"""


def test_hook_manifest() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    assert hook["id"] == "clause-lint"
    assert hook["entry"] == "clause-lint check --allow-empty"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
    import re

    files = re.compile(hook["files"])
    for name in ("a.docx", "b.PDF", "policies/c.md", "d.txt", "e.html", "f.htm"):
        assert files.search(name), name
    for name in ("setup.py", "data.json", "doc.md.bak"):
        assert not files.search(name), name


def _git(cwd: Path, *args: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


def _hook_repo(dest: Path) -> Path:
    """A git repository holding the working tree's package, packs and hook file."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".clause-lint-cache")
    for name in ("clause_lint", "rules"):
        shutil.copytree(ROOT / name, dest / name, ignore=ignore)
    for name in ("pyproject.toml", "hatch_build.py", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, dest / name)
    _git(dest, "init", "-q")
    _git(dest, "add", "-A")
    _git(dest, "commit", "-q", "-m", "hook repository")
    return dest


@pytest.mark.slow
@pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed")
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_try_repo_on_policy_repository(tmp_path: Path) -> None:
    hook_repo = _hook_repo(tmp_path / "hook")
    policies = tmp_path / "policies"
    (policies / "docs").mkdir(parents=True)
    (policies / "docs" / "face-policy.md").write_text(POLICY, encoding="utf-8")
    (policies / "docs" / "handbook.md").write_text(HANDBOOK, encoding="utf-8")
    (policies / "notes.json").write_text("{}", encoding="utf-8")
    _git(policies, "init", "-q")
    _git(policies, "add", "-A")
    _git(policies, "commit", "-q", "-m", "policies")

    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pc-home"), NO_COLOR="1", CLAUSE_LINT_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("VIRTUAL_ENV", None)
    cmd = [PRE_COMMIT, "try-repo", str(hook_repo), "clause-lint", "--all-files", "--verbose", "--color", "never"]
    done = subprocess.run(cmd, cwd=policies, capture_output=True, text=True, env=env, timeout=1500)
    out = done.stdout + done.stderr
    # The covert-surveillance permission is a finding at error level: the hook fails.
    assert done.returncode == 1, out
    assert "clause-lint" in out and "Failed" in out
    assert "docs/face-policy.md" in out and "SFP102" in out and "CONTRADICTED" in out
    assert "docs/handbook.md" in out  # checked too (not applicable to it)
    assert "notes.json" not in out  # not a document: the files pattern leaves it out

