"""Understanding a document: its sentences, their cues and carve-outs, the concepts of
a pack they mention, and which cue governs each concept in which role.

For every operative sentence the grammar (``grammar``) finds the deontic cues and
carve-outs, and the pack's matchers the concepts it mentions. Each concept match is
*governed* by the nearest cue before it in the sentence — or, for a list item with
no cue of its own, by the cue of its lead-in ("Customer shall not: … (c) use the
Service in any weapon system") — or else by the nearest cue after it ("… is
prohibited"). A mention of a defined term brings in the concepts of its definition,
governed like the mention. The result is a list of clause units per pack
(:meth:`Analysis.units`), which :mod:`clause_lint.engine` judges against the rules,
and the document's scope (:meth:`Analysis.scope`): whether it is about the pack's
subject at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Optional

from spacy.attrs import LOWER
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from . import grammar, provisions
from .grammar import Cue
from .provisions import Provision
from .matching import AnchoredMatcher
from .model import Block, Document
from .nlp import columns, get_nlp, make_doc, make_docs, phrase_doc, sentence_bounds
from .rules.model import Pack
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
        self.hyphenated = HyphenatedTerms(nlp.vocab)
        self.not_within: dict[str, tuple[str, ...]] = {}
        for name, concept in pack.concepts.items():
            if concept.get("terms"):
                phrases = [phrase_doc(t) for t in concept["terms"]]
                by_lemma = [p for p in phrases if not _has_participle(p)]
                if by_lemma:
                    self.lemma.add(name, by_lemma)
                pinned = [_participle_pattern(p) for p in phrases if _has_participle(p)]
                if pinned:
                    self.tokens.add(name, pinned)
                for term, phrase in zip(concept["terms"], phrases):
                    if " " in term and term.replace(" ", "").isalpha():
                        self.hyphenated.add(name, phrase)
            if concept.get("exact"):
                self.lower.add(name, [nlp.make_doc(t) for t in concept["exact"]])
            if concept.get("patterns"):
                self.tokens.add(name, concept["patterns"])
            if concept.get("not_within"):
                self.not_within[name] = tuple(concept["not_within"])
        # "officers" that are police officers where the document is a police agency's own
        self.stands_for: dict[str, tuple[str, frozenset[str]]] = {
            name: (c["stands_for"], frozenset(c.get("in_documents_about") or ()))
            for name, c in pack.concepts.items() if c and c.get("stands_for")
        }
        self.carve_kinds = pack.carve_outs
        # concepts that keep others out and are themselves kept out by a third
        self._blocking_blocked = frozenset(o for names in self.not_within.values() for o in names if o in self.not_within)
        self.strings = nlp.vocab.strings
        # what a lawyer reads instead of a concept's internal name
        self.names = {name: str((c or {}).get("description") or name.replace("_", " ")) for name, c in pack.concepts.items()}
        # The concepts a clause must hold for any rule to judge it, the applicability gate
        # to find it, or a rule to know what the document bans: a block with none of
        # these (only context such as "persons" or "applicable law") is never read.
        needed: set[str] = set((pack.applicability or {}).get("concepts") or ())
        for rule in pack.rules:
            for crit in rule.criteria:
                needed |= set(crit.all) | set(crit.any) | set(crit.document_prohibits) | set(crit.cites_prohibition)
        self.needed = frozenset(needed)

    def matches(self, doc: Doc) -> list[ConceptMatch]:
        raw: list[tuple[str, int, int]] = list(self.tokens(doc)) + self.hyphenated(doc)
        for matcher in (self.lemma, self.lower):
            for match_id, start, end in matcher(doc):
                raw.append((self.strings[match_id], start, end))
        if not raw:
            return []
        by_concept: dict[str, list[tuple[int, int]]] = {}
        for name, s, e in raw:
            by_concept.setdefault(name, []).append((s, e))
        # A span that blocks others may itself be blocked ("release face matches to the police"
        # is no records request, so "police" there is not kept out as one): settle those first.
        for inner in self._blocking_blocked & by_concept.keys():
            by_concept[inner] = [(s, e) for s, e in by_concept[inner]
                                 if not any(os_ <= s and e <= oe for other in self.not_within[inner] for os_, oe in by_concept.get(other, ()))]
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


def _participle(token: Any) -> bool:
    """A past participle used as an adjective in a term ("restricted use", "permitted
    users"): by its lemma it would also be the verb ("may restrict use of the Service
    during maintenance", "permit users to …"), which the term does not mean."""
    text = token.lower_
    return len(text) > 4 and text.endswith("ed") and token.lemma_.lower() != text


def _has_participle(phrase: Doc) -> bool:
    return len(phrase) > 1 and any(_participle(t) for t in phrase)


def _participle_pattern(phrase: Doc) -> list[dict[str, str]]:
    """A term's token pattern: its participles as written, every other word by its lemma."""
    return [{"LOWER": t.lower_} if _participle(t) else {"LEMMA": t.lemma_} for t in phrase]


class HyphenatedTerms:
    """Multi-word terms as documents also write them, with a hyphen for one of their
    spaces ("law enforcement" → "law-enforcement", "law enforcement agency" →
    "law-enforcement agency"). The tokenizer splits "law-enforcement" into three tokens,
    so a phrase matcher would need a variant of every term; instead each "-" between two
    words is looked up by the pair of lemmas around it, and the rest of the term is
    checked in place (hyphens are few: next to nothing per document, about a millisecond
    at start-up, where a variant phrase per term cost 13 ms)."""

    def __init__(self, vocab) -> None:  # type: ignore[no-untyped-def]
        self.hyphen = vocab.strings.add("-")
        # (lemma before "-", lemma after "-") → (concept, the term's lemmas, place of the pair)
        self.by_pair: dict[tuple[int, int], list[tuple[str, tuple[int, ...], int]]] = {}

    def add(self, concept: str, phrase: Doc) -> None:
        lemmas = tuple(t.lemma for t in phrase)
        if not 2 <= len(lemmas) <= 4:
            return
        for k in range(len(lemmas) - 1):
            self.by_pair.setdefault((lemmas[k], lemmas[k + 1]), []).append((concept, lemmas, k))

    def __call__(self, doc: Doc) -> list[tuple[str, int, int]]:
        low_col, lem_col = columns(doc)
        if self.hyphen not in low_col:
            return []
        out = []
        n = len(doc)
        for i, h in enumerate(low_col):
            if h != self.hyphen or i == 0 or i + 1 >= n:
                continue
            for concept, lemmas, k in self.by_pair.get((lem_col[i - 1], lem_col[i + 1]), ()):
                start, end = i - 1 - k, i + len(lemmas) - k
                if start < 0 or end > n:
                    continue
                if tuple(lem_col[start:i]) == lemmas[:k + 1] and tuple(lem_col[i + 1:end]) == lemmas[k + 1:]:
                    out.append((concept, start, end))
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
        """Token offsets where an inline item begins: at each enumerator that follows
        a comma, "or", "and" or a colon ("…, (ii) military purposes"), and after each
        ';' of a list. One ';' with no colon before it and no enumerator joins two
        clauses of one sentence ("Researchers may contact us; we will consider each
        request"), so what follows it still speaks to what precedes it."""
        cached = self.__dict__.get("_items")
        if cached is None:
            doc = self.doc
            lowers = provisions.token_table(doc).lowers
            bounds = set()
            for i in range(self.start + 1, self.end):
                if lowers[i][:1] == "(" and lowers[i - 1] in (",", "or", "and", ":", "and/or") and _ENUMERATOR.match(provisions.span_text(doc, i, i + 3)):
                    bounds.add(i)
            semis = self.semicolons
            if semis and (bounds or len(semis) > 1 or ":" in lowers[self.start:semis[0]]):
                bounds.update(p + 1 for p in semis)
            cached = self.__dict__["_items"] = tuple(sorted(b for b in bounds if self.start < b < self.end))
        return cached

    @property
    def enumerators(self) -> tuple[int, ...]:
        """Token offsets of the sentence's inline enumerators ("(iv)", "(b)")."""
        cached = self.__dict__.get("_enumerators")
        if cached is None:
            cached = self.__dict__["_enumerators"] = provisions.enumerators(self.doc, self.start, self.end)
        return cached

    @property
    def epistemic(self) -> frozenset[int]:
        """Starts of cues that say what may happen or what something is for, not what
        is allowed or owed: a "may" or "can" in a relative clause ("a use that may be
        harmful to others"), or a soft word there ("in any way that is intended to
        cause death" describes the way; the ban before it governs)."""
        cached = self.__dict__.get("_epistemic")
        if cached is None and not any(c.force == grammar.PERMISSION or not c.binding or c.text.lower() in provisions.ATTRIBUTIVE
                                      for c in self.cues):
            cached = self.__dict__["_epistemic"] = frozenset()  # nothing to set aside: skip reading provisions
        if cached is None:
            cached = self.__dict__["_epistemic"] = frozenset(
                [p.cue.start for p in self.provisions
                 if p.subordinate and p.cue is not None
                 and (p.cue.force == grammar.PERMISSION or (p.cue.force == grammar.OBLIGATION and not p.cue.binding))]
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
    lead_chain: tuple[str, ...] = ()  # texts of the lead-ins above, nearest first
    # For an inline list ("shall not: (a) …; (b) …"), the concepts of each ';'-segment
    # and those from outside the sentence (lead-in, headings): an item is judged with
    # its own words and the list's opening, not its neighbours'.
    segments: Optional[dict[int, frozenset[str]]] = None
    outer_concepts: frozenset[str] = frozenset()
    # what each heading above names ("Article 14: Termination" > "14.4 Suspension"):
    # the section the document gives a topic is where a reader looks for the clause on it
    heading_topics: tuple[frozenset[str], ...] = ()
    # the sentence's concept matches, kept to find its examples when a criterion asks
    matches: Optional[list[ConceptMatch]] = field(default=None, repr=False)

    @property
    def illustrative(self) -> dict[str, int]:
        """Concepts the sentence names only as examples ("(e.g., workplace monitoring)"),
        with the token offset where the example opens: examples of the deciding words
        illustrate them and do not exclude a criterion. Found on first asking: few
        clauses meet a criterion's exclusions at all."""
        cached = self.__dict__.get("_illustrative")
        if cached is None:
            cached = self.__dict__["_illustrative"] = _illustrative(self.sentence, self.matches) if self.matches else {}
        return cached

    @property
    def governed_concepts(self) -> frozenset[str]:
        cached = self.__dict__.get("_governed_concepts")
        if cached is None:
            cached = self.__dict__["_governed_concepts"] = frozenset(g.concept for g in self.governed)
        return cached


def _sentences(block: Block, doc: Doc, lead_governs: bool = False, answered_no: bool = False) -> list[Sentence]:
    """The block's sentences with their cues and carve-outs. ``lead_governs``: the
    block is an item of a lead-in that carries a cue, so an imperative opening the
    item ("(d) provide the Software to …") is the lead-in's object, not a duty.
    ``answered_no``: the next block answers the block's closing question "No"."""
    cues = grammar.find_cues(doc)
    if lead_governs:
        cues = [c for c in cues if not (c.label == grammar.IMPERATIVE and c.start == 0)]
    if answered_no:
        extra = [c for c in grammar.answered_no(doc, grammar.question_starts(doc), answer_follows=True)
                 if not any(o.start == c.start and o.label == c.label for o in cues)]
        cues = sorted(cues + extra, key=lambda c: c.start)
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
            # an express override: "notwithstanding …", or a restriction disapplied for a class
            notwithstanding=notw in lowers[start:end] or any(c.label == grammar.CARVE_BACK for c in cues if start <= c.start < end),
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
    return [c for c in sentence.carve_outs if c.kind not in grammar.CONDITION_KINDS]


_PROVISO = re.compile(r"^(?:provided(?:,)?\s+(?:always\s+)?that|on\s+condition\s+that|subject\s+to\s+the\s+condition\s+that)\b", re.IGNORECASE)


def _proviso_at(sentence: Sentence, pos: int) -> Optional[grammar.CarveOutSpan]:
    """The proviso ("provided that …") of the sentence that holds token ``pos``, if any."""
    return next((c for c in sentence.carve_outs if c.start <= pos < c.end and _PROVISO.match(c.text)), None)


# "If Customer is a …", "Where you are one of …": a condition that says what a party is
_CLASS_CONDITION = re.compile(r"^(?:if|where|when)\s+(?:the\s+)?(?P<party>[\w-]+)\s+(?:is|are)\s+(?:an?|one\s+of)\s", re.IGNORECASE)


def _class_condition(sentence: Sentence, pos: int) -> Optional[Provision]:
    """The provision whose actor a condition describes, when token ``pos`` is in it:
    "If Customer is a law enforcement agency, Customer shall not …" binds the agency
    (the actor of the main clause is the party the condition names, or "it"/"they")."""
    cond = next((c for c in sentence.carve_outs if c.kind == grammar.CONDITION and c.start <= pos < c.end), None)
    if cond is None:
        return None
    found = _CLASS_CONDITION.match(cond.text)
    if found is None:
        return None
    party = found.group("party").lower()
    names = {party, "it", "they"}
    # "If you are a law enforcement customer, your use of the Service must …": the party's use
    owners = {"your" if party == "you" else party + "'s", party + "\u2019s", "its", "their"}
    for prov in sentence.provisions:
        if prov.cue is None or prov.cue.start < cond.end:
            continue
        actor = prov.span(provisions.ACTOR)
        if actor is not None and re.sub(r"^the\s+", "", actor.text.lower()).strip() in names:
            return prov
        # the words between the condition and the cue: "…, your use of the Service is prohibited"
        subject = provisions.span_text(sentence.doc, cond.end, prov.cue.start).lower().lstrip(" ,")
        if subject.split(" ", 1)[0] in owners and re.match(r"^\S+\s+(?:use|usage|deployment|operation)\b", subject):
            return prov
    return None


def _permission_proviso_cue(sentence: Sentence, cue: Cue, pos: int) -> bool:
    """Whether ``cue`` and token ``pos`` sit in one proviso of a permission stated before
    it ("Vendor may engage subcontractors, provided that Vendor obtains … an undertaking
    to keep the data confidential")."""
    proviso = _proviso_at(sentence, pos)
    if proviso is None or not proviso.start <= cue.start < proviso.end:
        return False
    outside = _carves(sentence)
    return any(c.force == grammar.PERMISSION and c.start < proviso.start and not _inside(c.start, outside) for c in sentence.cues)


_RESTRICTING = frozenset({"only", "solely"})


def _restricted_leave(sentence: Sentence, pos: int) -> Optional[Cue]:
    """The permission or duty of the main clause when token ``pos`` is in its "only if"
    condition ("may use it only after a judge has issued a warrant", "shall release a
    model only once it has been submitted to NIST"); None otherwise."""
    cond = next((c for c in sentence.carve_outs if c.kind == grammar.CONDITION and c.start <= pos < c.end), None)
    if cond is None or sentence.doc[cond.start].lower_ not in _RESTRICTING:
        return None
    main = _governing_cue(sentence, cond.start, scope_pos=cond.start - 1)
    if main is None or main is _CONDITION_CUE or main.force not in (grammar.PERMISSION, grammar.OBLIGATION):
        return None
    return main


_RELATIVE_WORDS = frozenset({"that", "which", "who", "whose", "whom"})
# the clause openers of a ban's exception that say what must be so ("unless …", "except where …");
# not "without …", whose words name what is missing
_UNLESS = re.compile(r"^(?:unless|except\s+(?:if|where|when|upon|after|once))\b", re.IGNORECASE)


def _ban_of_unless(sentence: Sentence, cue: Cue, pos: int) -> Optional[Cue]:
    """The ban stated before the "unless …" that holds token ``pos`` ("shall not A unless C"
    is "may A only if C"), when ``cue``, which governs ``pos``, is that ban or is the unless
    clause's own ("shall not sublicense it unless that person has agreed to be bound by the
    restrictions": "be bound by" governs the restrictions, the ban makes them a condition)."""
    carve = next((c for c in _carves(sentence) if c.start <= pos < c.end), None)
    if carve is None or _UNLESS.match(carve.text) is None:
        return None
    if cue.force == grammar.PROHIBITION:
        ban: Optional[Cue] = cue
    elif carve.start <= cue.start < carve.end:
        ban = next((c for c in reversed(sentence.cues) if c.force == grammar.PROHIBITION and c.end <= carve.start), None)
    else:
        return None
    return ban if ban is not None and ban.end <= carve.start else None


def _only_relative(sentence: Sentence, cue: Cue, pos: int) -> bool:
    """Whether token ``pos`` (a concept's last) is in a relative clause that says what
    an "only" after ``cue`` is limited to ("may buy only systems whose vendors submit
    them to NIST", "may enrol only faces of people who have given written consent")."""
    doc = sentence.doc
    rel = next((k for k in range(pos - 1, max(cue.end, pos - 14) - 1, -1) if doc[k].lower_ in _RELATIVE_WORDS), None)
    if rel is None:
        return False
    for k in range(rel - 1, max(cue.end, rel - 6) - 1, -1):
        low = doc[k].lower_
        if low in _RESTRICTING:
            return True
        if doc[k].is_punct or low in _RELATIVE_WORDS:
            return False
    return False


def _is_proviso(sentence: Sentence, pos: int) -> bool:
    return _proviso_at(sentence, pos) is not None


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
    for first, own in provisions.series_items(sentence.doc, sentence.enumerators, pos) if before and sentence.enumerators else ():
        # "provided that (i) …, (iv) you do not remove any notices, (v) you only
        # distribute …": an earlier item's own cue does not reach into a later item.
        before = [c for c in before if not first <= c.start < own]
    if not before and sentence.list_cue is not None and sentence.semicolons and _segment(sentence, pos) > 0:
        # an enumerated item of a list whose lead-in sits in an earlier sentence
        seg_start = max(p for p in sentence.semicolons if p < pos) + 1
        if seg_start < len(sentence.doc) and _ENUMERATOR.match(provisions.span_text(sentence.doc, seg_start, seg_start + 3)):
            return sentence.list_cue
    conditions = [k for k in scopes if k.kind in grammar.CONDITION_KINDS]
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
    """The cue a lead-in passes to its list items (a condition if it ends in one).

    A lead-in that ends in the proviso of a permission ("The User may grant access to
    its staff, provided that the User:") passes on a duty: each item is a condition
    the permission's holder must meet ("procures that its staff adhere to these Terms").
    """
    last = sentence.end - 1
    while last > sentence.start and sentence.doc[last].is_punct:
        last -= 1
    cue = _governing_cue(sentence, last + 1, scope_pos=last)
    if cue is not None and cue.force == grammar.PERMISSION and not _inside(cue.start, _carves(sentence)):
        proviso = _proviso_at(sentence, last)
        if proviso is not None:
            head = min(proviso.end, proviso.start + 2)
            return Cue(grammar.OBLIGATION, True, "proviso", proviso.start, head, provisions.span_text(sentence.doc, proviso.start, head))
    return cue


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


# "This Section 6 applies where Customer is a government agency", "This clause applies to
# any customer that is a police force": a statement of whom the section is about. (A part
# of the document only: "These Terms apply to your use of the Service" is about everything.)
_APPLIES = re.compile(
    r"^(?:this|the\s+provisions\s+of\s+this)\s+(?:section|clause|part|schedule|article|paragraph|annex|exhibit|"
    r"appendix|addendum)\b[^.;:]{0,30}?\b(?:appl(?:y|ies)|shall\s+apply)\b", re.IGNORECASE)
#: ``Governed.via`` of what a clause's actor refers back to in its section's scope statement
SCOPE_STATEMENT = "section's scope statement"
# an actor that refers back to the class a scope statement named: "Such a customer shall not …"
_BACK_REFERENCE = re.compile(
    r"^(?:(?:any|each|every|all|no)\s+)?(?:such|these|those)\s+(?:an?\s+)?(?:customer|client|licensee|user|agenc|authorit|bod|"
    r"entit|part|person|organi[sz]ation|department|force|purchaser|buyer|government|reseller|recipient|subscriber)", re.IGNORECASE)


@dataclass(frozen=True)
class _ScopeStatement:
    """The concepts a section's scope statement names, and where the section runs."""

    matches: tuple[ConceptMatch, ...]
    headings: tuple[str, ...]
    top: Optional[str]  # the section's top label ("6" for 6.1)
    block: int
    after: int  # in the statement's own block, its sentences from this token on
    sentence: "Sentence"  # the statement itself

    @property
    def concepts(self) -> frozenset[str]:
        return frozenset(m.concept for m in self.matches)


def _top_label(section: Optional[str]) -> Optional[str]:
    return re.split(r"[.(]", section, maxsplit=1)[0] if section else None


def read_provisions(document: Document) -> list[tuple[Block, Sentence, Provision]]:
    """The provisions of ``document`` with their roles (``clause-lint extract --provisions``)."""
    return Analysis(document).provisions()


# an answer that opens with a bare "No" ("No.", "No, we do not …", "No - …")
_ANSWER_NO = re.compile(r"\s*No\b(?:\s*[.,!;:\u2014\u2013-]|\s*$)")


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
        got = self[index] = _sentences(block, self._docs[index], self._lead_governs(block), self.answered_no(index))
        return got

    def answered_no(self, index: int) -> bool:
        """Whether block ``index`` ends with a question the next block answers "No"
        (an FAQ's question and its answer)."""
        block, after = self._blocks.get(index), self._blocks.get(index + 1)
        return (block is not None and after is not None and block.text.rstrip().endswith("?")
                and _ANSWER_NO.match(after.text) is not None)

    def _lead_governs(self, block: Block) -> bool:
        lead = block.lead_in_block
        if lead is None or lead not in self._blocks or lead >= block.index:  # a lead-in comes first
            return False
        lsents = self[lead]
        return bool(lsents) and any(c.force not in (grammar.NEUTRAL, grammar.LIABILITY) for c in lsents[-1].cues)

    def get(self, index: int, default: Any = None) -> Any:  # type: ignore[override]
        try:
            return self[index]
        except KeyError:
            return default


# how many leading blocks may hold the title and the headings under it
_TITLE_BLOCKS = 4
# a first provision that names the parties
_PARTIES = re.compile(r"\b(?:between|by and between|entered into by)\b", re.IGNORECASE)


def _title_like(text: str) -> bool:
    """A short line with no sentence punctuation: a title a plain-text file could
    not mark as a heading ("SHERIFF'S OFFICE FACE SEARCH POLICY")."""
    stripped = text.strip()
    return bool(stripped) and len(stripped.split()) <= 15 and stripped[-1] not in ".;:,"


class Analysis:
    """Everything the engine learns about one document, computed lazily."""

    def __init__(self, document: Document) -> None:
        self.document = document
        blocks = [b for b in document.blocks]
        self.docs: dict[int, Doc] = {}
        for block, doc in zip(blocks, make_docs([b.text for b in blocks])):
            self.docs[block.index] = doc
        self.blocks = {b.index: b for b in blocks}
        self.sentences = _LazySentences(self.blocks, self.docs)
        self._matches: dict[tuple[int, int | str], list[ConceptMatch]] = {}
        self._about: dict[int, frozenset[str]] = {}
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
            if compiled.stands_for and any(m.concept in compiled.stands_for for m in found):
                about = self.document_about(compiled)
                found = found + [ConceptMatch(target, m.start, m.end, m.text) for m in found
                                 for target, where in [compiled.stands_for.get(m.concept, ("", frozenset()))]
                                 if target and about & where]
            self._matches[k] = found
        return found

    def document_about(self, compiled: CompiledPack) -> frozenset[str]:
        """The concepts the document names as what it is: its title (from the file's
        metadata), the headings before its first provision, and a first provision that
        names the parties ("… between Vendor and the Springfield Police Department").
        A police department's own policy speaks of "officers" and "deputies"; a
        contract that merely mentions police elsewhere does not make them police."""
        key = id(compiled)
        cached = self._about.get(key)
        if cached is None:
            texts = []
            title = self.document.metadata.get("title")
            if isinstance(title, str) and title.strip():
                texts.append(title)
            for block in self.document.blocks[:_TITLE_BLOCKS]:
                if block.operative and not _title_like(block.text):
                    if _PARTIES.search(block.text):
                        texts.append(block.text)
                    break
                texts.append(block.text)
            cached = self._about[key] = frozenset(m.concept for t in texts for m in compiled.matches(make_doc(t)))
        return cached

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
        doc = make_doc(dt.definition)
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
            if any(c.kind == grammar.TEMPORAL and c.start <= m.start < c.end for c in sentence.carve_outs):
                continue
            concepts.add(m.concept)
            cue = _governing_cue(sentence, m.start) or fallback or _following_cue(sentence, m.start) or heading_cue
            if cue is _CONDITION_CUE:
                main = _class_condition(sentence, m.start)
                if main is not None and main.cue is not None:
                    # "If Customer is a law enforcement agency, Customer shall not …": the
                    # condition says who the clause binds
                    g = _gov(m.concept, m.text, main.cue, via, provisions.ACTOR, main)
                    g.pos, g.at = m.start, sentence
                    governed.append(g)
                    continue
                leave = _restricted_leave(sentence, m.start)
                if leave is not None:
                    # "Customer may scan faces only after posting signs": whoever uses the
                    # leave must first meet its condition, a duty as much as "shall post signs"
                    prov = sentence.provision_for(leave, m.start)
                    governed.append(_flipped(m, leave, grammar.OBLIGATION, via, provisions.CONDITION, prov, sentence))
                    continue
            prov = sentence.provision_for(cue, m.start, lead_action if cue is fallback else ())
            role = prov.role_at(m.start)
            if _inside(m.start, _carves(sentence)):
                # What a carve-out mentions is not the clause's topic — except a class
                # taken out of a ban ("shall not use … other than for military
                # purposes"), which the ban leaves permitted.
                if role == provisions.EXCEPTION and cue is not None and cue.force == grammar.PROHIBITION:
                    governed.append(_flipped(m, cue, grammar.PERMISSION, via, role, prov, sentence))
                elif cue is not None and (ban := _ban_of_unless(sentence, cue, m.start)) is not None:
                    # "No agency may use it unless its use is subject to review by an independent
                    # oversight board": whoever does what is banned must first meet the exception,
                    # as "may use it only if …" says (a say-so kept back is weighed as a carve-out)
                    governed.append(_flipped(m, ban, grammar.OBLIGATION, via, provisions.CONDITION,
                                             prov if ban is cue else sentence.provision_for(ban, m.start), sentence))
                elif cue is not None and cue.force == grammar.PERMISSION and _is_proviso(sentence, m.start) \
                        and not any(c.start <= cue.start < c.end and c.start <= m.start < c.end for c in _carves(sentence)):
                    # "You may distribute …, provided that you include the restrictions":
                    # the condition of a permission is a duty of whoever uses it (a
                    # permission stated inside the proviso is the proviso's own matter)
                    governed.append(_flipped(m, cue, grammar.OBLIGATION, via, provisions.CONDITION, prov, sentence))
                elif cue is not None and cue.force in (grammar.OBLIGATION, grammar.PROHIBITION) and _permission_proviso_cue(sentence, cue, m.start):
                    # "may engage subcontractors, provided that Vendor obtains … a written undertaking
                    # to keep all Agency data … confidential": the proviso's own duty binds as written
                    g = _gov(m.concept, m.text, cue, via, role, prov)
                    g.pos, g.at = m.start, sentence
                    governed.append(g)
                continue
            if cue is not None and cue.force == grammar.PERMISSION and _only_relative(sentence, cue, m.end - 1):
                # "may buy only systems whose vendors submit them to NIST": what the leave is
                # limited to must be so, a duty on whoever uses it
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
                    flipped = (_negated_force(cue.force, mention_prov.only)
                               if cue is not None and mention_role == provisions.NEGATED else None)
                    for g in sub_gov:
                        # The definition's own cue rarely binds; the mention's cue does,
                        # and the defined term's role in the clause is the concept's role.
                        if cue is not None and mention_role == provisions.NEGATED:
                            # "shall not supply it outside the Field": the Field's uses are left allowed
                            if flipped is None:
                                continue
                            g = replace(_gov(g.concept, g.text, cue, g.via, mention_role, mention_prov), force=flipped,
                                        pos=g.pos, at=g.at)
                        elif cue is not None and (g.cue is None or g.force == grammar.OBLIGATION):
                            g = replace(_gov(g.concept, g.text, cue, g.via, mention_role, mention_prov), pos=g.pos, at=g.at)
                        g.mention = tpos
                        governed.append(g)
        return governed, concepts

    def units(self, compiled: CompiledPack) -> list[Unit]:
        key = id(compiled)
        if key in self._units:
            return self._units[key]
        units: list[Unit] = []
        statement: Optional[_ScopeStatement] = None
        for index, block in self.blocks.items():
            statement = self._scope_statement(compiled, block, statement)
            if not block.operative and not self.sentences.answered_no(index):
                continue  # headings, recitals, contents (an FAQ's question answered "No" does count); definitions do
            doc = self.docs[index]
            matches = self.matches(compiled, index, doc)
            chain = self._lead_in_chain(block)
            if (statement is None and not _any_needed(compiled, matches)
                    and (self._term_re is None or self._term_re.search(block.text) is None)
                    and not any(_any_needed(compiled, self.matches(compiled, lead.index, self.docs[lead.index])) for lead in chain)):
                continue  # no concept a rule asks for here, in its lead-in, or behind a defined term: nothing to judge
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
            needed = compiled.needed
            lead_needed = any(g.concept in needed for g in lead_gov)
            # what the headings above name: the same for every sentence of the block
            topics = self._heading_topics(compiled, block)
            headed = set().union(*topics)
            for sentence in sents:
                scope_of = statement if statement is not None and (statement.block != index or sentence.start >= statement.after) else None
                if (scope_of is None and not lead_needed
                        and not any(sentence.start <= m.start < sentence.end and m.concept in needed for m in matches)
                        and (self._term_re is None or self._term_re.search(sentence.text) is None)):
                    continue  # a sentence with no concept a rule asks for yields no verdict
                governed, concepts = self._governed_in(
                    compiled, sentence, matches, fallback, "sentence", 0, None, self._heading_cue(block), lead_action
                )
                scope_concepts: frozenset[str] = frozenset()
                if scope_of is not None:
                    scope_concepts = scope_of.concepts
                    governed = governed + _referred_back(sentence, scope_of)
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
                        concepts=concepts | lead_concepts | headed | scope_concepts,
                        carve_kinds=carves,
                        notwithstanding=sentence.notwithstanding or lead_notw,
                        lead_in=chain[0].text if chain else None,
                        lead_chain=tuple(b.text for b in chain),
                        segments=_segment_concepts(sentence, matches) if sentence.item_bounds else None,
                        outer_concepts=frozenset(lead_concepts | headed | scope_concepts),
                        heading_topics=topics,
                        matches=matches,
                    )
                )
        self._units[key] = units
        return units

    def _scope_statement(self, compiled: CompiledPack, block: Block, current: Optional[_ScopeStatement]) -> Optional[_ScopeStatement]:
        """The scope statement in force at ``block``: one this block makes ("This Section
        6 applies where Customer is a government agency"), else ``current`` while the
        block stays in its section (the same headings and top label), else none. What
        the statement names is context of every clause of the section, as a heading is."""
        if current is not None and (block.headings != current.headings or _top_label(block.section) != current.top):
            current = None
        if not block.operative or not _APPLIES.search(block.text):
            return current
        for sentence in self.sentences[block.index]:
            found = _APPLIES.match(sentence.text)
            if found is None:
                continue
            base = sentence.doc[sentence.start].idx
            after = sentence.doc.char_span(base + found.end(), base + found.end() + 1, alignment_mode="expand")
            first = after.start if after is not None else sentence.start
            named = tuple(m for m in self.matches(compiled, block.index, sentence.doc) if first <= m.start < sentence.end)
            if named:
                return _ScopeStatement(named, block.headings, _top_label(block.section), block.index, sentence.end, sentence)
        return current

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

    def _heading_topics(self, compiled: CompiledPack, block: Block) -> tuple[frozenset[str], ...]:
        """What each of the two headings nearest above the block names."""
        out = []
        for heading in block.headings[-2:]:
            key = f"heading:{heading}"
            if key not in self._def_docs:
                self._def_docs[key] = (make_doc(heading), [])
            out.append(frozenset(m.concept for m in self.matches(compiled, key, self._def_docs[key][0])))
        return tuple(out)

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
        # a condition counts too: "Where the law requires it, Customer shall not …" bans only
        # what the law already forbids (a temporal one — "upon termination" — names no say-so)
        for carve in (c for c in sentence.carve_outs if c.kind != grammar.TEMPORAL):
            if sentence.doc[carve.start].lower_ == "without":
                cue = _governing_cue(sentence, carve.start)
                if cue is not None and cue.force == grammar.PERMISSION:
                    continue  # "may publish … without our permission": a freedom, not a say-so kept back
            inside = {m.concept for m in matches if carve.start <= m.start < carve.end}
            for kind, concepts in compiled.carve_kinds.items():
                if inside & set(concepts):
                    # one kind per carve-out, the pack's first: "unless a warrant issued under
                    # applicable law is obtained" names a warrant, not the law in general
                    kinds.setdefault(kind, carve.text)
                    break
        return kinds

    # -- parties -------------------------------------------------------------------
    @property
    def customer_names(self) -> tuple[str, ...]:
        """The names this document gives the party that receives the licence or
        service ("Ono", "HSNS"), in lower case: the defined name that is granted rights
        more often than it grants them ("Array hereby grants to Ono …" three times,
        "Ono grants to Array …" once). Empty when no name stands out."""
        customer, _ = self.parties
        return (customer.lower(),) if customer else ()

    @property
    def parties(self) -> tuple[Optional[str], Optional[str]]:
        """The customer's and the provider's defined names (see :func:`party_names`)."""
        cached = self.__dict__.get("_parties")
        if cached is None:
            cached = self.__dict__["_parties"] = party_names(self.document)
        return cached

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
_PRODUCT_WORDS = frozenset({"software", "service", "services", "model", "models", "product", "products", "platform",
                            "technology", "system", "api", "sdk", "solution", "tool", "tools"})


