"""Provisions: what a clause says, read by its roles.

A deontic cue ("shall not", "may", "is required to") opens a *provision*. Its words
are read into roles, the way a lawyer reads a clause before asking what it is about:

- **actor** — who is bound or allowed: the words before the cue in the same clause
  ("Licensee" in "Licensee shall not …"); an unnamed actor inherits the previous
  provision's ("… and shall ensure …");
- **modality** — the cue's force (prohibition, obligation, permission, disclaimer,
  liability) and whether its wording binds (``should`` does not);
- **action** — the first verb after the cue, with verbs coordinated with it ("use,
  sell or provide"); for a passive or nominal cue ("Use of the Service for weapons
  is prohibited") the words before the cue are the action and its object;
- **object** — what the action is done to, up to the first role marker;
- **purpose** — "for", "for the purpose of", "in connection with", "as part of",
  "in order to", "in" (a field or setting), "to" + a verb when the action is not a
  transfer;
- **recipient** — "to" after a verb of transfer or notice (disclose, provide, sell,
  notify, make available), "with" after "share";
- **user** — "by", "by or for", "on behalf of", "for use by", "for the benefit of";
- **reference** — "as provided in", "pursuant to", "in accordance with", "as set
  forth in", "within the meaning of": a citation, never the provision's topic;
- **exception** — what a carve-out ("other than", "except", "excluding", "save")
  takes out of a prohibition: permitted, not banned;
- **condition** — "if", "unless", "provided that", "subject to … consent": when the
  provision applies, classified by the pack (the provider's discretion, a statute or
  warrant, the law in general);
- **negated** — a word prefixed "non-" ("non-military purposes"): the opposite class.

This is deterministic, shallow reading on tokens and lemmas: no parser or model.
Its vocabulary is the grammar of legal drafting, not of any topic; topics stay in
the packs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional

from spacy.attrs import IS_PUNCT
from spacy.tokens import Doc

from . import grammar
from .grammar import Cue
from .nlp import columns, doc_text, lemma_of

ACTOR = "actor"
ACTION = "action"
OBJECT = "object"
PURPOSE = "purpose"
RECIPIENT = "recipient"
USER = "user"
REFERENCE = "reference"
EXCEPTION = "exception"
CONDITION = "condition"
NEGATED = "negated"

ROLES = (ACTOR, ACTION, OBJECT, PURPOSE, RECIPIENT, USER, REFERENCE, EXCEPTION, CONDITION, NEGATED)

# Role markers: lower-case token sequences that open a role inside a provision.
# Longest first wins ("in accordance with" is a reference, "in" a field).
_MARKERS: list[tuple[tuple[str, ...], str]] = [
    # references: citations of other law or text
    (("as", "provided", "in"), REFERENCE), (("as", "provided", "by"), REFERENCE), (("as", "provided", "under"), REFERENCE),
    (("as", "set", "forth", "in"), REFERENCE), (("as", "set", "out", "in"), REFERENCE), (("as", "described", "in"), REFERENCE),
    (("as", "defined", "in"), REFERENCE), (("described", "in"), REFERENCE), (("set", "out", "in"), REFERENCE),
    (("set", "forth", "in"), REFERENCE), (("referred", "to", "in"), REFERENCE), (("listed", "in"), REFERENCE), (("as", "specified", "in"), REFERENCE), (("pursuant", "to"), REFERENCE),
    (("in", "accordance", "with"), REFERENCE), (("within", "the", "meaning", "of"), REFERENCE),
    (("consistent", "with"), REFERENCE), (("in", "compliance", "with"), REFERENCE), (("as", "required", "by"), REFERENCE),
    (("under", "section"), REFERENCE), (("as", "amended"), REFERENCE),
    # users and beneficiaries
    (("by", "or", "for"), USER), (("by", "or", "on", "behalf", "of"), USER), (("on", "behalf", "of"), USER),
    (("for", "use", "by"), USER), (("for", "the", "benefit", "of"), USER), (("for", "or", "on", "behalf", "of"), USER),
    (("by",), USER),
    # purposes, fields and settings
    (("for", "the", "purpose", "of"), PURPOSE), (("for", "the", "purposes", "of"), PURPOSE), (("for", "purposes", "of"), PURPOSE),
    (("in", "order", "to"), PURPOSE), (("so", "as", "to"), PURPOSE), (("in", "connection", "with"), PURPOSE),
    (("as", "part", "of"), PURPOSE), (("in", "support", "of"), PURPOSE), (("with", "the", "intent", "to"), PURPOSE),
    (("with", "the", "purpose", "of"), PURPOSE), (("in", "relation", "to"), PURPOSE), (("related", "to"), PURPOSE),
    (("relating", "to"), PURPOSE), (("aimed", "at"), PURPOSE), (("for",), PURPOSE), (("in",), PURPOSE),
    (("into",), PURPOSE), (("within",), PURPOSE), (("to", "help"), PURPOSE), (("to", "assist"), PURPOSE),
]
_MARKER_FIRST = {m[0][0] for m in _MARKERS}
_MAX_MARKER = max(len(m[0]) for m in _MARKERS)
_MARKER_TABLE = {m[0]: m[1] for m in _MARKERS}

# Verbs of transfer and notice: their "to" names a recipient, not a purpose.
TRANSFER_VERBS = frozenset({
    "disclose", "provide", "sell", "resell", "license", "sublicense", "distribute", "supply", "transfer", "give",
    "deliver", "furnish", "lease", "rent", "lend", "notify", "inform", "report", "send", "make", "offer", "market",
    "export", "re-export", "reexport", "release", "share", "grant", "assign", "communicate", "submit", "show",
    "display", "reveal", "divulge", "hand", "transmit", "turn", "surrender", "produce", "explain", "describe",
})

# Verbs that may be coordinated with the action ("use, sell or provide").
_ACTION_VERBS = TRANSFER_VERBS | frozenset({
    "use", "utilize", "utilise", "deploy", "employ", "apply", "operate", "run", "access", "develop", "build",
    "design", "train", "integrate", "incorporate", "embed", "permit", "allow", "enable", "authorize", "authorise",
    "facilitate", "assist", "support", "install", "host", "copy", "modify", "adapt", "create", "exploit",
    "commercialize", "commercialise", "identify", "track", "monitor", "surveil", "target", "locate", "test",
    "evaluate", "audit", "publish", "suspend", "terminate", "disable", "process", "collect", "analyze", "analyse",
})

# Nouns of action and the verb they name ("the sale of …" is selling).
_ACTION_NOUNS = {v: v for v in _ACTION_VERBS} | {
    "sale": "sell", "resale": "resell", "provision": "provide", "deployment": "deploy", "distribution": "distribute",
    "development": "develop", "transfer": "transfer", "purchase": "purchase", "disclosure": "disclose",
    "licensing": "license", "application": "apply", "utilization": "use", "utilisation": "use", "usage": "use",
    "integration": "integrate", "operation": "operate", "exportation": "export", "supply": "supply",
    "procurement": "procure", "acquisition": "acquire", "training": "train", "design": "design",
    "creation": "create", "publication": "publish", "testing": "test", "evaluation": "evaluate",
}

# Verbs that end like adverbs ("temporarily suspend" skips the adverb, not these).
_LY_VERBS = frozenset({"apply", "supply", "reply", "comply", "rely", "imply", "multiply", "resupply", "misapply", "bully"})

# "grants Customer a licence to use …": the verb of the grant and the right granted
_GRANT_VERBS = frozenset({"grant", "give", "confer", "award", "issue"})
_GRANTED = frozenset({"licence", "license", "right", "permission", "authorisation", "authorization", "sublicense", "sublicence"})

# "entitles Provider to suspend …", "authorises the Licensor to audit …"
_ENABLING_VERBS = frozenset({"entitle", "authorize", "authorise", "empower"})

# Verbs of hindering that end a permission cue ("Nothing … prevents", "shall not restrict … from")
_HINDER_VERBS = frozenset({"prevent", "restrict", "prohibit", "preclude", "bar", "stop", "limit", "prejudice", "impair", "obstruct",
                           "hinder", "block", "penalise", "penalize", "forbid", "ban", "object"})
# "shall not restrict Provider's right to audit …": the right's holder is who is left free
_RIGHT_NOUNS = frozenset({"right", "rights", "ability", "power", "freedom", "entitlement"})

# A time phrase between a cue and its verb: "shall within thirty days deliver".
_TIME_PREPOSITIONS = frozenset({"within", "upon", "on", "after", "before", "by"})
_TIME_WORDS = frozenset({"day", "days", "week", "weeks", "month", "months", "year", "years", "hour", "hours", "request",
                         "notice", "receipt", "demand", "termination", "expiry", "expiration", "thereafter", "time"})

# "does not permit any police department to use …": the verb of leave ends the cue and is its action
_LEAVE_VERBS = frozenset({"permit", "allow", "authorize", "authorise", "license", "licence"})

# Words between a cue and its verb that are not the action.
_SKIP = frozenset({
    "to", "be", "from", "of", "a", "an", "such", "all", "not", "directly", "indirectly", "knowingly", "intentionally", "expressly", "otherwise", "any",
    "way", "or", "and", ",", "itself", "(", ")", "also", "only", "solely", "exclusively", "further", "hereby",
    "in", "no", "event", "never", "ever", "at", "all", "times", "time", "herself", "himself", "themselves",
    "attempt", "try", "seek", "either", "whether", "nor", "neither", "have", "has", "the", "right", "sole",
    "need", "willfully", "wilfully", "intend", "purport",
    # "shall first notify them", "shall promptly deliver"
    "first", "then", "promptly", "immediately", "forthwith", "thereafter", "subsequently", "always", "duly", "timely",
})

# Cues that come after what they govern: "Use … is prohibited", "… are not permitted".
_POSTPOSED_HEADS = frozenset({
    "is", "are", "be", "was", "were", "been", "constitutes", "constitute", "prohibited", "forbidden", "banned", "disallowed", "proscribed",
    "unauthorized", "unauthorised", "impermissible", "not",
})

_ONLY = frozenset({"only", "solely", "exclusively"})

# What may follow a cue that closes its clause ("… is prohibited under this policy").
_AFTER_POSTPOSED = frozenset({
    "by", "under", "unless", "except", "without", "and", "or", "anywhere", "at", "throughout", "where", "when",
    "if", "in", "on", "within", "regardless", "whether", "absent", "save", "other", "as", "to", "hereunder",
})

# Verbs that ban or allow another action named after them ("prohibit the sale of …").
_DEONTIC_VERBS = frozenset({
    "prohibit", "forbid", "ban", "bar", "restrict", "limit", "prevent", "preclude", "permit", "allow",
    "authorize", "authorise",
})

_RELATIVES = frozenset({"who", "whom", "which", "that", "whose"})
_WEAK_HEADS = frozenset({"may", "might", "can", "could", "would", "is", "are", "be", "was", "were"})
_SUBORDINATORS = frozenset({"where", "which", "that", "who", "whom", "when", "whereby", "wherein", "if"})

# Words that join a second clause to the first: the next cue's clause starts after them.
_CLAUSE_JOINS = frozenset({"and", "or", "but", "which", "that", "who", "whom", "whereas", "while", ",", "nor", "where", "when",
                           "whereby", "wherein", "if", "then"})

# Carve-outs that take a class out of a prohibition ("other than for X"): that class
# is permitted. "unless", "provided that" and consent carve-outs are conditions.
EXCEPTION_OPENERS = frozenset({"other", "except", "excepting", "excluding", "save"})


class RoleSpan:
    """Tokens ``doc[start:end]`` in one role of a provision; the text is built only
    when asked for (most spans are only ever tested for position)."""

    __slots__ = ("role", "start", "end", "_doc", "_text")

    def __init__(self, role: str, start: int, end: int, doc: Doc) -> None:
        self.role, self.start, self.end, self._doc = role, start, end, doc
        self._text: Optional[str] = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = span_text(self._doc, self.start, self.end)
        return self._text

    def __repr__(self) -> str:
        return f"RoleSpan({self.role!r}, {self.start}, {self.end}, {self.text!r})"


@dataclass
class Provision:
    """One cue's provision in one sentence, with its roles."""

    cue: Optional[Cue]
    start: int  # token offsets of the provision's words in the Doc
    end: int
    spans: list[RoleSpan] = field(default_factory=list)
    action_lemmas: tuple[str, ...] = ()
    only: bool = False  # "may use only for …", "solely for …"
    inherited: bool = False  # the cue comes from a lead-in, heading or the previous clause
    # in a relative or adverbial clause ("officers who are authorized to …", "… where
    # lethal force may be used"): it describes, it does not grant or bind by itself
    subordinate: bool = False

    @property
    def force(self) -> str:
        return self.cue.force if self.cue is not None else grammar.NONE

    @property
    def binding(self) -> bool:
        return self.cue.binding if self.cue is not None else True

    def role_at(self, pos: int) -> Optional[str]:
        """The role of the token at ``pos``, or None when outside the provision."""
        best: Optional[RoleSpan] = None
        for span in self.spans:
            if span.start <= pos < span.end and (best is None or span.end - span.start < best.end - best.start):
                best = span
        return best.role if best is not None else None

    def span(self, role: str) -> Optional[RoleSpan]:
        return next((s for s in self.spans if s.role == role), None)

    def roles(self) -> dict[str, str]:
        """Role → text (several spans of one role joined by " | "), in ROLES order."""
        out: dict[str, list[str]] = {}
        for s in sorted(self.spans, key=lambda s: s.start):
            if s.text:
                out.setdefault(s.role, []).append(s.text)
        return {r: " | ".join(out[r]) for r in ROLES if r in out}

    def describe(self) -> str:
        """A one-line reading: "prohibition 'shall not' · actor: Licensee · action: use · purpose: for weapons"."""
        head = f"{self.force} '{self.cue.text}'" if self.cue is not None else "no deontic cue"
        if self.cue is not None and not self.cue.binding:
            head += " (not binding)"
        if self.inherited:
            head += " (inherited)"
        if self.subordinate:
            head += " (in a relative clause)"
        parts = [head] + [f"{role}: {_clip(text)}" for role, text in self.roles().items()]
        return " · ".join(parts)


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# Deontic words used as adjectives ("Prohibited Law Enforcement Purposes",
# "unauthorized access"): they name a subset; they do not ban anything themselves.
ATTRIBUTIVE = frozenset({"prohibited", "forbidden", "banned", "unauthorized", "unauthorised", "impermissible",
                         "disallowed", "proscribed"})
