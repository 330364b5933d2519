"""Safe YAML loading with positions, for packs and config from shared repositories.

- Only plain data: ``yaml.SafeLoader`` constructs no Python objects.
- Anchors and aliases are refused outright, which rules out "billion laughs"
  expansion and keeps a pack's meaning visible where it is written.
- Every mapping and sequence remembers where it was written, so validation errors
  can say ``FILE:LINE:COL``.

Parsing uses libyaml (``yaml.CSafeLoader``) when PyYAML was built with it: a pack of
a few thousand lines takes a tenth of the time of the pure-Python parser. libyaml
nodes carry the same marks, so positions are kept at no cost; anything the fast path
refuses (an error, an anchor or alias) is parsed again with the pure-Python loader,
whose messages and positions are the reference.

PyYAML itself is imported only when a file is parsed (``clause_lint._yamlparse``): a
check whose pack comes from the pack cache and that has no config file never needs
it, and its import is 14 ms of every start.
"""

from __future__ import annotations

from typing import Any, Optional

MAX_YAML_BYTES = 5 * 1024 * 1024


class PosDict(dict):
    """A dict that knows the line/column of itself and of each key (1-based)."""

    pos: tuple[int, int] = (1, 1)
    key_pos: dict[str, tuple[int, int]]


class PosList(list):
    pos: tuple[int, int] = (1, 1)
    item_pos: list[tuple[int, int]]


class YamlError(Exception):
    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


def load(text: str) -> Any:
    """Parse one YAML document into plain data with positions. Raises :class:`YamlError`."""
    if len(text) > MAX_YAML_BYTES:
        raise YamlError(f"file is larger than {MAX_YAML_BYTES // (1024 * 1024)} MB")
    from . import _yamlparse

    if _yamlparse._FastLoader is not None:
        try:
            return _yamlparse._load_fast(text)
        except _yamlparse._NeedsSlowPath:
            pass  # the reference loader below says what is wrong, and where
    return _yamlparse._load_reference(text)


def position(data: Any, path: list[Any]) -> tuple[int, int]:
    """Best line/column for a JSON-path-like ``path`` into data from :func:`load`."""
    line_col: tuple[int, int] = getattr(data, "pos", (1, 1))
    node: Any = data
    for part in path:
        if isinstance(node, PosDict) and part in node:
            line_col = node.key_pos.get(part, line_col)
            node = node[part]
        elif isinstance(node, PosList) and isinstance(part, int) and 0 <= part < len(node):
            line_col = node.item_pos[part]
            node = node[part]
        else:
            break
    return line_col


def plain(data: Any) -> Any:
    """Strip position wrappers (for hashing or JSON)."""
    if isinstance(data, dict):
        return {k: plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [plain(v) for v in data]
    return data


def pos_of(data: Any, key: Optional[str] = None) -> tuple[int, int]:
    if key is not None and isinstance(data, PosDict):
        return data.key_pos.get(key, data.pos)
    return getattr(data, "pos", (1, 1))
