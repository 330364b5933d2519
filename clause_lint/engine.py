"""The rule engine: clause units → a status per rule, with evidence.

For every operative sentence the engine finds (``grammar``) the deontic cues and
carve-outs, and (per pack) the concepts it mentions. Each concept match is
*governed* by the nearest cue before it in the sentence — or, for a list item with
no cue of its own, by the cue of its lead-in ("Customer shall not: … (c) use the
Service in any weapon system") — or else by the nearest cue after it ("… is
prohibited"). A mention of a defined term brings in the concepts of its definition,
governed like the mention. A rule's criteria then ask: under which force do which
concepts meet? The first criterion met gives the sentence a status; non-binding
wording or a carve-out of a kind the rule names turns ``present`` into ``weak``.
Across the document the spec's precedence decides: present, contradicted, weak,
missing — except that a contradicted clause that says "notwithstanding" decides
over present ones when its criterion says it may.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Optional

from spacy.attrs import LOWER
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from . import grammar, provisions
from .grammar import Cue
from .provisions import Provision
from .matching import AnchoredMatcher
from .model import Block, Document
from .nlp import get_nlp, sentence_bounds
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

MAX_EVIDENCE = 5
EVIDENCE_CHARS = 400
# Definitions are expanded this deep ("Prohibited Use" → "Weapons Use" → …).
MAX_DEFINITION_DEPTH = 2


@dataclass(frozen=True)
class ConceptMatch:
    concept: str
    start: int
    end: int
    text: str


class CompiledPack:
    """A pack's concepts compiled to spaCy matchers, built once per process."""

    def __init__(self, pack: Pack) -> None:
        nlp = get_nlp()
        self.pack = pack
        self.lemma = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.tokens = AnchoredMatcher(nlp.vocab)
        self.not_within: dict[str, tuple[str, ...]] = {}
        for name, concept in pack.concepts.items():
            if concept.get("terms"):
                self.lemma.add(name, list(nlp.pipe(concept["terms"])))
            if concept.get("exact"):
                self.lower.add(name, [nlp.make_doc(t) for t in concept["exact"]])
            if concept.get("patterns"):
                self.tokens.add(name, concept["patterns"])
            if concept.get("not_within"):
                self.not_within[name] = tuple(concept["not_within"])
        self.carve_kinds = pack.carve_outs
        self.strings = nlp.vocab.strings
        # what a lawyer reads instead of a concept's internal name
        self.names = {name: str((c or {}).get("description") or name.replace("_", " ")) for name, c in pack.concepts.items()}

    def matches(self, doc: Doc) -> list[ConceptMatch]:
        raw: list[tuple[str, int, int]] = list(self.tokens(doc))
        for matcher in (self.lemma, self.lower):
            for match_id, start, end in matcher(doc):
                raw.append((self.strings[match_id], start, end))
        if not raw:
            return []
        by_concept: dict[str, list[tuple[int, int]]] = {}
        for name, s, e in raw:
            by_concept.setdefault(name, []).append((s, e))
        out = []
        seen = set()
        for name, s, e in sorted(raw, key=lambda r: (r[1], r[2], r[0])):
            if (name, s, e) in seen:
                continue
            seen.add((name, s, e))
            blocked = False
            for other in self.not_within.get(name, ()):
                if any(os_ <= s and e <= oe for os_, oe in by_concept.get(other, ())):
                    blocked = True
                    break
            if not blocked:
                out.append(ConceptMatch(name, s, e, provisions.span_text(doc, s, e)))
        return out


@dataclass
class Sentence:
    """One sentence of one block, with what the grammar found in it."""

    block: Block
    doc: Doc
    start: int  # token offsets in doc
    end: int
    cues: list[Cue]
    carve_outs: list[grammar.CarveOutSpan]
    notwithstanding: bool
    semicolons: tuple[int, ...] = ()  # token offsets of ';' in the sentence
    # The cue of an inline list opened in an earlier sentence of the block that is
    # still running ("You will not: (i) …; (ii) … authorization. For the avoidance of
    # doubt, …;(xi) publicly disseminate …"): it governs enumerated items here.
    list_cue: Optional[Cue] = None

    @property
    def text(self) -> str:
        # Asked for many times per sentence (defined terms, evidence): build once.
        cached = self.__dict__.get("_text")
        if cached is None:
            cached = self.__dict__["_text"] = provisions.span_text(self.doc, self.start, self.end)
        return cached

    def char_span(self) -> tuple[int, int]:
        span = self.doc[self.start:self.end]
        return self.block.start + span.start_char, self.block.start + span.end_char

    @property
    def item_bounds(self) -> tuple[int, ...]:
        """Token offsets where an inline item begins: after each ';' and at each
        enumerator that follows a comma, "or", "and" or a colon ("…, (ii) military
        purposes")."""
        cached = self.__dict__.get("_items")
        if cached is None:
            bounds = {p + 1 for p in self.semicolons}
            doc = self.doc
            lowers = provisions.token_table(doc).lowers
            for i in range(self.start + 1, self.end):
                if lowers[i][:1] == "(" and lowers[i - 1] in (",", "or", "and", ":", "and/or") and _ENUMERATOR.match(provisions.span_text(doc, i, i + 3)):
                    bounds.add(i)
            cached = self.__dict__["_items"] = tuple(sorted(b for b in bounds if self.start < b < self.end))
        return cached

    @property
    def epistemic(self) -> frozenset[int]:
        """Starts of cues that say what may happen, not what is allowed: a "may" or
        "can" in a relative clause ("a use that may be harmful to others")."""
        cached = self.__dict__.get("_epistemic")
        if cached is None and not any(c.force == grammar.PERMISSION or c.text.lower() in provisions.ATTRIBUTIVE for c in self.cues):
            cached = self.__dict__["_epistemic"] = frozenset()  # nothing to set aside: skip reading provisions
        if cached is None:
            cached = self.__dict__["_epistemic"] = frozenset(
                [p.cue.start for p in self.provisions
                 if p.subordinate and p.cue is not None and p.cue.force == grammar.PERMISSION]
                + [c.start for c in self.cues if provisions.is_attributive(self.doc, c)]
            )
        return cached

    @property
    def provisions(self) -> list[Provision]:
        """The sentence's own provisions, one per cue (read once, on first use)."""
        cached = self.__dict__.get("_provisions")
        if cached is None:
            cached = self.__dict__["_provisions"] = provisions.read_provisions(
                self.doc, self.start, self.end, self.cues, self.carve_outs, self.semicolons
            )
        return cached

    def provision_for(self, cue: Optional[Cue], pos: int, lead_action: tuple[str, ...] = ()) -> Provision:
        """The provision that ``cue`` opens and that holds token ``pos``; for a cue
        from elsewhere (a lead-in, a heading, a condition), the whole sentence read
        under it."""
        if cue is not None and cue.start >= 0:
            own = [p for p in self.provisions if p.cue is cue]
            holding = [p for p in own if p.start <= pos < p.end]
            if holding or own:
                return (holding or own)[-1]
        # Read the ';'-segment that holds ``pos`` (an inline item), else the sentence.
        seg_start = max([self.start] + [p + 1 for p in self.semicolons if p < pos])
        seg_end = min([self.end] + [p for p in self.semicolons if p >= pos])
        cache = self.__dict__.setdefault("_inherited", {})
        key = (cue.label, cue.start, cue.text, lead_action, seg_start) if cue is not None else (None, seg_start)
        prov = cache.get(key)
        if prov is None:
            prov = cache[key] = provisions.inherited_provision(
                self.doc, seg_start, seg_end, cue, self.carve_outs, lead_action
            )
        return prov