def _applies_product(prov: Provision) -> bool:
    """Whether a provision applies the product to something ("shall not apply the Software
    to target selection": a use) rather than disapplying a clause ("Section 4 shall not
    apply to …")."""
    obj = prov.span(provisions.OBJECT)
    return obj is not None and bool(set(obj.text.lower().split()) & _PRODUCT_WORDS)


def _gov(concept: str, text: str, cue: Optional[Cue], via: str, role: Optional[str] = None, prov: Optional[Provision] = None) -> Governed:
    if cue is None:
        return Governed(concept, text, grammar.NONE, True, None, via, role, prov)
    force = cue.force
    if (force == grammar.PROHIBITION and prov is not None and prov.action_lemmas and set(prov.action_lemmas) <= _DISAPPLYING
            and not _applies_product(prov)):
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


def _referred_back(sentence: Sentence, statement: _ScopeStatement) -> list[Governed]:
    """What a clause's actor refers back to: in "Such a customer shall not use the Service
    …" after "This clause applies to any customer that is a police force", the police
    force is who the ban binds."""
    out: list[Governed] = []
    for prov in sentence.provisions:
        actor = prov.span(provisions.ACTOR)
        if prov.cue is None or actor is None or not _BACK_REFERENCE.match(actor.text):
            continue
        seen: set[str] = set()
        for m in statement.matches:
            if m.concept not in seen:
                seen.add(m.concept)
                g = _gov(m.concept, m.text, prov.cue, SCOPE_STATEMENT, provisions.ACTOR, prov)
                g.pos, g.at = m.start, statement.sentence
                out.append(g)
    return out


