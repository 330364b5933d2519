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

import spacy
from spacy.language import Language
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


@Language.component("clause_lint_lemmas")
def _lemmatize(doc: Doc) -> Doc:
    table = _lemma_table()
    for token in doc:
        lemma = table.get(token.lower)
        token.lemma_ = lemma if lemma is not None else token.lower_
    return doc


@Language.component("clause_lint_sentences")
def _sentences(doc: Doc) -> Doc:
    """Sentence starts after ``.``/``!``/``?`` when the next token can start one."""
    for i, token in enumerate(doc):
        if i == 0:
            token.is_sent_start = True
            continue
        prev = doc[i - 1]
        if prev.text in _SENT_END or (prev.text.endswith(".") and len(prev.text) > 1 and prev.text[-2] == ")"):
            # "…weapons. (b) use …" and "…weapons. Customer …" start sentences;
            # "…Section 4. of …" rarely happens and lower-case continues.
            token.is_sent_start = bool(token.text[:1].isupper() or token.text[:1] in "(\"'" or token.like_num)
        else:
            token.is_sent_start = False
    return doc


@lru_cache(maxsize=1)
def _lemma_table() -> dict[int, str]:
    """spacy-lookups-data's English lemma table, keyed by the hash of the lower form.

    A plain dict keyed by ``Token.lower`` (already a hash) makes lemmatising one
    dict access per token.
    """
    from spacy.lookups import load_lookups

    table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
    return dict(table.items())


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """Return the process-wide pipeline (built on first use)."""
    nlp = spacy.blank("en")
    for abbr in ABBREVIATIONS:
        if " " in abbr:
            continue
        nlp.tokenizer.add_special_case(abbr, [{ORTH: abbr}])
    nlp.tokenizer.token_match = CLAUSE_NUMBER.match
    nlp.add_pipe("clause_lint_lemmas")
    nlp.add_pipe("clause_lint_sentences")
    return nlp


def make_doc(text: str) -> Doc:
    return get_nlp()(text)