@dataclass
class Governed:
    """A concept governed by a cue (or by none), in a role of that cue's provision."""

    concept: str
    text: str
    force: str
    binding: bool
    cue: Optional[str]
    via: str  # "sentence", "lead-in" or "definition of X"
    role: Optional[str] = None  # provisions.ROLES; None when no provision holds it
    provision: Optional[Provision] = None
    narrowed_by: Optional[str] = None  # "applications that violate civil liberties"
    segment: int = 0  # the ';'-segment of its sentence (an inline list item)
    pos: int = -1  # token offset of the match in the Doc of ``at``
    at: Optional["Sentence"] = None  # the sentence holding the matched words
    mention: int = -1  # for a definition's concept: the defined term's token offset in the clause


@dataclass
class Unit:
    """A clause unit: a sentence, its lead-in chain, and expanded definitions."""

    sentence: Sentence
    governed: list[Governed]
    concepts: set[str]  # every concept anywhere in the unit
    carve_kinds: dict[str, str]  # kind -> carve-out text
    notwithstanding: bool
    lead_in: Optional[str] = None
    # For an inline list ("shall not: (a) …; (b) …"), the concepts of each ';'-segment
    # and those from outside the sentence (lead-in, headings): an item is judged with
    # its own words and the list's opening, not its neighbours'.
    segments: Optional[dict[int, frozenset[str]]] = None
    outer_concepts: frozenset[str] = frozenset()

    @property
    def governed_concepts(self) -> frozenset[str]:
        cached = self.__dict__.get("_governed_concepts")
        if cached is None:
            cached = self.__dict__["_governed_concepts"] = frozenset(g.concept for g in self.governed)
        return cached


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


class _PackState:
    """Per document and pack: concept matches per block doc, definitions' concepts."""

    def __init__(self, compiled: CompiledPack) -> None:
        self.compiled = compiled
        self.matches: dict[int, list[ConceptMatch]] = {}


def _sentences(block: Block, doc: Doc) -> list[Sentence]:
    cues = grammar.find_cues(doc)
    bounds = sentence_bounds(doc)
    carves = grammar.find_carve_outs(doc, bounds, [c.start for c in cues if c.force not in (grammar.NEUTRAL, grammar.LIABILITY)])
    # Attribute arrays, not Token objects: this runs for every sentence of every block.
    lowers = doc.to_array(LOWER).tolist()
    strings = doc.vocab.strings
    notw, semi = strings["notwithstanding"], strings[";"]
    semis = [i for i, h in enumerate(lowers) if h == semi]
    out: list[Sentence] = []
    open_list: Optional[Cue] = None
    for start, end in bounds:
        sentence = Sentence(
            block=block,
            doc=doc,
            start=start,
            end=end,
            cues=[c for c in cues if start <= c.start < end],
            carve_outs=[c for c in carves if start <= c.start < end],
            notwithstanding=notw in lowers[start:end],
            semicolons=tuple(i for i in semis if start <= i < end),
            list_cue=open_list,
        )
        out.append(sentence)
        opens = sentence.semicolons or ":" in sentence.text
        for cue in sentence.cues if opens else ():
            if (cue.force not in (grammar.NEUTRAL, grammar.LIABILITY) and not _inside(cue.start, sentence.carve_outs)
                    and _opens_list(sentence, cue)):
                open_list = cue
        if open_list is not None and not sentence.semicolons and not _ENUMERATED.search(sentence.text):
            open_list = None  # a sentence with no items ends the list
    return out


def _carves(sentence: Sentence) -> list[grammar.CarveOutSpan]:
    return [c for c in sentence.carve_outs if c.kind != grammar.CONDITION]


_PROVISO = re.compile(r"^(?:provided(?:,)?\s+(?:always\s+)?that|on\s+condition\s+that|subject\s+to\s+the\s+condition\s+that)\b", re.IGNORECASE)


def _is_proviso(sentence: Sentence, pos: int) -> bool:
    """Whether token ``pos`` lies in a proviso ("provided that …") of the sentence."""
    return any(c.start <= pos < c.end and _PROVISO.match(c.text) for c in sentence.carve_outs)


def _inside(pos: int, spans: Iterable[grammar.CarveOutSpan]) -> bool:
    return any(c.start <= pos < c.end for c in spans)


_CONDITION_CUE = Cue(grammar.CONDITION, True, "condition", -1, -1, "if")