# "a use listed in Attachment A", "in breach of Exhibit C": an attachment cited by its own label
_CITED_ANNEX = re.compile(r"\b(Attachment|Schedule|Exhibit|Annex|Appendix|Addendum)\s+([A-Z]|\d+)\b")


def _cited_sections(text: str) -> list[str]:
    """Section labels a sentence cites: "Section 3.3(c)" → ["3.3(c)"], "Sections 4 and 5" → ["4", "5"],
    "Exhibit C" → ["Exhibit C"]."""
    out: list[str] = []
    for m in _CITED.finditer(text):
        out.extend(_CITED_ONE.findall(m.group(1)))
    out.extend(f"{m.group(1)} {m.group(2)}" for m in _CITED_ANNEX.finditer(text))
    return out


def _any_needed(compiled: CompiledPack, matches: list[ConceptMatch]) -> bool:
    needed = compiled.needed
    return any(m.concept in needed for m in matches)


def _segment_concepts(sentence: Sentence, matches: list[ConceptMatch]) -> dict[int, frozenset[str]]:
    out: dict[int, set[str]] = {}
    for m in matches:
        if sentence.start <= m.start < sentence.end:
            out.setdefault(_item(sentence, m.start), set()).add(m.concept)
    return {k: frozenset(v) for k, v in out.items()}


