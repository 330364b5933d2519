"""The grammar of obligation that the engine knows, independent of any topic.

Cues are spaCy Matcher patterns, each with the deontic force it signals and whether
its wording binds:

- prohibition: shall not, must not, may not, will not, agrees not to, is not
  permitted, prohibited, forbidden, refrain from, under no circumstances, in no
  event, no … shall;
- obligation: shall, must, will, agrees to, is required to, is responsible for;
- permission: may, can, is permitted, is entitled, has the right to, nothing …
  restricts/prevents/limits, no restriction on;
- disclaimer: shall not be liable, has no obligation to, is not required to;
- non-binding forms of the first two: should (not), encourage, strive, aim,
  recommend; "not intended for" reads as a non-binding prohibition;
- neutral: pseudo-negations that must not count as a prohibition ("not limited to",
  "without limitation", "no later than").

Where cues overlap the longest wins ("may not" over "may", "shall not be liable"
over "shall not"). Carve-out cues (unless, except, provided that, without … consent)
open a span whose kind the pack decides from the concepts inside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .matching import AnchoredMatcher
from .nlp import columns, sentence_bounds

PROHIBITION = "prohibition"
OBLIGATION = "obligation"
PERMISSION = "permission"
DISCLAIMER = "disclaimer"
LIABILITY = "liability"
NEUTRAL = "neutral"
NONE = "none"
PERMISSION_VERB = "permission verb"

MODALS = ["shall", "must", "may", "will", "can", "could", "would", "might", "should"]
BINDING_MODALS = ["shall", "must", "may", "will", "can", "could", "would"]
# how contracts name the provider side, for "with Provider's consent"
PARTY_WORDS = ["provider", "licensor", "company", "vendor", "supplier", "owner", "developer", "seller", "manufacturer"]
# ("you're not allowed to", "they’re responsible for": plain-English terms write it short)
BE = ["be", "is", "are", "was", "were", "been", "being", "'re", "\u2019re"]
STATEMENT_OF_PRACTICE = "statement of practice"
IMPERATIVE = "imperative"
NON_BINDING_WORDING = "non-binding wording"
REQUEST_THAT = "request that"
# "Can immigration agents use the system? No.": a question answered "No" states that it is not
# done or allowed, as a statement does (not binding)
ANSWERED_NO = "question answered no"
PRACTICE_SUBJECTS = ["we", "provider", "licensor", "company", "vendor", "supplier", "contractor", "developer", "manufacturer",
                     # the public bodies and officers of government policies ("The Department audits …")
                     "agency", "department", "office", "authority", "ministry", "administrator", "manager", "operator"]
# "We use … to detect …": the verbs that name the means of a practice
_PRACTICE_MEANS = frozenset({"use", "uses", "employ", "employs", "deploy", "deploys"})
PASSIVE_PRACTICE = ["tested", "evaluated", "audited", "assessed", "submitted", "measured", "benchmarked"]
PRACTICE_VERBS = ["conduct", "conducts", "test", "tests", "evaluate", "evaluates", "audit", "audits", "assess", "assesses",
                  "review", "reviews", "publish", "publishes", "submit", "submits", "measure", "measures", "mitigate",
                  "mitigates", "participate", "participates", "monitor", "monitors", "notify", "notifies", "inform", "informs",
                  "disclose", "discloses", "post", "posts", "perform", "performs", "undergo", "undergoes",
                  # acting on misuse ("We suspend any account that …") and backing others' work
                  "suspend", "suspends", "terminate", "terminates", "disable", "disables", "remove", "removes",
                  "investigate", "investigates", "inspect", "inspects", "verify", "verifies", "support", "supports",
                  # "we update these measurements with each model version", "Provider reports …"
                  "update", "updates", "report", "reports",
                  # "we ask for your consent before …"
                  "ask", "asks"]
NEG = ["not", "n't", "never"]
# the participles of the promising verbs, binding only after an auxiliary
PARTICIPLES = ["agreed", "undertaken", "covenanted", "committed", "promised"]
# the participles of the verbs of hope and advice, a statement of intent only after an
# auxiliary ("is intended to"); after a noun they describe it ("any application
# intended to injure people", "the results expected by Customer")
SOFT_PARTICIPLES = ["intended", "expected", "encouraged", "urged", "recommended", "aimed", "sought", "hoped", "wished", "tried"]

P = dict[str, Any]
SECTION_WORDS = ("section", "sections", "clause", "clauses", "paragraph", "paragraphs", "article", "articles")
# a section's number ("4", "4.2(b)"): neither a word nor punctuation (no REGEX: every cue
# runs as compiled steps, without spaCy's Matcher)
_SECTION_NUMBER: dict[str, Any] = {"IS_ALPHA": False, "IS_PUNCT": False}
ENSURE_NOT = "duty to ensure that it does not happen"
NEITHER_PARTY = "neither party"
CARVE_BACK = "restriction disapplied for a class"


def _l(*words: str) -> P:
    return {"LOWER": {"IN": list(words)}} if len(words) > 1 else {"LOWER": words[0]}


def _opt(*words: str) -> P:
    return {"LOWER": {"IN": list(words)}, "OP": "?"}


# "Should the Customer breach …", "should you use …": an inverted condition, not advice
_INVERTED_SHOULD = [_l("should"), _l("the", "a", "an", "any", "either", "such", "you", "we", "it", "they", "customer", "licensee",
                                     "user", "client", *PARTY_WORDS)]


def _ensure_not_patterns() -> list[list[P]]:
    ensure = [{"LEMMA": {"IN": ["ensure", "procure"]}}, _opt("that")]
    make_sure = [_l("make", "makes"), _l("sure"), _opt("that")]
    # the subject of the clause to be prevented, then its negation ("the Service is not",
    # "its customers do not", "the Software is never")
    subject = {"OP": "{1,6}", "IS_PUNCT": False, "LOWER": {"NOT_IN": ["not", "never", "that", "and", "or"]}}
    aux = {"LOWER": {"IN": ["is", "are", "will", "shall", "does", "do", "can", "may", "be"]}, "OP": "?"}
    negated = [subject, aux, _l("not", "never")]
    # "ensure that no one uses …", "no third party"
    nobody = [_l("no", "none"), {"OP": "{0,2}", "IS_ALPHA": True, "LOWER": {"NOT_IN": ["later", "less", "more", "longer"]}},
              _l("one", "person", "persons", "party", "parties", "user", "users", "body", "bodies", "entity", "entities", "individual",
                 "individuals", "customer", "customers", "recipient", "recipients", "agency", "agencies", "force", "forces")]
    # "It is a condition of this licence that the Software is not used …"
    condition = [_l("condition"), {"OP": "{0,4}", "IS_PUNCT": False, "LOWER": {"NOT_IN": ["that"]}}, _l("that")]
    return [ensure + negated, make_sure + negated, ensure + [_l("nobody")], ensure + nobody, make_sure + nobody, condition + negated]


_ENSURE_NOT = _ensure_not_patterns()

ADV = {"LOWER": {"IN": ["directly", "indirectly", "knowingly", "intentionally", "expressly", "otherwise", "in", "any", "way", "or", "and", ",", "itself"]}, "OP": "{0,4}"}

# (force, binding, label, patterns)
CUES: list[tuple[str, bool, str, list[list[P]]]] = [
    # --- neutral: pseudo-negations and quantities ---------------------------------
    (NEUTRAL, True, "pseudo-negation", [
        [_l("not"), _l("limited", "limit", "restricted"), _l("to", "by")],
        [_l("without"), _l("limitation", "limiting", "restriction")],
        [_l("without"), _l("limiting"), _l("the")],
        [_l("no", "not"), _l("later", "less", "more", "fewer", "greater", "earlier", "sooner", "longer")],
        [_l("whether"), _l("or"), _l("not")],
        [_l("not"), _l("only")],
        [_l("if"), _l("not")],
        [_l("not"), _l("exceed", "exceeding", "to")],
        [_l("not"), _l("withstanding")],
        [_l("not"), _l("be"), _l("unreasonably"), _l("withheld", "delayed", "conditioned")],
        [_l("unreasonably"), _l("withheld", "withhold")],
        [_l("not"), _l("unreasonably")],
        _INVERTED_SHOULD,
    ]),
    # --- liability: a sink so that "liable for death" never reads as a duty ---------
    (LIABILITY, True, "liability", [
        [{"LEMMA": {"IN": ["liable", "liability", "indemnify", "indemnification", "indemnity"]}}],
        [_l("hold"), _l("harmless")],
    ]),
    # --- disclaimers of duty -------------------------------------------------------
    (DISCLAIMER, True, "disclaimer", [
        [{"LOWER": {"IN": BINDING_MODALS + BE}}, _l(*NEG), _l("be", "have", "assume", "bear"), _opt("any"), _l("liable", "responsible", "obligated", "obliged", "required", "duty", "obligation", "responsibility")],
        [{"LOWER": {"IN": BE}}, _l(*NEG), _opt("be"), _l("liable", "responsible", "obligated", "obliged", "required", "bound")],
        [{"LOWER": {"IN": ["has", "have", "assumes", "assume", "bears", "bear", "owes", "undertakes", "accept", "accepts"]}}, _l("no"), _opt("duty", "legal", "contractual", "affirmative", "ongoing", "general"), _l("obligation", "obligations", "duty", "duties", "responsibility", "liability")],
        [_l("does", "do"), _l("not"), _l("have", "assume", "undertake", "accept", "owe"), _opt("any"), _l("obligation", "obligations", "duty", "duties", "responsibility")],
        [_l("no"), _opt("general", "legal", "contractual", "affirmative", "ongoing"), _l("obligation", "duty", "responsibility"), _l("to")],
        # "Nothing in this Agreement shall oblige the Supplier to monitor …": no duty to do it
        [_l("nothing"), {"OP": "{0,8}", "IS_PUNCT": False}, {"LEMMA": {"IN": ["oblige", "obligate", "require", "compel"]}}],
        # "It is not the Provider's responsibility to test …": the duty disowned (the affirmative form is an obligation)
        [{"LOWER": {"IN": BE}}, _l(*NEG), {"OP": "{1,4}", "IS_PUNCT": False, "LOWER": {"NOT_IN": ["to", "only", "just", "merely"]}},
         _l("responsibility", "duty", "obligation"), {"OP": "{0,4}", "IS_PUNCT": False, "LOWER": {"NOT_IN": ["to", "not"]}}, _l("to")],
        # "is not subject to any general obligation to monitor"
        [{"LOWER": {"IN": BE}}, _l(*NEG), _l("subject"), _l("to"), _opt("any"), _opt("general", "legal", "contractual", "affirmative", "ongoing"), _l("obligation", "obligations", "duty", "duties")],
        [{"LEMMA": {"IN": ["disclaim", "waive"]}}],
        # "makes no commitment to test", "gives no undertaking to", "does not commit to"
        [_l("make", "makes", "give", "gives", "offer", "offers"), _l("no"), _l("commitment", "commitments", "undertaking", "undertakings", "promise", "promises"), _opt("to", "that", "regarding", "as")],
        [_l("does", "do"), _l("not"), _l("commit", "undertake", "promise"), _l("to")],
        # "The Department need not inform visitors …": no duty to do it
        [_l("need", "needs"), _l("not")],
        # "The Vendor does not test, and makes no representation about, how accurately …": a
        # practice disowned
        [_l("does", "do"), _l("not"), _l("test", "evaluate", "assess", "audit", "measure")],
    ]),
    # --- prohibitions --------------------------------------------------------------
    (PROHIBITION, True, "prohibition", [
        [{"LOWER": {"IN": BINDING_MODALS}}, ADV, _l(*NEG)],
        [{"LOWER": {"IN": ["ca", "wo", "sha", "must", "may", "do", "does", "did"]}}, _l("n't")],
        [_l("cannot")],
        [{"LEMMA": {"IN": ["agree", "undertake", "covenant", "promise", "commit", "warrant", "represent", "acknowledge"]}}, _opt("that"), _l("not"), _l("to")],
        [{"LEMMA": {"IN": ["agree", "undertake", "covenant", "promise", "commit", "ensure"]}}, _l("to"), _l("not")],
        [{"LOWER": {"IN": BE}}, _l(*NEG), _opt("be"), _l("permitted", "allowed", "authorized", "authorised", "licensed", "entitled", "granted", "intended", "to")],
        [{"LOWER": {"IN": BE}}, _l("prohibited", "forbidden", "banned", "barred", "precluded", "restricted", "disallowed", "proscribed", "excluded")],
        [_l("prohibited", "forbidden", "banned", "disallowed", "proscribed", "unauthorized", "unauthorised", "impermissible")],
        [{"LEMMA": {"IN": ["prohibit", "forbid", "ban", "bar", "preclude", "proscribe"]}}],
        [{"LOWER": {"IN": BINDING_MODALS + ["agree", "agrees", "undertake", "undertakes"]}, "OP": "?"}, _opt("to"), {"LEMMA": "refrain"}, _l("from")],
        [_l("in", "under"), _l("no"), _l("event", "case", "circumstance", "circumstances"), {"LOWER": {"IN": MODALS}, "OP": "?"}],
        # "shall at no time use", "At no time may the Service …"
        [{"LOWER": {"IN": BINDING_MODALS}, "OP": "?"}, _l("at"), _l("no"), _l("time"), {"LOWER": {"IN": MODALS}, "OP": "?"}],
        # "Nothing in this Agreement permits Customer to …": no leave is given (the mirror of
        # "Nothing … restricts", a permission)
        # (not across "oblige or entitle": that is the disclaimer's, "Nothing … shall oblige")
        [_l("nothing"), {"OP": "{0,8}", "IS_PUNCT": False, "LOWER": {"NOT_IN": ["or", "and"]}},
         {"LEMMA": {"IN": ["permit", "allow", "authorize", "authorise", "entitle", "license", "licence"]}}],
        # (not "gives no undertaking that it will …": a promise withheld, a disclaimer's)
        # ("No shopper's face shall be …": a possessive inside the subject)
        [_l("no"), {"IS_PUNCT": False, "LOWER": {"NOT_IN": ["later", "less", "more", "fewer", "event", "case", "circumstances", "obligation", "duty", "liability", "other", "such", "party",
                                                            "undertaking", "undertakings", "commitment", "commitments", "promise", "promises", "warranty",
                                                            "warranties", "representation", "representations", "assurance", "assurances", "guarantee",
                                                            "guarantees"]}, "OP": "{1,4}"},
         {"LOWER": {"IN": BINDING_MODALS}}],
        # "No benchmarking of the Service is permitted": the ban holds what it bans
        [_l("no"), {"OP": "{1,12}", "TEXT": {"NOT_IN": [".", ";", ":"]}, "LOWER": {"NOT_IN": ["later", "less", "more", "fewer", "longer"]}},
         {"LOWER": {"IN": BE}}, _l("permitted", "allowed", "authorised", "authorized", "tolerated")],
        [_l("neither"), {"OP": "{1,6}", "IS_PUNCT": False}, _l("nor"), {"OP": "{1,7}", "IS_PUNCT": False}, {"LOWER": {"IN": BINDING_MODALS}}],
        [{"IS_SENT_START": True, "LOWER": {"IN": ["do", "never"]}}, _l("not", "use")],
        # a list item whose subject is in its lead-in: "provided that Licensee: (a) does not use it …"
        [{"IS_SENT_START": True, "LOWER": "does"}, _l("not")],
        [{"IS_SENT_START": True, "LOWER": "never"}],
        [_l("you", "we", "they", "licensee", "customer", "users", "user"), _l("do"), _l("not")],
        # "Prohibited uses include the development of weapons …": what the list names is banned
        [_opt("examples", "instances"), _opt("of"), _l("prohibited", "forbidden", "banned", "unacceptable", "disallowed", "impermissible"),
         _l("uses", "use", "activities", "activity", "purposes", "conduct", "applications", "practices", "behaviour", "behavior"),
         _l("include", "includes", "are", "comprise", "consist")],
        # "Face search is not available to police …", "is not made available to": a ban on supplying it
        [{"LOWER": {"IN": BE}}, _l("not"), _opt("made"), _l("available")],
        # "The licence granted does not permit use by law enforcement agencies"
        [_l("does", "do"), _l("not"), _l("permit", "allow", "authorize", "authorise", "license", "licence")],
        # "The licence in Clause 2 does not extend to any use … by armed forces": outside the grant
        [_l("licence", "license", "grant", "rights", "right"), {"OP": "{0,4}", "IS_PUNCT": False},
         _l("does", "do", "shall", "will"), _l("not"), _l("extend", "include", "cover"), _opt("to")],
        # "must not be used": one cue, so that "must" is not left over as an obligation
        [{"LOWER": {"IN": BINDING_MODALS}, "OP": "?"}, _l("not"), _l("be"), _l("used", "deployed", "utilized", "utilised", "employed")],
        [_l("no"), _l("right", "rights", "license", "licence", "permission", "authorization", "authorisation"), _opt("is", "are"), _opt("granted"), _l("to", "for", "in")],
        [{"LOWER": {"IN": BE}, "OP": "?"}, _l("not"), _l("granted")],
        [{"LEMMA": {"IN": ["agree", "undertake"]}}, _l("that"), {"OP": "{1,4}", "IS_PUNCT": False}, _l("will", "shall"), _l("not")],
        [{"LOWER": {"IN": ["shall", "must", "will", "agree", "agrees"]}}, _opt("to"), _l("avoid", "abstain", "desist")],
        [{"LOWER": {"IN": ["only", "solely", "exclusively"]}}, _opt("be"), _l("used"), _l("for", "to", "in")],
        # "It's against our rules to use the app to …", "is against these Terms"
        [{"LOWER": {"IN": BE + ["'s", "\u2019s"]}}, _opt("strictly", "also"), _l("against"), _l("our", "the", "these", "this", "its"),
         _opt("community", "house", "acceptable", "usage", "use"), _l("rules", "terms", "policy", "policies", "guidelines", "standards", "agreement")],
        # "Use of the Service in any weapon system is a material breach of this Agreement",
        # "… constitutes a violation of these Terms": what it names is forbidden
        [{"LOWER": {"IN": BE + ["constitutes", "constitute"]}}, _opt("a", "an"), _opt("material", "serious", "fundamental", "substantial"),
         _l("breach", "violation"), _opt("of"), _opt("this", "these", "the"),
         _opt("agreement", "terms", "licence", "license", "eula", "policy", "contract")],
    ]),
    # "Neither party shall use, or allow the Product to be used, for …": a ban on both ("Neither
    # party shall be in breach … if prevented by … war" excuses, it bans nothing); the verb
    # matched after the modal is left out of the cue
    (PROHIBITION, True, NEITHER_PARTY, [
        [_l("neither"), _l("party", "of"), _opt("the"), _opt("parties"), {"LOWER": {"IN": BINDING_MODALS}},
         {"IS_ALPHA": True, "LOWER": {"NOT_IN": ["be", "been", "have", "incur", "bear", "owe", "not"]}}],
    ]),
    # "shall ensure that the Service is not used in any weapon system", "shall procure that no
    # police force receives it": a duty to see that something does not happen is a ban on it
    (PROHIBITION, True, ENSURE_NOT, _ENSURE_NOT),
    (PROHIBITION, False, "non-binding prohibition", [
        [_l("should"), ADV, _l(*NEG)],
        [_l("should"), _l("n't")],
        [_l("should"), _opt("always", "generally"), {"LEMMA": "refrain"}, _l("from")],
        [{"LOWER": {"IN": BE}}, _l("not"), _l("intended", "designed", "suitable", "recommended", "appropriate"), _opt("or"), _opt("intended", "designed", "suitable", "certified", "authorized"), _l("for", "to")],
        [_l("not"), _l("intended", "designed", "suitable", "recommended", "appropriate"), _l("for")],
        [{"LEMMA": {"IN": ["encourage", "urge", "ask", "request", "recommend", "advise"]}}, {"OP": "{0,3}", "IS_PUNCT": False}, _l("not"), _l("to")],
        [{"LEMMA": {"IN": ["discourage", "avoid"]}}],
        # "we ask that customers refrain from …", "we request that you do not …"
        [{"LEMMA": {"IN": ["ask", "request", "urge", "encourage", "recommend", "prefer"]}}, _opt("that"), {"OP": "{0,3}", "IS_ALPHA": True},
         {"LEMMA": "refrain"}, _l("from")],
    ]),
    # "We ask that law enforcement agencies not use …": the cue is the "not"; the words
    # between it and "that" are the actor (the whole request is the cue's text)
    (PROHIBITION, False, REQUEST_THAT, [
        [{"LEMMA": {"IN": ["ask", "request", "urge", "recommend", "prefer"]}}, _l("that"), {"OP": "{0,3}", "IS_ALPHA": True}, _l("do", "not")],
    ]),
    # --- obligations ---------------------------------------------------------------
    (OBLIGATION, True, "obligation", [
        # ("we'll explain what it does": plain-English terms write the modal as a contraction)
        [_l("shall", "must", "will", "'ll", "\u2019ll")],
        # "agrees to", "has agreed to", "is committed to"; a bare participle after a noun
        # describes ("scholars committed to truth", "the price agreed to") and binds no one
        [{"LEMMA": {"IN": ["agree", "undertake", "covenant", "commit", "promise"]}, "LOWER": {"NOT_IN": PARTICIPLES}}, _l("to")],
        [{"LOWER": {"IN": BE + ["'re", "'s", "am", "has", "have", "had", "hereby"]}}, _opt("fully", "firmly", "also", "further", "hereby", "each", "both", "irrevocably"), {"LOWER": {"IN": PARTICIPLES}}, _l("to")],
        # "Vendor commits, for as long as …, to:" — the verb binds before its "to"
        [{"LEMMA": {"IN": ["undertake", "covenant", "commit"]}}, _l(",", "that")],
        [{"LOWER": {"IN": BE}}, _l("required", "obligated", "obliged", "bound"), _l("to", "by")],
        [{"LOWER": {"IN": BE}}, _l("responsible"), _l("for")],
        [{"LOWER": {"IN": BE}}, _opt("fully", "solely", "jointly"), _l("liable", "accountable", "answerable"), _l("for")],
        # "Partner is liable to Vendor for any use … by its End Customers": the same duty, owed to someone named
        [{"LOWER": {"IN": BE}}, _opt("fully", "solely", "jointly"), _l("liable", "accountable", "answerable", "responsible"), _l("to"),
         {"OP": "{1,2}", "IS_ALPHA": True}, _l("for")],
        # "Customer answers for any breach … by anyone to whom it provides access": the verb of the same duty
        [_l("answers", "answer"), _opt("fully", "solely"), _l("for")],
        [_l("has", "have", "need", "needs"), _l("to")],
        [{"LEMMA": {"IN": ["require", "oblige", "obligate"]}}],
        # "It is a condition of this licence that the agency publish …", "It is a term of every
        # order that …": what the "that" clause says is owed (a negated one is _ENSURE_NOT's)
        [{"LOWER": {"IN": BE}}, _opt("a", "an"), _opt("express", "essential", "fundamental", "further", "continuing"),
         _l("condition", "term", "requirement"), {"OP": "{0,5}", "IS_PUNCT": False, "LOWER": {"NOT_IN": ["that", "not", "no"]}}, _l("that")],
        # "It is the Customer's responsibility to ensure …", "is the sole duty of the Vendor to test …"
        [{"LOWER": {"IN": BE}}, {"OP": "{1,4}", "IS_PUNCT": False, "LOWER": {"NOT_IN": ["not", "no", "never", "n't", "any", "without"]}},
         _l("responsibility", "duty", "obligation"), {"OP": "{0,4}", "IS_PUNCT": False, "LOWER": {"NOT_IN": ["to", "not", "no"]}}, _l("to")],
        # "Submission of each model to NIST's test is a continuing obligation of the Vendor", "… is a
        # condition of use": the clause before it is what is owed (read as the postposed "is prohibited" is)
        [{"LOWER": {"IN": BE}}, _opt("a", "an"), _opt("continuing", "ongoing", "essential", "express", "fundamental", "material"),
         _l("obligation", "duty", "requirement", "condition"), _l("of"), {"OP": "{1,2}", "IS_ALPHA": True}],
    ]),
    # Imperatives that open a licence condition: "Include this license with any
    # redistribution." (Under a lead-in that has a cue of its own — "The Licensee shall
    # not: … (d) provide the Software to any police force" — the verb is the lead-in's
    # object, and the lead-in's cue governs it.)
    (OBLIGATION, True, IMPERATIVE, [
        [{"IS_SENT_START": True, "LOWER": {"IN": ["include", "provide", "retain", "keep", "give", "pass", "ensure", "obtain", "display", "reproduce", "attribute", "comply", "require", "cause", "inform", "notify", "post"]}}],
    ]),
    (OBLIGATION, False, NON_BINDING_WORDING, [
        [_l("should")],
        [{"LEMMA": {"IN": ["encourage", "urge", "recommend", "strive", "aspire", "endeavor", "endeavour", "hope", "expect", "seek", "intend", "try", "wish"]},
          "LOWER": {"NOT_IN": SOFT_PARTICIPLES}}],
        # (an aim is "aim to", "aim for"; "help build or aim weapons" points them)
        [{"LEMMA": "aim", "LOWER": {"NOT_IN": SOFT_PARTICIPLES}}, _l("to", "for", "towards", "toward")],
        [{"LOWER": {"IN": BE + ["has", "have", "had"]}}, _opt("also", "further", "strongly", "generally", "only"), {"LOWER": {"IN": SOFT_PARTICIPLES}}],
        [_l("best"), _l("practice", "practices")],
        # "We are working to make face recognition work well for everyone": an effort, not a promise
        [{"LOWER": {"IN": BE}}, _opt("actively", "continually", "constantly"), _l("working"), _l("to", "towards", "toward")],
        # "We work to make Familiar Faces work well for people of all skin tones": the same
        [{"LOWER": {"IN": PRACTICE_SUBJECTS}}, _opt("actively", "continually", "constantly", "hard"), _l("work", "works"), _opt("hard"),
         _l("to", "towards", "toward")],
        # "Provider believes in fair and unbiased technology": a value held, not a promise
        [{"LEMMA": "believe"}, _l("in")],
        # "Fairness is one of the values that guide our design", "We value fairness", "Our principles
        # include …": a value declared, nothing promised
        [_l("value", "values", "principle", "principles"), _l("that", "which"), _l("guide", "guides", "shape", "shapes", "inform", "informs",
                                                                                  "underpin", "underpins", "drive", "drives")],
        [_l("we"), _opt("deeply", "greatly", "highly"), _l("value", "champion", "embrace", "cherish")],
        [_l("our", "its"), _opt("core", "guiding"), _l("values", "principles"), _l("include", "are")],
    ]),
    # "We conduct regular fairness audits …", "Provider tests each model …": a statement of
    # what a party does, with no word that binds it to go on doing so
    (OBLIGATION, False, STATEMENT_OF_PRACTICE, [
        [{"LOWER": {"IN": PRACTICE_SUBJECTS}}, {"LOWER": {"IN": ["regularly", "routinely", "also", "currently", "periodically", "annually", "independently"]}, "OP": "?"},
         {"LOWER": {"IN": PRACTICE_VERBS}}],
        # the same in the passive: "Each release of the model is tested across skin tones",
        # "every version is submitted to NIST's evaluation"
        [{"LOWER": {"IN": ["is", "are"]}}, {"LOWER": {"IN": ["regularly", "routinely", "also", "currently", "periodically", "annually", "independently"]}, "OP": "?"},
         {"LOWER": {"IN": PASSIVE_PRACTICE}}],
        # "The model has been tested by an independent testing house": what was done, no promise
        [{"LOWER": {"IN": ["has", "have"]}}, {"LOWER": "been"}, {"LOWER": {"IN": ["regularly", "independently", "also"]}, "OP": "?"},
         {"LOWER": {"IN": PASSIVE_PRACTICE}}],
        # "We use automated classifiers and human review to detect uses that break this policy":
        # what the party does to watch over use, stated and not promised
        [{"LOWER": {"IN": PRACTICE_SUBJECTS}}, {"LOWER": {"IN": sorted(_PRACTICE_MEANS)}}, {"OP": "{1,6}", "IS_ALPHA": True}, _l("to"),
         {"LOWER": {"IN": ["detect", "monitor", "identify", "flag", "review", "enforce", "find", "catch", "spot", "investigate"]}}],
    ]),
    # --- permissions ---------------------------------------------------------------
    (PERMISSION, True, "permission", [
        [_l("may", "can", "might")],
        [{"LOWER": {"IN": BE}}, _opt("hereby", "expressly"), _l("permitted", "allowed", "authorized", "authorised", "entitled", "free", "licensed", "welcome")],
        # "Provider consents to Customer's publication of …"
        [_opt("hereby", "expressly"), _l("consents", "consented"), _l("to")],
        # "shall be entitled to terminate": one permission, not a duty ("shall") beside it
        [_l("shall", "will"), _opt("also", "further", "then", "thereupon"), _l("be"), _opt("hereby", "expressly"),
         _l("permitted", "allowed", "authorized", "authorised", "entitled", "free")],
        [_l("has", "have", "retains", "retain", "reserves", "reserve"), _l("the"), _opt("sole", "unilateral", "absolute"), _l("right")],
        [_l("nothing"), {"OP": "{0,8}", "IS_PUNCT": False}, {"LEMMA": {"IN": ["restrict", "prevent", "limit", "prohibit", "preclude", "bar", "prejudice", "impair"]}}],
        # "Provider shall not object to, or seek to prevent, the publication of …": a promise
        # not to stand in the way leaves what it names free
        # ("shall not prohibit, restrict or penalise any independent evaluation")
        [{"LOWER": {"IN": BINDING_MODALS}}, _l("not"), _l("object", "prevent", "preclude", "prohibit", "forbid", "restrict", "penalise",
                                                         "penalize", "ban", "bar", "block", "hinder", "obstruct")],
        [{"LOWER": {"IN": BINDING_MODALS + ["does", "do"]}}, _l("not"), _l("restrict", "prohibit", "bar", "stop", "prevent", "preclude"), {"OP": "{1,4}", "IS_ALPHA": True}, _l("from")],
        [_l("no"), _l("restriction", "restrictions", "limitation", "limitations"), _l("on", "upon", "of")],
        [_l("without"), _l("restriction")],
        [{"LOWER": {"IN": BE}}, _l("not"), _l("prohibited", "restricted", "precluded", "prevented")],
        [_l("do", "does", "shall", "will"), _l("not"), _l("constitute", "amount"), _opt("to"), _opt("a", "an"), _l("prohibited", "breach", "violation", "infringement")],
        [_l("free"), _l("to")],
        # "The licence granted in Section 2 extends to use by the armed forces": the grant reaches that use
        # (not "does not extend to military use")
        [{"LEMMA": {"IN": ["licence", "license", "grant", "permission", "authorisation", "authorization"]}},
         {"OP": "{0,6}", "IS_PUNCT": False, "LOWER": {"NOT_IN": ["not", "no", "never", "n't", "n’t"]}}, _l("extends", "extend", "covers", "cover"), _opt("to")],
    ]),
    # "This restriction does not apply to Customers in the defence sector": what a restriction no
    # longer reaches is left free, and the sentence overrides the restriction it names
    (PERMISSION, True, CARVE_BACK, [
        [_l("this", "these", "such", "that", "those"), _l("restriction", "restrictions", "prohibition", "prohibitions", "limitation", "limitations"),
         _l("does", "do", "shall", "will"), _l("not"), _l("apply"), _l("to")],
        [_l("the"), _l("foregoing"), _opt("restriction", "restrictions", "prohibition", "prohibitions"), _l("does", "do", "shall", "will"), _l("not"),
         _l("apply"), _l("to")],
        # "Section 4 does not apply to Customers in the defence sector", "Clauses 4 and 5 shall not
        # apply where the Customer is a police force" (the engine asks that the section cited bans
        # something the rule is about)
        [_l(*SECTION_WORDS), _SECTION_NUMBER, {"LOWER": {"IN": ["and", "or", ","]}, "OP": "?"}, dict(_SECTION_NUMBER, OP="?"),
         _l("does", "do", "shall", "will"), _l("not"), _l("apply"), _l("to", "where", "if", "when", "for")],
    ]),
    # A bare verb of permission: dropped after a prohibition in the same sentence,
    # where it is the object of the ban ("shall not (i) … (ii) cause or permit …").
    (PERMISSION, True, PERMISSION_VERB, [
        [{"LEMMA": {"IN": ["permit", "allow", "authorize", "authorise", "grant", "entitle"]}}],
    ]),
]

CARVE_OUT_CUES: list[list[P]] = [
    [_l("unless")],
    [_l("except", "excepting", "excluding")],
    [_l("other"), _l("than")],
    [_l("save"), _l("as", "for", "where", "to")],
    [_l("provided"), _opt(","), _l("that", "however")],
    [_l("without"), _opt("the", "our", "its", "their", "your"), _opt("prior", "express", "explicit", "advance"), _opt("express", "written", "explicit"), _opt("written"), _l("consent", "approval", "authorization", "authorisation", "permission", "agreement")],
    [_l("absent")],
    [_l("subject"), _l("to"), {"OP": "{0,4}", "IS_PUNCT": False}, _l("consent", "approval", "authorization", "authorisation", "permission", "review")],
    [_l("if", "where", "when"), {"OP": "{0,4}", "IS_PUNCT": False}, _l("authorized", "authorised", "approved", "permitted", "consented", "agreed")],
    [_l("with"), _opt("the", "our", "its"), _opt("prior", "express"), _opt("written"), _l("consent", "approval", "authorization", "authorisation", "permission")],
    # "with Provider's prior written consent", "without Licensor's prior written approval"
    [_l("with", "without"), _opt("the"), _l(*PARTY_WORDS), _l("'s", "’s"), _opt("prior", "express", "explicit", "advance"), _opt("written", "express"),
     _opt("written"), _l("consent", "approval", "authorization", "authorisation", "permission", "agreement")],
]


CONDITION_CUES: list[list[P]] = [
    [_l("if")],
    _INVERTED_SHOULD,
    [_l("in"), _l("the"), _l("event"), _opt("that", "of")],
    [_l("in"), _l("case"), _opt("that", "of")],
    [_l("upon", "on"), _l("any"), _l("breach", "violation")],
    [_l("whenever", "wherever")],
    # "may use it only after a judge has issued a warrant", "only where each shopper has been
    # told": a condition the use must meet (mid-sentence "where" and "when" are relative, but
    # not after "only")
    [_l("only", "solely"), _l("if", "where", "when", "whenever", "after", "once", "upon", "while", "until", "provided")],
    [_l("only", "solely"), _l("so", "as"), _l("long"), _l("as")],
    [_l("only", "solely"), _l("on", "upon", "subject"), _opt("to"), _opt("the"), _l("condition", "conditions")],
    # "only with the employee's signed consent", "only with a warrant": a condition; not "share
    # it only with the police", whom it goes to
    [_l("only", "solely"), _l("with", "under", "pursuant"), _opt("to"), {"OP": "{0,4}", "IS_PUNCT": False},
     {"LEMMA": {"IN": ["consent", "approval", "authorization", "authorisation", "permission", "agreement", "warrant", "order",
                       "release", "notice", "authority"]}}],
    # "Where Customer breaches Section 4, Provider may …" (UK drafting), "To the extent required
    # by law, …": a sentence that opens with them states its condition first (mid-sentence,
    # "where" and "when" are mostly relative: "the premises where the Service is used")
    [{"IS_SENT_START": True, "LOWER": {"IN": ["where", "when"]}}],
    [{"IS_SENT_START": True, "LOWER": "to"}, _l("the"), _l("extent")],
    [{"IS_SENT_START": True, "LOWER": "insofar"}, _l("as")],
]
CONDITION = "condition"

# "Upon termination or expiry of this Agreement for any reason, …": a condition that
# says *when* the clause applies, after an event described elsewhere. What it mentions
# (the termination, "for any reason") is neither the clause's topic nor its context.
TEMPORAL_CUES: list[list[P]] = [
    [_l("upon", "on", "following", "after"), _opt("the", "any", "such"), _l("termination", "expiration", "expiry", "cancellation")],
]
TEMPORAL = "temporal"
CONDITION_KINDS = frozenset({CONDITION, TEMPORAL})


@dataclass(frozen=True)
class Cue:
    force: str
    binding: bool
    label: str
    start: int  # token offsets in the sentence's Doc
    end: int
    text: str


@dataclass(frozen=True)
class CarveOutSpan:
    """A carve-out ("unless …") or, with ``kind == "condition"``, a condition ("if …")."""

    start: int
    end: int
    text: str
    kind: str = "carve"


@dataclass
class _Compiled:
    matcher: AnchoredMatcher
    carve: AnchoredMatcher
    info: dict[str, tuple[str, bool, str]]
    order: dict[str, int]


@lru_cache(maxsize=1)
def _compiled() -> _Compiled:
    from .nlp import get_nlp

    vocab = get_nlp().vocab
    matcher = AnchoredMatcher(vocab)
    info: dict[str, tuple[str, bool, str]] = {}
    order: dict[str, int] = {}
    for i, (force, binding, label, patterns) in enumerate(CUES):
        key = f"cue-{i:02d}-{force}"
        matcher.add(key, patterns)
        info[key] = (force, binding, label)
        order[key] = i
    info[_LONG_NO_KEY] = (PROHIBITION, True, "prohibition")
    order[_LONG_NO_KEY] = 3
    carve = AnchoredMatcher(vocab)
    carve.add("carve", CARVE_OUT_CUES)
    carve.add(CONDITION, CONDITION_CUES)
    carve.add(TEMPORAL, TEMPORAL_CUES)
    return _Compiled(matcher, carve, info, order)


# "No sheriff, constable, border agent or other body charged with enforcing the law
# may use …": a long list of subjects but one clause. Found by a scan rather than a
# Matcher pattern: a 4-to-24-token wildcard after every "no" costs the Matcher far more
# than the rest of the grammar together.
_LONG_NO_FIRST_NOT = frozenset({
    "later", "less", "more", "fewer", "event", "case", "circumstances", "obligation", "duty", "liability", "such",
    "party", "warranty", "warranties", "representation",
})
_RELATIVE = frozenset({"that", "which", "who"})
# a word after "that" that opens a clause of its own ("No warranty that the Service will …")
_OPENS_CLAUSE = frozenset({"the", "a", "an", "this", "these", "those", "its", "their", "his", "her", "it", "they", "we",
                           "you", "he", "she", "such", "any", "all", "each", "our", "your", "there"})
# verbs of a relative clause that leave the subject running: "… body that is licensed …"
_RELATIVE_VERBS = frozenset({"is", "are", "was", "were", "has", "have", "do", "does", "that", "which", "who"})
_LONG_NO_STOP = frozenset({
    ".", ";", ":", "and", "but", "if", "unless", "except", "that", "which", "who", "when", "where", "provided",
    "however", "shall", "must", "may", "will", "can", "is", "are", "was", "were", "has", "have", "could", "would",
    "should", "might", "do", "does",
})
_LONG_NO_KEY = "cue-long-no"


def _long_no_cues(doc: Doc, lowers: list[str]) -> list[tuple[str, int, int]]:
    out = []
    n = len(lowers)
    for i, w in enumerate(lowers):
        if w != "no" or i + 1 >= n or not doc[i + 1].is_alpha or lowers[i + 1] in _LONG_NO_FIRST_NOT:
            continue
        j = i + 2
        relative = False  # inside "… body that enforces criminal law" of the subject
        while j < n and j - i <= 25:
            w = lowers[j]
            if w in _RELATIVE and j + 1 < n and doc[j + 1].is_alpha and lowers[j + 1] not in _OPENS_CLAUSE:
                relative = True  # "that enforces …", "which is …": the subject goes on
            elif w in BINDING_MODALS or (w in _LONG_NO_STOP and not (relative and w in _RELATIVE_VERBS)):
                break
            j += 1
        if j < n and j - i >= 6 and lowers[j] in BINDING_MODALS:
            out.append((_LONG_NO_KEY, i, j + 1))
    return out


def find_cues(doc: Doc) -> list[Cue]:
    """Deontic cues in ``doc``, overlaps resolved longest-first, in order."""
    comp = _compiled()
    found = comp.matcher(doc)
    low_col = columns(doc)[0]
    if doc.vocab.strings["no"] in low_col:
        strings = doc.vocab.strings
        found = found + _long_no_cues(doc, [strings[h] for h in low_col])
    # Longest wins; for equal length, the earlier-defined (more specific) cue group.
    found.sort(key=lambda m: (-(m[2] - m[1]), comp.order.get(m[0], 99), m[1]))
    chosen: list[tuple[str, int, int]] = []
    taken: set[int] = set()
    for key, start, end in found:
        if any(t in taken for t in range(start, end)):
            continue
        chosen.append((key, start, end))
        taken.update(range(start, end))
    out: list[Cue] = []
    prohibited_in: set[int] = set()  # sentence starts with a prohibition so far
    bound_in: set[int] = set()  # sentence starts with a binding cue so far
    sent_of = _sentence_starts(doc) if chosen else []
    # (by the token column, not doc.text, which spaCy joins anew on every call)
    questions = question_starts(doc) if chosen or doc.vocab.strings["?"] in low_col else set()
    ends = {end for _, _, end in chosen}
    for key, start, end in sorted(chosen, key=lambda m: m[1]):
        force, binding, label = comp.info[key]
        span = doc[start:end]
        if force == PERMISSION and start in ends and doc[start].lower_ in BE:
            continue  # "may not be licensed to …": the passive verb of the cue before it, no leave of its own
        if sent_of[start] in questions:
            continue  # "Can the Sheriff's Office watch the cameras?": a question grants and bans nothing
        sent = sent_of[start]
        if label == PERMISSION_VERB and sent in prohibited_in:
            continue
        if (label == PERMISSION_VERB and out and out[-1].force == DISCLAIMER and out[-1].end == start - 1
                and doc[start - 1].lower_ in ("or", "and")):
            continue  # "Nothing … shall oblige or entitle the Supplier to act": the right is disowned with the duty
        if label == PERMISSION_VERB and _product_subject(doc, start, sent):
            continue  # "The Service allows administrators to audit …": what it can do, no leave given
        if (force == PROHIBITION and not binding and start > sent and doc[start - 1].lower_ in ("who", "that")
                and doc[start].lower_ in _ASKING_VERBS):
            continue  # "Guests who ask not to be enrolled shall not be enrolled": who they are, no request made
        if label == PERMISSION_VERB and end < len(doc) and doc[start].lower_ in ("grant", "grants", "permit", "permits") \
                and doc[end].lower_ in _NOUN_AFTER_GRANT:
            continue  # "purchased with grant funds", "the permit holder": the noun, not the verb
        if (label == NON_BINDING_WORDING and sent in bound_in and doc[start].lower_ in _ATTEMPT_WORDS
                and _coordinated(doc, start, sent)):
            continue  # "shall not use, or seek to use, …": the attempt is part of what binds
        if label == STATEMENT_OF_PRACTICE:
            verb = doc[start + 1] if doc[start + 1].lower_ in _PRACTICE_MEANS else doc[end - 1]
            if doc[start].lower_ not in ("we", "is", "are", "has", "have") and not verb.lower_.endswith("s"):
                continue  # "the Vendor test results": a noun compound, not "the Vendor tests"
            if doc[start].lower_ in ("has", "have") and start > 0 and doc[start - 1].lower_ in BINDING_MODALS + ["should", "to"]:
                continue  # "must have been evaluated in NIST's test": the modal binds, nothing is described
            if doc[start].lower_ in ("is", "are", "has", "have") and start > 0 and doc[start - 1].lower_ in _DESCRIBING:
                continue  # "(what is measured, why, …)", "each model that is tested": it describes
            if doc[start].lower_ in ("is", "are", "has", "have") and any(doc[k].lower_ == "whose" for k in range(max(sent, start - 4), start)):
                continue  # "only systems whose algorithms have been evaluated …": which systems, not what was done
            if _in_condition(doc, start, sent):
                continue  # "may buy it only if its algorithm has been evaluated …": what must be so, not what is done
            if _continues(doc, end, sent_of, sent) or _warranted(doc, start, sent):
                binding = True  # "… and will continue to submit …", "The Contractor warrants that it has been evaluated …"
            start = end - 1  # the verb is the cue; the party before it is the actor
            span = doc[start:end]
        elif label == NEITHER_PARTY:
            end -= 1  # "Neither party shall | use": the verb is the action, not the cue
            span = doc[start:end]
        elif label == REQUEST_THAT:
            # "ask that law enforcement agencies not use": the actor sits inside the request
            said = span.text
            start = next(k for k in range(start + 2, end) if doc[k].lower_ in ("do", "not"))
            out.append(Cue(force, binding, label, start, end, said))
            prohibited_in.add(sent)
            continue
        if end - start == 1 and doc[start].lower_ == "will" and start > 0 and doc[start - 1].lower_ in _WILL_AS_NOUN:
            continue  # "terminate at will", "of its own free will": the noun, not the modal
        if (end - start == 1 and doc[start].lower_ in ("will", "would", "shall") and out and out[-1].force == DISCLAIMER
                and doc[out[-1].end - 1].lower_ == "that" and 0 <= start - out[-1].end <= 4
                and not any(doc[k].is_punct for k in range(out[-1].end, start))):
            continue  # "gives no undertaking that it will assess …": what is not promised
        if end - start == 1 and doc[start].lower_ in ("will", "would") and _in_content_clause(doc, start, sent):
            continue  # "the likelihood that a person will commit an offence": a prediction described
        if binding and end - start == 1 and doc[start].lower_ in ("will", "would") and any(
                o.label == NON_BINDING_WORDING and o.text.lower() in _HOPING and sent_of[o.start] == sent
                and start - o.start <= 10 and not any(doc[k].lower_ in (",", ";", ":") for k in range(o.start, start)) for o in out):
            binding = False  # "We hope the community will help us find …": what is hoped, not promised
        if label == "liability" and any(doc[k].lower_ == "without" for k in range(max(sent, start - 3), start)):
            continue  # "may, without liability, suspend …": an aside, not a liability clause
        if label == ENSURE_NOT and any(doc[k].lower_ in ("should", "encouraged", "recommended", "urged") for k in range(max(sent, start - 3), start)):
            binding = False  # "Customers should ensure that the Service is not used …": advice
        if end - start == 1 and doc[start].lower_ in ("can", "could") and end < len(doc) and doc[end].lower_ in _CAPABILITY_VERBS:
            continue  # "The Service can help police find suspects": what it is able to do, no leave to do it
        if force == PROHIBITION and not (doc[start].lower_ in _NOMINAL_VERBS and (end >= len(doc) or doc[end].lower_ not in ("from", "to"))):
            # (a ban stated after what it bans — "… is a material breach entitling Vendor to
            # terminate" — has closed its clause: a permission verb after it is not its object)
            prohibited_in.add(sent)
        if binding and force != NEUTRAL:
            bound_in.add(sent)
        out.append(Cue(force, binding, label, span.start, span.end, span.text))
    if questions:
        out = sorted(out + answered_no(doc, questions), key=lambda c: c.start)
    return out


def answered_no(doc: Doc, questions: Iterable[int], answer_follows: bool = False) -> list[Cue]:
    """A cue for each question (by its first token) that the next sentence answers
    "No" ("Will the cameras track people? No, they will not."), or, with
    ``answer_follows``, the last question of a block whose next block is that answer
    (an FAQ heading and its paragraph). The cue stands at the question's first word,
    so the question's words are what it says is not done."""
    bounds = sentence_bounds(doc)
    out = []
    for i, (start, end) in enumerate(bounds):
        if start not in questions:
            continue
        if i + 1 < len(bounds):
            nxt = bounds[i + 1][0]
            # ("No." is one token: the tokenizer keeps it whole, as the abbreviation of "number")
            answered = doc[nxt].lower_ == "no." or (doc[nxt].lower_ == "no" and (nxt + 1 >= len(doc) or doc[nxt + 1].is_punct))
        else:
            answered = answer_follows
        if answered and _asks_what_is_done(doc, start, end):
            # "Do police need a warrant to see the footage? No.": no duty, not a ban on what it names
            force = DISCLAIMER if _asks_a_duty(doc, start, end) else PROHIBITION
            out.append(Cue(force, False, ANSWERED_NO, start, start + 1, "No"))
    return out


