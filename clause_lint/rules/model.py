"""Compiled rule packs: the in-memory form of ``rules/*.yaml``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass
class Criterion:
    """One way a clause can give a rule a status.

    A clause unit meets the criterion when its deontic force is one of ``force``
    (empty: any), every concept in ``all`` matches, at least one of ``any`` matches
    (when given), and none of ``none`` matches.
    """

    status: str
    reason: str
    force: tuple[str, ...] = ()
    all: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    none: tuple[str, ...] = ()
    context: tuple[str, ...] = ()  # any of these anywhere in the unit
    document_prohibits: tuple[str, ...] = ()  # any of these banned somewhere in the document
    # any of these banned in a section the clause cites ("for breach of Section 3.3(c)")
    cites_prohibition: tuple[str, ...] = ()
    overrides: bool = False  # with "notwithstanding", decides over present clauses
    # Roles (clause_lint.provisions.ROLES) the concepts of all/any must hold in their
    # provision; empty: any role but a citation.
    roles: tuple[str, ...] = ()
    # Roles one concept must hold where it differs from ``roles`` ("police" as the user
    # or recipient, "predictive policing" as the purpose); the concepts of ``all`` must
    # then hold them in one provision.
    roles_of: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Lemmas of the provision's action verb, one of which it must have ("use", "sell").
    action: tuple[str, ...] = ()
    # Lemmas the provision's action must not be ("sell firearms" is trade in weapons,
    # not a use of the technology for them).
    except_action: tuple[str, ...] = ()
    # Words that must not name the provision's actor ("you may terminate these Terms":
    # the customer's right, not the provider's).
    actor_not: tuple[str, ...] = ()
    # The criterion asks for a power its actor holds ("Provider may audit"): a statement
    # that the actor does it ("Provider audits each account") shows the power, so it is
    # not weakened as a mere statement of practice.
    right: bool = False


@dataclass
class Rule:
    id: str
    name: str
    title: str
    pack: str
    summary: str  # one line: what the clause must do
    explanation: str  # why, for a lawyer
    reference: dict[str, str]  # {"section": "1.1", "title": ..., "url": ...}
    severity: dict[str, str]  # status -> error|warning|info|none
    messages: dict[str, str]  # status -> message
    fix: dict[str, str]  # status -> model clause language
    criteria: list[Criterion] = field(default_factory=list)
    weak_carve_outs: tuple[str, ...] = ()  # carve-out kinds that weaken a present clause
    non_binding_weakens: bool = True  # "should not" turns present into weak
    # a restrictive qualifier on the banned class ("any law enforcement application
    # that violates civil liberties", "prohibited law enforcement purposes") turns
    # present into weak: only a subset is banned
    narrowing_weakens: bool = False
    examples: dict[str, list[str]] = field(default_factory=dict)
    source: Optional[str] = None  # "file:line" where the rule is defined

    def severity_for(self, status: str) -> str:
        return self.severity.get(status, "none")


@dataclass
class Pack:
    name: str
    version: str
    title: str
    description: str
    references: list[dict[str, str]]
    applicability: dict[str, Any]
    concepts: dict[str, Any]
    rules: list[Rule]
    path: Optional[str] = None
    carve_outs: dict[str, list[str]] = field(default_factory=dict)
