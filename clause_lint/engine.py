"""Judging: clause units → a status per rule, with evidence, reasons and fixes.

The units come from :mod:`clause_lint.analysis`. A rule's criteria ask: under which
force do which concepts meet, in which roles? The first criterion met gives the unit
a status; non-binding wording, a narrowing qualifier or a carve-out of a kind the
rule names turns ``present`` into ``weak``. Across the document the spec's
precedence decides: present, contradicted, weak, missing — except that a
contradicted clause that says "notwithstanding" decides over present ones when its
criterion says it may. The deciding clause is quoted first (see :func:`_rank`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Optional

from . import grammar, provisions
from .provisions import Provision
from .model import Block, Document
from .structure import DEFINING_VERB
from .nlp import sentence_bounds
from .results import (
    CONTRADICTED,
    MISSING,
    NOT_APPLICABLE,
    PRESENT,
    WEAK,
    DocumentResult,
    Evidence,
    RuleResult,
)
from .rules.model import Criterion, Pack, Rule
from .analysis import (
    Analysis,
    CompiledPack,
    Governed,
    SCOPE_STATEMENT,
    Sentence,
    Unit,
    _ENUMERATOR,
    _segment,
    _short,
)

MAX_EVIDENCE = 5
EVIDENCE_CHARS = 400


@dataclass
class _Verdict:
    status: str
    criterion: Criterion
    unit: Unit
    reason: str
    provision: Optional[Provision] = None  # the provision whose roles met the criterion
    hits: list[Governed] = field(default_factory=list)
    rank: tuple = ()  # how directly it decides: smaller first (see _rank)
    fixes: list[str] = field(default_factory=list)  # what to change, when a weakening decided


class Engine:
    """Runs compiled packs over documents. Build once, reuse for every document."""

    def __init__(self, packs: list[Pack]) -> None:
        self.packs = packs
        self.compiled = [CompiledPack(p) for p in packs]

    # -- public ---------------------------------------------------------------
    def check(
        self,
        document: Document,
        *,
        assume_applicable: bool = False,
        rule_filter: Optional[set[str]] = None,
    ) -> DocumentResult:
        analysis = Analysis(document)
        result = DocumentResult(
            path=document.path,
            format=document.format,
            warnings=list(document.warnings),
            pages=document.pages,
            numbering_resolved=document.numbering_resolved,
        )
        for compiled in self.compiled:
            pack = compiled.pack
            scope = analysis.scope(compiled)
            applicable = assume_applicable or scope.applicable
            result.applicable[pack.name] = applicable
            result.scope[pack.name] = scope.to_dict()
            for rule in pack.rules:
                if rule_filter is not None and rule.id not in rule_filter:
                    continue
                if not applicable:
                    result.results.append(_not_applicable(rule, pack))
                    continue
                result.results.append(judge(analysis, compiled, rule))
        return result

def judge(analysis: Analysis, compiled: CompiledPack, rule: Rule) -> RuleResult:
    """The status of ``rule`` in the analysed document, with its evidence."""
    verdicts: list[_Verdict] = []
    prohibited = analysis.prohibited(compiled)
    for unit in analysis.units(compiled):
        verdict = _judge_unit(rule, unit, prohibited, lambda u=unit: analysis.cited_prohibitions(compiled, u), compiled,
                              analysis.customer_names)
        if verdict is not None:
            verdicts.append(verdict)
    status = MISSING
    deciding: Optional[_Verdict] = None
    # Within a status, the clause that decides most directly comes first (stable:
    # document order breaks ties).
    by_status = {s: sorted((v for v in verdicts if v.status == s), key=lambda v: v.rank) for s in (PRESENT, CONTRADICTED, WEAK)}
    overriding = [v for v in by_status[CONTRADICTED] if v.criterion.overrides and v.unit.notwithstanding]
    if by_status[PRESENT] and overriding:
        status, deciding = CONTRADICTED, overriding[0]
    else:
        for s in (PRESENT, CONTRADICTED, WEAK):
            if by_status[s]:
                status, deciding = s, by_status[s][0]
                break
    ordered = ([deciding] if deciding else []) + [v for v in verdicts if v is not deciding]
    evidence = [_evidence(v, analysis.list_items) for v in ordered[:MAX_EVIDENCE]]
    message = _message(rule, status, deciding)
    return RuleResult(
        rule=rule.id,
        pack=rule.pack,
        name=rule.name,
        title=rule.title,
        status=status,
        severity=rule.severity_for(status),
        message=message,
        evidence=evidence,
        remediation=_remediation(analysis, rule, status, deciding),
        reference=_reference(rule),
    )

def _remediation(analysis: Analysis, rule: Rule, status: str, deciding: Optional[_Verdict]) -> Optional[str]:
    """What to change, in the document's own words: the criterion's or weakening's
    own fix where there is one, and the model clause with the document's party
    and product names ("Licensee", "the Software") in place of the pack's."""
    if status == PRESENT:
        return None
    if deciding is not None and deciding.fixes:
        text = " ".join(deciding.fixes) + " Model clause: " + (rule.fix.get(MISSING) or rule.fix.get(status) or "")
    else:
        text = rule.fix.get(status) or ""
    return _in_document_terms(text, analysis.document, analysis.parties) if text else None


