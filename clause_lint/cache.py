"""A result cache, so that re-checking unchanged documents costs a file hash.

An entry is one :class:`~clause_lint.results.DocumentResult` as JSON, keyed by
everything that can change it:

* the document's bytes (SHA-256) and its file extension (which picks the reader);
* the packs: the bytes of every pack file ``--pack`` resolves to, in order (their
  names and versions are inside);
* clause-lint itself: its version, a hash of its own source files (so a development
  checkout never serves results of older code) and the versions of the libraries
  that read documents or tokenise text;
* the settings that change results: ``assume_applicable``, ``select``/``ignore``,
  severity overrides and the resource limits.

Beside the entries, a *manifest* per run key stores the pack titles and the selected
rules, which the reporters need. With every document found in the cache and the
manifest present, a run builds neither the packs nor the spaCy pipeline: that is
what makes a pre-commit hook over an unchanged repository return at once.

Entries live in ``.clause-lint-cache/`` in the current folder, or in
``$CLAUSE_LINT_CACHE_DIR``, or where ``--cache-dir`` says. The folder holds a
``.gitignore`` of ``*`` so it is never committed. Writes are atomic (temporary file
then :func:`os.replace`), so parallel runs never see half an entry; an entry that
cannot be read or parsed, or whose checksum does not match, is a miss. Errors (unreadable files) are never cached.
Nothing here ever fails a run: a cache that cannot be written is simply not used.

The same folder holds loaded packs (:class:`PackCache`, ``v1/packs/``), so a run that
must check some document skips parsing and validating the pack YAML.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from . import __version__
from .results import DocumentResult, PackInfo, Report

if TYPE_CHECKING:  # pragma: no cover
    from .settings import Settings

CACHE_ENV = "CLAUSE_LINT_CACHE_DIR"
DEFAULT_CACHE_DIR = ".clause-lint-cache"
#: Bumped whenever the layout or the JSON shape of entries changes.
CACHE_FORMAT = 1

# Libraries whose version can change what a document reads as or how it is judged.
_RELEVANT_DISTRIBUTIONS = (
    "spacy", "spacy-lookups-data", "lxml", "pdfplumber", "pypdfium2", "pdfminer.six",
    "beautifulsoup4", "markdown-it-py", "charset-normalizer", "PyYAML",
)


def default_cache_dir() -> str:
    """``$CLAUSE_LINT_CACHE_DIR`` when set, else ``.clause-lint-cache`` here."""
    return os.environ.get(CACHE_ENV) or DEFAULT_CACHE_DIR


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _normalise(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def _installed_versions(names: tuple[str, ...]) -> dict[str, str]:
    """The installed version of each distribution in ``names`` ("-" when absent).

    Read from the ``NAME-VERSION.dist-info`` folder names on ``sys.path``, first one
    found winning as for imports: ``importlib.metadata`` answers the same but costs
    about 25 ms of every start-up (it builds a finder over every path entry). A
    distribution not found that way (an egg, a zip) is asked of ``importlib.metadata``.
    """
    wanted = {_normalise(n): n for n in names}
    found: dict[str, str] = {}
    for entry in sys.path:
        if len(found) == len(wanted):
            break
        try:
            items = os.scandir(entry or ".")
        except OSError:
            continue
        with items:
            for item in items:
                stem, dot, ext = item.name.rpartition(".")
                if ext != "dist-info" or not dot:
                    continue
                dist, _, version = stem.partition("-")
                key = _normalise(dist)
                if key in wanted and wanted[key] not in found:
                    found[wanted[key]] = version
    missing = [n for n in names if n not in found]
    if missing:
        from importlib import metadata

        for name in missing:
            try:
                found[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                found[name] = "-"
    return found


@lru_cache(maxsize=1)
def tool_fingerprint() -> str:
    """clause-lint's version, its source files and the versions of its readers' libraries."""
    h = hashlib.sha256(f"clause-lint {__version__}\0".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        # The bundled packs are copied into the package only when it is installed
        # (_packs/); packs are keyed by their own bytes, so they stay out of the
        # tool's identity, which must be the same for a source tree and its install
        # (a Dask worker runs the installed copy of the client's source tree).
        if path.suffix in (".py", ".json", ".yaml") and "__pycache__" not in path.parts and "_packs" not in path.relative_to(package).parts and path.is_file():
            h.update(path.relative_to(package).as_posix().encode() + b"\0")
            h.update(_sha256(path.read_bytes()).encode())
    versions = _installed_versions(_RELEVANT_DISTRIBUTIONS)
    for dist in _RELEVANT_DISTRIBUTIONS:
        h.update(f"{dist}={versions[dist]}\0".encode())
    return h.hexdigest()


def packs_fingerprint(specs: list[str]) -> str:
    """Hash of the bytes of every pack file ``specs`` resolve to, in order.

    Raises :class:`~clause_lint.errors.PackError` for a spec that names nothing, as
    loading the packs would.
    """
    from .rules.loader import resolve_pack

    h = hashlib.sha256()
    for spec in specs:
        for path in resolve_pack(spec):
            try:
                data = path.read_bytes()
            except OSError:
                data = b"\0unreadable\0" + str(path).encode()  # loading will report it
            h.update(_sha256(data).encode() + b"\0")
    return h.hexdigest()


def settings_material(settings: "Settings") -> dict[str, Any]:
    """The settings that change a document's results (not output or fail level)."""
    return {
        "packs": list(settings.packs),
        "assume_applicable": bool(settings.assume_applicable),
        "select": sorted(settings.select) if settings.select is not None else None,
        "ignore": sorted(settings.ignore),
        "severity": {k: dict(sorted(v.items())) for k, v in sorted(settings.severity.items())},
        "limits": dataclasses.asdict(settings.limits),
    }