# a question about what will or may be done ("Can agents use it?", "Will the cameras track …?",
# "Do you sell face data?"), not about what exists ("Does the office have cameras that use
# face recognition? No." is a fact: there are none)
_ASKING_LEAVE = frozenset(MODALS) - {"must"}
_DONE_VERBS = frozenset({"sell", "share", "give", "provide", "track", "monitor", "disclose", "license", "supply", "send", "release",
                         "scan", "identify", "record", "keep", "store", "retain", "allow", "permit", "let"})


def _asks_what_is_done(doc: Doc, start: int, end: int) -> bool:
    first = doc[start].lower_
    if first in _ASKING_LEAVE:
        return True
    if first in ("do", "does", "did", "is", "are"):
        return (any(doc[k].lower_ in _DONE_VERBS for k in range(start + 1, min(end, start + 5)))
                or _asks_a_duty(doc, start, end))
    return False


_DUTY_WORDS = frozenset({"need", "needs", "required", "require", "requires", "must", "obliged", "obligated", "necessary", "mandatory"})


def _asks_a_duty(doc: Doc, start: int, end: int) -> bool:
    """Whether the question asks whether something is required ("Do police need a
    warrant …?", "Is consent required?", "Do I have to …?")."""
    for k in range(start, end):
        low = doc[k].lower_
        if low in _DUTY_WORDS or (low in ("have", "has") and k + 1 < end and doc[k + 1].lower_ == "to"):
            return True
    return False