def _judge_unit(
    rule: Rule,
    unit: Unit,
    prohibited: set[str],
    cited: Optional[Callable[[], set[str]]] = None,
    compiled: Optional[CompiledPack] = None,
    customers: tuple[str, ...] = (),
) -> Optional[_Verdict]:
    if _rule_wanted(rule).isdisjoint(unit.governed_concepts):
        return None  # no criterion of the rule has a concept governed here
    concept_names = compiled.names if compiled is not None else {}
    # A present criterion met only in a weakened form ("We evaluate our algorithm in NIST's
    # evaluation" — a statement) is held while a later one may be met in full by another
    # part of the clause ("… and commit to publishing every result").
    held: Optional[_Verdict] = None
    for crit in rule.criteria:
        if held is not None and crit.status != PRESENT:
            continue
        if crit.document_prohibits and not prohibited & set(crit.document_prohibits):
            continue
        if crit.cites_prohibition and not (cited is not None and cited() & set(crit.cites_prohibition)):
            continue
        wanted = _wanted(crit)
        if wanted.isdisjoint(unit.governed_concepts):
            continue  # none of its concepts is governed here: skip the role checks
        forces = set(crit.force) - {"any"}
        candidates = [g for g in unit.governed if g.concept in wanted and (not forces or g.force in forces) and _role_ok(crit, g, customers)
                      and _carve_back_applies(rule, g, cited)]
        names = {g.concept for g in candidates}
        if crit.all and not set(crit.all) <= names:
            continue
        if crit.roles_of and crit.all and not _one_provision(crit.all, candidates):
            continue  # roles are relations within one provision, not across a sentence's clauses
        if crit.any and not names & set(crit.any):
            continue
        hits = [g for g in candidates if g.concept in set(crit.all) | set(crit.any)]
        scope = _scope(unit, hits)
        if crit.none and _excluded(crit, unit, scope, hits):
            continue
        if crit.context and not (scope & set(crit.context) or _defined_in(unit) & set(crit.context)):
            continue
        status = crit.status
        reason = _describe(crit, hits, concept_names)
        fixes: list[str] = []
        if status == PRESENT:
            weakening = []
            if rule.non_binding_weakens and hits and all(not g.binding for g in hits):
                first = hits[0]
                practice = first.provision is not None and first.provision.cue is not None and first.provision.cue.label == grammar.STATEMENT_OF_PRACTICE
                if practice and crit.right:
                    # The criterion asks for a right ("Provider may audit"); a statement that
                    # the holder does it ("Provider audits each customer") shows the right.
                    pass
                elif first.provision is not None and first.provision.cue is not None and first.provision.cue.label == grammar.ANSWERED_NO:
                    weakening.append("a question answered 'No' in the text after it, which says what is not done but binds no one to it")
                    fixes.append("State it as a rule: write the question's answer as '… shall not …'.")
                elif practice:
                    weakening.append(f"a statement of what is done ('{first.cue}'), with no word that binds anyone to keep doing it")
                    base = first.provision.action_lemmas[0] if first.provision.action_lemmas else first.provision.cue.text.lower()
                    fixes.append(f"Make it a duty: write 'shall {base}' instead of '{first.cue}'.")
                else:
                    weakening.append(f"non-binding wording '{first.cue}'")
                    fixes.append(f"Make the clause binding: replace '{first.cue}' with 'shall' (or 'shall not').")
            if rule.narrowing_weakens and hits and all(g.narrowed_by for g in hits):
                weakening.append(f"a qualifier that bans only a subset '{_short(hits[0].narrowed_by or '', 80)}'")
                fixes.append(f"Remove the qualifier in '{_short(hits[0].narrowed_by or '', 80)}' so that the clause covers every such use.")
            for kind in rule.weak_carve_outs:
                if kind in unit.carve_kinds:
                    what = _carve_description(compiled, kind) if compiled is not None else kind.replace("_", " ")
                    weakening.append(f"a carve-out for {what} '{_short(unit.carve_kinds[kind], 80)}'")
                    fixes.append(f"Delete the carve-out '{_short(unit.carve_kinds[kind], 80)}'; any exception should be "
                                 "limited to a statute, a court order or a warrant.")
            if weakening:
                status = WEAK
                reason = f"{reason}; weakened by {', '.join(weakening)}"
        elif status == CONTRADICTED and hits and all(not g.binding for g in hits):
            continue
        deciding = next((g.provision for g in hits if g.provision is not None), None)
        verdict = _Verdict(status, crit, unit, reason, deciding, hits, _rank(rule, crit, unit, hits), fixes)
        if status == WEAK and crit.status == PRESENT:
            held = held or verdict
            continue
        return verdict
    return held