def _governing_cue(sentence: Sentence, pos: int, scope_pos: Optional[int] = None) -> Optional[Cue]:
    """The cue that governs the token at ``pos``.

    The nearest cue before it, ignoring cues inside carve-outs and conditions
    unless ``pos`` is inside the same one. A token inside a condition ("if Customer
    uses the Service for weapons") with no cue of its own in that condition is
    governed by the condition, not by the main clause ("Provider may terminate").
    """
    at = pos if scope_pos is None else scope_pos
    scopes = [c for c in sentence.carve_outs if c.start <= at < c.end]
    epistemic = sentence.epistemic if sentence.cues else frozenset()
    real = [c for c in sentence.cues if c.force != grammar.NEUTRAL and c.start not in epistemic]
    usable = [
        c for c in real
        if not _inside(c.start, sentence.carve_outs) or any(k.start <= c.start < k.end for k in scopes)
    ]
    before = [c for c in usable if c.start < pos]
    if sentence.semicolons:
        # In an inline list ("shall not (a) …; (b) …"), the cue of the opening
        # segment reaches every item, but an item's own cue stops at its ";".
        seg = _segment(sentence, pos)
        before = [
            c for c in before
            if _segment(sentence, c.start) == seg or (_segment(sentence, c.start) == 0 and _opens_list(sentence, c))
        ]
    if not before and sentence.list_cue is not None and sentence.semicolons and _segment(sentence, pos) > 0:
        # an enumerated item of a list whose lead-in sits in an earlier sentence
        seg_start = max(p for p in sentence.semicolons if p < pos) + 1
        if seg_start < len(sentence.doc) and _ENUMERATOR.match(provisions.span_text(sentence.doc, seg_start, seg_start + 3)):
            return sentence.list_cue
    conditions = [k for k in scopes if k.kind == grammar.CONDITION]
    if conditions:
        inner = [c for c in before if c.start >= conditions[-1].start]
        return inner[-1] if inner else _CONDITION_CUE
    return before[-1] if before else None


_ENUMERATOR = re.compile(r"\((?:[a-z]{1,2}|[ivxl]{1,6}|\d{1,2})\)|:")
_ENUMERATED = re.compile(r"(?<!\w)\((?:[a-z]{1,2}|[ivxl]{1,6}|\d{1,2})\)")


def _opens_list(sentence: Sentence, cue: Cue) -> bool:
    """Whether ``cue`` introduces an inline list: an enumerator ("(a)", "(i)") or a
    colon follows it in the sentence's first ';'-segment."""
    end = sentence.semicolons[0] if sentence.semicolons else sentence.end
    if cue.end >= end:
        return False
    return bool(_ENUMERATOR.search(provisions.span_text(sentence.doc, cue.end, end)))


def _segment(sentence: Sentence, pos: int) -> int:
    """Index of the ';'-separated segment of the sentence that holds token ``pos``."""
    return sum(1 for p in sentence.semicolons if p < pos)


def _following_cue(sentence: Sentence, pos: int) -> Optional[Cue]:
    epistemic = sentence.epistemic if sentence.cues else frozenset()
    after = [c for c in sentence.cues if c.start >= pos and c.force != grammar.NEUTRAL
             and not _inside(c.start, sentence.carve_outs) and c.start not in epistemic]
    return after[0] if after else None


_ANAPHORS = {"this", "these", "such", "that", "those", "it"}
_BACK_NOUNS = {"foregoing", "above", "preceding", "aforementioned", "aforesaid"}


def _points_back(sentence: Sentence) -> bool:
    """Whether a sentence opens by pointing back to the one before ("This includes …",
    "The foregoing applies to …", "Such restriction covers …")."""
    words = [t.lower_ for t in sentence.doc[sentence.start:min(sentence.end, sentence.start + 3)]]
    if not words:
        return False
    return words[0] in _ANAPHORS or (words[0] == "the" and len(words) > 1 and words[1] in _BACK_NOUNS)


def _lead_action(sentence: Sentence, cue: Cue) -> tuple[str, ...]:
    """The action a lead-in passes to its items: set when the lead-in names it and
    the items are its objects ("shall prohibit the transfer or purchase of:"), empty
    when the items bring their own ("Customer shall not:")."""
    if cue.start < 0:
        return ()
    # Only a lead-in that ends by naming its items as the action's objects ("… the
    # transfer or purchase of the following property:", "… the sale of:") passes it on.
    tail = [t.lower_ for t in sentence.doc[max(sentence.start, sentence.end - 12):sentence.end] if not t.is_punct]
    if not tail or not (tail[-1] == "of" or "following" in tail):
        return ()
    prov = sentence.provision_for(cue, max(sentence.start, sentence.end - 1))
    return prov.action_lemmas if prov.cue is cue else ()


def _last_cue(sentence: Sentence) -> Optional[Cue]:
    """The cue a lead-in passes to its list items (a condition if it ends in one)."""
    last = sentence.end - 1
    while last > sentence.start and sentence.doc[last].is_punct:
        last -= 1
    return _governing_cue(sentence, last + 1, scope_pos=last)


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
        analysis = _Analysis(document)
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
                result.results.append(analysis.judge(compiled, rule))
        return result


@dataclass
class Scope:
    """Why a document is, or is not, about a pack's subject."""

    applicable: bool
    reason: str
    sentence: Optional[Sentence] = None

    def to_dict(self) -> dict:
        out: dict = {"applicable": self.applicable, "reason": self.reason}
        if self.sentence is not None:
            block = self.sentence.block
            out["evidence"] = {"text": _short(self.sentence.text, 200), "section": block.section,
                               "page": block.page, "line": block.line}
        return out


_NAME_SUFFIX = {"inc", "inc.", "ltd", "ltd.", "llc", "plc", "corp", "corp.", "corporation", "limited", "gmbh", "co", "co.",
                "company", "group", "holdings", "technologies", "labs", "catering", "ag", "sa", "bv", "pty"}


def _in_proper_name(doc: Doc, pos: int) -> bool:
    """Whether the word at ``pos`` is part of a proper name ("Brightface Ltd", "Face
    Forward Catering Inc."): capitalised, next to other capitalised words, with a company
    suffix nearby."""
    if pos < 0 or pos >= len(doc) or not doc[pos].text[:1].isupper():
        return False
    lo, hi = pos, pos + 1
    while lo > 0 and doc[lo - 1].text[:1].isupper() and doc[lo - 1].is_alpha:
        lo -= 1
    while hi < len(doc) and (doc[hi].text[:1].isupper() or doc[hi].lower_ in _NAME_SUFFIX) and not doc[hi].is_punct:
        hi += 1
    if hi + 1 < len(doc) and doc[hi].text == "," and doc[hi + 1].lower_ in _NAME_SUFFIX:
        hi += 1  # "Hugging Face, Inc."
    if any(doc[i].lower_ in _NAME_SUFFIX for i in range(lo, min(len(doc), hi + 1))):
        return True
    # "Hugging Face", "Red Face Media": a capitalised word inside a run of capitalised
    # words, none of which says what the technology does ("Face Recognition Service")
    words = [doc[i].lower_ for i in range(lo, hi)]
    not_initial = lo > 0 and doc[lo - 1].text not in (".", "!", "?", ":", ";", "#", "*", "-", "\n")
    return len(words) >= 2 and not_initial and not set(words) & _TECH_WORDS