# Words that open examples of what precedes them: "surveil individuals (e.g., workplace
# monitoring)", "tracking of people, such as monitoring of workers". "i.e." and "namely"
# restate, and so may narrow; they are not here.
_EXAMPLE_CLOSERS = frozenset({")", ";", ":"})


def _illustrative(sentence: Sentence, matches: list[ConceptMatch]) -> dict[str, int]:
    """The concepts the sentence names only inside examples, each with the token offset
    where its first example opens. An example of a ban does not narrow it: "shall not
    surveil individuals (for example, workplace monitoring)" bans surveillance of anyone."""
    doc = sentence.doc
    spans: list[tuple[int, int]] = []
    i = sentence.start
    while i < sentence.end:
        low = doc[i].lower_
        opens = (low in ("e.g.", "e.g", "eg", "eg.")
                 or (low in ("example", "instance") and i > sentence.start and doc[i - 1].lower_ == "for")
                 or (low == "such" and i + 1 < sentence.end and doc[i + 1].lower_ == "as")
                 or (low == "including" and i > sentence.start and doc[i - 1].is_punct))
        if not opens or i == sentence.start or (low in ("example", "instance") and i - 1 == sentence.start):
            i += 1
            continue
        in_paren = any(doc[k].text == "(" for k in range(max(sentence.start, i - 3), i))
        j = i + 1
        while j < sentence.end and doc[j].text not in _EXAMPLE_CLOSERS and not (not in_paren and doc[j].text == "."):
            j += 1
        spans.append((i, j))
        i = j
    if not spans:
        return {}
    inside: dict[str, int] = {}
    outside: set[str] = set()
    for m in matches:
        if sentence.start <= m.start < sentence.end:
            opened = next((a for a, b in spans if a <= m.start < b), None)
            if opened is None:
                outside.add(m.concept)
            else:
                inside[m.concept] = min(opened, inside.get(m.concept, opened))
    return {c: at for c, at in inside.items() if c not in outside}