# nouns whose "that" clause says what may come to be ("the likelihood that a person will …")
_CONTENT_NOUNS = frozenset({"likelihood", "probability", "chance", "chances", "risk", "possibility", "prediction", "predictions",
                            "expectation", "fear", "belief", "assumption", "forecast", "estimate", "odds", "prospect"})
# verbs of hoping whose clause a "will" only describes
_HOPING = frozenset({"hope", "hopes", "expect", "expects", "wish", "wishes", "believe", "believes", "trust", "trusts",
                     "anticipate", "anticipates"})


def _in_content_clause(doc: Doc, start: int, sent: int) -> bool:
    """Whether the modal at ``start`` sits in a "that" clause of a noun of likelihood."""
    for k in range(start - 1, max(sent, start - 8) - 1, -1):
        low = doc[k].lower_
        if low in (";", ":", ".", ","):
            return False
        if low == "that":
            return k > sent and doc[k - 1].lower_ in _CONTENT_NOUNS
    return False


# what follows "grant" or "permit" used as a noun ("grant funds", "a permit holder")
_NOUN_AFTER_GRANT = frozenset({"funds", "fund", "funding", "money", "monies", "award", "awards", "program", "programme", "agreement",
                               "application", "applications", "recipient", "recipients", "period", "holder", "holders", "fee",
                               "fees", "number", "conditions", "proposal", "proposals", "budget", "year", "cycle", "writer"})