# Roles a concept may hold when a criterion names none. What a carve-out takes out
# of a ban ("except for internal evaluation") counts only for criteria that ask for
# it. A citation ("as provided in the defence regulations") counts by default, since
# a flow-down or an enforcement clause names the use restrictions by reference
# ("no less protective than those set out in Section 4 (Use Restrictions)"); criteria
# about what a use is *for* name their roles and leave references out.
DEFAULT_ROLES = frozenset(provisions.ROLES) - {provisions.EXCEPTION} | {None}


def _role_ok(crit: Criterion, g: Governed, customers: tuple[str, ...] = ()) -> bool:
    own = crit.roles_of.get(g.concept) or crit.roles
    roles = set(own) if own else DEFAULT_ROLES
    if g.role not in roles and not (g.role is None and not own):
        return False
    if g.force == grammar.PERMISSION and g.provision is not None and g.provision.subordinate and g.role != provisions.NEGATED:
        return False  # "officers who are authorized to carry firearms" describes, it does not permit
    lemmas = g.provision.action_lemmas if g.provision is not None else ()
    if crit.action and not set(lemmas) & set(crit.action):
        return False
    if crit.except_action and lemmas and set(lemmas) <= set(crit.except_action):
        return False
    if crit.actor_not and g.provision is not None:
        actor = g.provision.span(provisions.ACTOR)
        if actor is not None:
            said = " " + " ".join(actor.text.lower().replace("(", " ").replace(")", " ").replace("'s", " ").split()) + " "
            if set(said.split()) & set(crit.actor_not):
                return False
            # the document's own name for the customer ("Ono may terminate this Agreement at will")
            if any(f" {name} " in said for name in customers):
                return False
    return True


_BY_NUMBER = re.compile(r"^(?:" + "|".join(grammar.SECTION_WORDS) + r")\b", re.IGNORECASE)


def _carve_back_applies(rule: Rule, g: Governed, cited: Optional[Callable[[], set[str]]]) -> bool:
    """A section disapplied by number ("Section 4 does not apply to Customers in the
    defence sector") frees the class only from what that section bans: it counts for a
    rule when the cited section bans something the rule is about, so "Section 7 does
    not apply to defence customers" of a payment section frees nothing."""
    cue = g.provision.cue if g.provision is not None else None
    if cue is None or cue.label != grammar.CARVE_BACK or not _BY_NUMBER.match(cue.text):
        return True
    return cited is not None and not cited().isdisjoint(_rule_wanted(rule))