_TECH_WORDS = {"recognition", "detection", "verification", "matching", "match", "analysis", "analytics", "template",
               "templates", "id", "capture", "unlock", "liveness", "biometric", "biometrics", "identification", "facial",
               "comparison", "search", "tracking", "authentication", "scan", "scanning", "print"}


def read_provisions(document: Document) -> list[tuple[Block, Sentence, Provision]]:
    """The provisions of ``document`` with their roles (``clause-lint extract --provisions``)."""
    return _Analysis(document).provisions()


class _LazySentences(dict):
    """Block index -> its sentences, read with the grammar on first use: most blocks
    of a long document hold no concept of any pack and are never read."""

    def __init__(self, blocks: dict[int, Block], docs: dict[int, Doc]) -> None:
        super().__init__()
        self._blocks = blocks
        self._docs = docs

    def __missing__(self, index: int) -> list[Sentence]:
        block = self._blocks.get(index)
        if block is None:
            raise KeyError(index)
        got = self[index] = _sentences(block, self._docs[index])
        return got

    def get(self, index: int, default: Any = None) -> Any:  # type: ignore[override]
        try:
            return self[index]
        except KeyError:
            return default


class _Analysis:
    """Everything the engine learns about one document, computed lazily."""

    def __init__(self, document: Document) -> None:
        self.document = document
        nlp = get_nlp()
        blocks = [b for b in document.blocks]
        self.docs: dict[int, Doc] = {}
        texts = [b.text for b in blocks]
        for block, doc in zip(blocks, nlp.pipe(texts, batch_size=256)):
            self.docs[block.index] = doc
        self.blocks = {b.index: b for b in blocks}
        self.sentences = _LazySentences(self.blocks, self.docs)
        self._matches: dict[tuple[int, int | str], list[ConceptMatch]] = {}
        self._def_docs: dict[str, tuple[Doc, list[Sentence]]] = {}
        self._units: dict[int, list[Unit]] = {}
        self._prohibited: dict[tuple[str, int], set[str]] = {}
        self._heading_cues: dict[str, Optional[Cue]] = {}
        self._items: Optional[dict[int, list[Block]]] = None
        self._term_re = _term_regex(_expandable_terms(document))

    # -- provisions -------------------------------------------------------------
    def provisions(self) -> list[tuple[Block, Sentence, Provision]]:
        """Every provision of the document's operative blocks, in reading order: a
        sentence's own, or — for a list item or a sentence under a telling heading
        with no cue of its own — the sentence read under the inherited cue."""
        out: list[tuple[Block, Sentence, Provision]] = []
        for index, block in self.blocks.items():
            if not block.operative:
                continue
            chain = self._lead_in_chain(block)
            fallback, lead_action = self._lead_cue(chain)
            for sentence in self.sentences[index]:
                own = sentence.provisions
                if own:
                    out.extend((block, sentence, p) for p in own)
                    continue
                cue = fallback or self._heading_cue(block)
                if cue is not None:
                    action = lead_action if cue is fallback else ()
                    out.append((block, sentence, sentence.provision_for(cue, sentence.start, action)))
        return out

    # -- matching ----------------------------------------------------------------
    def matches(self, compiled: CompiledPack, key: int | str, doc: Doc) -> list[ConceptMatch]:
        k = (id(compiled), key)
        found = self._matches.get(k)
        if found is None:
            found = compiled.matches(doc)
            self._matches[k] = found
        return found

    def scope(self, compiled: CompiledPack) -> "Scope":
        """Whether the document is about the pack's subject, and the passage that says so.

        By meaning, not by word count: the subject must be what a provision is about
        (in one of the gate's ``roles``: the object, purpose or user of a use, sale or
        licence), or what a defined term or a heading names; a mention inside a proper
        name ("Brightface Ltd") or an idiom the pack excludes ("face-to-face", "on the
        face of the invoice") does not count. Failing that, ``min_matches`` plain
        mentions in operative text still put it in scope, and the report says so.
        """
        gate = compiled.pack.applicability or {}
        concepts = set(gate.get("concepts", []))
        if not concepts:
            return Scope(True, "the pack applies to every document")
        roles = set(gate.get("roles") or provisions.ROLES)
        # 1. a provision about the subject
        for unit in self.units(compiled):
            for g in unit.governed:
                if g.concept in concepts and g.role in roles and g.force != grammar.NONE and g.via == "sentence" and g.pos >= 0 \
                        and not _in_proper_name(unit.sentence.doc, g.pos):
                    return Scope(True, f"a {g.force} whose {g.role} is {g.text!r}", unit.sentence)
        # 2. a defined term or a heading that names the subject
        for term, dt in self.document.defined_terms.items():
            if not dt.definition:
                continue
            entry = self._definition(term)
            if entry is None:
                continue
            ddoc, dsents = entry
            found = [m for m in self.matches(compiled, f"def:{term}", ddoc) if m.concept in concepts and not _in_proper_name(ddoc, m.start)]
            if found and dsents:
                return Scope(True, f"the defined term {term!r} names {found[0].text!r}", dsents[0])
        mentions: list[tuple[int, ConceptMatch]] = []
        for index, doc in self.docs.items():
            block = self.blocks[index]
            for m in self.matches(compiled, index, doc):
                if m.concept not in concepts or _in_proper_name(doc, m.start):
                    continue
                if block.kind == "heading" or block.non_operative_reason == "heading":
                    sent = next((s for s in self.sentences[index] if s.start <= m.start < s.end), None)
                    return Scope(True, f"the heading names {m.text!r}", sent)
                if block.operative:
                    mentions.append((index, m))
        need = int(gate.get("min_matches", 1))
        if len(mentions) >= need:
            index, m = mentions[0]
            sent = next((s for s in self.sentences[index] if s.start <= m.start < s.end), None)
            return Scope(True, f"{len(mentions)} mentions such as {m.text!r}", sent)
        if mentions:
            index, m = mentions[0]
            sent = next((s for s in self.sentences[index] if s.start <= m.start < s.end), None)
            return Scope(False, f"only {len(mentions)} passing mention of {m.text!r}, in no provision about it", sent)
        return Scope(False, "no provision, definition or heading about the subject")

    def applicable(self, compiled: CompiledPack) -> bool:
        return self.scope(compiled).applicable

    # -- clause units ------------------------------------------------------------
    def _definition(self, term: str) -> Optional[tuple[Doc, list[Sentence]]]:
        if term in self._def_docs:
            return self._def_docs[term]
        dt = self.document.defined_terms.get(term)
        if dt is None or not dt.definition:
            return None
        block = self.blocks.get(dt.block)
        if block is None:
            return None
        doc = get_nlp()(dt.definition)
        entry = (doc, _sentences(block, doc))
        self._def_docs[term] = entry
        return entry

    def _governed_in(
        self,
        compiled: CompiledPack,
        sentence: Sentence,
        matches: list[ConceptMatch],
        fallback: Optional[Cue],
        via: str,
        depth: int,
        skip_block: Optional[int],
        heading_cue: Optional[Cue] = None,
        lead_action: tuple[str, ...] = (),
    ) -> tuple[list[Governed], set[str]]:
        governed: list[Governed] = []
        concepts: set[str] = set()
        for m in matches:
            if not (sentence.start <= m.start < sentence.end):
                continue
            concepts.add(m.concept)
            cue = _governing_cue(sentence, m.start) or fallback or _following_cue(sentence, m.start) or heading_cue
            prov = sentence.provision_for(cue, m.start, lead_action if cue is fallback else ())
            role = prov.role_at(m.start)
            if _inside(m.start, _carves(sentence)):
                # What a carve-out mentions is not the clause's topic — except a class
                # taken out of a ban ("shall not use … other than for military
                # purposes"), which the ban leaves permitted.
                if role == provisions.EXCEPTION and cue is not None and cue.force == grammar.PROHIBITION:
                    governed.append(_flipped(m, cue, grammar.PERMISSION, via, role, prov, sentence))
                elif cue is not None and cue.force == grammar.PERMISSION and _is_proviso(sentence, m.start):
                    # "You may distribute …, provided that you include the restrictions":
                    # the condition of a permission is a duty of whoever uses it
                    governed.append(_flipped(m, cue, grammar.OBLIGATION, via, provisions.CONDITION, prov, sentence))
                continue
            if role == provisions.NEGATED and cue is not None:
                # "non-military purposes": the ban or permission is of the opposite class.
                flipped = _negated_force(cue.force, prov.only)
                if flipped is not None:
                    governed.append(_flipped(m, cue, flipped, via, role, prov, sentence))
                continue
            g = _gov(m.concept, m.text, cue, via, role, prov)
            g.narrowed_by = provisions.narrowing_at(sentence.doc, m.start, m.end, sentence.start, sentence.end)
            g.segment = _item(sentence, m.start)
            g.pos, g.at = m.start, sentence
            governed.append(g)
        if depth < MAX_DEFINITION_DEPTH and self._term_re is not None:
            text = sentence.text
            base = sentence.doc[sentence.start].idx
            for tm in self._term_re.finditer(text):
                term = _defined_term(tm.group(0), self.document.defined_terms)
                dt = self.document.defined_terms.get(term) if term else None
                if term is None or dt is None or dt.block == skip_block or dt.block == sentence.block.index:
                    continue
                entry = self._definition(term)
                if entry is None:
                    continue
                ddoc, dsents = entry
                pos = sentence.doc.char_span(base + tm.start(), base + tm.end(), alignment_mode="expand")
                tpos = pos.start if pos is not None else sentence.start
                if _inside(tpos, _carves(sentence)):
                    continue
                cue = _governing_cue(sentence, tpos) or fallback or _following_cue(sentence, tpos) or heading_cue
                if cue is None or cue.force not in _EXPANDING_FORCES:
                    continue  # only what a clause bans, requires or allows reaches into a definition
                dmatches = self.matches(compiled, f"def:{term}", ddoc)
                for dsent in dsents:
                    # The definition's concepts are governed through the mention, but
                    # do not count as context of the clause: "Service" defined as a
                    # facial recognition service does not put faces into every
                    # clause that names the Service.
                    sub_gov, _ = self._governed_in(
                        compiled, dsent, dmatches, None, f"definition of \"{term}\"", depth + 1, dt.block
                    )
                    mention_prov = sentence.provision_for(cue, tpos, lead_action if cue is fallback else ())
                    mention_role = mention_prov.role_at(tpos)
                    for g in sub_gov:
                        # The definition's own cue rarely binds; the mention's cue does,
                        # and the defined term's role in the clause is the concept's role.
                        if cue is not None and (g.cue is None or g.force == grammar.OBLIGATION):
                            g = replace(_gov(g.concept, g.text, cue, g.via, mention_role, mention_prov), pos=g.pos, at=g.at)
                        g.mention = tpos
                        governed.append(g)
        return governed, concepts

    def units(self, compiled: CompiledPack) -> list[Unit]:
        key = id(compiled)
        if key in self._units:
            return self._units[key]
        units: list[Unit] = []
        for index, block in self.blocks.items():
            if not block.operative:
                continue  # headings, recitals, contents; definitions do count
            doc = self.docs[index]
            matches = self.matches(compiled, index, doc)
            chain = self._lead_in_chain(block)
            if not matches and (self._term_re is None or self._term_re.search(block.text) is None) and not any(
                    self.matches(compiled, lead.index, self.docs[lead.index]) for lead in chain):
                continue  # no concept here, in its lead-in, or behind a defined term: nothing to judge
            sents = self.sentences[index]
            # The lead-in chain: the introducing sentence's last cue governs an item
            # with no cue of its own; its concepts belong to the unit too.
            fallback: Optional[Cue] = None
            lead_action: tuple[str, ...] = ()
            lead_gov: list[Governed] = []
            lead_concepts: set[str] = set()
            lead_carves: dict[str, str] = {}
            lead_notw = False
            fallback, lead_action = self._lead_cue(chain)
            for lead_block in chain:
                lsents = self.sentences.get(lead_block.index) or []
                if not lsents:
                    continue
                last = lsents[-1]
                lmatches = self.matches(compiled, lead_block.index, self.docs[lead_block.index])
                g, c = self._governed_in(compiled, last, lmatches, None, "lead-in", 0, None)
                lead_gov.extend(x for x in g)
                lead_concepts |= c
                lead_carves.update(self._carve_kinds(compiled, last, lmatches))
                lead_notw = lead_notw or last.notwithstanding
            for sentence in sents:
                if not any(sentence.start <= m.start < sentence.end for m in matches) and not lead_gov and self._term_re is None:
                    continue
                governed, concepts = self._governed_in(
                    compiled, sentence, matches, fallback, "sentence", 0, None, self._heading_cue(block), lead_action
                )
                if not governed and not lead_gov:
                    continue
                carves = dict(lead_carves)
                carves.update(self._carve_kinds(compiled, sentence, matches))
                units.append(
                    Unit(
                        sentence=sentence,
                        governed=governed + [g for g in lead_gov],
                        # The headings above say what a section is about ("Public
                        # Sector Customers"): context, never a governed topic.
                        concepts=concepts | lead_concepts | self._heading_concepts(compiled, block),
                        carve_kinds=carves,
                        notwithstanding=sentence.notwithstanding or lead_notw,
                        lead_in=chain[0].text if chain else None,
                        segments=_segment_concepts(sentence, matches) if sentence.item_bounds else None,
                        outer_concepts=frozenset(lead_concepts | self._heading_concepts(compiled, block)),
                    )
                )
        self._units[key] = units
        return units

    def _lead_cue(self, chain: list[Block]) -> tuple[Optional[Cue], tuple[str, ...]]:
        """The cue a lead-in chain passes to its items, and the action it names.

        A lead-in with no cue of its own that points back ("This includes using our
        products to:", "This applies to the following industries:") passes on the
        cue of the sentence it points back to.
        """
        for lead in chain:
            lsents = self.sentences.get(lead.index) or []
            if not lsents:
                continue
            last = lsents[-1]
            cue = _last_cue(last)
            if cue is not None:
                return cue, _lead_action(last, cue)
            if len(last.text.split()) <= 10:
                # a title-like lead-in ("Restrictions (Prohibited Uses).") speaks as a heading
                titled = _heading_force(last.text)
                if titled is not None:
                    return titled, ()
            if _points_back(last):
                earlier = self._earlier_sentences(lead, last)
                for sentence in earlier:
                    back = [c for c in sentence.cues if c.force in (grammar.PROHIBITION, grammar.OBLIGATION)]
                    if back:
                        return back[-1], _lead_action(sentence, back[-1])
        return None, ()

    def _earlier_sentences(self, block: Block, sentence: Sentence, blocks_back: int = 2) -> list[Sentence]:
        """Sentences before ``sentence``, nearest first: in its block, then in up to
        ``blocks_back`` operative blocks above it (stopping at a heading)."""
        own = self.sentences.get(block.index) or []
        out = [s for s in reversed(own) if s.start < sentence.start]
        index, seen = block.index - 1, 0
        while index >= 0 and seen < blocks_back:
            prev = self.blocks.get(index)
            index -= 1
            if prev is None:
                continue
            if prev.kind == "heading" or prev.non_operative_reason == "heading":
                break
            out.extend(reversed(self.sentences.get(prev.index) or []))
            seen += 1
        return out

    def _heading_concepts(self, compiled: CompiledPack, block: Block) -> set[str]:
        out: set[str] = set()
        for heading in block.headings[-2:]:
            key = f"heading:{heading}"
            if key not in self._def_docs:
                self._def_docs[key] = (get_nlp()(heading), [])
            out |= {m.concept for m in self.matches(compiled, key, self._def_docs[key][0])}
        return out

    def _heading_cue(self, block: Block) -> Optional[Cue]:
        """The force carried by the nearest telling heading above: a prohibition
        ("Prohibited Uses", "Use Restrictions") or an obligation ("Deployment
        Requirements", "Customer Obligations"). It governs what a clause says when
        nothing in the clause or its lead-in does."""
        for heading in reversed(block.headings):
            if heading not in self._heading_cues:
                self._heading_cues[heading] = _heading_force(heading)
            cue = self._heading_cues[heading]
            if cue is not None:
                return cue
        return None

    def list_items(self, block: Block) -> list[Block]:
        """The items of the list that ``block`` introduces, in order."""
        if self._items is None:
            self._items = {}
            for b in self.blocks.values():
                if b.lead_in_block is not None:
                    self._items.setdefault(b.lead_in_block, []).append(b)
        return self._items.get(block.index, [])

    def _lead_in_chain(self, block: Block) -> list[Block]:
        chain: list[Block] = []
        seen = {block.index}
        current = block
        while current.lead_in_block is not None and current.lead_in_block not in seen and len(chain) < 4:
            lead = self.blocks.get(current.lead_in_block)
            if lead is None or lead.kind == "heading" or lead.non_operative_reason in ("heading", "recital", "toc"):
                break
            chain.append(lead)
            seen.add(lead.index)
            current = lead
        return chain

    def _carve_kinds(self, compiled: CompiledPack, sentence: Sentence, matches: list[ConceptMatch]) -> dict[str, str]:
        kinds: dict[str, str] = {}
        for carve in _carves(sentence):
            inside = {m.concept for m in matches if carve.start <= m.start < carve.end}
            for kind, concepts in compiled.carve_kinds.items():
                if inside & set(concepts):
                    kinds.setdefault(kind, carve.text)
        return kinds

    # -- judging -------------------------------------------------------------------
    def prohibited(self, compiled: CompiledPack) -> set[str]:
        """Concepts governed by a binding prohibition anywhere in the document."""
        key = ("prohibited", id(compiled))
        if key not in self._prohibited:
            self._prohibited[key] = {
                g.concept for u in self.units(compiled) for g in u.governed if g.force == grammar.PROHIBITION
            }
        return self._prohibited[key]

    def cited_prohibitions(self, compiled: CompiledPack, unit: Unit) -> set[str]:
        """Concepts banned in the sections a unit cites by number ("for breach of
        Section 3.3(c)", "a violation of Sections 4 and 5"): what those sections hold
        is what the clause enforces."""
        labels = _cited_sections(unit.sentence.text)
        if not labels:
            return set()
        key = ("by-section", id(compiled))
        if key not in self._prohibited:
            by_section: dict[str, set[str]] = {}
            for u in self.units(compiled):
                section = u.sentence.block.section
                if section:
                    by_section.setdefault(section, set()).update(
                        g.concept for g in u.governed if g.force == grammar.PROHIBITION)
            self._prohibited[key] = by_section  # type: ignore[assignment]
        by_section = self._prohibited[key]  # type: ignore[assignment]
        out: set[str] = set()
        for label in labels:
            for section, concepts in by_section.items():  # type: ignore[union-attr]
                # "3.3(c)" cited, "3.3" holding (a)–(c) inline; or "4" cited, "4.2" under it
                if section == label or section.startswith((label + ".", label + "(")) or label.startswith((section + "(", section + ".")):
                    out |= concepts
        return out

    def judge(self, compiled: CompiledPack, rule: Rule) -> RuleResult:
        verdicts: list[_Verdict] = []
        prohibited = self.prohibited(compiled)
        for unit in self.units(compiled):
            verdict = _judge_unit(rule, unit, prohibited, lambda u=unit: self.cited_prohibitions(compiled, u), compiled)
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
        evidence = [_evidence(v, self.list_items) for v in ordered[:MAX_EVIDENCE]]
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
            remediation=self._remediation(rule, status, deciding),
            reference=_reference(rule),
        )

    def _remediation(self, rule: Rule, status: str, deciding: Optional["_Verdict"]) -> Optional[str]:
        """What to change, in the document's own words: the criterion's or weakening's
        own fix where there is one, and the model clause with the document's party
        and product names ("Licensee", "the Software") in place of the pack's."""
        if status == PRESENT:
            return None
        if deciding is not None and deciding.fixes:
            text = " ".join(deciding.fixes) + " Model clause: " + (rule.fix.get(MISSING) or rule.fix.get(status) or "")
        else:
            text = rule.fix.get(status) or ""
        return _in_document_terms(text, self.document) if text else None