_NOT_NOUN_AFTER = frozenset({
    "by", "from", "to", "under", "in", "for", "with", "on", "and", "or", "unless", "except", "without", "at",
    "if", "where", "when", "as", "that", "which", "hereunder", "herein", "thereunder", "anywhere", "absent",
})


def is_attributive(doc: Doc, cue: Cue) -> bool:
    """A one-word cue that modifies the noun after it ("prohibited uses")."""
    if cue.end - cue.start != 1 or cue.end >= len(doc):
        return False
    word, nxt = doc[cue.start], doc[cue.end]
    return word.lower_ in ATTRIBUTIVE and nxt.is_alpha and nxt.lower_ not in _NOT_NOUN_AFTER


_PREPOSITIONS = frozenset({"without", "of", "for", "to", "in", "with", "by", "from", "on", "at", "about", "under", "over"})
_STOP_NOUN_WALK = frozenset({"unless", "except", "provided", "save", "other", "including", "includes", "is", "are",
                             "shall", "must", "may", "will", "can", "not", "or", "and"})

# Adjectives that narrow a class to an unlawful or improper subset.
_NARROWING_ADJECTIVES = frozenset({"unlawful", "illegal", "illicit", "improper", "abusive", "certain", "inappropriate",
                                   "wrongful"}) | ATTRIBUTIVE