# words before a passive "is tested" that make it describe, not state a practice
_DESCRIBING = frozenset({"what", "which", "that", "who", "how", "where", "when", "whatever", "whichever", "if", "whether", "once", "until", "unless"})

# the product as a verb's subject: "The Service allows …", "the app also lets …" say what it does
_PRODUCT_NOUNS = frozenset({"service", "services", "software", "platform", "app", "application", "tool", "tools", "product", "system",
                            "feature", "features", "api", "solution", "device", "camera", "dashboard", "portal", "model", "engine",
                            "interface", "functionality"})


def _product_subject(doc: Doc, start: int, sent: int) -> bool:
    k = start - 1
    if k > sent and doc[k].lower_ in ("also", "further", "automatically", "currently"):
        k -= 1
    return k >= sent and doc[k].lower_ in _PRODUCT_NOUNS


# words that open a condition: a statement of practice after one says what must be so for the
# main clause to hold, not what anyone does
_CONDITION_OPENERS = frozenset({"if", "unless", "once", "when", "whenever", "where", "wherever"})
# words that open a condition only after "only" ("only after it has been submitted"); alone they
# are as often prepositions ("Before each release we measure …": a statement)
_TIME_OPENERS = frozenset({"after", "before", "until"})


def _in_condition(doc: Doc, start: int, sent: int) -> bool:
    """Whether token ``start`` is in a condition opened a few words before it ("if its
    algorithm has been evaluated", "unless each model is tested", "only after it has
    been submitted"), with no punctuation or binding word between."""
    for k in range(start - 1, max(sent, start - 7) - 1, -1):
        low = doc[k].lower_
        if low in _CONDITION_OPENERS or (low in _TIME_OPENERS and k > sent and doc[k - 1].lower_ in ("only", "solely")):
            return True
        if doc[k].is_punct or low in BINDING_MODALS:
            return False
    return False