# Defined terms that name a party, the document or the product are everywhere;
# expanding them would put their definitions into every clause.
_NOT_EXPANDED = {
    "you", "your", "we", "us", "our", "licensee", "licensor", "customer", "provider", "vendor", "supplier",
    "company", "user", "users", "party", "parties", "agreement", "license", "licence", "terms", "service",
    "services", "software", "product", "products", "platform", "website", "site", "affiliate", "affiliates",
    "reseller", "distributor", "client", "contractor", "subscriber", "member", "end user", "end users",
}
_EXPANDING_FORCES = {grammar.PROHIBITION, grammar.PERMISSION, grammar.OBLIGATION}


# A term used this often names a party or the product, not a class of uses.
MAX_TERM_USES = 8


def _expandable_terms(document: Document) -> list[str]:
    """Proper defined terms ("Prohibited Use", "High Risk Activities") that name a
    class of conduct: capitalised, not a party or the document, used sparingly."""
    out = []
    for term in document.defined_terms:
        if len(term) < 3 or not term[0].isupper() or term.lower() in _NOT_EXPANDED:
            continue
        uses = document.text.count(term)
        if uses <= MAX_TERM_USES:
            out.append(term)
    return out


_PROHIBITIVE_HEADING = re.compile(
    r"\b(prohibit\w*|unacceptable|impermissible|forbidden|not permitted|not allowed|disallowed|banned|"
    r"restrictions?|restricted uses?|limitations on use|do not|don't|you may not|you must not)\b",
    re.IGNORECASE,
)


