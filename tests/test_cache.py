"""The result cache (clause_lint.cache): hits, invalidation, --no-cache, damaged entries."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from clause_lint.cache import CACHE_ENV, ResultCache
from clause_lint.cli import cli
from clause_lint.report import render
from clause_lint.results import DocumentResult
from clause_lint.rules.loader import BUNDLED_PACK_DIR
from clause_lint.runner import make_linter, run
from clause_lint.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SUBJECT = "The Service performs facial recognition and face verification on images."
WEAPONS = "Customer shall not use the Service for the design or production of nuclear, chemical or biological weapons or missiles."
COVERT = "Customer may use the Service to conduct covert surveillance of individuals."


class Counting:
    """A real linter that counts what it is asked to do."""

    def __init__(self, linter: Any) -> None:
        self.linter = linter
        self.checked: list[str] = []
        self.packs, self.rules = linter.packs, linter.rules

    def check(self, path: str, data: Any = None) -> DocumentResult:
        self.checked.append(os.path.basename(path))
        return self.linter.check(path, data)

    def report(self, results: list[DocumentResult]) -> Any:
        return self.linter.report(results)


@pytest.fixture(scope="module")
def real_linter() -> Any:
    return make_linter(Settings())


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text(f"# Terms\n\n{SUBJECT}\n\n1. {WEAPONS}\n", encoding="utf-8")
    (docs / "b.md").write_text(f"# Policy\n\n{SUBJECT}\n\n1. {COVERT}\n", encoding="utf-8")
    (docs / "c.txt").write_text("Catering agreement. The Caterer shall deliver lunch.\n", encoding="utf-8")
    return docs


class Runner:
    """runner.run with a cache folder, counting linter builds and document checks."""

    def __init__(self, linter: Any, cache_dir: Path) -> None:
        self.linter = linter
        self.cache_dir = cache_dir
        self.builds = 0
        self.checked: list[str] = []

    def __call__(self, paths: list[str], **changes: Any) -> Any:
        settings = Settings(cache_dir=str(self.cache_dir), jobs=1)
        for key, value in changes.items():
            setattr(settings, key, value)

        def factory(s: Settings) -> Any:
            self.builds += 1
            counting = Counting(self.linter)
            self.checked = counting.checked
            return counting

        self.checked = []
        return run(paths, settings, linter_factory=factory)


def as_json(report: Any) -> str:
    return render(report, "json")


def test_second_run_hits_the_cache(corpus: Path, tmp_path: Path, real_linter: Any) -> None:
    runner = Runner(real_linter, tmp_path / "cache")
    cold = runner([str(corpus)])
    assert runner.builds == 1 and sorted(runner.checked) == ["a.md", "b.md", "c.txt"]
    warm = runner([str(corpus)])
    # Every document came from the cache: no linter was even built.
    assert runner.builds == 1 and runner.checked == []
    assert as_json(warm) == as_json(cold)
    # Everything the reporters read survives the round trip, SARIF rule metadata too.
    assert render(warm, "sarif") == render(cold, "sarif")
    assert [r.id for r in warm.rules] == [r.id for r in cold.rules]
    cold_ev = [(e.block, e.start, e.end) for d in cold.documents for r in d.results for e in r.evidence]
    warm_ev = [(e.block, e.start, e.end) for d in warm.documents for r in d.results for e in r.evidence]
    assert warm_ev == cold_ev and any(b is not None for b, _, _ in warm_ev)
    # The folder keeps itself out of git.
    assert (tmp_path / "cache" / ".gitignore").read_text().strip().endswith("*")


def test_changed_content_is_checked_again(corpus: Path, tmp_path: Path, real_linter: Any) -> None:
    runner = Runner(real_linter, tmp_path / "cache")
    runner([str(corpus)])
    (corpus / "b.md").write_text(f"# Policy\n\n{SUBJECT}\n\n1. {WEAPONS}\n", encoding="utf-8")
    report = runner([str(corpus)])
    assert runner.builds == 2 and runner.checked == ["b.md"]
    b = next(d for d in report.documents if d.path.endswith("b.md"))
    assert {r.rule: r.status for r in b.results}["SFP102"] == "missing"  # the new text, not the old
    # A renamed copy of unchanged content is a hit, reported under its own path.
    shutil.copy(corpus / "a.md", corpus / "a-copy.md")
    report = runner([str(corpus)])
    assert runner.checked == []
    assert [d.path for d in report.documents][:2] == [str(corpus / "a-copy.md"), str(corpus / "a.md")]


def test_changed_pack_or_settings_invalidate(corpus: Path, tmp_path: Path, real_linter: Any) -> None:
    pack = tmp_path / "pack.yaml"
    shutil.copy(BUNDLED_PACK_DIR / "safe-face-pledge.yaml", pack)
    runner = Runner(real_linter, tmp_path / "cache")
    paths = [str(corpus / "a.md")]
    runner(paths, packs=[str(pack)])
    runner(paths, packs=[str(pack)])
    assert runner.builds == 1
    with open(pack, "a", encoding="utf-8") as fh:
        fh.write("\n# an edit to the pack\n")
    runner(paths, packs=[str(pack)])
    assert runner.builds == 2 and runner.checked == ["a.md"]
    for change in ({"assume_applicable": True}, {"select": {"SFP1"}}, {"ignore": {"SFP201"}},
                   {"severity": {"SFP101": {"weak": "error"}}}):
        before = runner.builds
        runner(paths, packs=[str(pack)], **change)
        assert runner.builds == before + 1, change
        runner(paths, packs=[str(pack)], **change)
        assert runner.builds == before + 1, change


def test_corrupt_entries_are_ignored(corpus: Path, tmp_path: Path, real_linter: Any) -> None:
    cache = tmp_path / "cache"
    runner = Runner(real_linter, cache)
    cold = runner([str(corpus)])
    entries = sorted(cache.glob("v*/results/*/*.json"))
    assert len(entries) == 3
    entries[0].write_bytes(b"{not json")
    # Valid JSON with the right key, but an edited body: the checksum catches it.
    header, body = entries[1].read_bytes().split(b"\n", 1)
    assert b'"warnings":[' in body
    entries[1].write_bytes(header + b"\n" + body.replace(b'"warnings":[', b'"warnings":["edited",'))
    # Cut short, as by a full disk (writes are atomic, but copies are not).
    entries[2].write_bytes(entries[2].read_bytes()[:-20])
    report = runner([str(corpus)])
    assert runner.builds == 2 and sorted(runner.checked) == ["a.md", "b.md", "c.txt"]
    assert as_json(report) == as_json(cold)
    # ... and rewritten whole.
    assert all(json.loads(e.read_bytes().split(b"\n", 1)[0])["key"] == e.stem for e in entries)
    # A damaged manifest only costs building the linter.
    for manifest in cache.glob("v*/runs/*.json"):
        manifest.write_text("[]", encoding="utf-8")
    report = runner([str(corpus)])
    assert runner.builds == 3 and runner.checked == []
    assert as_json(report) == as_json(cold)


def test_errors_are_not_cached(tmp_path: Path, real_linter: Any) -> None:
    empty = tmp_path / "empty.md"
    empty.write_text("", encoding="utf-8")
    runner = Runner(real_linter, tmp_path / "cache")
    for _ in range(2):
        report = runner([str(empty)])
        assert report.documents[0].error is not None
        assert runner.checked == ["empty.md"]


def test_unwritable_cache_does_not_fail_the_run(corpus: Path, tmp_path: Path, real_linter: Any) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    runner = Runner(real_linter, blocker / "cache")
    report = runner([str(corpus)])
    assert len(report.documents) == 3 and all(d.error is None for d in report.documents)


def test_cli_cache_folder_options(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(CACHE_ENV, raising=False)
    cli_runner = CliRunner()
    args = ["check", str(corpus / "a.md"), "--format", "json", "--jobs", "1", "--isolated"]
    first = cli_runner.invoke(cli, [*args, "--no-cache"])
    assert first.exit_code == 1, first.output
    assert not (tmp_path / ".clause-lint-cache").exists()
    default = cli_runner.invoke(cli, args)
    assert default.stdout == first.stdout
    assert list((tmp_path / ".clause-lint-cache").glob("v*/results/*/*.json"))
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "from-env"))
    cli_runner.invoke(cli, args)
    assert list((tmp_path / "from-env").glob("v*/results/*/*.json"))
    cli_runner.invoke(cli, [*args, "--cache-dir", str(tmp_path / "from-flag")])
    assert list((tmp_path / "from-flag").glob("v*/results/*/*.json"))


def test_full_hit_loads_neither_packs_nor_spacy(corpus: Path, tmp_path: Path) -> None:
    """What makes a pre-commit run over an unchanged repository fast."""
    cache = tmp_path / "cache"
    args = ["check", str(corpus), "--format", "sarif", "--cache-dir", str(cache), "--isolated"]
    script = (
        "import sys\n"
        "from clause_lint.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "print('LOADED' if 'spacy' in sys.modules else 'NOT-LOADED', code, file=sys.stderr)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cold = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    warm = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert cold.stderr.split()[-2:] == ["LOADED", "1"], cold.stderr
    assert warm.stderr.split()[-2:] == ["NOT-LOADED", "1"], warm.stderr
    assert warm.stdout == cold.stdout and '"SFP102"' in warm.stdout


def test_cache_key_depends_on_extension(tmp_path: Path) -> None:
    # The same bytes read as Markdown and as plain text may differ.
    md, txt = tmp_path / "x.md", tmp_path / "x.txt"
    md.write_text("# Title\n\nText.\n", encoding="utf-8")
    txt.write_text("# Title\n\nText.\n", encoding="utf-8")
    cache = ResultCache(str(tmp_path / "c"), Settings())
    assert cache.key_for(str(md)) != cache.key_for(str(txt))
    assert cache.key_for(str(tmp_path / "missing.md")) is None


def test_library_versions_in_the_key_are_the_installed_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tool's cache key reads library versions from dist-info folder names; they
    must be what importlib.metadata says, and a library that is not installed is
    "-" rather than an error."""
    from importlib import metadata

    from clause_lint.cache import _RELEVANT_DISTRIBUTIONS, _installed_versions

    found = _installed_versions(_RELEVANT_DISTRIBUTIONS + ("no-such-distribution-xyz",))
    for name in _RELEVANT_DISTRIBUTIONS:
        try:
            expected = metadata.version(name)
        except metadata.PackageNotFoundError:
            expected = "-"
        assert found[name] == expected, name
    assert found["no-such-distribution-xyz"] == "-"

    # The first dist-info on sys.path wins, as for imports.
    early = tmp_path / "early"
    (early / "Spacy_Lookups.Data-9.9.9.dist-info").mkdir(parents=True)
    monkeypatch.setattr(sys, "path", [str(early)] + sys.path)
    assert _installed_versions(("spacy-lookups-data",)) == {"spacy-lookups-data": "9.9.9"}