class ResultCache:
    """Document results on disk, for one combination of tool, packs and settings."""

    def __init__(self, directory: str, settings: "Settings") -> None:
        self.directory = Path(directory)
        self.limits = settings.limits
        material = {
            "format": CACHE_FORMAT,
            "tool": tool_fingerprint(),
            "packs": packs_fingerprint(list(settings.packs)),
            "settings": settings_material(settings),
        }
        self.run_key = _sha256(json.dumps(material, sort_keys=True).encode())
        self.hits = 0
        self.misses = 0
        self._keys: dict[str, str] = {}
        self._prepared = False

    # ---- keys and paths

    def key_for(self, path: str) -> Optional[str]:
        """The entry key for the file at ``path``, or None if it cannot be read here."""
        if path in self._keys:
            return self._keys[path]
        try:
            if os.path.getsize(path) > self.limits.max_file_bytes:
                return None  # the reader reports the limit; not worth hashing
            with open(path, "rb") as fh:
                digest = hashlib.file_digest(fh, "sha256").hexdigest() if hasattr(hashlib, "file_digest") else _sha256(fh.read())
        except OSError:
            return None
        ext = os.path.splitext(path)[1].lower()
        material = f"{self.run_key}\0{ext}\0{digest}"
        if ext == ".pdf":
            # A scan reads differently once Tesseract is installed (or upgraded); asked
            # only for PDFs, so runs without any cost nothing.
            from .extract.ocr import engine_id

            material += f"\0{engine_id(getattr(self.limits, 'ocr', 'auto'))}"
        key = _sha256(material.encode())
        self._keys[path] = key
        return key

    def _entry_path(self, key: str) -> Path:
        return self.directory / f"v{CACHE_FORMAT}" / "results" / key[:2] / f"{key}.json"

    def _manifest_path(self) -> Path:
        return self.directory / f"v{CACHE_FORMAT}" / "runs" / f"{self.run_key}.json"

    # ---- documents

    def get(self, path: str) -> Optional[DocumentResult]:
        """The cached result for ``path`` (with ``path`` set), or None."""
        key = self.key_for(path)
        data = self._read_entry(key) if key else None
        result = None
        if data is not None:
            try:
                result = DocumentResult.from_dict(data)
            except (KeyError, TypeError, ValueError, AttributeError):
                result = None  # a foreign entry is a miss
        if result is None:
            self.misses += 1
            return None
        result.path = path
        self.hits += 1
        return result

    def has(self, path: str) -> bool:
        """Whether an entry for ``path`` exists (a file hash; the entry is not read, so
        :meth:`get` may still miss if it turns out damaged)."""
        key = self.key_for(path)
        if key is not None and self._entry_path(key).is_file():
            return True
        self.misses += 1
        return False

    def put(self, path: str, result: DocumentResult) -> None:
        if result.error is not None:
            return  # errors are cheap to reproduce and may be transient
        key = self.key_for(path)
        if key is None:
            return
        payload = result.to_dict()
        payload["pages"] = result.pages
        payload["numbering_resolved"] = result.numbering_resolved
        for r_in, r_out in zip(result.results, payload["results"]):
            for ev, ev_out in zip(r_in.evidence, r_out["evidence"]):
                ev_out["block"] = ev.block
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self._write_bytes(self._entry_path(key), _checked_entry(key, body))

    # ---- the run manifest: what the reporters need besides documents

    def load_report(self, documents: list[DocumentResult]) -> Optional[Report]:
        """A report of ``documents`` from the stored manifest, or None if there is none."""
        data = self._read(self._manifest_path())
        if data is None or data.get("key") != self.run_key:
            return None
        try:
            from .rules.model import Criterion, Rule

            rules = []
            for raw in data["rules"]:
                rule = _restore(Rule, raw)
                rule.criteria = [_restore(Criterion, c) for c in raw.get("criteria", [])]
                rules.append(rule)
            packs = [PackInfo(p["name"], p["version"], p.get("title", ""), p.get("scope", "")) for p in data["packs"]]
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        return Report(tool_version=__version__, packs=packs, documents=documents, rules=rules)

    def save_report_manifest(self, report: Report) -> None:
        try:
            rules = [dataclasses.asdict(r) for r in report.rules]
        except TypeError:
            return  # rules that are not dataclasses cannot be stored; runs will rebuild
        self._write(
            self._manifest_path(),
            {
                "key": self.run_key,
                "packs": [{"name": p.name, "version": p.version, "title": p.title, "scope": p.scope} for p in report.packs],
                "rules": rules,
            },
        )

    # ---- files

    def _read_entry(self, key: str) -> Optional[dict[str, Any]]:
        """An entry is a header line (key and SHA-256 of the rest) and the result's JSON:
        the checksum is verified on the bytes, without serialising anything again."""
        body = _read_checked(self._entry_path(key), key)
        if body is None:
            return None
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None
        return data if isinstance(data, dict) else None

    def _read(self, path: Path) -> Optional[dict[str, Any]]:
        try:
            with open(path, "rb") as fh:
                data = json.loads(fh.read())
        except (OSError, ValueError, UnicodeDecodeError, RecursionError):
            return None
        return data if isinstance(data, dict) else None

    def _prepare(self) -> bool:
        if not self._prepared:
            self._prepared = _prepare_dir(self.directory)
        return self._prepared

    def _write(self, path: Path, data: dict[str, Any]) -> None:
        self._write_bytes(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))

    def _write_bytes(self, path: Path, data: bytes) -> None:
        if self._prepare():
            _write_atomic(path, data)