# the subject of a main clause after a condition with no comma ("… you may not", "… the Licensee shall")
_PRONOUNS = frozenset({"you", "we", "it", "they", "he", "she", "i"})
_DETERMINERS = frozenset({"the", "each", "either", "neither", "no", "any", "every"})

# after "can", what a product is able to do for someone (marketing prose), not leave to do it
_CAPABILITY_VERBS = frozenset({"help", "assist", "enable", "empower", "improve", "enhance", "speed", "accelerate", "reduce",
                               "increase", "boost", "streamline", "simplify", "power", "transform", "support"})

# verbs of a request, whose subject is told something ("we ask you not to …")
_ASKING_VERBS = frozenset({"ask", "asks", "asked", "request", "requests", "requested", "prefer", "prefers"})

_ATTEMPT_WORDS = frozenset({"seek", "seeks", "try", "tries", "endeavour", "endeavor", "endeavours", "endeavors"})


def _coordinated(doc: Doc, at: int, sent_start: int) -> bool:
    """Whether token ``at`` follows "or"/"and"/"nor" (a comma may sit between)."""
    k = at - 1
    while k > sent_start and doc[k].text == ",":
        k -= 1
    return k >= sent_start and doc[k].lower_ in ("or", "and", "nor")


# a party's promise that something is so: what follows binds the one who gives it
_WARRANTY_VERBS = frozenset({"warrants", "warrant", "represents", "represent", "certifies", "certify", "guarantees", "guarantee"})


