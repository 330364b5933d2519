"""Rule packs: loading, validation and the compiled form the engine runs."""

from .loader import BUNDLED_PACK_DIR, bundled_pack_names, load_pack, load_packs, resolve_pack
from .model import Criterion, Pack, Rule

__all__ = [
    "BUNDLED_PACK_DIR",
    "Criterion",
    "Pack",
    "Rule",
    "bundled_pack_names",
    "load_pack",
    "load_packs",
    "resolve_pack",
]