def _prepare_dir(directory: Path) -> bool:
    """Create the cache folder with a .gitignore and CACHEDIR.TAG; False if it cannot be."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        ignore = directory / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by clause-lint: this folder is a cache.\n*\n", encoding="utf-8")
        tag = directory / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text(
                "Signature: 8a477f597d28d172789f06886806bc55\n"
                "# This file is a cache directory tag created by clause-lint.\n",
                encoding="utf-8",
            )
    except OSError:
        return False
    return True


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place:
    readers (and concurrent writers) see the old entry or the new one, never half."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        pass  # a read-only or full disk: run without caching
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _checked_entry(key: str, body: bytes) -> bytes:
    """An entry file: a header line naming its key and the SHA-256 of the body, then the body."""
    return json.dumps({"key": key, "digest": _sha256(body)}).encode("ascii") + b"\n" + body


def _read_checked(path: Path, key: str) -> Optional[bytes]:
    """The body of the entry at ``path`` when its header names ``key`` and its checksum
    matches; None for a missing, truncated, damaged or foreign entry."""
    try:
        with open(path, "rb") as fh:
            header, sep, body = fh.read().partition(b"\n")
        meta = json.loads(header)
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not sep or not isinstance(meta, dict) or meta.get("key") != key or meta.get("digest") != _sha256(body):
        return None
    return body


def _restore(cls: Any, raw: dict[str, Any]) -> Any:
    """Rebuild a dataclass from ``asdict`` output: unknown keys dropped, tuples back."""
    values = {}
    for f in dataclasses.fields(cls):
        if f.name in raw:
            v = raw[f.name]
            values[f.name] = tuple(v) if isinstance(f.default, tuple) and isinstance(v, list) else v
    return cls(**values)


def open_cache(settings: "Settings") -> Optional[ResultCache]:
    """The cache the settings ask for (``settings.cache_dir``), or None."""
    directory = getattr(settings, "cache_dir", None)
    if not directory:
        return None
    return ResultCache(directory, settings)


# --------------------------------------------------------------------------- compiled packs

#: The clause-lint sources that decide what a pack loads as (parsing, validation and
#: the :class:`~clause_lint.rules.model.Pack` built): a change to any of them makes
#: every stored pack a miss, so a developer's edit never meets a stale entry.
_PACK_SHAPING_SOURCES = (
    "rules/loader.py", "rules/model.py", "rules/pack.schema.json", "yamlsafe.py", "results.py", "errors.py",
)


@lru_cache(maxsize=1)
def pack_source_fingerprint() -> str:
    """clause-lint's version and the sources in ``_PACK_SHAPING_SOURCES``: what a
    pack's loaded form depends on in clause-lint itself."""
    h = hashlib.sha256(f"clause-lint {__version__}\0".encode())
    package = Path(__file__).resolve().parent
    for name in _PACK_SHAPING_SOURCES:
        try:
            data = (package / name).read_bytes()
        except OSError:
            data = b"\0missing\0"
        h.update(name.encode() + b"\0" + _sha256(data).encode())
    return h.hexdigest()


