"""Load and validate rule packs (``rules/*.yaml``).

Packs are data: YAML read safely (no aliases, no Python objects), validated against
``pack.schema.json``, then checked for what a schema cannot say (every concept a rule
names exists, token patterns are valid spaCy patterns, rule ids are unique). Every
problem is reported as ``FILE:LINE:COL: message`` with the rule id where there is one.

A pack that loaded cleanly is stored in the cache folder (:class:`clause_lint.cache.PackCache`),
so later runs skip the parsing and validation; an edited pack, another clause-lint
or spaCy is a different entry. The token-pattern check needs spaCy's ``Matcher``;
commands that only show a pack (``rules``, ``explain``) skip that one check on a
cache miss (``check_patterns=False``), so they never load spaCy. The packs bundled with
an installed clause-lint come already loaded (``NAME.prebuilt.json`` beside the YAML,
written by the wheel build hook ``hatch_build.py``; used only while it matches the YAML
and this loader).
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Optional

from ..errors import PackError
from ..results import STATUSES
from .. import yamlsafe
from .model import Criterion, Pack, Rule

try:  # the regular-expression parser, for the structural check of pack regexes
    from re import _parser as _sre_parse  # Python 3.11+
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as _sre_parse  # type: ignore[no-redef]

#: Where bundled packs live: ``clause_lint/_packs`` in an installed wheel (the
#: top-level ``rules/`` folder is mapped there by pyproject), else the source tree.
_SOURCE_PACK_DIR = Path(__file__).resolve().parents[2] / "rules"
_INSTALLED_PACK_DIR = Path(__file__).resolve().parents[1] / "_packs"
BUNDLED_PACK_DIR = _INSTALLED_PACK_DIR if _INSTALLED_PACK_DIR.is_dir() else _SOURCE_PACK_DIR

DEFAULT_SEVERITY = {"present": "none", "weak": "warning", "missing": "error", "contradicted": "error"}


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    from importlib import resources

    text = resources.files("clause_lint.rules").joinpath("pack.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def bundled_pack_names() -> list[str]:
    if not BUNDLED_PACK_DIR.is_dir():
        return []
    return sorted(p.stem for p in BUNDLED_PACK_DIR.glob("*.yaml"))


def resolve_pack(spec: str) -> list[Path]:
    """Turn ``--pack`` input (bundled name, file or folder) into pack files."""
    path = Path(spec)
    if path.is_dir():
        files = sorted(list(path.glob("*.yaml")) + list(path.glob("*.yml")))
        if not files:
            raise PackError(f"{spec}: no .yaml pack files in this folder")
        return files
    if path.is_file():
        return [path]
    bundled = BUNDLED_PACK_DIR / f"{spec}.yaml"
    if bundled.is_file():
        return [bundled]
    names = ", ".join(bundled_pack_names()) or "none"
    raise PackError(f"{spec}: no such pack file, folder or bundled pack (bundled: {names})")


def load_packs(specs: Iterable[str], cache_dir: Optional[str | os.PathLike[str]] = None,
               check_patterns: bool = True) -> list[Pack]:
    """Load every pack ``specs`` name (see :func:`load_pack` for the other arguments)."""
    packs: list[Pack] = []
    seen: dict[str, str] = {}
    for spec in specs:
        for path in resolve_pack(spec):
            pack = load_pack(path, cache_dir, check_patterns)
            if pack.name in seen:
                if seen[pack.name] == str(path.resolve()):
                    continue
                raise PackError(f"{path}:1:1: pack name {pack.name!r} is already used by {seen[pack.name]}")
            seen[pack.name] = str(path.resolve())
            packs.append(pack)
    ids: dict[str, str] = {}
    for pack in packs:
        for rule in pack.rules:
            if rule.id in ids and ids[rule.id] != pack.name:
                raise PackError(f"{rule.source}: rule {rule.id} is defined in both {ids[rule.id]} and {pack.name}")
            ids[rule.id] = pack.name
    return packs


def load_pack(path: Path | str, cache_dir: Optional[str | os.PathLike[str]] = None, check_patterns: bool = True) -> Pack:
    """Read, validate and build one pack; raises :class:`PackError` (``FILE:LINE:COL: …``).

    ``cache_dir``: the cache folder to take the pack from and store it in (None: no
    cache). ``check_patterns=False`` skips validating token patterns with spaCy's
    ``Matcher`` (for commands that only show a pack); such a pack is not stored.
    """
    from ..cache import PREBUILT_SUFFIX, PackCache, read_prebuilt

    path = Path(path)
    bundled = _bundled(path)
    display = _bundled_display(path) if bundled else str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError(f"{display}:1:1: cannot read pack: {exc}") from None
    if bundled:
        # a wheel carries each bundled pack also as loaded (hatch_build.py)
        prebuilt = read_prebuilt(path.with_name(path.stem + PREBUILT_SUFFIX), text, display)
        if prebuilt is not None:
            return prebuilt
    store = PackCache(cache_dir, write=check_patterns) if cache_dir else None
    key = store.key(text, display) if store is not None else ""
    if store is not None:
        cached = store.get(key)
        if isinstance(cached, Pack) and cached.path == display:
            return cached
    pack = _load_text(text, display, path, check_patterns)
    if store is not None:
        store.put(key, pack)
    return pack


def _load_text(text: str, display: str, path: Path, check_patterns: bool) -> Pack:
    try:
        data = yamlsafe.load(text)
    except yamlsafe.YamlError as exc:
        raise PackError(f"{display}:{exc.line}:{exc.col}: {exc.message}") from None
    if not isinstance(data, dict):
        raise PackError(f"{display}:1:1: a pack must be a YAML mapping")
    _validate_schema(data, display)
    return _build(data, display, path, check_patterns)


def _rule_hint(data: Any, path: list[Any]) -> str:
    if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
        try:
            return f" (rule {data['rules'][path[1]]['id']})"
        except (KeyError, IndexError, TypeError):
            return ""
    return ""


@lru_cache(maxsize=1)
def _fast_validator() -> Any:
    """jsonschema-rs's validator for the pack schema, or None when it is not installed.

    It answers "valid?" in about a millisecond where the pure-Python ``jsonschema``
    takes a fifth of a second on the bundled pack; ``jsonschema`` stays the reference:
    it runs whenever the fast answer is "invalid", and its errors are the ones shown.
    """
    try:
        import jsonschema_rs
    except ImportError:
        return None
    try:
        return jsonschema_rs.Draft202012Validator(_schema())
    except Exception:  # a schema this build cannot compile: use the reference only
        return None


def _validate_schema(data: Any, display: str) -> None:
    fast = _fast_validator()
    if fast is not None:
        try:
            if fast.is_valid(data):
                return
        except Exception:  # anything unexpected: let the reference decide
            pass
    import jsonschema

    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    if not errors:
        return
    err = jsonschema.exceptions.best_match(errors) or errors[0]
    path = list(err.absolute_path)
    line, col = yamlsafe.position(data, path)
    where = "/".join(str(p) for p in path) or "(top level)"
    message = err.message
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = set((err.schema or {}).get("properties", {}))
        extra = sorted(k for k in err.instance if k not in allowed)
        if extra:
            # Point at the offending key itself, not at the mapping that holds it.
            line, col = yamlsafe.position(data, path + [extra[0]])
            known = ", ".join(sorted(allowed))
            message = f"unknown key {extra[0]!r} (allowed here: {known})"
    raise PackError(f"{display}:{line}:{col}: {where}: {message}{_rule_hint(data, path)}")


#: Longest regular expression a token pattern may carry (packs come from shared repositories).
MAX_REGEX_CHARS = 300


def _regex_problem(regex: Any) -> Optional[str]:
    """Why a ``{"REGEX": ...}`` of a token pattern is refused, or ``None``.

    The check is structural and conservative: it refuses what it can see will
    backtrack catastrophically -- a repetition inside a repetition where either is
    unbounded, ``(a+)+``, ``(a*){2,}``, ``(\\w{1,9})*`` -- and leaves subtler cases to
    the per-document time budget (``clause_lint.guard``).
    """
    if not isinstance(regex, str):
        return "REGEX must be a string"
    if len(regex) > MAX_REGEX_CHARS:
        return f"regular expression is {len(regex)} characters long, over the limit of {MAX_REGEX_CHARS}"
    try:
        parsed = _sre_parse.parse(regex)
        re.compile(regex)
    except (re.error, RecursionError, OverflowError, ValueError) as exc:
        return f"invalid regular expression {regex!r}: {exc}"
    if _nested_repeat(list(parsed), None):
        return (
            f"regular expression {regex!r} nests a repetition inside another (like (a+)+) and can take "
            "exponential time; bound the inner or the outer one, e.g. {1,10}"
        )
    return None


_REPEATS = tuple(getattr(_sre_parse, n) for n in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") if hasattr(_sre_parse, n))


def _nested_repeat(items: list[Any], outer_max: Optional[int]) -> bool:
    """True when a repeat sits inside a repeat and one of the two is unbounded."""
    for op, av in items:
        if op in _REPEATS:
            _lo, hi, sub = av
            unbounded = hi == _sre_parse.MAXREPEAT
            # a{2} inside a repeat is fixed, not a choice the engine can backtrack over
            if outer_max is not None and hi > _lo and (unbounded or outer_max == _sre_parse.MAXREPEAT):
                return True
            if _nested_repeat(list(sub), hi if hi > 1 else outer_max):
                return True
        elif op == _sre_parse.SUBPATTERN:
            if _nested_repeat(list(av[-1]), outer_max):
                return True
        elif op == _sre_parse.BRANCH:
            if any(_nested_repeat(list(branch), outer_max) for branch in av[1]):
                return True
        elif op in (_sre_parse.ASSERT, _sre_parse.ASSERT_NOT):
            if _nested_repeat(list(av[1]), outer_max):
                return True
        elif op == getattr(_sre_parse, "ATOMIC_GROUP", None):
            if _nested_repeat(list(av), outer_max):
                return True
        elif op == _sre_parse.GROUPREF_EXISTS:
            if any(b is not None and _nested_repeat(list(b), outer_max) for b in av[1:]):
                return True
    return False


def _find_regexes(node: Any, path: list[Any]) -> Iterable[tuple[Any, list[Any]]]:
    """Every ``REGEX`` value in a token pattern, with its path (for the position)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "REGEX":
                yield value, path + [key]
            else:
                yield from _find_regexes(value, path + [key])
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _find_regexes(value, path + [i])


