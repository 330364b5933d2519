"""PyYAML's side of :mod:`clause_lint.yamlsafe`: the loaders and the conversion of
nodes to position-carrying data. Imported on first parse, not at start-up."""

from __future__ import annotations

import re
from typing import Any

import yaml

from .yamlsafe import PosDict, PosList, YamlError


class _Loader(yaml.SafeLoader):
    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            mark = event.start_mark
            raise YamlError("YAML aliases (*name) are not allowed", mark.line + 1, mark.column + 1)
        event = self.peek_event()
        if getattr(event, "anchor", None):
            mark = event.start_mark
            raise YamlError("YAML anchors (&name) are not allowed", mark.line + 1, mark.column + 1)
        return super().compose_node(parent, index)


# YAML 1.1 reads on/off/yes/no/y/n as booleans, which turns a lawyer's term list
# ["on", "no"] into [True, False]. Only true/false are booleans here (as in YAML 1.2).
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


_CSafeLoader = getattr(yaml, "CSafeLoader", None)
if _CSafeLoader is not None:

    class _FastLoader(_CSafeLoader):  # type: ignore[misc,valid-type]
        """libyaml's parser with :class:`_Loader`'s implicit types (YAML 1.2 booleans)."""

    _FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
else:  # pragma: no cover - PyYAML without libyaml
    _FastLoader = None  # type: ignore[assignment,misc]


class _NeedsSlowPath(Exception):
    """The fast path met something only the reference loader reports properly."""


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


# The only tags a pack or config may carry (all resolved implicitly from plain YAML).
# Anything else -- !!python/object/apply:..., !!binary, !custom -- is refused outright:
# packs are plain data, and a tag on a mapping or sequence would otherwise be ignored.
_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = frozenset(_CORE + t for t in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp"))


def _check_tag(node: yaml.Node) -> None:
    if node.tag not in _ALLOWED_TAGS:
        shown = "!!" + node.tag[len(_CORE):] if node.tag.startswith(_CORE) else node.tag
        raise YamlError(f"YAML tag {shown} is not allowed (packs and config are plain data)", *_pos(node))


def _convert(node: yaml.Node, loader: Any) -> Any:
    _check_tag(node)
    if isinstance(node, yaml.MappingNode):
        out = PosDict()
        out.pos = _pos(node)
        out.key_pos = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlError("YAML merge keys (<<) are not allowed", *_pos(key_node))
            _check_tag(key_node)
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, (dict, list)):
                raise YamlError("mapping keys must be plain values", *_pos(key_node))
            key = str(key) if not isinstance(key, str) else key
            if key in out:
                raise YamlError(f"duplicate key {key!r}", *_pos(key_node))
            out[key] = _convert(value_node, loader)
            out.key_pos[key] = _pos(key_node)
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = PosList()
        seq.pos = _pos(node)
        seq.item_pos = []
        for item in node.value:
            seq.append(_convert(item, loader))
            seq.item_pos.append(_pos(item))
        return seq
    return loader.construct_object(node, deep=True)


# Where an anchor could begin: "&" and a name character, at a line's start or after
# whitespace or a flow indicator. "Privacy & Technology" or "R&D" cannot be one; a text
# with no match holds no anchor, hence no alias either (an alias needs its anchor).
_MAYBE_ANCHOR = re.compile(r"(?:^|(?<=[\s\[\]{},:?-]))&[^\s\[\]{},]", re.MULTILINE)


def _load_fast(text: str) -> Any:
    """libyaml: scan for anchors and aliases (refused, with the reference loader's
    message) when the text may hold one, then compose and convert as
    :func:`_load_reference` does. (The scan makes a Python token of every token:
    half of loading the bundled pack, for a check most packs never need.)"""
    try:
        if _MAYBE_ANCHOR.search(text):
            for token in yaml.scan(text, Loader=_FastLoader):
                if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                    raise _NeedsSlowPath()
        loader = _FastLoader(text)
        try:
            node = loader.get_single_node()
            return None if node is None else _convert(node, loader)  # type: ignore[arg-type]
        finally:
            loader.dispose()
    except (YamlError, yaml.YAMLError, ValueError, TypeError, RecursionError):
        raise _NeedsSlowPath() from None


def _load_reference(text: str) -> Any:
    """The pure-Python loader: slower, but its errors are the ones users see."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return _convert(node, loader)
    except YamlError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlError(f"invalid YAML: {exc.problem or exc.context}", line, col) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()