def narrowing_at(doc: Doc, start: int, end: int, lo: int, hi: int) -> Optional[str]:
    """The words that narrow the class named by ``doc[start:end]`` within
    ``doc[lo:hi]``: an adjective right before it ("prohibited law enforcement
    purposes") or a restrictive relative clause right after it ("any law enforcement
    application that violates civil liberties")."""
    table = token_table(doc)
    lowers, punct = table.lowers, table.punct
    k = start - 1
    while k >= lo and lowers[k] in ("any", "the", "a", "an", "all", "such", "other"):
        k -= 1
    if k >= lo and lowers[k] in _NARROWING_ADJECTIVES:
        return span_text(doc, k, end)
    j = end
    while (j < hi and j < end + 3 and not punct[j] and lowers[j].isalpha() and lowers[j] not in ("that", "which", "who", "whose", "where")
           and lowers[j] not in _NOT_NOUN_AFTER and lowers[j] not in _STOP_NOUN_WALK):
        j += 1  # "law enforcement application(s) that …": the head noun may follow the concept
    if (j < hi and lowers[j] in ("that", "which", "who", "whose") and lowers[j - 1] != ","
            and lowers[j - 1] not in _PREPOSITIONS  # "without that person's knowledge": a determiner
            and not (lowers[j] == "that" and lowers[j - 1] in _TAKES_THAT_CLAUSE)):
        stop = j + 1
        while stop < hi and stop < j + 12 and not punct[stop]:
            stop += 1
        clause = range(j + 1, stop)
        if any(lowers[k] in _NEGATIONS for k in clause) and any(table.lemmas[k] in _CONSENT_LEMMAS for k in clause):
            # "anyone who hasn't agreed to it", "persons who have not consented": the people a
            # consent rule protects, not a subset carved out of the ban
            return None
        return span_text(doc, start, stop)
    return None


_NEGATIONS = frozenset({"not", "n't", "n\u2019t", "never", "no"})
# Words after which "that" opens what is known or said, not a relative clause: "people who
# are unaware that they are being recorded" bans nothing narrower than scanning the unaware.
_TAKES_THAT_CLAUSE = frozenset({"aware", "unaware", "know", "knows", "knew", "told", "informed", "notified", "warned", "advised"})
# (not "permit" or "authorise": "any surveillance that is not permitted by law" narrows to
# the unlawful kind)
_CONSENT_LEMMAS = frozenset({"consent", "agree", "opt", "know", "tell", "inform", "notify"})


@dataclass(frozen=True)
class _Table:
    """Per-Doc token attributes as plain lists, read once (Token objects are slow)."""

    lowers: list[str]
    lemmas: list[str]
    punct: list[bool]


def token_table(doc: Doc) -> _Table:
    cached = doc.user_data.get("clause_lint_table")
    if cached is None:
        strings = doc.vocab.strings
        low_col, lem_col = columns(doc)
        cached = _Table([strings[h] for h in low_col], [strings[h] for h in lem_col],
                        [bool(p) for p in doc.to_array(IS_PUNCT).tolist()])
        doc.user_data["clause_lint_table"] = cached
    return cached


def span_text(doc: Doc, start: int, end: int) -> str:
    """``doc[start:end].text``, sliced from the doc's text by the first and last
    tokens' offsets instead of joining a Token object per token."""
    end = min(end, len(doc))
    if end <= start:
        return ""
    text = doc_text(doc)
    last = doc[end - 1]
    return text[doc[start].idx:last.idx + len(last)]