def _concept_users(data: dict[str, Any], concept: str) -> list[str]:
    users = []
    for raw in data.get("rules") or []:
        try:
            names = {n for crit in raw.get("criteria") or [] for key in ("all", "any", "none", "context", "document_prohibits", "cites_prohibition")
                     for n in crit.get(key) or []}
        except (AttributeError, TypeError):
            continue
        if concept in names:
            users.append(str(raw.get("id")))
    return users


def _check_patterns(name: str, concept: dict[str, Any], display: str, data: Optional[dict[str, Any]] = None,
                    with_spacy: bool = True) -> None:
    patterns = concept.get("patterns", [])
    for regex, path in _find_regexes(patterns, []):
        problem = _regex_problem(regex)
        if problem:
            line, col = yamlsafe.position(patterns, path)
            users = _concept_users(data or {}, name)
            used = f" (used by rule {', '.join(users)})" if users else ""
            raise PackError(f"{display}:{line}:{col}: concept {name}{used}: {problem}")
    if not with_spacy or not patterns:
        return
    from spacy.matcher import Matcher

    from ..nlp import get_nlp

    matcher = Matcher(get_nlp().vocab, validate=True)
    for i, pattern in enumerate(patterns):
        try:
            matcher.add(f"check-{name}-{i}", [yamlsafe.plain(pattern)])
        except Exception as exc:  # spaCy raises MatchPatternError / ValueError
            line, col = concept["patterns"].item_pos[i] if hasattr(concept["patterns"], "item_pos") else (1, 1)
            first = str(exc).strip().splitlines()
            detail = " ".join(s.strip() for s in first if s.strip())[:300]
            raise PackError(f"{display}:{line}:{col}: concept {name}: invalid token pattern: {detail}") from None