def _warranted(doc: Doc, start: int, sent: int) -> bool:
    """Whether the statement at ``start`` is what a party warrants ("The Contractor warrants
    that the algorithm supplied has been evaluated in NIST's evaluation"): a warranty binds
    its giver to the fact. Not "does not warrant that …", which disclaims it."""
    that = False
    for k in range(start - 1, max(sent, start - 16) - 1, -1):
        low = doc[k].lower_
        if low == "that":
            that = True
        elif low in _WARRANTY_VERBS and that:
            return not (k > sent and doc[k - 1].lower_ in ("not", "no", "n't", "never"))
        elif low in (";", ".") or low in BINDING_MODALS:
            return False
    return False


_WILL_AS_NOUN = frozenset({"at", "free", "good", "ill", "own", "last", "the", "its", "whose", "their"})


# what "will keep …" goes on doing: the verbs of practice ("will keep testing", "keep doing so")
_KEEP_DOING = frozenset({"doing", "on", "testing", "evaluating", "auditing", "assessing", "measuring", "submitting", "benchmarking",
                         "publishing", "reviewing", "conducting", "monitoring"})


def _continues(doc: Doc, at: int, sent_of: list[int], sent: int) -> bool:
    """Whether the sentence goes on to promise to keep doing it ("… and will continue to
    submit …", "… and shall continue to do so", "… and will keep doing so"), with a verb of
    practice (not "… and will continue to add features")."""
    k = at
    while k + 3 < len(doc) and sent_of[k + 3] == sent:
        if (doc[k].lower_ in ("will", "shall", "must") and doc[k + 1].lower_ == "continue" and doc[k + 2].lower_ == "to"
                and (doc[k + 3].lower_ == "do" or doc[k + 3].lower_ in PRACTICE_VERBS)):
            return True
        if doc[k].lower_ in ("will", "shall", "must") and doc[k + 1].lower_ == "keep" and doc[k + 2].lower_ in _KEEP_DOING:
            return True  # "… and we will keep doing so for each release", "will keep testing"
        k += 1
    return False