def read_provisions(
    doc: Doc,
    start: int,
    end: int,
    cues: Iterable[Cue],
    carve_outs: Iterable[grammar.CarveOutSpan],
    semicolons: Iterable[int] = (),
) -> list[Provision]:
    """The provisions of the sentence ``doc[start:end]``, one per governing cue."""
    table = token_table(doc)
    lowers = table.lowers[start:end]
    lemmas = table.lemmas[start:end]
    carves = [c for c in carve_outs if start <= c.start < end]
    real = [c for c in cues if c.force not in (grammar.NEUTRAL,) and start <= c.start < end and not _within(c.start, carves)
            and not is_attributive(doc, c)]
    semis = sorted(p for p in semicolons if start <= p < end)
    provisions: list[Provision] = []
    previous_actor: Optional[RoleSpan] = None
    # Where each cue's clause begins: after the previous cue's words, at the last
    # conjunction or relative word before it ("…, and You shall not permit …").
    clause_starts = []
    subordinate = []
    for i, cue in enumerate(real):
        seg_start = max([start] + [p + 1 for p in semis if p < cue.start])
        lo = max(seg_start, real[i - 1].end if i > 0 else seg_start)
        k = cue.start
        if i > 0:
            while k > lo and lowers[k - 1 - start] not in _CLAUSE_JOINS:
                k -= 1
            if k == lo:
                k = cue.start if lo > seg_start else lo
        else:
            k = lo
        clause_starts.append(k)
        # "… in operations where lethal force may be used": a cue in a relative or
        # adverbial clause does not end the main provision around it.
        if i == 0:
            # "an officer who is authorized to carry firearms": even a first cue may sit
            # in a relative clause that describes someone rather than grants anything.
            j = cue.start
            while j > lo and lowers[j - 1 - start] not in _CLAUSE_JOINS:
                j -= 1
            # Only when the relative word comes right before the cue: in "personnel who
            # used the database improperly may be disciplined" the cue is the main verb.
            subordinate.append((j > lo + 1 and lowers[j - 1 - start] in _RELATIVES and lowers[j - 2 - start] != ","
                                and not (lowers[j - 1 - start] == "that" and lowers[j - 2 - start] in _THAT_VERBS - {"provided", "so", "such"})
                                and cue.start - j <= 1)
                               # "… in which lethal force is used, may be used or is contemplated" (not the
                               # comma that closes a leading condition: "If Provider suspects that …, it may")
                               or (j > lo and lowers[j - 1 - start] in (",", "or", "and") and lowers[cue.start - start] in _WEAK_HEADS
                                   and _relative_between(lowers, start, lo, j - 1)
                                   and not any(c.kind in grammar.CONDITION_KINDS and c.start - lo <= 1 and c.end >= j - 2 for c in carves)))
        else:
            # ", which may include revoking access": a clause after a comma goes on with
            # the statement; "officers who may …" without one describes them.
            joined = k > lo and lowers[k - 1 - start] in _SUBORDINATORS and not (
                k - 2 >= start and lowers[k - 2 - start] == "," and lowers[k - 1 - start] == "which")
            # "… in a manner that violates the law or may be harmful": a cue coordinated
            # inside a relative clause that opened after the previous cue.
            # ("…, and shall be responsible" goes on with the main clause: relative
            # clauses seldom bind, so only a "may", "can" or "is" is taken into one)
            coordinated = (k > lo and lowers[k - 1 - start] in ("or", "and", ",") and lowers[cue.start - start] in _WEAK_HEADS
                           and _relative_between(lowers, start, lo, k - 1))
            subordinate.append((joined or coordinated) and not any(p >= lo and p < cue.start for p in semis))
    enums = list(enumerators(doc, start, end))
    for i, cue in enumerate(real):
        seg_start = max([start] + [p + 1 for p in semis if p < cue.start])
        seg_end = min([end] + [p for p in semis if p >= cue.end])
        following = [j for j in range(i + 1, len(real)) if not subordinate[j]] if not subordinate[i] else [i + 1] if i + 1 < len(real) else []
        nxt = clause_starts[following[0]] if following else end
        scope_end = min(nxt, end) if nxt > cue.end else end
        if semis and not _opens_list(lowers, start, cue, seg_end):
            scope_end = min(scope_end, seg_end)
        # "(iv) you do not remove any notices, (v) you only distribute …": a cue inside
        # an inline item governs that item, not the next one of its series.
        item_end = _item_end(enums, lowers, start, cue.start)
        if item_end is not None and item_end >= cue.end:
            scope_end = min(scope_end, item_end)
        prov = Provision(cue=cue, start=seg_start, end=scope_end, subordinate=subordinate[i])
        actor_start = max(seg_start, clause_starts[i])
        # A leading condition or carve-out ("If …, Provider may …") is not the actor.
        for c in carves:
            if c.start <= actor_start < c.end or (actor_start <= c.start < cue.start and c.end <= cue.start):
                if c.end <= cue.start:
                    actor_start = max(actor_start, c.end)
        # "If Customer breaches …, then Provider may …": the actor follows the "then"
        # "The User agrees that the Provider may …": the actor is the one after "that".
        for t in range(cue.start - 1, actor_start - 1, -1):
            if lowers[t - start] == "then" or (lowers[t - start] == "that" and t > actor_start and lowers[t - 1 - start] in _THAT_VERBS):
                actor_start = t + 1
                break
        # "Customer's use is subject to the Policy, and any breach of it entitles Provider to
        # suspend": a whole clause before ", and" is not the actor ("Customer, and its
        # Affiliates, shall not" has no verb before it and keeps both)
        for t in range(cue.start - 2, actor_start, -1):
            if lowers[t - start] == "," and lowers[t + 1 - start] in ("and", "but", "whereas", "while") and any(
                    w in _FINITE_BE for w in lowers[actor_start - start:t - start]):
                actor_start = t + 2
                break
        while actor_start < cue.start and lowers[actor_start - start] in (",", "and", "or", "but", "that", "which"):
            actor_start += 1
        after = lowers[cue.end - start] if cue.end < end else ""
        # A cue comes after what it governs when the clause ends with it ("… is
        # prohibited.", "… are not permitted under any circumstances"); "is not
        # designed for use in …" and "is prohibited from using …" read forwards.
        postposed = (cue.start > actor_start and lowers[cue.start - start] in _POSTPOSED_HEADS
                     and not _modal_before(lowers, start, cue)
                     and (not after or doc[cue.end].is_punct or after in _AFTER_POSTPOSED))
        if postposed:
            # "Use of the Service for weapons is prohibited": the words before the
            # cue are the action and its object ("transfer or purchase of …": the
            # "or" joins nouns here, not clauses); there is no named actor.
            nominal_start = max(seg_start, real[i - 1].end if i > 0 else seg_start)
            for c in carves:
                if nominal_start <= c.start < cue.start and c.end <= cue.start:
                    nominal_start = max(nominal_start, c.end)
            _read_region(prov, doc, lowers, lemmas, start, nominal_start, cue.start, carves, nominal=True)
        list_segments: list[tuple[int, int]] = []
        if semis and _opens_list(lowers, start, cue, seg_end):
            # "shall not: (a) …; (b) …": each item is read on its own, under the cue.
            bounds = [p for p in semis if p >= cue.end and p < scope_end]
            edges = [cue.end] + [p + 1 for p in bounds] + [scope_end]
            list_segments = [(edges[k], edges[k + 1]) for k in range(len(edges) - 1)]
        first_end = list_segments[0][1] if list_segments else scope_end
        if cue.end - cue.start > 1 and (lemmas[cue.end - 1 - start] in _ACTION_VERBS - _DEONTIC_VERBS
                                        or (lowers[cue.end - 2 - start] == "not" and lemmas[cue.end - 1 - start] in _LEAVE_VERBS)):
            # "must not be used", "agrees not to use": the cue ends with the action.
            prov.spans.append(RoleSpan(ACTION, cue.end - 1, cue.end, doc))
            prov.action_lemmas = (lemmas[cue.end - 1 - start],)
        elif _verb_cue(lowers, start, cue):
            # "Include this licence …", "Licensor grants …", "X requires …": the cue
            # is itself the action.
            prov.spans.append(RoleSpan(ACTION, cue.start, cue.end, doc))
            prov.action_lemmas = (lemmas[cue.start - start],)
        if cue.label == grammar.CARVE_BACK:
            # "This restriction does not apply to Customers in the defence sector": those it no
            # longer reaches (a class, read as a noun phrase) may use what it banned
            _read_region(prov, doc, lowers, lemmas, start, cue.end, first_end, carves, nominal=True)
            prov.action_lemmas = ("use",)
            _negated_in_class(prov, doc, lowers, start, cue.end, first_end)
        else:
            _read_region(prov, doc, lowers, lemmas, start, cue.end, first_end, carves, nominal=False)
        if lowers[cue.start - start] in ("no", "neither") and cue.end - cue.start > 2:
            # "No sheriff, constable or other police body may use …": the cue holds its actor
            _close(prov, doc, ACTOR, cue.start + 1, cue.end - 1)
            previous_actor = prov.spans[-1] if prov.spans and prov.spans[-1].role == ACTOR else previous_actor
        holder = _right_holder(lowers, start, cue, end) if cue.force == grammar.PERMISSION else None
        if holder is not None:
            # "Customer shall not restrict or obstruct Provider's right to audit …": the one
            # promising not to stand in the way holds nothing; the right's holder acts
            _close(prov, doc, ACTOR, holder[0], holder[1])
        elif not postposed:
            if cue.start > actor_start:
                # "The Service may be used by police": the subject of a passive is its object.
                role = OBJECT if _passive(lowers, start, cue.end, prov) else ACTOR
                _close(prov, doc, role, actor_start, cue.start)
                if role == ACTOR and prov.spans and prov.spans[-1].role == ACTOR:
                    previous_actor = prov.spans[-1]
            elif previous_actor is not None and previous_actor not in prov.spans:
                prov.spans.append(previous_actor)
        provisions.append(prov)
        for a, b in list_segments[1:]:
            item = Provision(cue=cue, start=a, end=b, inherited=True)
            if previous_actor is not None:
                item.spans.append(previous_actor)
            _read_region(item, doc, lowers, lemmas, start, a, b, carves, nominal=False)
            provisions.append(item)
    provisions.extend(_uncued_items(doc, enums, lowers, start, end, real, subordinate, provisions, carves))
    return provisions


