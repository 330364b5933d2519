"""Start-up: commands load only what they need; packs come from the pack cache.

Each command is run in a fresh Python process through a small wrapper that calls
``clause_lint.cli.main`` and then reports which heavy modules ended up in
``sys.modules`` -- the same process a user's ``clause-lint`` starts.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from clause_lint import cache as cache_mod
from clause_lint import _yamlparse, yamlsafe
from clause_lint.cli import cli
from clause_lint.errors import PackError
from clause_lint.rules import BUNDLED_PACK_DIR, load_pack, loader

from tests.pdf_factory import text_pdf
from tests.test_packs import HOUSE_PACK

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_contracts"
HEAVY = ("spacy", "thinc", "clause_lint.engine", "clause_lint.nlp")

WRAPPER = """
import sys
from clause_lint.cli import main
code = main(sys.argv[1:])
heavy = [m for m in {heavy!r} if m in sys.modules]
sys.stderr.write("\\nLOADED=" + ",".join(heavy) + "\\n")
sys.exit(code)
""".format(heavy=HEAVY)


def run_in_process(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str, list[str]]:
    """Run ``clause-lint ARGS`` in a new interpreter; (exit code, stdout, heavy modules loaded)."""
    done = subprocess.run([sys.executable, "-c", WRAPPER, *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}, timeout=300)
    marker = [line for line in done.stderr.splitlines() if line.startswith("LOADED=")]
    assert marker, done.stderr
    loaded = [m for m in marker[-1][len("LOADED="):].split(",") if m]
    return done.returncode, done.stdout, loaded


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("docs")
    (folder / "terms.md").write_text("# Terms\n\n1. Customer shall not use the Service in any weapon system.\n",
                                     encoding="utf-8")
    text_pdf(folder / "terms.pdf", [["SERVICE TERMS", "", "1. Customer shall not use the Service for",
                                     "mass surveillance of individuals."]])
    return folder


@pytest.mark.parametrize("args", [
    ["--version"],
    ["--help"],
    ["check", "--help"],
    ["extract", "terms.md"],
    ["extract", "--format", "json", "terms.pdf", "terms.md"],
    ["rules"],
    ["rules", "--format", "json"],
    ["explain", "SFP101"],
])
def test_commands_that_read_no_clause_never_load_spacy_or_the_engine(args: list[str], documents: Path,
                                                                       tmp_path: Path) -> None:
    code, out, loaded = run_in_process(args, documents, {"CLAUSE_LINT_CACHE_DIR": str(tmp_path / "cache")})
    assert code == 0, out
    assert out.strip()
    assert loaded == [], f"clause-lint {' '.join(args)} loaded {loaded}"


def test_the_wrapper_sees_spacy_when_a_command_needs_it(documents: Path, tmp_path: Path) -> None:
    # The control for the test above: check does load spaCy and the engine.
    code, out, loaded = run_in_process(["check", "--no-cache", "--isolated", "-j", "1", "terms.md"], documents)
    assert code in (0, 1), out
    assert {"spacy", "clause_lint.engine"} <= set(loaded)


def test_check_leaves_out_spacys_own_command_line(documents: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """spaCy's CLI (typer, weasel, requests …) is a fifth of its start-up and never
    used; the check is the same without it, and spaCy's ``info`` still works."""
    script = (
        "import sys\n"
        "from clause_lint.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "cli = sorted(m for m in ('weasel', 'typer', 'requests', 'spacy.cli') if m in sys.modules)\n"
        "import spacy\n"
        "about = spacy.info(silent=True)['spacy_version']\n"
        "from spacy.cli import download\n"
        "sys.stderr.write(f'\\nCLI={cli} INFO={about} DOWNLOAD={callable(download)}\\n')\n"
        "sys.exit(code)\n"
    )
    args = ["check", "--no-cache", "--isolated", "-j", "1", "--format", "json", "terms.md"]
    done = subprocess.run([sys.executable, "-c", script, *args], cwd=documents, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    import spacy

    assert f"CLI=[] INFO={spacy.__version__} DOWNLOAD=True" in done.stderr, done.stderr
    monkeypatch.chdir(documents)
    assert done.stdout == CliRunner().invoke(cli, args).output  # spaCy loaded whole in this process


def test_a_check_with_the_pack_cached_never_imports_pyyaml(documents: Path, tmp_path: Path) -> None:
    """The first check reads the pack's YAML and caches it; a check of a document not
    seen before (a result-cache miss) then loads the pack from the cache, no PyYAML."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CLAUSE_LINT_CACHE_DIR": str(tmp_path / "cache")}
    script = ("import sys\nfrom clause_lint.cli import main\ncode = main(sys.argv[1:])\n"
              "sys.stderr.write('\\nYAML=' + str('yaml' in sys.modules) + '\\n')\nsys.exit(code)\n")
    seen = []
    for n in range(2):
        (tmp_path / f"terms{n}.md").write_text(f"# Terms {n}\n\n1. Customer shall not use the Service in any weapon.\n",
                                              encoding="utf-8")
        done = subprocess.run([sys.executable, "-c", script, "check", "--isolated", "-j", "1", f"terms{n}.md"],
                              cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode in (0, 1), done.stderr
        seen.append(done.stderr.strip().splitlines()[-1])
    assert seen == ["YAML=True", "YAML=False"]


def test_extract_provisions_still_reads_with_spacy(documents: Path) -> None:
    code, out, loaded = run_in_process(["extract", "--provisions", "terms.md"], documents)
    assert code == 0 and "weapon" in out
    assert "spacy" in loaded


def test_rules_and_explain_use_a_stored_pack_and_write_nothing(documents: Path, tmp_path: Path) -> None:
    store = tmp_path / "cache"
    env = {"CLAUSE_LINT_CACHE_DIR": str(store)}
    code, listing, _ = run_in_process(["rules"], documents, env)
    assert code == 0 and "SFP101" in listing
    assert not store.exists()  # showing a pack never writes the cache
    code, _, _ = run_in_process(["check", "--isolated", "-j", "1", "terms.md"], documents, env)
    assert code in (0, 1)
    assert len(list((store / f"v{cache_mod.CACHE_FORMAT}" / "packs").glob("*.json"))) == 1
    code, again, loaded = run_in_process(["rules"], documents, env)
    assert code == 0 and again == listing and loaded == []


# --------------------------------------------------------------------------- the pack cache


def _pack_entries(store: Path) -> list[Path]:
    return sorted((store / f"v{cache_mod.CACHE_FORMAT}" / "packs").glob("*.json"))


@pytest.fixture
def house(tmp_path: Path) -> Path:
    path = tmp_path / "house.yaml"
    path.write_text(HOUSE_PACK, encoding="utf-8")
    return path


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, a pack parsed from YAML fails the test: it must come from the cache."""
    def refuse(*args: object, **kw: object) -> None:
        raise AssertionError("the pack was parsed again instead of coming from the cache")

    monkeypatch.setattr(loader, "_load_text", refuse)


def test_a_stored_pack_equals_a_freshly_loaded_one(house: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "cache"
    fresh = load_pack(house)
    first = load_pack(house, store)
    assert first == fresh and len(_pack_entries(store)) == 1
    _no_parsing(monkeypatch)
    assert load_pack(house, store) == fresh


def test_cache_hit_gives_byte_identical_json_on_the_samples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "cache"
    args = ["check", str(SAMPLES), "--format", "json", "--isolated", "--jobs", "1"]
    reference = CliRunner().invoke(cli, args + ["--no-cache"])
    assert reference.exit_code in (0, 1), reference.output
    filled = CliRunner().invoke(cli, args + ["--cache-dir", str(store)])
    assert filled.stdout == reference.stdout
    assert len(_pack_entries(store)) == 1
    # Drop the stored results so every document is checked again, with the stored pack.
    shutil.rmtree(store / f"v{cache_mod.CACHE_FORMAT}" / "results")
    shutil.rmtree(store / f"v{cache_mod.CACHE_FORMAT}" / "runs")
    _no_parsing(monkeypatch)
    cached = CliRunner().invoke(cli, args + ["--cache-dir", str(store)])
    assert cached.exit_code == reference.exit_code
    assert cached.stdout == reference.stdout


def test_no_cache_neither_reads_nor_writes_packs(house: Path, tmp_path: Path) -> None:
    doc = tmp_path / "x.md"
    doc.write_text("The service must not sell personal data.\n", encoding="utf-8")
    monkey_dir = tmp_path / "cwd"
    monkey_dir.mkdir()
    old = os.getcwd()
    try:
        os.chdir(monkey_dir)
        result = CliRunner().invoke(cli, ["check", str(doc), "--pack", str(house), "--no-cache", "--isolated", "-j", "1"])
    finally:
        os.chdir(old)
    assert result.exit_code in (0, 1), result.output
    assert list(monkey_dir.iterdir()) == []


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "garbage-with-valid-header"])
def test_a_damaged_entry_is_rebuilt_without_an_error(house: Path, tmp_path: Path, damage: str) -> None:
    store = tmp_path / "cache"
    fresh = load_pack(house, store)
    (entry,) = _pack_entries(store)
    data = entry.read_bytes()
    header, _, body = data.partition(b"\n")
    if damage == "truncate":
        entry.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        entry.write_bytes(header + b"\n" + body[:100] + bytes([body[100] ^ 0xFF]) + body[101:])
    elif damage == "empty":
        entry.write_bytes(b"")
    else:  # a checksum that matches bytes of another shape: a miss, never an error
        junk = b'{"name": "house-rules"}'
        meta = json.loads(header)
        meta["digest"] = cache_mod._sha256(junk)
        entry.write_bytes(json.dumps(meta).encode() + b"\n" + junk)
    assert load_pack(house, store) == fresh
    # ... and the entry was written again, whole.
    key = cache_mod.PackCache(store).key(house.read_text(encoding="utf-8"), str(house))
    assert cache_mod.PackCache(store).get(key) == fresh


