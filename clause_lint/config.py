"""Project configuration: ``.clause-lint.yaml`` or ``[tool.clause-lint]`` in ``pyproject.toml``.

Discovery walks up from the current folder; in each folder ``.clause-lint.yaml`` (or
``.clause-lint.yml``) is taken before a ``pyproject.toml`` with a ``[tool.clause-lint]``
table, and the first one found wins — settings are never merged across folders, so
what applies is always one file you can open. ``--config FILE`` names the file
instead; ``--isolated`` ignores every file.

Every key has a command-line twin and flags override the file. Unknown keys and bad
values are :class:`~clause_lint.errors.ConfigError` whose message starts with
``FILE:LINE:COL`` (line only approximate for TOML, whose parser gives no positions).
Relative paths (packs, waivers, baseline) resolve against the config file's folder,
so the same file works wherever the command is started.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from . import yamlsafe
from .errors import ConfigError
from .results import SEVERITIES, STATUSES
from .settings import FAIL_LEVELS, Settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

YAML_NAMES = (".clause-lint.yaml", ".clause-lint.yml")
PYPROJECT = "pyproject.toml"
TOML_TABLE = "clause-lint"
WAIVERS_NAME = "clause-lint-waivers.yaml"
FORMATS = ("text", "json", "jsonl", "sarif", "junit", "github", "markdown", "html")
MAX_CONFIG_BYTES = 1024 * 1024


@dataclass
class Config:
    """A validated config file: normalised values and where each key was written."""

    path: str
    values: dict[str, Any] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)  # key -> "FILE:LINE:COL"

    @property
    def folder(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))


def display_path(path: str) -> str:
    """``path`` relative to the current folder when that is shorter (for messages)."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return rel if len(rel) < len(os.path.abspath(path)) else os.path.abspath(path)


# --------------------------------------------------------------------------- discovery


