"""Everything that decides how a run behaves, from defaults, config files and flags.

The CLI builds one :class:`Settings`; ``runner.run`` and the reporters read it.
Config-file loading (``.clause-lint.yaml`` / ``[tool.clause-lint]``) fills the same
object, so every config key has exactly one command-line twin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .limits import DEFAULT_LIMITS, Limits

FAIL_LEVELS = ("error", "warning", "info", "never")


@dataclass
class Settings:
    packs: list[str] = field(default_factory=lambda: ["safe-face-pledge"])
    select: Optional[set[str]] = None
    ignore: set[str] = field(default_factory=set)
    # rule id or name -> {status: severity}
    severity: dict[str, dict[str, str]] = field(default_factory=dict)
    assume_applicable: bool = False
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    fail_on: str = "error"
    format: str = "text"
    limits: Limits = DEFAULT_LIMITS
    jobs: Optional[int] = None  # worker processes; None: one per CPU; 1: in process
    # A Dask scheduler to check documents on (tcp://HOST:PORT, or local:N for a
    # LocalCluster of N worker processes; clause_lint.dask_backend); None: here.
    scheduler: Optional[str] = None
    cache_dir: Optional[str] = None  # result cache folder (clause_lint.cache); None: no cache
    config_path: Optional[str] = None  # the config file these settings came from
    # Where each key was set in the config file ("FILE:LINE:COL"), for error messages.
    origins: dict[str, str] = field(default_factory=dict)
    waivers: Optional[str] = None  # waiver file (clause_lint.suppress)
    strict_waivers: bool = False  # expired or unused waivers fail the run
    baseline: Optional[str] = None  # baseline file to read (clause_lint.baseline)
    write_baseline: Optional[str] = None  # baseline file to write from this run
    allow_empty: bool = False  # a run that finds no document to check is not an error
