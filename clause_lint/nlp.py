"""The one spaCy pipeline clause-lint uses: blank English, rule-based, offline.

- Tokenizer special cases keep legal abbreviations (``Sec.``, ``No.``, ``U.S.``,
  ``Inc.``) and clause numbers (``4.2(b)(iii)``) in one token, so neither breaks a
  sentence.
- A lookup lemmatizer backed by ``spacy-lookups-data`` lemmatises the *lower-case*
  form, so ``Weapons`` and ``weapons`` both give ``weapon`` (spaCy's stock lookup
  mode is case-sensitive and leaves capitalised words alone).
- A sentencizer that splits on ``.``/``!``/``?`` only before a token that can
  start a sentence, never inside numbering.

The pipeline is built once per process (:func:`get_nlp`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from spacy.language import Language
import numpy
from spacy.attrs import IS_ALPHA, IS_PUNCT, LEMMA, LOWER, SENT_START
from spacy.attrs import ORTH as ORTH_ATTR
from spacy.strings import StringStore
from spacy.symbols import ORTH
from spacy.tokens import Doc

ABBREVIATIONS = (
    "Sec.", "Secs.", "sec.", "No.", "Nos.", "no.", "Art.", "Arts.", "art.", "cl.", "Cl.", "cls.",
    "para.", "Para.", "paras.", "subs.", "s.", "ss.", "Sch.", "sch.", "App.", "Ex.", "Exh.", "p.", "pp.",
    "et seq.", "e.g.", "i.e.", "etc.", "viz.", "cf.", "vs.", "v.", "Inc.", "Corp.", "Co.", "Ltd.",
    "L.L.C.", "LLC.", "Pty.", "Pvt.", "N.V.", "B.V.", "S.A.", "A.G.", "GmbH.", "Mr.", "Ms.", "Mrs.",
    "Dr.", "St.", "U.S.", "U.S.A.", "U.K.", "E.U.", "U.N.", "Jan.", "Feb.", "Mar.", "Apr.", "Jun.",
    "Jul.", "Aug.", "Sep.", "Sept.", "Oct.", "Nov.", "Dec.", "approx.", "min.", "max.", "incl.",
    "Id.", "id.", "Cal.", "Civ.", "Code.", "Stat.", "Reg.", "C.F.R.", "U.S.C.",
)

# Clause numbers such as 4.2, 4.2(b), 4.2(b)(iii), (iv) stay single tokens.
CLAUSE_NUMBER = re.compile(r"^(?:\d+(?:\.\d+)*\.?(?:\([a-zA-Z0-9]{1,5}\))+|\([a-zA-Z0-9]{1,5}\)(?:\([a-zA-Z0-9]{1,5}\))*)$")

_SENT_END = {".", "!", "?"}
# Per token form (by hash, stable for the process's one StringStore): whether it ends
# a sentence, whether one can start with it. Reading strings token by token was most
# of the sentence component's time.
_ENDS_SENTENCE: dict[int, bool] = {}
_OPENS_SENTENCE: dict[int, bool] = {}


@Language.component("clause_lint_lemmas")
def _lemmatize(doc: Doc) -> Doc:
    """Set every token's lemma from the lookup table, keyed by its lower-case form.

    Done on arrays of string hashes (``Doc.to_array``/``from_array``), which is
    several times faster than assigning ``Token.lemma_`` token by token.
    """
    if len(doc) == 0:
        return doc
    lowers = doc.to_array(LOWER).tolist()
    table = _lemma_hashes(doc.vocab.strings, lowers)
    lemmas = numpy.fromiter(map(table.__getitem__, lowers), dtype="uint64", count=len(lowers))
    doc.from_array([LEMMA], lemmas.reshape(-1, 1))
    return doc


@Language.component("clause_lint_sentences")
def _sentences(doc: Doc) -> Doc:
    """Sentence starts after ``.``/``!``/``?`` when the next token can start one.

    Written as one array (``Doc.from_array``): setting ``Token.is_sent_start`` one
    token at a time rescans the doc on every assignment.
    """
    n = len(doc)
    if n == 0:
        return doc
    starts = numpy.full((n, 1), -1, dtype="int64")  # -1: not a sentence start
    starts[0, 0] = 1
    strings = doc.vocab.strings
    orths = doc.to_array(ORTH_ATTR).tolist()
    ends, opens = _ENDS_SENTENCE, _OPENS_SENTENCE
    found = [0]
    for i in range(1, n):
        prev = orths[i - 1]
        ended = ends.get(prev)
        if ended is None:
            text = strings[prev]
            ended = ends[prev] = text in _SENT_END or (len(text) > 1 and text[-1] == "." and text[-2] == ")")
        if ended:
            # "…weapons. (b) use …" and "…weapons. Customer …" start sentences;
            # a lower-case word after a full stop continues the sentence.
            h = orths[i]
            opening = opens.get(h)
            if opening is None:
                first = strings[h][:1]
                opening = opens[h] = first.isupper() or first in "(\"'" or first.isdigit()
            if opening:
                starts[i, 0] = 1
                found.append(i)
    # spaCy wants uint64; -1 wraps and is read back as -1 ("not a start").
    doc.from_array([SENT_START], starts.astype("uint64"))
    doc.user_data[_BOUNDS_KEY] = list(zip(found, found[1:] + [n]))
    return doc


_BOUNDS_KEY = "clause_lint_sents"
_COLUMNS_KEY = "clause_lint_columns"
_MORE_COLUMNS_KEY = "clause_lint_columns_2"


def columns(doc: Doc) -> tuple[list[int], list[int]]:
    """The doc's LOWER and LEMMA hashes as two flat lists, read once per doc and
    shared by every matcher (cues, concepts, carve-outs)."""
    cols = doc.user_data.get(_COLUMNS_KEY)
    if cols is None:
        arr = doc.to_array([LOWER, LEMMA])
        cols = doc.user_data[_COLUMNS_KEY] = (arr[:, 0].tolist(), arr[:, 1].tolist())
    return cols


def more_columns(doc: Doc) -> tuple[list[int], list[int], list[int], list[int]]:
    """The doc's ORTH hashes and its IS_ALPHA, IS_PUNCT and sentence-start flags
    (0/1), for token patterns that test them; read once per doc when first needed."""
    cols = doc.user_data.get(_MORE_COLUMNS_KEY)
    if cols is None:
        arr = doc.to_array([ORTH_ATTR, IS_ALPHA, IS_PUNCT])
        starts = [0] * len(doc)
        for start, _end in sentence_bounds(doc):
            starts[start] = 1
        cols = doc.user_data[_MORE_COLUMNS_KEY] = (arr[:, 0].tolist(), arr[:, 1].tolist(), arr[:, 2].tolist(), starts)
    return cols


def sentence_words(doc: Doc) -> list[tuple[int, int, set[int], set[int]]]:
    """Per sentence: ``(start, end, lower-case hashes, lemma hashes)``, built once per doc
    and shared by every matcher that picks its patterns by the words a sentence holds."""
    got = doc.user_data.get(_WORDS_KEY)
    if got is None:
        low_col, lem_col = columns(doc)
        got = doc.user_data[_WORDS_KEY] = [(a, b, set(low_col[a:b]), set(lem_col[a:b])) for a, b in sentence_bounds(doc)]
    return got


_WORDS_KEY = "clause_lint_sentence_words"


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """``(start, end)`` token offsets of the doc's sentences. Kept by the sentence
    component: ``doc.sents`` makes Span objects anew on every walk."""
    bounds = doc.user_data.get(_BOUNDS_KEY)
    if bounds is None:
        bounds = doc.user_data[_BOUNDS_KEY] = [(s.start, s.end) for s in doc.sents] if len(doc) else []
    return bounds


# hash(lower form) -> hash(lemma), for every lower form met so far in this process.
_LEMMA_HASHES: dict[int, int] = {}


@lru_cache(maxsize=1)
def _lemma_table() -> dict[str, str]:
    """spacy-lookups-data's English lemma table, lower form -> lemma, read as plain
    JSON: spaCy's ``load_lookups`` builds a hashed ``Table`` of all 41,000 entries
    (a third of a second of start-up) where a short document needs a few hundred."""
    from spacy.util import load_language_data, registry

    return load_language_data(registry.lookups.get("en")["lemma_lookup"])


def lemma_of(word: str) -> str:
    """The lemma clause-lint gives ``word`` (its lower-case form when the table has none)."""
    low = word.lower()
    return _lemma_table().get(low, low)


def _lemma_hashes(strings: "StringStore", lowers: list[int]) -> dict[int, int]:
    """The lemma hash of each lower-form hash in ``lowers`` (itself when the table has
    none); lemma strings are added to the string store as they are first met, so a
    lemma set by hash can be read back as text."""
    new = set(lowers).difference(_LEMMA_HASHES)
    if new:
        table = _lemma_table()
        for h in new:
            lemma = table.get(strings[h])
            _LEMMA_HASHES[h] = h if lemma is None else strings.add(lemma)
    return _LEMMA_HASHES


def _language_class() -> type[Language]:
    """English with clause-lint's tokenizer settings as its defaults, so the tokenizer
    is built once with them: setting ``token_match`` or ``infix_finditer`` on a built
    tokenizer reloads all of its ~4,000 special cases each time (0.15 s of start-up)."""
    from spacy.lang.en import English

    base = English.Defaults
    exceptions = dict(base.tokenizer_exceptions)
    for abbr in ABBREVIATIONS:
        if " " not in abbr:
            exceptions[abbr] = [{ORTH: abbr}]

    class Defaults(base):  # type: ignore[valid-type,misc]
        tokenizer_exceptions = exceptions
        token_match = CLAUSE_NUMBER.match
        # ";" always separates ("this Section;(x) reverse engineer" is two list items).
        infixes = list(base.infixes) + [r";"]

    class LegalEnglish(English):
        lang = "en"

    LegalEnglish.Defaults = Defaults  # type: ignore[assignment]
    return LegalEnglish


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """Return the process-wide pipeline (built on first use): blank English with the
    special cases, clause numbers and infixes above, the lemma and sentence components."""
    nlp = _language_class()()
    nlp.add_pipe("clause_lint_lemmas")
    nlp.add_pipe("clause_lint_sentences")
    return nlp


#: ``Doc.user_data`` key of the text a doc was made from: ``Doc.text`` joins every
#: token's text anew on each access (a tenth of a check's time went there).
TEXT_KEY = "clause_lint_text"


def make_doc(text: str) -> Doc:
    doc = get_nlp()(text)
    doc.user_data[TEXT_KEY] = text
    return doc


def make_docs(texts: list[str]) -> Iterator[Doc]:
    """Docs of ``texts`` through the pipeline in batches, each keeping its text."""
    for text, doc in zip(texts, get_nlp().pipe(texts, batch_size=256)):
        doc.user_data[TEXT_KEY] = text
        yield doc


def doc_text(doc: Doc) -> str:
    """The doc's text, joined once if the doc was not made by :func:`make_doc`."""
    text = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.user_data[TEXT_KEY] = doc.text
    return text


def phrase_doc(text: str) -> Doc:
    """A pattern phrase tokenized and lemmatised as documents are, without the
    sentence component or the pipeline's per-call bookkeeping: a pack's ~900 terms
    are built at every start-up (0.07 s through ``nlp.pipe``, 0.015 s this way)."""
    return _lemmatize(get_nlp().make_doc(text))