def _mark_non(prov: Provision, doc: Doc, lowers: list[str], base: int, i: int, b: int) -> bool:
    """Mark the word after a "non-" at token ``i`` as negated. Only that word is: a phrase
    that starts with "non" ("non-consensual tracking") keeps the role around it."""
    if lowers[i - base] == "non" and i + 2 < b and lowers[i + 1 - base] == "-":
        prov.spans.append(RoleSpan(NEGATED, i + 2, i + 3, doc))
        return True
    return False


def _negated_in_class(prov: Provision, doc: Doc, lowers: list[str], base: int, a: int, b: int) -> None:
    """What a disapplied restriction leaves out of the class it frees: "non-military
    customers", "internal research that does not involve weapons"."""
    for i in range(a, b):
        if _mark_non(prov, doc, lowers, base, i, b):
            continue
        if lowers[i - base] in ("that", "which", "who") and "not" in lowers[i + 1 - base:min(b, i + 4) - base]:
            prov.spans.append(RoleSpan(NEGATED, i + 1, b, doc))
            break


_FINITE_BE = frozenset({"is", "are", "was", "were", "has", "have", "had"})

_ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv")


def _successor(first: str, second: str) -> bool:
    """Whether ``second`` is the next enumerator after ``first`` in one series
    ("(h)" then "(i)" as letters, "(iv)" then "(v)" as roman numerals)."""
    a, b = first[1:-1], second[1:-1]
    if a.isdigit() and b.isdigit():
        return int(b) == int(a) + 1
    if a in _ROMAN and b in _ROMAN and _ROMAN.index(b) == _ROMAN.index(a) + 1:
        return True
    return len(a) == len(b) == 1 and a.isalpha() and ord(b) == ord(a) + 1


def _item_end(enums: list[int], lowers: list[str], base: int, pos: int) -> Optional[int]:
    """Where the inline item holding ``pos`` ends: at the next enumerator of its series."""
    before = [e for e in enums if e < pos]
    if not before:
        return None
    mark = lowers[before[-1] - base]
    return next((e for e in enums if e > pos and _successor(mark, lowers[e - base])), None)


def _series_first(enums: list[int], lowers: list[str], base: int, e: int) -> tuple[int, bool]:
    """The first enumerator of the series ``e`` belongs to, and whether ``e`` has an
    earlier one at all."""
    first = e
    while True:
        earlier = next((f for f in reversed([x for x in enums if x < first])
                        if _successor(lowers[f - base], lowers[first - base])), None)
        if earlier is None:
            return first, first != e
        first = earlier


def enumerators(doc: Doc, start: int, end: int) -> tuple[int, ...]:
    """Offsets of the inline enumerators ("(iv)", "(b)") in ``doc[start:end]``."""
    lowers = token_table(doc).lowers
    return tuple(t for t in range(start, end) if _is_enumerator(lowers[t]))


def series_items(doc: Doc, enums: tuple[int, ...], pos: int) -> list[tuple[int, int]]:
    """For a token in the second or a later item of an inline series ("…, (iv) you do
    not remove notices, (v) you only distribute …"), the offsets of the series' first
    enumerator and of the item's own — for each level of nesting ("(v) … that: (a) …;
    or (b) …"). ``enums`` are the sentence's :func:`enumerators`."""
    lowers = token_table(doc).lowers
    enums = [e for e in enums if e < pos]
    levels: list[tuple[int, int]] = []
    while enums and len(levels) < 4:
        own = enums[-1]
        first, later = _series_first(enums, lowers, 0, own)
        if later:
            levels.append((first, own))
        enums = [e for e in enums if e < first]
    return levels