def _build(data: dict[str, Any], display: str, path: Path, check_patterns: bool = True) -> Pack:
    concepts: dict[str, Any] = data.get("concepts", {})
    for name, concept in concepts.items():
        _check_patterns(name, concept, display, data, with_spacy=check_patterns)
        for other in concept.get("not_within", []):
            if other not in concepts:
                line, col = yamlsafe.pos_of(concept, "not_within")
                raise PackError(f"{display}:{line}:{col}: concept {name}: not_within names unknown concept {other!r}")
        for key in ("stands_for", "in_documents_about"):
            value = concept.get(key)
            for other in ([value] if isinstance(value, str) else value or []):
                if other not in concepts:
                    line, col = yamlsafe.pos_of(concept, key)
                    raise PackError(f"{display}:{line}:{col}: concept {name}: {key} names unknown concept {other!r}")

    def need(names: Iterable[str], where: Any, key: str, owner: str) -> None:
        for n in names:
            if n not in concepts:
                line, col = yamlsafe.pos_of(where, key)
                raise PackError(f"{display}:{line}:{col}: {owner}: unknown concept {n!r}")

    applicability = data.get("applicability") or {}
    need(applicability.get("concepts", []), applicability, "concepts", "applicability")
    carve_outs = data.get("carve_outs") or {}
    for kind, names in carve_outs.items():
        need(names, carve_outs, kind, f"carve_outs.{kind}")

    rules: list[Rule] = []
    seen_ids: set[str] = set()
    seen_names: set[str] = set()
    for i, raw in enumerate(data["rules"]):
        line, col = data["rules"].item_pos[i] if hasattr(data["rules"], "item_pos") else (1, 1)
        rid = raw["id"]
        owner = f"rule {rid}"
        if rid in seen_ids:
            raise PackError(f"{display}:{line}:{col}: duplicate rule id {rid}")
        if raw["name"] in seen_names:
            raise PackError(f"{display}:{line}:{col}: {owner}: duplicate rule name {raw['name']!r}")
        seen_ids.add(rid)
        seen_names.add(raw["name"])
        criteria = []
        for crit in raw["criteria"]:
            for key in ("all", "any", "none", "context", "document_prohibits", "cites_prohibition"):
                need(crit.get(key, []), crit, key, owner)
            need(crit.get("roles_of", {}), crit, "roles_of", owner)
            criteria.append(
                Criterion(
                    status=crit["status"],
                    reason=crit["reason"],
                    force=tuple(crit.get("force", [])),
                    all=tuple(crit.get("all", [])),
                    any=tuple(crit.get("any", [])),
                    none=tuple(crit.get("none", [])),
                    context=tuple(crit.get("context", [])),
                    document_prohibits=tuple(crit.get("document_prohibits", [])),
                    cites_prohibition=tuple(crit.get("cites_prohibition", [])),
                    overrides=bool(crit.get("overrides", False)),
                    roles=tuple(crit.get("roles", [])),
                    roles_of={c: tuple(r) for c, r in (crit.get("roles_of") or {}).items()},
                    action=tuple(crit.get("action", [])),
                    except_action=tuple(crit.get("except_action", [])),
                    actor_not=tuple(w.lower() for w in crit.get("actor_not", [])),
                    right=bool(crit.get("right", False)),
                )
            )
        weakened = raw.get("weakened_by") or {}
        for kind in weakened.get("carve_outs", []):
            if kind not in carve_outs:
                wl, wc = yamlsafe.pos_of(weakened, "carve_outs")
                raise PackError(f"{display}:{wl}:{wc}: {owner}: unknown carve-out kind {kind!r}")
        for status in ("missing", "weak", "contradicted"):
            if status not in raw["fix"]:
                fl, fc = yamlsafe.pos_of(raw, "fix")
                raise PackError(f"{display}:{fl}:{fc}: {owner}: fix needs model language for {status!r}")
        severity = dict(DEFAULT_SEVERITY)
        severity.update(raw.get("severity", {}))
        messages = {s: raw["message"].get(s, "") for s in STATUSES}
        rules.append(
            Rule(
                id=rid,
                name=raw["name"],
                title=raw["title"],
                pack=data["name"],
                summary=raw["summary"].strip(),
                explanation=(raw.get("explanation") or "").strip(),
                reference=dict(raw.get("reference") or {}),
                severity=severity,
                messages=messages,
                fix={k: v.strip() for k, v in raw["fix"].items()},
                criteria=criteria,
                weak_carve_outs=tuple(weakened.get("carve_outs", [])),
                non_binding_weakens=bool(weakened.get("non_binding", True)),
                narrowing_weakens=bool(weakened.get("narrowing", False)),
                examples={k: list(v) for k, v in (raw.get("examples") or {}).items()},
                source=f"{display}:{line}:{col}",
            )
        )
    return Pack(
        name=data["name"],
        version=str(data["version"]),
        title=data["title"],
        description=(data.get("description") or "").strip(),
        references=[dict(r) for r in data.get("references", [])],
        applicability=yamlsafe.plain(applicability),
        concepts=yamlsafe.plain(concepts),
        rules=rules,
        path=display,
        carve_outs={k: list(v) for k, v in carve_outs.items()},
    )


def _bundled(path: Path) -> bool:
    """Whether ``path`` is one of the packs that come with clause-lint."""
    try:
        return path.resolve().parent == BUNDLED_PACK_DIR.resolve()
    except OSError:
        return False


def _bundled_display(path: Path) -> str:
    """How errors and rule locations show a bundled pack: ``rules/NAME.yaml``, wherever it is installed."""
    return f"rules/{path.name}"


def prebuild(path: Path, out: Path) -> None:
    """Load the bundled pack ``path`` and write its loaded form to ``out``, for the
    wheel build hook (``hatch_build.py``): an installed clause-lint then starts without
    parsing the pack's YAML (a fifth of a second). The build has no spaCy, so token
    patterns are not checked against its ``Matcher`` here (the tests do that)."""
    from ..cache import write_prebuilt

    display = _bundled_display(path)
    text = path.read_text(encoding="utf-8")
    write_prebuilt(out, _load_text(text, display, path, check_patterns=False), text, display)