def _one_provision(concepts: tuple[str, ...], hits: list[Governed]) -> bool:
    """Whether one provision holds every concept in ``concepts`` among ``hits``."""
    held: dict[int, set[str]] = {}
    for g in hits:
        held.setdefault(id(g.provision), set()).add(g.concept)
    return any(set(concepts) <= found for found in held.values())


def _rule_wanted(rule: Rule) -> frozenset[str]:
    """Every concept some criterion of ``rule`` asks for (``all`` or ``any``)."""
    got = rule.__dict__.get("_wanted")
    if got is None:
        got = rule.__dict__["_wanted"] = frozenset().union(*(_wanted(c) for c in rule.criteria))
    return got


def _wanted(crit: Criterion) -> frozenset[str]:
    """The concepts of a criterion's ``all`` and ``any``, computed once per criterion."""
    got = crit.__dict__.get("_wanted")
    if got is None:
        got = crit.__dict__["_wanted"] = frozenset(crit.all) | frozenset(crit.any)
    return got


def _scope(unit: Unit, hits: list[Governed]) -> set[str] | frozenset[str]:
    """The concepts a criterion's context and exclusions look at: the whole unit, or —
    for items of an inline list decided by their own words — the items that hold
    the deciding words, the list's opening segment and what surrounds the sentence."""
    if not unit.segments or len(unit.segments) < 2 or not hits or any(g.via != "sentence" for g in hits):
        return unit.concepts
    keep = {g.segment for g in hits} | {0}
    out = set(unit.outer_concepts)
    for k in keep:
        out |= unit.segments.get(k, frozenset())
    return out


_DEFINES = re.compile(r"[\"\u201d']\s*(?:\)\s*)?" + DEFINING_VERB + r"\b", re.IGNORECASE)


def _excluded(crit: Criterion, unit: Unit, scope: set[str] | frozenset[str], hits: list[Governed]) -> bool:
    """Whether a ``none`` concept is in the clause, leaving out examples given of the
    deciding words: "shall not surveil individuals (e.g., workplace monitoring)" is not
    limited to the workplace, but in "may disclose information, including images, to
    police" the example says what is disclosed, so it still counts."""
    found = scope & set(crit.none)
    if not found or not unit.illustrative:
        return bool(found)
    first = min((g.pos for g in hits if g.via == "sentence" and g.at is unit.sentence and g.pos >= 0), default=None)
    return any(c not in unit.illustrative or first is None or unit.illustrative[c] < first for c in found)


def _defined_in(unit: Unit) -> frozenset[str]:
    """What the defined terms the clause uses stand for ("watch-list alerts from Express
    Entry", where "Express Entry" means a face recognition system): context as much as
    the clause's own words."""
    got = unit.__dict__.get("_defined")
    if got is None:
        got = unit.__dict__["_defined"] = frozenset(g.concept for g in unit.governed if g.via.startswith("definition"))
    return got


def _titleish(text: str) -> bool:
    """A short line in Title Case with no full stop ("Do Not Develop or Design
    Weapons"): a heading in all but name."""
    words = text.split()
    if not words or len(words) > 16 or text.rstrip()[-1:] in ".;:!?":
        return False
    content = [w for w in words if len(w) > 3 and w[0].isalpha()]
    return bool(content) and sum(w[0].isupper() for w in content) >= 0.8 * len(content)