# (not "Should the Customer breach …, Provider may …": an inverted condition, not a question)
_ASKING_MODALS = frozenset({"can", "may", "could", "will", "would", "does", "do", "is", "are"})
_ASKED_SUBJECTS = frozenset({"the", "a", "an", "i", "we", "you", "they", "it", "he", "she", "other", "any", "my", "our", "your", "their",
                             "this", "these", "those", "someone", "anyone"})


def question_starts(doc: Doc) -> set[int]:
    """Starts of the sentences that ask rather than state: they end with "?", or open
    with a modal and its subject ("Can the Sheriff's Office watch the cameras", an FAQ
    heading whose question mark was lost)."""
    out: set[int] = set()
    for start, end in sentence_bounds(doc):
        last = end - 1
        while last > start and doc[last].is_space:
            last -= 1
        if doc[last].text == "?" or (end - start > 2 and doc[start].lower_ in _ASKING_MODALS and doc[start].text[:1].isupper()
                                      and doc[start + 1].lower_ in _ASKED_SUBJECTS):
            out.add(start)
    return out


def _sentence_starts(doc: Doc) -> list[int]:
    """For each token, the index of the first token of its sentence."""
    out: list[int] = []
    for start, end in sentence_bounds(doc):
        out.extend([start] * (end - start))
    return out