def find_config(start: Optional[str] = None) -> Optional[str]:
    """The nearest config file at or above ``start`` (default: the current folder)."""
    folder = os.path.abspath(start or os.getcwd())
    while True:
        for name in YAML_NAMES:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                return candidate
        candidate = os.path.join(folder, PYPROJECT)
        if os.path.isfile(candidate) and _pyproject_has_table(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _pyproject_has_table(path: str) -> bool:
    # A cheap textual test first: most pyproject.toml files have nothing of ours,
    # and a broken one that does not mention us must not stop discovery.
    try:
        with open(path, "rb") as fh:
            text = fh.read(MAX_CONFIG_BYTES + 1).decode("utf-8", "replace")
    except OSError:
        return False
    return re.search(r"^\s*\[\s*tool\s*\.\s*[\"']?clause-lint\b", text, re.MULTILINE) is not None or bool(
        re.search(r"^\s*tool\s*\.\s*[\"']?clause-lint[\"']?\s*\.", text, re.MULTILINE)
    )


# --------------------------------------------------------------------------- loading


def read_small_text(path: str, what: str, max_bytes: int) -> tuple[str, str]:
    """``(shown path, text)`` of a small UTF-8 settings file (config, waivers, baseline).

    The read is bounded, and every problem is one ``ConfigError`` line naming the file.
    """
    shown = display_path(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read {what}: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise ConfigError(f"{shown}:1:1: {what} is larger than {max_bytes // (1024 * 1024)} MB")
    try:
        return shown, raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{shown}:1:1: {what} is not UTF-8 ({exc.reason})") from None


def load_config(path: str) -> Config:
    """Read and validate one config file (YAML, or the table in a pyproject.toml)."""
    shown, text = read_small_text(path, "config file", MAX_CONFIG_BYTES)
    if os.path.basename(path) == PYPROJECT or path.endswith(".toml"):
        data, locate = _read_toml(text, shown)
    else:
        data, locate = _read_yaml(text, shown)
    config = Config(path=path)
    _validate(data, config, locate, shown)
    return config


Locator = Callable[[list[Any]], tuple[int, int]]


def _read_yaml(text: str, shown: str) -> tuple[Any, Locator]:
    try:
        data = yamlsafe.load(text)
    except yamlsafe.YamlError as exc:
        raise ConfigError(f"{shown}:{exc.line}:{exc.col}: {exc.message}") from None
    if data is None:
        data = yamlsafe.PosDict()
        data.key_pos = {}
    if not isinstance(data, dict):
        line, col = yamlsafe.pos_of(data)
        raise ConfigError(f"{shown}:{line}:{col}: the config file must be a mapping of settings (key: value)")
    return data, lambda keys: yamlsafe.position(data, keys)


def _read_toml(text: str, shown: str) -> tuple[Any, Locator]:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+), column (\d+)", str(exc))
        line, col = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(f"{shown}:{line}:{col}: invalid TOML: {message}") from None
    table = doc.get("tool", {}).get(TOML_TABLE) if isinstance(doc.get("tool"), dict) else None
    if table is None:
        raise ConfigError(f"{shown}:1:1: no [tool.{TOML_TABLE}] table in this file")
    if not isinstance(table, dict):
        raise ConfigError(f"{shown}:1:1: tool.{TOML_TABLE} must be a table")
    lines = text.splitlines()

    def locate(keys: list[Any]) -> tuple[int, int]:
        # tomllib keeps no positions: find the table header, then the first line
        # under it that assigns the key (or a [tool.clause-lint.KEY] sub-table).
        header = 0
        for i, line in enumerate(lines):
            if re.match(r"\s*\[\s*tool\s*\.\s*[\"']?clause-lint[\"']?\s*\]", line):
                header = i + 1
                break
        if not keys:
            return (header or 1, 1)
        key = str(keys[0])
        pat = re.compile(r"\s*[\"']?" + re.escape(key) + r"[\"']?\s*=")
        sub = re.compile(r"\s*\[\s*tool\s*\.\s*[\"']?clause-lint[\"']?\s*\.\s*[\"']?" + re.escape(key) + r"[\"']?")
        for i in range(header, len(lines)):
            if pat.match(lines[i]) or sub.match(lines[i]):
                return (i + 1, len(lines[i]) - len(lines[i].lstrip()) + 1)
        return (header or 1, 1)

    return table, locate


# --------------------------------------------------------------------------- validation

KEYS = (
    "packs",
    "select",
    "ignore",
    "severity",
    "assume_applicable",
    "include",
    "exclude",
    "fail_on",
    "format",
    "waivers",
    "baseline",
    "strict_waivers",
    "allow_empty",
    "ocr",
)


def _validate(data: dict, config: Config, locate: Locator, shown: str) -> None:
    folder = config.folder

    def fail(keys: list[Any], message: str) -> ConfigError:
        line, col = locate(keys)
        return ConfigError(f"{shown}:{line}:{col}: {message}")

    for raw_key, value in data.items():
        key = str(raw_key).replace("-", "_")
        if key not in KEYS:
            hint = difflib.get_close_matches(key, KEYS, n=1)
            extra = f" (did you mean {hint[0]!r}?)" if hint else f"; known keys: {', '.join(KEYS)}"
            raise fail([raw_key], f"unknown key {raw_key!r}{extra}")
        if key in config.values:
            raise fail([raw_key], f"{raw_key!r} is given twice (as {key!r} and with hyphens)")
        line, col = locate([raw_key])
        config.where[key] = f"{shown}:{line}:{col}"
        at = [raw_key]
        if key in ("select", "ignore"):
            config.values[key] = set(_id_list(value, raw_key, lambda m, sub=(): fail(at + list(sub), m)))
        elif key in ("include", "exclude"):
            config.values[key] = _str_list(value, raw_key, lambda m, sub=(): fail(at + list(sub), m))
        elif key == "packs":
            items = _str_list(value, raw_key, lambda m, sub=(): fail(at + list(sub), m))
            config.values[key] = [_resolve_pack(p, folder, lambda m, i=i: fail(at + [i], m)) for i, p in enumerate(items)]
        elif key in ("assume_applicable", "strict_waivers", "allow_empty"):
            if not isinstance(value, bool):
                raise fail(at, f"{raw_key} must be true or false, not {_show(value)}")
            config.values[key] = value
        elif key == "fail_on":
            config.values[key] = _choice(value, FAIL_LEVELS, raw_key, lambda m: fail(at, m))
        elif key == "format":
            config.values[key] = _choice(value, FORMATS, raw_key, lambda m: fail(at, m))
        elif key == "ocr":
            config.values[key] = _choice(value, ("auto", "never", "always"), raw_key, lambda m: fail(at, m))
        elif key in ("waivers", "baseline"):
            if not isinstance(value, str) or not value.strip():
                raise fail(at, f"{raw_key} must be a file path, not {_show(value)}")
            config.values[key] = os.path.normpath(os.path.join(folder, os.path.expanduser(value)))
        elif key == "severity":
            config.values[key] = _severity(value, lambda m, sub=(): fail(at + list(sub), m))


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return repr(str(value))


def _choice(value: Any, choices: tuple[str, ...], key: str, fail: Callable[[str], ConfigError]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise fail(f"{key} must be one of {', '.join(choices)}, not {_show(value)}")
    return value


def _str_list(value: Any, key: str, fail: Callable[..., ConfigError]) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise fail(f"{key} must be a list of strings, not {_show(value)}")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise fail(f"{key}: every item must be a non-empty string, not {_show(item)}", (i,))
        out.append(item.strip())
    return out


def _id_list(value: Any, key: str, fail: Callable[..., ConfigError]) -> list[str]:
    """Rule ids as a list, or one comma-separated string (as on the command line)."""
    if isinstance(value, str):
        value = [value]
    out: list[str] = []
    for item in _str_list(value, key, fail):
        out.extend(x.strip() for x in item.split(",") if x.strip())
    return out


def _resolve_pack(spec: str, folder: str, fail: Callable[[str], ConfigError]) -> str:
    from .rules import bundled_pack_names

    path = os.path.normpath(os.path.join(folder, os.path.expanduser(spec)))
    if os.path.exists(path):
        return path
    if spec in bundled_pack_names():
        return spec
    names = ", ".join(bundled_pack_names()) or "none"
    raise fail(f"pack {spec!r}: no such file or folder next to the config file, and no bundled pack of that name (bundled: {names})")


def _severity(value: Any, fail: Callable[..., ConfigError]) -> dict[str, dict[str, str]]:
    if not isinstance(value, dict):
        raise fail(f"severity must map rule ids to {{status: severity}}, e.g. {{SFP202: {{missing: info}}}}; not {_show(value)}")
    out: dict[str, dict[str, str]] = {}
    for rule, per_status in value.items():
        rule = str(rule)
        if not isinstance(per_status, dict):
            raise fail(f"severity.{rule} must map statuses to severities, e.g. {{missing: info}}; not {_show(per_status)}", (rule,))
        out[rule] = {}
        for status, level in per_status.items():
            status = str(status)
            if status not in STATUSES:
                raise fail(f"severity.{rule}: unknown status {status!r}; use {', '.join(STATUSES)}", (rule, status))
            if not isinstance(level, str) or level not in SEVERITIES:
                raise fail(f"severity.{rule}.{status} must be one of {', '.join(SEVERITIES)}, not {_show(level)}", (rule, status))
            out[rule][status] = level
    return out


# --------------------------------------------------------------------------- applying


def apply_config(settings: Settings, config: Config) -> None:
    """Copy a config file's values into ``settings`` (flags are applied afterwards)."""
    for key, value in config.values.items():
        if key == "severity":
            merged = {r: dict(v) for r, v in settings.severity.items()}
            for rule, levels in value.items():
                merged.setdefault(rule, {}).update(levels)
            settings.severity = merged
        elif key == "ocr":  # a reading setting: it travels with the limits to the readers
            settings.limits = settings.limits.updated(ocr=value)
        else:
            setattr(settings, key, value)
    settings.config_path = config.path
    settings.origins.update(config.where)


def parse_severity_option(text: str) -> tuple[str, dict[str, str]]:
    """``SFP202:missing=info[,weak=none]`` -> ``("SFP202", {"missing": "info", ...})``.

    Raises ValueError with a message fit for the user.
    """
    rule, sep, rest = text.partition(":")
    rule = rule.strip()
    if not sep or not rule or not rest.strip():
        raise ValueError(f"{text!r}: use RULE:STATUS=SEVERITY, e.g. SFP202:missing=info")
    levels: dict[str, str] = {}
    for part in rest.split(","):
        status, eq, level = (x.strip() for x in part.partition("="))
        if not eq:
            raise ValueError(f"{text!r}: use RULE:STATUS=SEVERITY, e.g. SFP202:missing=info")
        if status not in STATUSES:
            raise ValueError(f"{text!r}: unknown status {status!r}; use {', '.join(STATUSES)}")
        if level not in SEVERITIES:
            raise ValueError(f"{text!r}: unknown severity {level!r}; use {', '.join(SEVERITIES)}")
        levels[status] = level
    return rule, levels


def default_waivers_path(settings: Settings) -> Optional[str]:
    """The waiver file to use when neither ``--waivers`` nor the config names one:
    ``clause-lint-waivers.yaml`` beside the config file, else in the current folder."""
    folders = []
    if settings.config_path:
        folders.append(os.path.dirname(os.path.abspath(settings.config_path)))
    folders.append(os.getcwd())
    for folder in folders:
        candidate = os.path.join(folder, WAIVERS_NAME)
        if os.path.isfile(candidate):
            return candidate
    return None


# --------------------------------------------------------------------------- init

STARTER = """\
# clause-lint configuration. Every key is optional; each has a command-line twin,
# and flags given on the command line win over this file.
# Documentation: docs/configuration.md

# Rule packs to apply: bundled pack names, or pack files/folders relative to this file.
packs:
  - safe-face-pledge

# Only these rules (ids, names or id prefixes such as SFP1). Default: every rule.
# select: [SFP101, SFP102]

# Rules to skip.
# ignore: [SFP302]

# Severity per rule and status (error, warning, info or none).
# severity:
#   SFP202: {missing: info}

# Check every rule even in documents that never mention the pack's subject.
assume_applicable: false

# Which files to take when a folder is checked (globs), and which to leave out.
# include: ["contracts/**"]
# exclude: ["**/drafts/**", "*.tmp.md"]

# Lowest severity of an unsuppressed finding that makes the exit code 1:
# error, warning, info or never.
fail_on: error

# Output format: text, json, jsonl, sarif, junit, github, markdown or html.
format: text

# Accepted exceptions (see docs/configuration.md, "Waivers"). By default
# clause-lint-waivers.yaml next to this file is used when it exists.
# waivers: clause-lint-waivers.yaml

# Findings recorded earlier with --write-baseline are reported as waived.
# baseline: clause-lint-baseline.json

# Fail (exit 1) when a waiver has expired or no longer matches a finding.
strict_waivers: false

# A run that finds no document to check (an empty folder, only .doc or .rtf files)
# is an error (exit 2) unless this is true.
# allow_empty: false

# Recognise scanned PDF pages with Tesseract: auto, never or always.
# ocr: auto
"""


def write_starter(folder: str, force: bool = False) -> str:
    """Write the commented starter ``.clause-lint.yaml`` into ``folder``; return its path."""
    path = os.path.join(folder, YAML_NAMES[0])
    if os.path.exists(path) and not force:
        raise ConfigError(f"{display_path(path)}: already exists (use --force to overwrite it)")
    from .safefile import write_file

    write_file(path, STARTER, "the config file", shown=display_path(path))
    return path