_OBLIGATION_HEADING = re.compile(
    r"\b(requirements?|obligations?|responsibilities|duties|conditions of use|must|shall|required)\b",
    re.IGNORECASE,
)


def _heading_force(heading: str) -> Optional[Cue]:
    if len(heading) > 120:
        return None
    text = f"heading '{heading.strip()[:60]}'"
    if _PROHIBITIVE_HEADING.search(heading):
        return Cue(grammar.PROHIBITION, True, "heading", -1, -1, text)
    if _OBLIGATION_HEADING.search(heading):
        return Cue(grammar.OBLIGATION, True, "heading", -1, -1, text)
    return None


def _term_regex(terms: Iterable[str]) -> Optional[re.Pattern[str]]:
    """One regex for every defined term; group ``term`` is the term as defined,
    found also in the plural ("High Risk Activities" uses "High Risk Activity")."""
    usable = sorted((t for t in terms if len(t) >= 3), key=len, reverse=True)
    if not usable:
        return None
    alternatives = []
    for t in usable:
        forms = [re.escape(t), re.escape(t) + "s", re.escape(t) + "es"]
        if t.endswith("y"):
            forms.append(re.escape(t[:-1]) + "ies")
        # defined in the plural, used in the singular ("High-Risk Settings" … "any High-Risk Setting")
        if t.endswith("ies") and len(t) > 4:
            forms.append(re.escape(t[:-3]) + "y")
        elif t.endswith("s") and not t.endswith("ss") and len(t) > 4:
            forms.append(re.escape(t[:-1]))
        alternatives.append("|".join(sorted(forms, key=len, reverse=True)))
    return re.compile(r"(?<![\w])(?:" + "|".join(alternatives) + r")(?![\w])")