def _rank(rule: Rule, crit: Criterion, unit: Unit, hits: list[Governed]) -> tuple:
    """How directly a clause decides a rule, smaller first: its own words over a
    lead-in's over a definition's; an operative clause over a definition; a clause
    with its own cue over one governed by a heading; the pack's earlier criterion and
    its earlier (more telling) concept first."""
    text = unit.sentence.text
    # A title or a question names a topic; the clause under it states the rule.
    heading = 1 if (hits and all((g.cue or "").startswith("heading") for g in hits)) or _titleish(text) or text.rstrip().endswith("?") else 0
    via = max(({"sentence": 0, "lead-in": 1}.get(g.via, 2) for g in hits), default=2)
    # an item under "X" means: … is part of the definition too
    defining = 1 if _DEFINES.search(text) or (unit.lead_in and _DEFINES.search(unit.lead_in)) else 0
    # the clause in the section the document gives the topic ("Term and Termination",
    # "Audit") over one that touches it elsewhere
    # (a whole article given to it — "Article 14: Termination" > "14.4 Suspension" — over one
    # clause on it inside an article about something else)
    named = {g.concept for g in hits}
    off_topic = -sum(1 for topic in unit.heading_topics if topic & named)
    crit_index = rule.criteria.index(crit) if crit in rule.criteria else 99
    order = list(crit.any) + list(crit.all)
    concept_index = min((order.index(g.concept) for g in hits if g.concept in order), default=99)
    return (heading, via, defining, off_topic, crit_index, concept_index)


_FORCE_WORDS = {
    grammar.PROHIBITION: "a prohibition", grammar.OBLIGATION: "an obligation", grammar.PERMISSION: "a permission",
    grammar.DISCLAIMER: "a disclaimer", grammar.CONDITION: "a condition", grammar.LIABILITY: "a liability clause",
}


def _describe(crit: Criterion, hits: list[Governed], names: Optional[dict[str, str]] = None) -> str:
    """The reason in words a lawyer reads: the criterion, then for each deciding
    phrase the cue that governs it, what the phrase stands for and its role:
    "prohibition covering weapons …: 'weapon system' (weapons, weapon systems and their
    development), the purpose of the prohibition 'shall not'"."""
    names = names or {}
    parts = []
    seen = set()
    for g in hits:
        key = (g.force, g.cue, g.concept)
        if key in seen:
            continue
        seen.add(key)
        what = names.get(g.concept, g.concept.replace("_", " "))
        force = _FORCE_WORDS.get(g.force, g.force)
        if not g.cue:
            head = "with no word of obligation"
        elif g.role in (provisions.NEGATED, provisions.EXCEPTION):
            # the force was turned: "shall not use … for any non-military purpose"
            head = f"left outside '{g.cue}', which reaches only what is not '{g.text}' — so {force}"
        elif g.role:
            head = f"the {g.role} of {force} '{g.cue}'"
        else:
            head = f"under {force} '{g.cue}'"
        via = "" if g.via == "sentence" else f", through the {g.via}"
        parts.append(f"'{g.text}' ({what}), {head}{via}")
        if len(parts) == 3:
            break
    return f"{crit.reason}: {'; '.join(parts)}" if parts else crit.reason


def _carve_description(compiled: CompiledPack, kind: str) -> str:
    concepts = compiled.carve_kinds.get(kind) or []
    return compiled.names.get(concepts[0], kind.replace("_", " ")) if concepts else kind.replace("_", " ")


def _quote(v: _Verdict) -> str:
    """The words a lawyer needs, holding the words that decided: for an item of an
    inline list, the list's opening and the item; for a long sentence, a window
    around the deciding words; for a concept that came through a lead-in or a
    definition, that lead-in or definition around its words as well."""
    s = v.unit.sentence
    own = [g.pos for g in v.hits if g.at is s and g.pos >= 0]
    # A definition's concept is decided where the clause names the defined term.
    mentions = [g.mention for g in v.hits if g.at is not s and g.mention >= 0 and s.start <= g.mention < s.end]
    defined = next((g for g in v.hits if g.via.startswith("definition") and g.at is not None and g.at is not s), None)
    # "This clause applies to any customer that is a police force. Such a customer shall not …":
    # the statement that names who "such a customer" is comes first
    stated = next((g for g in v.hits if g.via == SCOPE_STATEMENT and g.at is not None and g.at is not s), None)
    budget = EVIDENCE_CHARS if (defined is None and stated is None) or own else EVIDENCE_CHARS // 2
    text = _clause_quote(s, own or mentions, budget)
    if stated is not None and not own:
        return f"{_window(stated.at.text, stated.text, EVIDENCE_CHARS - len(text) - 3)} … {text}"
    if defined is not None and not own:
        term = defined.via[len("definition of "):]
        body = _window(defined.at.text, defined.text, EVIDENCE_CHARS - len(text) - len(term) - 5)
        # the definition's text starts after its term ("means …"): name the term again
        joint = " " if _DEFINING_VERB.match(body) else ": "
        text = f"{text} … {term}{joint}{body}"
    return text