def _uncued_items(
    doc: Doc,
    enums: list[int],
    lowers: list[str],
    start: int,
    end: int,
    real: list[Cue],
    subordinate: list[bool],
    provisions: list[Provision],
    carves: list[grammar.CarveOutSpan],
) -> list[Provision]:
    """Inline items that no cue reaches once each item's own cue stops at the next item
    ("provided that (i) …, (iv) you do not remove …, (v) you only distribute …"): they
    are read under the cue before the series began ("grants you a licence …, provided
    that"), as items of a lead-in are."""
    out: list[Provision] = []
    for k, e in enumerate(enums):
        nxt = next((f for f in enums[k + 1:] if _successor(lowers[e - start], lowers[f - start])), None)
        prev = next((f for f in reversed(enums[:k]) if _successor(lowers[f - start], lowers[e - start])), None)
        if prev is None:
            continue  # the first item of a series is read with its lead-in
        item_end = nxt if nxt is not None else end
        if any(e <= c.start < item_end for c in real):
            continue
        if any(p.cue is not None and p.cue.start < e and p.end > e + 1 for p in provisions):
            continue
        first, _ = _series_first(enums, lowers, start, e)
        lead = [c for c, sub in zip(real, subordinate) if c.end <= first and not sub]
        if not lead or e + 1 >= item_end:
            continue
        out.append(inherited_provision(doc, e + 1, item_end, lead[-1], carves))
    return out


def inherited_provision(
    doc: Doc,
    start: int,
    end: int,
    cue: Optional[Cue],
    carve_outs: Iterable[grammar.CarveOutSpan],
    lead_action: tuple[str, ...] = (),
) -> Provision:
    """A provision whose cue comes from elsewhere (a lead-in, a heading, a condition):
    the whole sentence is read as what that cue governs ("(c) use the Service in any
    weapon system" under "Customer shall not:"). When the lead-in already names the
    action ("shall not prohibit the transfer of: (i) firearms"), the item is its object."""
    table = token_table(doc)
    lowers = table.lowers[start:end]
    lemmas = table.lemmas[start:end]
    carves = [c for c in carve_outs if start <= c.start < end]
    prov = Provision(cue=cue, start=start, end=end, inherited=True, action_lemmas=tuple(lead_action))
    _read_region(prov, doc, lowers, lemmas, start, start, end, carves, nominal=False)
    return prov


_NOT_VERB_CUES = frozenset(grammar.MODALS) | frozenset(grammar.BE) | frozenset({
    "cannot", "never", "prohibited", "forbidden", "banned", "disallowed", "proscribed", "unauthorized",
    "unauthorised", "impermissible", "not",
})


def _verb_cue(lowers: list[str], base: int, cue: Cue) -> bool:
    """A one-word cue that is a verb of its own ("include", "grants", "requires")."""
    return cue.end - cue.start == 1 and lowers[cue.start - base] not in _NOT_VERB_CUES


# Verbs whose "that" opens their content, not a relative clause ("ensure that …").
_THAT_VERBS = frozenset({
    "ensure", "ensures", "require", "requires", "agree", "agrees", "acknowledge", "acknowledges", "warrant", "warrants",
    "represent", "represents", "confirm", "confirms", "procure", "procures", "undertake", "undertakes", "certify",
    "certifies", "covenant", "covenants", "state", "states", "understand", "understands", "provided", "so", "such",
})


def _relative_between(lowers: list[str], base: int, lo: int, hi: int) -> bool:
    """Whether a relative clause opens between token offsets ``lo`` and ``hi``."""
    for p in range(lo, hi):
        w = lowers[p - base]
        if w in ("that", "which", "who", "whom", "whose"):
            prev = lowers[p - 1 - base] if p - 1 >= base else ""
            if w == "that" and prev in _THAT_VERBS:
                continue
            if w == "which" and prev == ",":
                continue
            return True
    return False


def _within(pos: int, carves: list[grammar.CarveOutSpan]) -> bool:
    return any(c.start <= pos < c.end for c in carves)


def _modal_before(lowers: list[str], base: int, cue: Cue) -> bool:
    """Whether the cue's first word follows a modal ("shall not be permitted")."""
    i = cue.start - base - 1
    return i >= 0 and lowers[i] in grammar.MODALS


def _opens_list(lowers: list[str], base: int, cue: Cue, seg_end: int) -> bool:
    text = " ".join(lowers[cue.end - base: seg_end - base])
    return ":" in text or "(a)" in text or "(i)" in text or "(1)" in text


def _marker(lowers: list[str], i: int, stop: int) -> Optional[tuple[str, int]]:
    if lowers[i] not in _MARKER_FIRST:
        return None
    for n in range(min(_MAX_MARKER, stop - i), 0, -1):
        role = _MARKER_TABLE.get(tuple(lowers[i:i + n]))
        if role is not None:
            return role, n
    return None