@lru_cache(maxsize=1)
def pack_loader_fingerprint() -> str:
    """:func:`pack_source_fingerprint`, the versions of spaCy (whose pattern validation a
    stored pack passed) and PyYAML, and Python's."""
    h = hashlib.sha256(f"{pack_source_fingerprint()}\0python {sys.version}\0".encode())
    versions = _installed_versions(("spacy", "PyYAML"))
    for dist in ("spacy", "PyYAML"):
        h.update(f"\0{dist}={versions[dist]}".encode())
    return h.hexdigest()


class PackCache:
    """Loaded-and-validated packs on disk, so a run skips parsing the YAML, the JSON
    Schema and the pattern checks of a pack it has seen.

    An entry is keyed by the pack file's text, the name it is shown under (it is in
    every error and rule location) and :func:`pack_loader_fingerprint`; it holds the
    :class:`~clause_lint.rules.model.Pack` as JSON (plain dataclasses, dicts and
    strings; the engine compiles its matchers from it in each process). JSON, not
    pickle: the folder is often inside a repository someone else wrote, and a
    checksum proves nothing about who wrote an entry, so nothing read from it may run
    code. Entries carry a SHA-256 checksum: a damaged or truncated one is a miss and
    is written again.
    """

    def __init__(self, directory: str | os.PathLike[str], write: bool = True) -> None:
        self.directory = Path(directory)
        self.write = write

    def key(self, text: str, display: str) -> str:
        material = f"{CACHE_FORMAT}\0pack\0{pack_loader_fingerprint()}\0{display}\0{_sha256(text.encode('utf-8'))}"
        return _sha256(material.encode("utf-8"))

    def _path(self, key: str) -> Path:
        return self.directory / f"v{CACHE_FORMAT}" / "packs" / f"{key}.json"

    def get(self, key: str) -> Any:
        """The stored :class:`~clause_lint.rules.model.Pack` for ``key``, or None."""
        return _pack_from_body(_read_checked(self._path(key), key))

    def put(self, key: str, pack: Any) -> None:
        if not self.write:
            return
        try:
            body = _pack_body(pack)
        except (TypeError, ValueError, UnicodeEncodeError, RecursionError):
            return  # a value JSON cannot hold (a YAML timestamp): load this pack afresh each time
        if _prepare_dir(self.directory):
            _write_atomic(self._path(key), _checked_entry(key, body))