_MAKE = frozenset({"make", "makes", "made", "making", "render", "renders", "keep", "keeps", "place", "places"})


def _predicate_subject_to(doc: Doc, at: int, sent_start: int) -> bool:
    """Whether the "subject to" at token ``at`` is the clause's predicate ("use shall be
    subject to review", "make its use subject to review by a public board") rather than a
    carve-out of it ("subject to Provider's approval, Customer may …")."""
    before = doc[at - 1].lower_ if at > sent_start else ""
    if before in BE or before in ("remain", "remains", "become", "becomes"):
        return True
    for i in range(at - 1, max(sent_start, at - 8) - 1, -1):
        if doc[i].is_punct:
            return False
        if doc[i].lower_ in _MAKE:
            return True
    return False


# verbs whose object follows "on": "act on any breach" names the breach, not a condition
_ACT_ON = frozenset({"act", "acts", "acting", "action", "actions", "rely", "relies", "comment", "report", "reports", "insist", "decide",
                     "follow", "focus"})

# carve-outs that are phrases, not clauses: a cue of "be" after one is the main verb, not theirs
# ("unless Provider is required to …" is a clause with its own verb)
_PHRASE_CARVES = frozenset({"without", "absent", "with"})
_NOMINAL_VERBS = frozenset({"is", "are", "was", "were", "constitutes", "constitute"})

_ASIDE_AFTER = frozenset(BINDING_MODALS + ["not", "should", "agrees", "agree", "undertakes", "undertake"])

_INLINE_ENUMERATOR = re.compile(r"\((?:[a-z]|[ivx]{1,5}|\d{1,2})\)")


def find_carve_outs(doc: Doc, sent_bounds: list[tuple[int, int]], cue_starts: Iterable[int] = ()) -> list[CarveOutSpan]:
    """Spans opened by carve-out cues, each running to ';', ':' or its sentence end.

    A carve-out that opens a sentence ("Unless Provider agrees in writing, …") ends
    at the first comma instead, since the main clause follows it. A carve-out never
    runs into the next main clause: it stops before a deontic cue (one of
    ``cue_starts``) that follows a comma or a conjunction ("other than for research,
    and shall not disclose …").
    """
    stops = set(cue_starts)
    comp = _compiled()
    kinds = {doc.vocab.strings[k]: k for k in CONDITION_KINDS}
    matches = filter_spans([Span(doc, s, e, label=m) for m, s, e in comp.carve(doc)])
    # (Span labels are hashes; filter_spans keeps the longest of overlapping cues.)
    out: list[CarveOutSpan] = []
    for span in matches:
        if any(c.start < span.start < c.end for c in out):
            continue  # "except with Provider's prior written consent, …": the "with …" is the same carve-out
        sent_end = next((e for s, e in sent_bounds if s <= span.start < e), len(doc))
        sent_start = next((s for s, e in sent_bounds if s <= span.start < e), 0)
        if doc[span.start].lower_ == "subject" and _predicate_subject_to(doc, span.start, sent_start):
            continue  # "shall be subject to public review": what the duty is, not an exception to it
        if doc[span.start].lower_ in ("on", "upon") and span.start > sent_start and doc[span.start - 1].lower_ in _ACT_ON:
            continue  # "to act on any breach": what is acted on, not when
        # a carve-out that opens a sentence ends at its first comma, and so does one set off
        # by commas between a cue and its verb ("shall not, without Licensor's consent, publish")
        leading = span.start - sent_start <= 2 or (
            span.start - 2 >= sent_start and doc[span.start - 1].text == "," and doc[span.start - 2].lower_ in _ASIDE_AFTER)
        end = span.end
        limit = min(sent_end, span.start + 40)
        series = span.end < sent_end and bool(_INLINE_ENUMERATOR.fullmatch(doc[span.end].text))
        if series:
            # "provided that (i) …, (ii) …, and (iii) …": the proviso is the whole series
            limit = sent_end
        while end < limit:
            text = doc[end].text
            if text in (";", ":") or (leading and text == ","):
                break
            if end + 1 in stops and text in (",", "and", "or", "but") and end > span.end:
                break
            if end in stops and end > span.end and doc[end - 1].text in (",", "and", "or", "but"):
                break
            if end in stops and doc[span.start].lower_ in _PHRASE_CARVES and doc[end].lower_ in _NOMINAL_VERBS:
                break  # "Publication … without Provider's consent is prohibited": the phrase ends where the clause's verb begins
            if leading and end in stops and end > span.end:
                # "When you share the Dataset you may not …": no comma closes the condition;
                # the main clause starts with the subject of its cue
                back = end
                if doc[end - 1].lower_ in _PRONOUNS:
                    back = end - 1
                elif doc[end - 1].text[:1].isupper():
                    back = end - 2 if end - 2 > span.end and doc[end - 2].lower_ in _DETERMINERS else end - 1
                if span.end < back < end:
                    end = back
                    break
            if (text == "," and end + 1 < limit and doc[end + 1].lower_ in ("and", "or", "but") and end - span.start > 6
                    and not (series and end + 2 < limit and _INLINE_ENUMERATOR.fullmatch(doc[end + 2].text))):
                break
            if text == "," and end + 1 < limit and doc[end + 1].lower_ in ("including", "includes", "particularly", "especially", "notably"):
                break  # "without their consent, including for facial recognition": the example is the clause's
            end += 1
        while end > span.end and doc[end - 1].is_punct:
            end -= 1  # the sentence's full stop is not part of the carve-out
        kind = kinds.get(span.label, "carve")
        out.append(CarveOutSpan(span.start, end, doc[span.start:end].text, kind))
    return out