_DEFINING_VERB = re.compile(DEFINING_VERB + r"\b", re.IGNORECASE)


def _clause_quote(s: Sentence, positions: list[int], budget: int) -> str:
    text = s.text
    if positions and s.semicolons:
        seg = _segment(s, positions[0])
        if seg > 0:
            first_end = s.semicolons[0]
            seg_start = s.semicolons[seg - 1] + 1
            seg_end = s.semicolons[seg] if seg < len(s.semicolons) else s.end
            opening = s.doc[s.start:first_end].text
            cut = _ENUMERATOR.search(opening)  # "Customer shall not: (a) …": keep the lead words
            if cut is not None and cut.start() > 0:
                opening = opening[:cut.end() if cut.group(0) == ":" else cut.start()].rstrip()
            item = s.doc[seg_start:seg_end].text.strip()
            text = f"{_short(opening, 160)} … {item}"
            if len(text) <= budget:
                return text
            text = s.text
    if len(text) > budget and positions:
        base = s.doc[s.start].idx
        return _window_at(text, s.doc[positions[0]].idx - base, budget)
    return text


def _window_at(text: str, at: int, width: int) -> str:
    """``width`` characters of ``text`` around the character offset ``at``, starting
    at a word and marked with '…' where cut."""
    if len(text) <= width:
        return text
    lo = max(0, at - width // 3)
    lo = text.rfind(" ", 0, lo) + 1 if lo > 0 else 0
    window = text[lo:lo + width - 2]
    return ("…" if lo > 0 else "") + window


def _window(text: str, words: str, width: int) -> str:
    """A window of ``text`` around ``words`` (case and spacing ignored), from its
    start when the words are near it."""
    width = max(width, 80)
    at = text.lower().find(words.lower())
    if at < 0:
        at = 0
    if at + len(words) <= width - 2:
        at = 0
    return _short(_window_at(text, at, width), width)


def _evidence(v: _Verdict, list_items: Optional[Callable[[Block], list[Block]]] = None) -> Evidence:
    s = v.unit.sentence
    start, end = s.char_span()
    text = _quote(v)
    if list_items is not None and s.end >= len(s.doc) and text.rstrip().endswith(":") and len(text) < EVIDENCE_CHARS - 40:
        # A lead-in that decides ("… shall request the Academy to:") is read with
        # its list: the items say what the duty is.
        items = [" ".join(f"{b.label or ''} {b.text}".split()) for b in list_items(s.block)]
        if items:
            text = f"{text} {' '.join(items)}"
    text = _with_next_sentence(s, text)
    led = next((g.text for g in v.hits if g.via == "lead-in"), "")
    if v.unit.lead_in and v.unit.lead_in not in text:
        lead = _window(v.unit.lead_in, led, 160) if led else _short(v.unit.lead_in, 160)
        holder = next((t for t in v.unit.lead_chain if led.lower() in t.lower()), None) if led else None
        if holder is not None and holder != v.unit.lead_in:
            # The deciding words are in a lead-in further up ("You will not use, or
            # allow others to use, … to:" over "Engage in … such as:"): quote both.
            lead = _elide(_window(holder, led, 110), _short(v.unit.lead_in, 90))
        # The lead-in goes first when the clause needs it (its words decided, or the
        # clause takes its force or its subject from it: "(c) use the Service in any
        # weapon system") or when there is room; a clause that reads on its own is not
        # cut short for it.
        # An item that begins in lower case goes on with its lead-in's sentence.
        needed = bool(led) or v.provision is None or v.provision.inherited or s.text[:1].islower()
        if needed or len(lead) + 3 + len(text) <= EVIDENCE_CHARS:
            text = _elide(lead, text)
    block = s.block
    role = {PRESENT: "supports", WEAK: "weakens", CONTRADICTED: "contradicts"}.get(v.status, "related")
    return Evidence(
        text=_short(text, EVIDENCE_CHARS),
        reason=f"{v.status}: {v.reason}",
        role=role,
        section=block.section,
        page=block.page,
        line=block.line,
        paragraph=block.paragraph,
        start=start,
        end=end,
        block=block.index,
        provision=_provision_dict(v.provision),
    )


def _elide(first: str, then: str) -> str:
    """Two passages with the text between them left out, marked once with '…'."""
    return f"{first} {then}" if first.endswith("…") else f"{first} … {then}"


def _with_next_sentence(s: Sentence, text: str) -> str:
    """A short clause with the sentence after it in the same paragraph, when both fit:
    a provision often takes two sentences ("Provider may monitor use for compliance.
    If it finds a violation, it may block …"), and a lawyer quotes the paragraph."""
    if len(text) > EVIDENCE_CHARS // 2 or text != s.text or s.end >= len(s.doc):
        return text
    nxt = next(((a, b) for a, b in sentence_bounds(s.doc) if a == s.end), None)
    if nxt is None:
        return text
    following = s.doc[nxt[0]:nxt[1]].text.strip()
    if not following or len(text) + 1 + len(following) > EVIDENCE_CHARS:
        return text
    return f"{text} {following}"


def _provision_dict(prov: Optional[Provision]) -> Optional[dict]:
    if prov is None:
        return None
    return {
        "modality": prov.force,
        "binding": prov.binding,
        "cue": prov.cue.text if prov.cue is not None else None,
        "inherited": prov.inherited,
        "subordinate": prov.subordinate,
        "roles": prov.roles(),
    }


def _message(rule: Rule, status: str, deciding: Optional[_Verdict]) -> str:
    """The rule's message for the status, made specific to the criterion that decided:
    "The lethal-use restriction falls short: prohibition limited to weapons of mass
    destruction …" rather than a list of every way it could fall short."""
    base = rule.messages.get(status) or rule.title
    if deciding is None or status in (PRESENT, MISSING):
        return base
    head = base.split(" (")[0].rstrip(".")
    why = deciding.criterion.reason
    if deciding.fixes and status == WEAK and deciding.criterion.status == PRESENT:
        why = f"{why}, but weakened"
    return f"{head}: {why}."


# The pack's model clauses speak of Customer, Provider and the Service; a document
# may call them otherwise. Each role lists the names a document may define for it,
# the pack's own first.
_PARTY_NAMES = {
    "Customer": ("Customer", "Licensee", "Client", "Reseller", "Subscriber", "Buyer", "Purchaser", "User", "Agency", "Recipient"),
    "Provider": ("Provider", "Licensor", "Vendor", "Supplier", "Company", "Seller", "Contractor"),
    "Service": ("Service", "Software", "Model", "Platform", "Product", "SDK", "API", "Licensed Technology", "Solution", "System"),
}


def _in_document_terms(text: str, document: Document, parties: tuple[Optional[str], Optional[str]] = (None, None)) -> str:
    defined = set(document.defined_terms)
    learned = {"Customer": parties[0], "Provider": parties[1]}
    for ours, names in _PARTY_NAMES.items():
        if ours in defined:
            continue
        theirs = next((n for n in names[1:] if n in defined), None) or learned.get(ours)
        if theirs is None:
            continue
        text = re.sub(rf"\b{ours}(?=\b)", theirs, text)
    return text


def _reference(rule: Rule) -> Optional[str]:
    ref = rule.reference or {}
    bits = [b for b in (ref.get("title"), ref.get("section") and f"§{ref['section']}", ref.get("url")) if b]
    return ", ".join(bits) if bits else None


def _not_applicable(rule: Rule, pack: Pack) -> RuleResult:
    gate = (pack.applicability or {}).get("description", "the document is outside the pack's subject")
    return RuleResult(
        rule=rule.id,
        pack=rule.pack,
        name=rule.name,
        title=rule.title,
        status=NOT_APPLICABLE,
        severity="none",
        message=f"Not applicable: the pack applies when {gate}. Use --assume-applicable to check anyway.",
        reference=_reference(rule),
    )