def test_a_damaged_entry_costs_nothing_on_the_command_line(house: Path, tmp_path: Path) -> None:
    store = tmp_path / "cache"
    doc = tmp_path / "x.md"
    doc.write_text("We collect personal data. The provider must not sell personal data.\n", encoding="utf-8")
    args = ["check", str(doc), "--pack", str(house), "--isolated", "-j", "1", "--format", "json", "--cache-dir", str(store)]
    first = CliRunner().invoke(cli, args)
    for entry in _pack_entries(store):
        entry.write_bytes(entry.read_bytes()[:-40])
    shutil.rmtree(store / f"v{cache_mod.CACHE_FORMAT}" / "results")
    second = CliRunner().invoke(cli, args)
    assert (second.exit_code, second.stdout, second.stderr) == (first.exit_code, first.stdout, first.stderr)


def test_an_entry_is_plain_json_never_code(house: Path, tmp_path: Path) -> None:
    # The cache folder may come with a repository: an entry must be data only.
    store = tmp_path / "cache"
    load_pack(house, store)
    (entry,) = _pack_entries(store)
    header, _, body = entry.read_bytes().partition(b"\n")
    assert json.loads(header)["digest"] == cache_mod._sha256(body)
    assert json.loads(body)["rules"][0]["id"] == "HR101"