#: File name ending of a bundled pack's prebuilt form, beside its YAML in the wheel.
PREBUILT_SUFFIX = ".prebuilt.json"


def _prebuilt_key(text: str, display: str) -> str:
    material = f"{CACHE_FORMAT}\0prebuilt\0{pack_source_fingerprint()}\0{display}\0{_sha256(text.encode('utf-8'))}"
    return _sha256(material.encode("utf-8"))


def write_prebuilt(out: Path, pack: Any, text: str, display: str) -> None:
    """Write ``pack`` (loaded from ``text``, shown as ``display``) as a prebuilt entry:
    the wheel build hook (``hatch_build.py``) ships one beside each bundled pack."""
    out.write_bytes(_checked_entry(_prebuilt_key(text, display), _pack_body(pack)))


def read_prebuilt(path: Path, text: str, display: str) -> Any:
    """The :class:`~clause_lint.rules.model.Pack` prebuilt at ``path`` when it was made
    from exactly ``text`` by this clause-lint's loader, else None (no such file, an
    edited pack, a loader changed since, a damaged file): then the YAML is read.

    Like a ``.pyc`` beside its ``.py``: part of the installed package, used only while
    it matches its source, so ``--no-cache`` does not turn it off. It was built
    without spaCy (the build has none), so its token patterns were not checked
    against spaCy's ``Matcher`` there; the test suite checks the bundled packs'."""
    return _pack_from_body(_read_checked(path, _prebuilt_key(text, display)))


def _pack_body(pack: Any) -> bytes:
    """A :class:`~clause_lint.rules.model.Pack` as the JSON a stored or prebuilt entry holds."""
    return json.dumps(dataclasses.asdict(pack), ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _pack_from_body(body: Optional[bytes]) -> Any:
    """The Pack a checked entry's body holds, or None (no body, or one of another shape: a miss)."""
    if body is None:
        return None
    try:
        return _pack_from_dict(json.loads(body))
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError, UnicodeDecodeError):
        return None


def _pack_from_dict(raw: dict[str, Any]) -> Any:
    """A :class:`~clause_lint.rules.model.Pack` from ``dataclasses.asdict`` output."""
    from .rules.model import Criterion, Pack, Rule

    rules = []
    for rule_raw in raw["rules"]:
        rule = _restore(Rule, rule_raw)
        rule.criteria = [_restore(Criterion, c) for c in rule_raw["criteria"]]
        for crit in rule.criteria:
            crit.roles_of = {concept: tuple(roles) for concept, roles in crit.roles_of.items()}
        rules.append(rule)
    pack = _restore(Pack, raw)
    pack.rules = rules
    return pack