def _item(sentence: Sentence, pos: int) -> int:
    """Index of the inline item of the sentence that holds token ``pos``: items are
    separated by ';' or opened by an enumerator ("for (i) …, (ii) military purposes,
    (vi) in any manner that violates applicable law"); 0 is the list's opening."""
    return sum(1 for p in sentence.item_bounds if p <= pos)


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_NAME = r"[A-Z][\w.&-]*(?: [A-Z][\w.&-]*){0,2}"
_GRANT = re.compile(rf"\b(?P<grantor>{_NAME})\s+(?:hereby\s+)?grants?\s+(?:to\s+)?(?:the\s+)?(?P<grantee>{_NAME})")
# the pack's own words for the customer, and the provider's, are not names to learn
_GENERIC = frozenset({"you", "we", "customer", "licensee", "user", "member", "subscriber", "client", "buyer", "purchaser",
                      "provider", "licensor", "company", "vendor", "supplier", "seller", "the", "this", "each", "either"})


def party_names(document: Document) -> tuple[Optional[str], Optional[str]]:
    """The defined names of the customer and of the provider, as the document spells
    them: the party granted rights more often than it grants them, and the one that
    grants more often than it is granted them ("Array hereby grants to Ono …" three
    times, "Ono grants to Array …" once: Ono, Array). None where no name stands out."""
    defined = {t.lower(): t for t in document.defined_terms}
    score: dict[str, int] = {}
    for block in document.blocks:
        if "grant" not in block.text:
            continue
        for m in _GRANT.finditer(block.text):
            for name, step in ((m.group("grantee"), 1), (m.group("grantor"), -1)):
                key = name.lower()
                if key in defined and key not in _GENERIC:
                    score[defined[key]] = score.get(defined[key], 0) + step
    if not score:
        return None, None

    def unique(value: int) -> Optional[str]:
        top = [n for n, v in score.items() if v == value]
        return top[0] if len(top) == 1 else None

    best, worst = max(score.values()), min(score.values())
    return (unique(best) if best > 0 else None), (unique(worst) if worst < 0 else None)