def test_an_edited_pack_is_a_new_entry(house: Path, tmp_path: Path) -> None:
    store = tmp_path / "cache"
    assert load_pack(house, store).rules[0].title == "No sale of personal data"
    house.write_text(HOUSE_PACK.replace("title: No sale of personal data", "title: Never sell personal data"),
                     encoding="utf-8")
    assert load_pack(house, store).rules[0].title == "Never sell personal data"
    assert len(_pack_entries(store)) == 2


def test_the_key_follows_the_loader_sources_and_libraries(house: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    text = house.read_text(encoding="utf-8")
    store = cache_mod.PackCache(tmp_path)
    before = store.key(text, str(house))
    assert store.key(text, str(house)) == before
    assert store.key(text, "elsewhere/house.yaml") != before  # the name shown is inside the pack
    monkeypatch.setattr(cache_mod, "pack_loader_fingerprint", lambda: "a developer edited loader.py")
    assert store.key(text, str(house)) != before
    # The fingerprint covers the loader's own sources.
    assert "rules/loader.py" in cache_mod._PACK_SHAPING_SOURCES
    for name in cache_mod._PACK_SHAPING_SOURCES:
        assert (Path(cache_mod.__file__).parent / name).is_file(), name


def test_a_pack_with_an_error_reports_its_file_and_line_with_the_cache_on(house: Path, tmp_path: Path) -> None:
    store = tmp_path / "cache"
    load_pack(house, store)  # the good version is stored...
    house.write_text(HOUSE_PACK.replace("    title: No sale", "    titel: oops\n    title: No sale"), encoding="utf-8")
    with pytest.raises(PackError) as info:  # ...and never stands in for the broken one
        load_pack(house, store)
    assert str(info.value).startswith(f"{house}:22:5:") and "unknown key 'titel'" in str(info.value)
    assert len(_pack_entries(store)) == 1  # a broken pack is not stored
    house.write_text(HOUSE_PACK.replace("{LOWER: data}", "{LOWERCASE: data}"), encoding="utf-8")
    doc = tmp_path / "x.md"
    doc.write_text("text\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(doc), "--pack", str(house), "--isolated", "--cache-dir", str(store)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"clause-lint: error: {house}:") and "invalid token pattern" in result.stderr


def test_rules_shows_a_pack_whose_patterns_it_cannot_check(house: Path, tmp_path: Path) -> None:
    # `rules` does not load spaCy, so it cannot run spaCy's pattern validation; `check`
    # reports the pattern (test above). Everything else is still validated.
    house.write_text(HOUSE_PACK.replace("{LOWER: data}", "{LOWERCASE: data}"), encoding="utf-8")
    shown = CliRunner().invoke(cli, ["rules", "--pack", str(house)])
    assert shown.exit_code == 0 and "HR101" in shown.stdout
    house.write_text(HOUSE_PACK.replace("status: contradicted", "status: maybe"), encoding="utf-8")
    refused = CliRunner().invoke(cli, ["rules", "--pack", str(house)])
    assert refused.exit_code == 2 and f"{house}:" in refused.stderr


def test_concurrent_writers_leave_one_whole_entry(house: Path, tmp_path: Path) -> None:
    store = tmp_path / "cache"
    code = ("import sys; from clause_lint.rules import load_pack; "
            "[load_pack(sys.argv[1], sys.argv[2]) for _ in range(3)]")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # Each process misses (no entry yet), validates and writes the same entry.
    procs = [subprocess.Popen([sys.executable, "-c", code, str(house), str(store)], env=env) for _ in range(4)]
    assert [p.wait(timeout=300) for p in procs] == [0, 0, 0, 0]
    (entry,) = _pack_entries(store)
    assert not [p for p in entry.parent.iterdir() if p.name.startswith(".tmp-")]
    key = cache_mod.PackCache(store).key(house.read_text(encoding="utf-8"), str(house))
    assert cache_mod.PackCache(store).get(key) == load_pack(house)


# --------------------------------------------------------------------------- prebuilt bundled packs


@pytest.fixture
def bundled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A bundled-pack folder holding the house pack and its prebuilt form, as a wheel
    built by hatch_build.py holds the bundled packs."""
    folder = tmp_path / "_packs"
    folder.mkdir()
    pack = folder / "house.yaml"
    pack.write_text(HOUSE_PACK, encoding="utf-8")
    monkeypatch.setattr(loader, "BUNDLED_PACK_DIR", folder)
    loader.prebuild(pack, folder / f"house{cache_mod.PREBUILT_SUFFIX}")
    return pack


def test_a_prebuilt_pack_is_used_and_equals_the_yaml(bundled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = load_pack(bundled, check_patterns=True)
    assert fresh.path == "rules/house.yaml" and fresh.rules[0].source.startswith("rules/house.yaml:")
    _no_parsing(monkeypatch)
    assert load_pack(bundled) == fresh  # no cache folder either: the prebuilt form is part of the package
    assert loader.load_packs(["house"]) == [fresh]


@pytest.mark.parametrize("change", ["edited pack", "damaged", "another loader", "not bundled"])
def test_a_prebuilt_pack_that_does_not_match_is_never_used(bundled: Path, tmp_path: Path, change: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    prebuilt = bundled.with_name(f"house{cache_mod.PREBUILT_SUFFIX}")
    title = "No sale of personal data"
    if change == "edited pack":  # someone edited the installed YAML: what it says now holds
        title = "Never sell personal data"
        bundled.write_text(HOUSE_PACK.replace("title: No sale of personal data", f"title: {title}"), encoding="utf-8")
    elif change == "damaged":
        prebuilt.write_bytes(prebuilt.read_bytes()[:-40])
    elif change == "another loader":  # a clause-lint whose loader builds packs differently
        monkeypatch.setattr(cache_mod, "pack_source_fingerprint", lambda: "a developer edited loader.py")
    else:  # a user's pack with a matching file beside it: only clause-lint's own are trusted
        monkeypatch.setattr(loader, "BUNDLED_PACK_DIR", tmp_path / "elsewhere")
        cache_mod.write_prebuilt(prebuilt, load_pack(bundled), HOUSE_PACK, str(bundled))
    parsed: list[str] = []
    real = loader._load_text
    monkeypatch.setattr(loader, "_load_text", lambda text, display, *a: parsed.append(display) or real(text, display, *a))
    pack = load_pack(bundled)
    assert parsed == [pack.path] and pack.rules[0].title == title


def test_the_bundled_packs_prebuild_to_what_their_yaml_loads(tmp_path: Path) -> None:
    # What the wheel build hook runs, on the packs clause-lint ships (their token patterns
    # are checked against spaCy's Matcher by the fresh load: the build cannot do that).
    for pack in sorted(BUNDLED_PACK_DIR.glob("*.yaml")):
        out = tmp_path / f"{pack.stem}{cache_mod.PREBUILT_SUFFIX}"
        loader.prebuild(pack, out)
        text = pack.read_text(encoding="utf-8")
        assert cache_mod.read_prebuilt(out, text, f"rules/{pack.name}") == load_pack(pack, check_patterns=True)


@pytest.mark.slow
def test_the_wheel_carries_each_bundled_pack_prebuilt(tmp_path: Path) -> None:
    # Built as `pip install .` builds it (an isolated build with hatch_build.py's needs).
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = tmp_path.glob("clause_lint-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        for pack in sorted(BUNDLED_PACK_DIR.glob("*.yaml")):
            inside = f"clause_lint/_packs/{pack.stem}{cache_mod.PREBUILT_SUFFIX}"
            assert inside in names and f"clause_lint/_packs/{pack.name}" in names
            out = tmp_path / pack.name
            out.write_bytes(zf.read(inside))
            text = zf.read(f"clause_lint/_packs/{pack.name}").decode("utf-8")
            assert cache_mod.read_prebuilt(out, text, f"rules/{pack.name}") == load_pack(pack)


# --------------------------------------------------------------------------- YAML and matchers


def test_the_fast_yaml_path_keeps_every_position() -> None:
    text = (BUNDLED_PACK_DIR / "safe-face-pledge.yaml").read_text(encoding="utf-8")
    if _yamlparse._FastLoader is None:
        pytest.skip("PyYAML was built without libyaml")
    fast, reference = _yamlparse._load_fast(text), _yamlparse._load_reference(text)

    def same(a: object, b: object) -> None:
        assert type(a) is type(b) and getattr(a, "pos", None) == getattr(b, "pos", None)
        if isinstance(a, dict):
            assert a.key_pos == b.key_pos and list(a) == list(b)  # type: ignore[attr-defined]
            for k in a:
                same(a[k], b[k])  # type: ignore[index]
        elif isinstance(a, list):
            assert a.item_pos == b.item_pos and len(a) == len(b)  # type: ignore[attr-defined,arg-type]
            for x, y in zip(a, b):  # type: ignore[call-overload]
                same(x, y)
        else:
            assert a == b

    same(fast, reference)


@pytest.mark.parametrize("text", [
    "a: &x [1]\nb: *x\n",          # anchor and alias
    "- &a foo\n- *a\n",             # in a block sequence
    "x: [&a 1, *a]\n",              # in a flow sequence
    "k: {a: &b c, d: *b}\n",        # in a flow mapping
    "a: &only 1\n",                 # an anchor no alias uses
    "a: Privacy & Technology, R&D\n",  # an ampersand in words is no anchor
    "a: 1\nb: [2\n",               # broken YAML
    "a: 1\na: 2\n",                # duplicate key
    "a: !!python/name:os.system\n",  # a tag
    "terms: [on, no, yes]\n",      # YAML 1.1 booleans stay words
])
def test_the_fast_yaml_path_says_what_the_reference_loader_says(text: str) -> None:
    def outcome(fn):  # type: ignore[no-untyped-def]
        try:
            return ("ok", yamlsafe.plain(fn(text)))
        except yamlsafe.YamlError as exc:
            return ("error", exc.message, exc.line, exc.col)

    assert outcome(yamlsafe.load) == outcome(_yamlparse._load_reference)


def test_the_anchor_scan_is_skipped_only_where_no_anchor_can_be() -> None:
    may = _yamlparse._MAYBE_ANCHOR.search
    for text in ["a: &x 1", "- &a foo", "x: [&a 1]", "k: {a: &b c}", "x: [1,&a 2]", "  &a\n  b: 1", "k: 'q &r'"]:
        assert may(text), text  # (a quoted "&r" is scanned needlessly: safe)
    for text in ["a: R&D", "title: Privacy & Technology", "a: x&&y", "b: '&'"]:
        assert not may(text), text
    # the bundled pack holds no anchor: it loads without the token scan
    assert not may((ROOT / "rules" / "safe-face-pledge.yaml").read_text(encoding="utf-8"))


def test_token_pattern_matchers_are_built_on_first_use() -> None:
    from clause_lint.matching import AnchoredMatcher
    from clause_lint.nlp import get_nlp, make_doc

    matcher = AnchoredMatcher(get_nlp().vocab)
    matcher.add("weapons", [[{"LEMMA": "weapon"}, {"LOWER": {"REGEX": "^sys"}}]])
    matcher.add("surveillance", [[{"LOWER": "mass"}, {"LOWER": {"REGEX": "^surveil"}}]])
    assert matcher._matchers == [None, None]  # nothing compiled yet
    doc = make_doc("Customer shall not use the Service in weapons systems.")
    assert [(k, doc[s:e].text) for k, s, e in matcher(doc)] == [("weapons", "weapons systems")]
    assert matcher._matchers[0] is not None and matcher._matchers[1] is None


@pytest.mark.parametrize("edit", [
    lambda t: t,
    lambda t: t.replace("    title: No sale", "    titel: oops\n    title: No sale"),
    lambda t: t.replace("status: contradicted", "status: maybe"),
    lambda t: t.replace("name: house-rules", "name: House Rules"),
    lambda t: t.replace('version: "2.1.0"', "version: 2"),
    lambda t: t.replace("pack_format: 1", "pack_format: 2"),
])
def test_the_fast_schema_check_agrees_with_jsonschema(edit) -> None:  # type: ignore[no-untyped-def]
    import jsonschema

    fast = loader._fast_validator()
    if fast is None:
        pytest.skip("jsonschema-rs is not installed")
    data = yamlsafe.load(edit(HOUSE_PACK))
    reference = not list(jsonschema.Draft202012Validator(loader._schema()).iter_errors(data))
    assert fast.is_valid(data) == reference


COLLECTOR = """
import gc, sys
{run}
print(gc.get_threshold()[0], gc.get_freeze_count())
"""


def _collector_after(run: str, cwd: Path) -> tuple[int, int]:
    done = subprocess.run([sys.executable, "-c", COLLECTOR.format(run=run)], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert done.returncode == 0, done.stderr
    threshold, frozen = done.stdout.split()[-2:]
    return int(threshold), int(frozen)


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_a_check_freezes_its_long_lived_objects_out_of_the_collector(documents: Path, fmt: str) -> None:
    from clause_lint.factory import YOUNG_GENERATION

    run = (f"from clause_lint.cli import main\n"
           f"code = main(['check', '--no-cache', '-j', '1', '--assume-applicable', '--format', '{fmt}', 'terms.md'])\n"
           f"assert code == 1, code")
    threshold, frozen = _collector_after(run, documents)
    assert threshold == YOUNG_GENERATION
    assert frozen > 10_000  # spaCy's vocabulary, the lemma table, the pack's matchers


def test_a_fully_cached_check_and_a_library_leave_the_collector_alone(documents: Path, tmp_path: Path) -> None:
    # a library user's process keeps Python's settings
    run = ("from clause_lint.api import Linter, Options, load_document\n"
           "Linter(options=Options()).check_document(load_document('terms.md'))")
    assert _collector_after(run, documents) == (700, 0)
    # nothing to check: no linter is built, and nothing is tuned for it
    cache = tmp_path / "cache"
    warm = f"from clause_lint.cli import main\nmain(['check', '--cache-dir', {str(cache)!r}, 'terms.md'])"
    _collector_after(warm, documents)
    assert _collector_after(warm, documents) == (700, 0)