def _read_region(
    prov: Provision,
    doc: Doc,
    lowers: list[str],
    lemmas: list[str],
    base: int,
    a: int,
    b: int,
    carves: list[grammar.CarveOutSpan],
    nominal: bool,
) -> None:
    """Assign roles to the tokens ``doc[a:b]`` of a provision's scope."""
    if a >= b:
        return
    i = a
    # The action: the first word after the cue that is not a particle or adverb.
    punct = token_table(doc).punct
    while i < b and (lowers[i - base] in _SKIP or punct[i] or _is_enumerator(lowers[i - base])
                     or (lowers[i - base].endswith("ly") and len(lowers[i - base]) > 4 and lowers[i - base] not in _LY_VERBS
                         and i + 1 < b and not punct[i + 1])):
        if lowers[i - base] in _ONLY:
            prov.only = True
        i += 1
    if lowers[a - base] == "," and not nominal and not prov.action_lemmas:
        # "shall, within ten days of a request, give …", "may, at its option, terminate …":
        # an aside set off by commas between the cue and its verb
        k = next((k for k in range(a + 2, min(b - 1, a + 16)) if lowers[k - base] in (",", ";", ":", ".")), None)
        if k is not None and lowers[k - base] == "," and not punct[k + 1]:
            i = k + 1
    elif (prov.cue is not None and prov.cue.force == grammar.PERMISSION and not nominal and not prov.action_lemmas
          and lemma_of(prov.cue.text.split()[-1]) in _HINDER_VERBS):  # (an inherited cue sits in another doc)
        # "Nothing in this Agreement prevents the Customer from using …": the action is the
        # verb after "from"; the words before it name who is left free
        k = next((k for k in range(i, min(b - 1, i + 8)) if lowers[k - base] == "from"), None)
        if k is not None and not punct[k + 1]:
            i = k + 1
    elif i < b and lowers[i - base] in _TIME_PREPOSITIONS and not nominal and not prov.action_lemmas:
        # "shall within thirty days deliver …", "will upon request provide …": a time phrase
        # with no commas between the cue and a verb of the lexicon
        end = min(b, i + 8)
        k = next((k for k in range(i + 1, end) if punct[k] or lemmas[k - base] in _ACTION_VERBS), None)
        if (k is not None and not punct[k] and k > i + 1
                and any(lowers[t - base] in _TIME_WORDS for t in range(i + 1, k))):
            i = k
    action_lemmas: list[str] = list(prov.action_lemmas)
    if nominal and not prov.action_lemmas:
        # "Weapons development is prohibited", "Use of the Service … is prohibited":
        # the action is a noun of action if there is one; words before it are its object.
        k = next((k for k in range(i, min(b, i + 4)) if lemmas[k - base] in _ACTION_NOUNS), None)
        if k is None:
            _close(prov, doc, OBJECT, i, b)
            prov.action_lemmas = ()
            return
        _close(prov, doc, OBJECT, i, k)
        prov.spans.append(RoleSpan(ACTION, k, k + 1, doc))
        action_lemmas.append(_ACTION_NOUNS[lemmas[k - base]])
        i = k + 1
    elif prov.action_lemmas:
        i = a  # the action is known (the cue is the verb); read its object from here
    elif i < b and not _within(i, carves) and _marker(lowers, i - base, b - base) is None:
        j = i + 1
        action_lemmas.append(lemmas[i - base])
        # "use, sell or provide": verbs coordinated with the first.
        while j + 1 < b and lowers[j - base] in (",", "or", "and", "and/or"):
            k = j + 1
            while k < b and lowers[k - base] in (",", "or", "and", "and/or", "otherwise"):
                k += 1
            if k < b and lemmas[k - base] in _ACTION_VERBS:
                action_lemmas.append(lemmas[k - base])
                j = k + 1
            else:
                break
        if lowers[j - 1 - base] == "make" and j < b and lowers[j - base] == "available":
            j += 1
        prov.spans.append(RoleSpan(ACTION, i, j, doc))
        i = j
    # "prohibit the transfer or purchase of …": what is prohibited or allowed is the
    # nominal action named after the verb.
    if action_lemmas and action_lemmas[-1] in _DEONTIC_VERBS:
        k = i
        while k < b and lowers[k - base] in ("the", "any", "a", "an", "all"):
            k += 1
        nouns = []
        while k < b and not punct[k] and lowers[k - base] not in ("of", "to", "by", "for"):
            if lowers[k - base] not in ("or", "and"):
                nouns.append(lemmas[k - base])
            k += 1
        if k < b and lowers[k - base] == "of" and 0 < len(nouns) <= 4:
            action_lemmas = action_lemmas[:-1] + nouns
    if action_lemmas and action_lemmas[-1] in _ENABLING_VERBS:
        # "entitles Provider to suspend the Service": what is allowed is the suspension
        for k in range(i, min(b - 1, i + 6)):
            if punct[k]:
                break
            if lowers[k - base] == "to" and not punct[k + 1] and lemmas[k + 1 - base] in _ACTION_VERBS:
                action_lemmas.append(lemmas[k + 1 - base])
                break
    if action_lemmas and action_lemmas[-1] in _GRANT_VERBS:
        # "grants Customer a non-exclusive right to use the Service for …": what is granted is the use
        for k in range(i, min(b - 2, i + 12)):
            if punct[k] and lowers[k - base] != "-":  # ("a non-exclusive right")
                break
            if lemmas[k - base] in _GRANTED and lowers[k + 1 - base] == "to" and not punct[k + 2]:
                action_lemmas.append(lemmas[k + 2 - base])
                break
    prov.action_lemmas = tuple(action_lemmas)
    transfer = any(lem in TRANSFER_VERBS for lem in action_lemmas)
    role = OBJECT
    span_start = i
    if action_lemmas and action_lemmas[-1] in _DOUBLE_OBJECT_VERBS:
        # "send the police the footage", "give any police department live access to …":
        # the first of two objects is who receives the second
        k = _second_object(lowers, punct, base, i, b)
        if k is not None:
            # ... and who is given access to a thing is its user
            given_access = "access" in lowers[k - base: min(b, k + 4) - base]
            prov.spans.append(RoleSpan(USER if given_access else RECIPIENT, i, k, doc))
            i = span_start = k
    while i < b:
        if carves and _within(i, carves):
            carve = next(c for c in carves if c.start <= i < c.end)
            _close(prov, doc, role, span_start, i)
            kind = _carve_role(lowers, base, carve)
            end = min(carve.end, b)
            prov.spans.append(RoleSpan(kind, carve.start, end, doc))
            i = end
            role, span_start = (OBJECT if nominal else PURPOSE) if role == OBJECT else role, i
            continue
        low = lowers[i - base]
        if low == ";":
            break
        if _mark_non(prov, doc, lowers, base, i, b):
            i += 3
            continue
        if low == "outside" and i + 1 < b and lowers[i + 1 - base] in _OUTSIDE_OBJECT_STARTS:
            # "shall not supply it for use outside the Field": what lies inside the
            # Field is left allowed, as with "non-".
            j = i + 1 + (lowers[i + 1 - base] == "of")
            k = j
            while k < b and k - j < 5 and not doc[k].is_punct and lowers[k - base] not in _OUTSIDE_OBJECT_ENDS:
                k += 1
            if k > j:
                _close(prov, doc, role, span_start, i)
                prov.spans.append(RoleSpan(NEGATED, j, k, doc))
                i = span_start = k
                continue
        if (low == "not" and i > span_start and lowers[i - 1 - base] in ("and", "but", ",") and prov.cue is not None
                and prov.cue.force in (grammar.PERMISSION, grammar.OBLIGATION)
                and (i + 1 >= b or lowers[i + 1 - base] not in _NOT_LIMITING)):
            # "may use it only to confirm identity and not in connection with any weapon":
            # what the permission denies in so many words it bans
            _close(prov, doc, role, span_start, i - 1)
            k = i + 1
            while k < b and lowers[k - base] not in (";", ".", ":", "(") and not (carves and _within(k, carves)):
                k += 1
            prov.spans.append(RoleSpan(NEGATED, i + 1, k, doc))
            prov.only = True
            i = span_start = k
            continue
        if (low in ("and", "or") and role == OBJECT and i > span_start and i + 2 < b
                and lemmas[i + 1 - base] in _COORDINATED_USE and lowers[i + 2 - base] != "of" and not punct[i + 2]):
            # "may join the Portal and use Face Alerts to …": a second verb with its own
            # object; what is allowed includes the use
            _close(prov, doc, role, span_start, i)
            prov.spans.append(RoleSpan(ACTION, i + 1, i + 2, doc))
            prov.action_lemmas = prov.action_lemmas + (lemmas[i + 1 - base],)
            transfer = transfer or lemmas[i + 1 - base] in TRANSFER_VERBS
            role, span_start = OBJECT, i + 2
            i += 2
            continue
        found = _marker(lowers, i - base, b - base)
        if found is not None:
            new_role, n = found
            if low == "to" and new_role == PURPOSE:
                pass
            _close(prov, doc, role, span_start, i)
            role, span_start = new_role, i
            i += n
            continue
        if low == "to" and i > span_start:
            # "disclose … to law enforcement": a recipient; "used to identify": a purpose.
            _close(prov, doc, role, span_start, i)
            role, span_start = (RECIPIENT if transfer else PURPOSE), i
            i += 1
            continue
        if low == "with" and "share" in action_lemmas:
            _close(prov, doc, role, span_start, i)
            role, span_start = RECIPIENT, i
            i += 1
            continue
        if low in _ONLY:
            prov.only = True
        i += 1
    _close(prov, doc, role, span_start, min(i, b))