def _defined_term(found: str, terms: dict) -> Optional[str]:
    if found in terms:
        return found
    for plural in (found + "s", found[:-1] + "ies" if found.endswith("y") else None):
        if plural and plural in terms:
            return plural
    for cut in ("ies", "es", "s"):
        if found.endswith(cut):
            base = found[: -len(cut)] + ("y" if cut == "ies" else "")
            if base in terms:
                return base
    return None


# "… shall not apply in cases of imminent harm": a rule about another rule, not a ban.
_DISAPPLYING = frozenset({"apply", "affect", "prejudice", "construe", "interpret", "extend", "survive"})


def _gov(concept: str, text: str, cue: Optional[Cue], via: str, role: Optional[str] = None, prov: Optional[Provision] = None) -> Governed:
    if cue is None:
        return Governed(concept, text, grammar.NONE, True, None, via, role, prov)
    force = cue.force
    if force == grammar.PROHIBITION and prov is not None and prov.action_lemmas and set(prov.action_lemmas) <= _DISAPPLYING:
        force = grammar.NEUTRAL
    return Governed(concept, text, force, cue.binding, cue.text, via, role, prov)


def _flipped(m: ConceptMatch, cue: Cue, force: str, via: str, role: Optional[str], prov: Provision, sentence: Sentence) -> Governed:
    return Governed(m.concept, m.text, force, cue.binding, cue.text, via, role, prov, pos=m.start, at=sentence)


def _negated_force(force: str, only: bool) -> Optional[str]:
    """The force on X of a provision about "non-X": banning every non-X use permits
    X; allowing only non-X uses bans X; merely allowing non-X says nothing of X."""
    if force == grammar.PROHIBITION:
        return grammar.PERMISSION
    if force in (grammar.PERMISSION, grammar.OBLIGATION) and only:
        return grammar.PROHIBITION
    return None


