"""AnchoredMatcher must find exactly what spaCy's Matcher finds, sentence by sentence.

Its shortcuts (anchors, required words, fixed sequences, windows around anchors)
are only optimisations; these tests compare it with a plain Matcher holding the
same patterns, over real contract text and generated text.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.matcher import Matcher

from clause_lint import grammar
from clause_lint.api import load_document
from clause_lint.matching import AnchoredMatcher, anchor, max_length, with_lemma_forms
from clause_lint.nlp import get_nlp
from clause_lint.rules import load_packs

ROOT = Path(__file__).resolve().parents[1]


def _all_patterns() -> list[tuple[str, list[dict]]]:
    out = []
    (pack,) = load_packs(["safe-face-pledge"])
    for name, concept in pack.concepts.items():
        for p in concept.get("patterns", []):
            out.append((name, p))
    for i, (_force, _binding, _label, patterns) in enumerate(grammar.CUES):
        for p in patterns:
            out.append((f"cue{i}", p))
    for p in grammar.CARVE_OUT_CUES:
        out.append(("carve", p))
    return out


PATTERNS = _all_patterns()


def _both():
    nlp = get_nlp()
    anchored = AnchoredMatcher(nlp.vocab)
    plain: dict[str, Matcher] = {}
    for key, p in PATTERNS:
        anchored.add(key, [p])
        # AnchoredMatcher reads LEMMA words as lemmas too (see with_lemma_forms)
        plain.setdefault(key, Matcher(nlp.vocab)).add(key, [with_lemma_forms(p)])
    return anchored, plain


ANCHORED, PLAIN = _both()


def _plain_matches(doc) -> set[tuple[str, int, int]]:
    strings = doc.vocab.strings
    out = set()
    for sent in doc.sents:
        for matcher in PLAIN.values():
            for mid, s, e in matcher(sent):
                out.add((strings[mid], s + sent.start, e + sent.start))
    return out


def _same(text: str) -> None:
    doc = get_nlp()(text)
    assert set(ANCHORED(doc)) == _plain_matches(doc), text[:200]


def test_same_matches_on_the_samples() -> None:
    nlp = get_nlp()
    for path in sorted((ROOT / "sample_contracts").glob("*.*")):
        doc = load_document(str(path))
        for block_doc in nlp.pipe([b.text for b in doc.blocks]):
            assert set(ANCHORED(block_doc)) == _plain_matches(block_doc), path.name


WORDS = ["shall", "not", "may", "use", "the", "Service", "weapons", "for", "unless", "consent", "of", "Provider",
         "either", "party", "terminate", "breach", "law", "enforcement", "police", "no", "event", "in", "liable",
         "publish", "results", "benchmark", "without", "notice", ",", ";", "(a)", "individuals", "surveillance",
         "mass", "covert", "agrees", "to", "permit", "any", "third", "is", "prohibited", "nuclear", "chemical", "or"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=80))
def test_same_matches_on_generated_text(words: list[str]) -> None:
    _same(" ".join(words) + ".")


def test_pattern_facts() -> None:
    assert max_length([{"LOWER": "a"}, {"OP": "{0,4}"}, {"LOWER": "b", "OP": "?"}]) == 6
    assert max_length([{"LOWER": "a"}, {"OP": "*"}]) is None
    # the rarest required word is the anchor, not a common one
    assert anchor([{"LOWER": {"IN": ["the", "a"]}}, {"LEMMA": "surveillance"}]) == ("LEMMA", frozenset({"surveillance"}))
    assert anchor([{"LOWER": "x", "OP": "?"}]) is None


# Operators and tests the compiled steps evaluate without spaCy, each against spaCy's
# own Matcher: "*", "+", "{m,n}" forms, NOT_IN, TEXT, IS_ALPHA false, IS_PUNCT,
# IS_SENT_START (sentences start after "." here), an anchor that
# takes several tokens ("+": matches are grown from every start), optional ends.
OPERATOR_PATTERNS = [
    [{"LOWER": "shall"}, {"OP": "*", "IS_ALPHA": True}, {"LEMMA": "use"}],
    [{"LOWER": "not", "OP": "+"}, {"LOWER": {"IN": ["use", "permit"]}}],
    [{"LOWER": "any"}, {"OP": "{2,3}"}, {"LOWER": "party"}],
    [{"LOWER": "any"}, {"OP": "{,2}", "LOWER": {"NOT_IN": ["or", ","]}}, {"LOWER": "third"}],
    [{"TEXT": "Service"}, {"IS_ALPHA": False, "OP": "{1,}"}, {"LOWER": "for"}],
    [{"OP": "?"}, {"LEMMA": "breach"}, {"OP": "{0,2}", "IS_ALPHA": True}],
    [{"LOWER": "mass", "OP": "{2}"}],
    [{"LOWER": "neither"}, {"OP": "{1,3}", "IS_PUNCT": False}, {"LOWER": "or"}],
    [{"IS_SENT_START": True, "LOWER": {"IN": ["mass", "shall", "not"]}}, {"LOWER": "not", "OP": "?"}],
    [{"LOWER": {"IN": ["covert", "mass"]}}, {"LOWER": "surveillance", "OP": "?"}],
]


def test_every_pack_and_grammar_pattern_runs_without_spacys_matcher() -> None:
    """The compiled steps cover what the bundled pack and the grammar write; a spaCy
    Matcher is only the fallback for operators they do not evaluate ("!")."""
    assert len(ANCHORED._steps) == len(PATTERNS) and all(steps is not None for steps in ANCHORED._steps)
    nlp = get_nlp()
    fallback = AnchoredMatcher(nlp.vocab)
    fallback.add("neg", [[{"LOWER": "shall"}, {"LOWER": "not", "OP": "!"}, {"LEMMA": "use"}]])
    assert fallback._steps == [None]
    doc = nlp("Customer shall never use it. Customer shall not use it.")
    assert [(k, s, e) for k, s, e in fallback(doc)] == [("neg", 1, 4)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS + ["Service", "not", "not", "mass", "mass", "(b)", ".", "Mass", "neither"]),
                min_size=1, max_size=40))
def test_operators_match_as_spacy_matches(words: list[str]) -> None:
    nlp = get_nlp()
    doc = nlp(" ".join(words) + ".")
    for i, pattern in enumerate(OPERATOR_PATTERNS):
        ours = AnchoredMatcher(nlp.vocab)
        ours.add(f"p{i}", [pattern])
        theirs = Matcher(nlp.vocab)
        theirs.add(f"p{i}", [pattern])
        expected = set()
        for sent in doc.sents:
            expected |= {(f"p{i}", s + sent.start, e + sent.start) for _m, s, e in theirs(sent)}
        assert set(ours(doc)) == expected, (pattern, doc.text)


def test_multi_word_terms_match_with_a_hyphen_for_one_space() -> None:
    from clause_lint.analysis import HyphenatedTerms
    from clause_lint.nlp import get_nlp, phrase_doc

    nlp = get_nlp()
    terms = HyphenatedTerms(nlp.vocab)
    terms.add("le", phrase_doc("law enforcement agency"))
    terms.add("fr", phrase_doc("face recognition"))
    doc = nlp("Sales to law-enforcement agencies, a law enforcement-agency and face-recognition use; "
              "not a law enforcement agency (no hyphen), nor face - off.")
    found = {(concept, doc[s:e].text) for concept, s, e in terms(doc)}
    assert found == {("le", "law-enforcement agencies"), ("le", "law enforcement-agency"), ("fr", "face-recognition")}
    assert terms(nlp("No hyphen at all in law enforcement agency.")) == []


def test_lemma_words_are_read_as_lemmas() -> None:
    """A pack may write any form of a word under LEMMA: "data" is lemmatised "datum",
    so written as is it could never match; the matcher joins each word's lemma."""
    matcher = AnchoredMatcher(get_nlp().vocab)
    matcher.add("records", [[{"LEMMA": {"IN": ["data", "findings"]}}, {"LOWER": "to"}, {"LOWER": "police"}]])
    doc = get_nlp()("Provider may provide Customer Data to police forces.")
    assert [(k, doc[s:e].text) for k, s, e in matcher(doc)] == [("records", "Data to police")]
    assert with_lemma_forms([{"LEMMA": "data"}]) == [{"LEMMA": {"IN": ["data", "datum"]}}]
    assert with_lemma_forms([{"LEMMA": "use"}]) == [{"LEMMA": "use"}]


def test_a_terms_participle_keeps_its_form() -> None:
    """Terms match by lemma ("prohibited uses" for "prohibited use"), but a participle
    used as an adjective is not its verb: "restrict use of the Service during
    maintenance" is no restricted use, "permit users to" no permitted users."""
    from clause_lint.analysis import CompiledPack
    from clause_lint.rules.model import Pack

    pack = Pack(name="t", version="1", title="t", description="", references=[], applicability={}, rules=[],
                concepts={"violation": {"terms": ["restricted use", "permitted users", "use restrictions"]}})
    compiled = CompiledPack(pack)
    nlp = get_nlp()

    def found(text: str) -> list[str]:
        return [m.text for m in compiled.matches(nlp(text))]

    assert found("A restricted use, two restricted uses and the permitted user.") == ["restricted use", "restricted uses", "permitted user"]
    assert found("Provider may restrict use of the Service and permit users to log in.") == []
    assert found("It restricted use of the Service.") == ["restricted use"]  # the form as written
    assert found("The use restriction applies.") == ["use restriction"]  # no participle: by lemma