# After "except"/"other than", these open a condition ("except as required by law",
# "except pursuant to a court order"), not a class of uses taken out of a ban.
_CONDITION_AFTER_EXCEPT = frozenset({
    "as", "pursuant", "where", "when", "if", "with", "without", "under", "upon", "to", "that", "by", "insofar",
    "so", "after", "before", "until", "through", "in", "on", "within", "at",
})


# "including but not limited to", "and not merely": the "not" widens, it denies nothing
_NOT_LIMITING = frozenset({"limited", "necessarily", "only", "just", "merely", "solely", "exclusively", "least", "restricted"})

# verbs of use that may follow a first verb and its object ("join the Portal and use …");
# "access" is left out, being as often a noun ("the data and access to …")
_COORDINATED_USE = frozenset({"use", "utilize", "utilise", "deploy", "operate", "employ"})

_DOUBLE_OBJECT_VERBS = frozenset({"give", "send", "hand", "show", "lend", "offer", "sell", "email", "mail"})
# words that open the second object ("the footage", "access to …")
_SECOND_OBJECT = frozenset({"the", "a", "an", "any", "all", "its", "their", "our", "your", "his", "her", "such", "this",
                            "that", "these", "those", "every", "each", "no", "access"})
_NOT_IN_RECIPIENT = _PREPOSITIONS | {"and", "or", "that", "which", "who", "if", "unless", "except", "as", "than"}


def _second_object(lowers: list[str], punct: list[bool], base: int, i: int, b: int) -> Optional[int]:
    """Where the second object of a double-object verb begins, when the words after
    the verb are a short phrase (who receives) followed by a determiner or "access";
    None when the verb has one object ("give notice to …", "sell the Software")."""
    k = i
    while k < b and lowers[k - base] in _SECOND_OBJECT and lowers[k - base] != "access":
        k += 1  # the recipient's own determiner
    start = k
    while k < b and k - start < 5:
        low = lowers[k - base]
        if punct[k] or low in _NOT_IN_RECIPIENT:
            return None
        if low in _SECOND_OBJECT and k > start:
            return k
        k += 1
    return None


def _carve_role(lowers: list[str], base: int, carve: grammar.CarveOutSpan) -> str:
    """EXCEPTION for a class taken out of the provision ("other than for research"),
    CONDITION for anything else ("unless …", "except as required by law")."""
    i = carve.start - base
    if lowers[i] not in EXCEPTION_OPENERS:
        return CONDITION
    i += 2 if lowers[i] in ("other", "save") else 1
    nxt = lowers[i] if i < len(lowers) else ""
    if nxt == "for" and i + 1 < len(lowers) and lowers[i + 1] in _CONDITION_AFTER_EXCEPT:
        return CONDITION
    if nxt == "in" and i + 1 < len(lowers) and lowers[i + 1] in ("accordance", "compliance", "writing"):
        return CONDITION
    return CONDITION if nxt in _CONDITION_AFTER_EXCEPT - {"in"} else EXCEPTION


def _passive(lowers: list[str], base: int, cue_end: int, prov: Provision) -> bool:
    """Whether the provision's verb is passive: "be" between the cue and the action."""
    action = prov.span(ACTION)
    if action is None:
        return False
    if action.end == cue_end:
        # the cue holds the verb: "must not be used"
        return any(w in ("be", "been") for w in lowers[max(0, action.start - 2 - base): action.start - base])
    between = lowers[cue_end - base: action.start - base]
    return "be" in between or "been" in between or lowers[cue_end - 1 - base] in ("be", "been")


def _close(prov: Provision, doc: Doc, role: str, s: int, e: int) -> None:
    table = token_table(doc)
    while e > s and ((table.punct[e - 1] and table.lowers[e - 1] not in (")", '"')) or table.lowers[e - 1] in ("and", "or", "but", "and/or")):
        e -= 1
    while e > s and table.punct[s] and table.lowers[s] not in ("(", '"'):
        s += 1
    if e > s:
        prov.spans.append(RoleSpan(role, s, e, doc))


_OUTSIDE_OBJECT_STARTS = frozenset({"the", "of", "its", "this", "that", "any", "such", "your", "their"})
_OUTSIDE_OBJECT_ENDS = frozenset({"for", "to", "in", "by", "and", "or", "without", "unless", "except", "if", "where", "with", "as"})


def _right_holder(lowers: list[str], base: int, cue: grammar.Cue, end: int) -> Optional[tuple[int, int]]:
    """The possessor in "shall not restrict or obstruct Provider's right to …" after a
    cue that ends in a verb of hindering (or "or" and a second one), as token offsets;
    None otherwise."""
    if lemma_of(cue.text.split()[-1]) not in _HINDER_VERBS:
        return None
    k = cue.end
    if k + 1 < end and lowers[k - base] in ("or", "and") and lemma_of(lowers[k + 1 - base]) in _HINDER_VERBS:
        k += 2
    first = k
    while k < end and k - first < 4 and lowers[k - base] not in ("'s", "\u2019s"):
        if lowers[k - base] in (",", ";", ".", "to", "from"):
            return None
        k += 1
    if k + 1 < end and k > first and lowers[k - base] in ("'s", "\u2019s") and lowers[k + 1 - base] in _RIGHT_NOUNS:
        return (first + 1 if lowers[first - base] in ("the", "any") else first, k)
    return None


def _is_enumerator(low: str) -> bool:
    return len(low) <= 6 and low.startswith("(") and low.endswith(")")