_CITED = re.compile(
    r"\b(?:Sections?|Clauses?|Articles?|Paragraphs?|§§?)\s*((?:\d+(?:\.\d+)*(?:\([a-zA-Z0-9]{1,4}\))*)"
    r"(?:\s*(?:,|and|or|through|to)\s*\d+(?:\.\d+)*(?:\([a-zA-Z0-9]{1,4}\))*)*)"
)
_CITED_ONE = re.compile(r"\d+(?:\.\d+)*(?:\([a-zA-Z0-9]{1,4}\))*")


def _cited_sections(text: str) -> list[str]:
    """Section labels a sentence cites: "Section 3.3(c)" → ["3.3(c)"], "Sections 4 and 5" → ["4", "5"]."""
    out: list[str] = []
    for m in _CITED.finditer(text):
        out.extend(_CITED_ONE.findall(m.group(1)))
    return out


def _judge_unit(
    rule: Rule,
    unit: Unit,
    prohibited: set[str],
    cited: Optional[Callable[[], set[str]]] = None,
    compiled: Optional[CompiledPack] = None,
) -> Optional[_Verdict]:
    if _rule_wanted(rule).isdisjoint(unit.governed_concepts):
        return None  # no criterion of the rule has a concept governed here
    concept_names = compiled.names if compiled is not None else {}
    for crit in rule.criteria:
        if crit.document_prohibits and not prohibited & set(crit.document_prohibits):
            continue
        if crit.cites_prohibition and not (cited is not None and cited() & set(crit.cites_prohibition)):
            continue
        wanted = _wanted(crit)
        if wanted.isdisjoint(unit.governed_concepts):
            continue  # none of its concepts is governed here: skip the role checks
        forces = set(crit.force) - {"any"}
        candidates = [g for g in unit.governed if g.concept in wanted and (not forces or g.force in forces) and _role_ok(crit, g)]
        names = {g.concept for g in candidates}
        if crit.all and not set(crit.all) <= names:
            continue
        if crit.any and not names & set(crit.any):
            continue
        hits = [g for g in candidates if g.concept in set(crit.all) | set(crit.any)]
        scope = _scope(unit, hits)
        if crit.none and scope & set(crit.none):
            continue
        if crit.context and not scope & set(crit.context):
            continue
        status = crit.status
        reason = _describe(crit, hits, concept_names)
        fixes: list[str] = []
        if status == PRESENT:
            weakening = []
            if rule.non_binding_weakens and hits and all(not g.binding for g in hits):
                weakening.append(f"non-binding wording '{hits[0].cue}'")
                fixes.append(f"Make the clause binding: replace '{hits[0].cue}' with 'shall' (or 'shall not').")
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
        return _Verdict(status, crit, unit, reason, deciding, hits, _rank(rule, crit, unit, hits), fixes)
    return None


# Roles a concept may hold when a criterion names none. What a carve-out takes out
# of a ban ("except for internal evaluation") counts only for criteria that ask for
# it. A citation ("as provided in the defence regulations") counts by default, since
# a flow-down or an enforcement clause names the use restrictions by reference
# ("no less protective than those set out in Section 4 (Use Restrictions)"); criteria
# about what a use is *for* name their roles and leave references out.
DEFAULT_ROLES = frozenset(provisions.ROLES) - {provisions.EXCEPTION} | {None}


def _role_ok(crit: Criterion, g: Governed) -> bool:
    roles = set(crit.roles) if crit.roles else DEFAULT_ROLES
    if g.role not in roles and not (g.role is None and not crit.roles):
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
        if actor is not None and set(actor.text.lower().replace("(", " ").replace(")", " ").split()) & set(crit.actor_not):
            return False
    return True


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


def _segment_concepts(sentence: Sentence, matches: list[ConceptMatch]) -> dict[int, frozenset[str]]:
    out: dict[int, set[str]] = {}
    for m in matches:
        if sentence.start <= m.start < sentence.end:
            out.setdefault(_item(sentence, m.start), set()).add(m.concept)
    return {k: frozenset(v) for k, v in out.items()}


def _item(sentence: Sentence, pos: int) -> int:
    """Index of the inline item of the sentence that holds token ``pos``: items are
    separated by ';' or opened by an enumerator ("for (i) …, (ii) military purposes,
    (vi) in any manner that violates applicable law"); 0 is the list's opening."""
    return sum(1 for p in sentence.item_bounds if p <= pos)


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


_DEFINES = re.compile(r"[\"\u201d']\s*(?:\)\s*)?(?:means|shall mean|refers to|includes|has the meaning)\b", re.IGNORECASE)


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
    defining = 1 if _DEFINES.search(text) else 0
    crit_index = rule.criteria.index(crit) if crit in rule.criteria else 99
    order = list(crit.any) + list(crit.all)
    concept_index = min((order.index(g.concept) for g in hits if g.concept in order), default=99)
    return (heading, via, defining, crit_index, concept_index)


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


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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
    budget = EVIDENCE_CHARS if defined is None or own else EVIDENCE_CHARS // 2
    text = _clause_quote(s, own or mentions, budget)
    if defined is not None and not own:
        term = defined.via[len("definition of "):]
        body = _window(defined.at.text, defined.text, EVIDENCE_CHARS - len(text) - len(term) - 5)
        # the definition's text starts after its term ("means …"): name the term again
        joint = " " if _DEFINING_VERB.match(body) else ": "
        text = f"{text} … {term}{joint}{body}"
    return text


_DEFINING_VERB = re.compile(r"(?:shall mean|means|includes|refers to|has the meaning)\b", re.IGNORECASE)


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
    if list_items is not None and text.rstrip().endswith(":") and len(text) < EVIDENCE_CHARS - 40:
        # A lead-in that decides ("… shall request the Academy to:") is read with
        # its list: the items say what the duty is.
        items = [" ".join(f"{b.label or ''} {b.text}".split()) for b in list_items(s.block)]
        if items:
            text = f"{text} {' '.join(items)}"
    if v.unit.lead_in and v.unit.lead_in not in text:
        led = next((g.text for g in v.hits if g.via == "lead-in"), "")
        text = f"{_window(v.unit.lead_in, led, 160) if led else _short(v.unit.lead_in, 160)} … {text}"
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


def _in_document_terms(text: str, document: Document) -> str:
    defined = set(document.defined_terms)
    for ours, names in _PARTY_NAMES.items():
        if ours in defined:
            continue
        theirs = next((n for n in names[1:] if n in defined), None)
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
