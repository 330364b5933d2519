"""Token-pattern matching that only runs a pattern where it can match.

spaCy's ``Matcher`` walks every token of what it is given and evaluates the
set-valued predicates (``{"LEMMA": {"IN": …}}``) of all its patterns there, so its
cost grows with patterns × tokens, even where no pattern can match. A pack has
hundreds of patterns and a contract thousands of sentences, and most sentences
can match only a few of them.

:class:`AnchoredMatcher` keeps one small spaCy ``Matcher`` per pattern and, for
each, an *anchor*: the words one of its required tokens must be (chosen to be
the rarest such token: "surveillance" rather than "the"). Patterns run sentence
by sentence, and only in sentences that contain their anchor. Matches never
cross a sentence boundary, which is also what clause matching wants. Patterns
with no anchorable token run on every sentence.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

# Words too common to make a useful anchor.
_COMMON = frozenset(
    "the a an to of in on at as by for with and or not no any all this that these those it its is are be "
    "shall may will must can would should if when where which who your our their such other "
    # frequent in any contract, so they select nothing either
    "use used using uses usage service services customer provider party parties agreement terms data "
    "information law laws applicable right rights license licence product products software you we".split()
)


def _optional(spec: dict[str, Any]) -> bool:
    op = spec.get("OP")
    if op is None or op in ("!", "+"):
        return op == "!"  # "!" negates: the token must *not* be the word
    if op in ("?", "*"):
        return True
    if isinstance(op, str) and op.startswith("{"):
        low = op[1:].split(",")[0].strip()
        return low in ("", "0")
    return True


def _words(spec: dict[str, Any]) -> Optional[tuple[str, frozenset[str]]]:
    for attr in ("LOWER", "LEMMA", "ORTH", "TEXT"):
        if attr not in spec:
            continue
        value = spec[attr]
        if isinstance(value, str):
            words = {value}
        elif isinstance(value, dict) and set(value) == {"IN"} and isinstance(value["IN"], list):
            words = {str(v) for v in value["IN"]}
        else:
            continue
        return ("LEMMA" if attr == "LEMMA" else "LOWER", frozenset(w.lower() for w in words))
    return None


def anchor(pattern: list[dict[str, Any]]) -> Optional[tuple[str, frozenset[str]]]:
    """The most selective ``(attr, words)`` a match of ``pattern`` must contain."""
    best: Optional[tuple[str, frozenset[str]]] = None
    best_score: tuple[int, int] = (1 << 30, 1 << 30)
    for spec in pattern:
        if _optional(spec):
            continue
        words = _words(spec)
        if words is None:
            continue
        score = (len(words[1] & _COMMON), len(words[1]))
        if score < best_score:
            best, best_score = words, score
    return best


class AnchoredMatcher:
    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        self._matchers: list[Matcher] = []
        self._keys: list[str] = []
        self._always: list[int] = []
        self._by_lower: dict[str, list[int]] = {}
        self._by_lemma: dict[str, list[int]] = {}

    def add(self, key: str, patterns: Iterable[list[dict[str, Any]]]) -> None:
        for pattern in patterns:
            idx = len(self._matchers)
            matcher = Matcher(self.vocab)
            matcher.add(key, [pattern])
            self._matchers.append(matcher)
            self._keys.append(key)
            found = anchor(pattern)
            if found is None:
                self._always.append(idx)
                continue
            attr, words = found
            index = self._by_lemma if attr == "LEMMA" else self._by_lower
            for w in words:
                index.setdefault(w, []).append(idx)

    def __len__(self) -> int:
        return len(self._matchers)

    def __call__(self, doc: Doc) -> list[tuple[str, int, int]]:
        """``(key, start, end)`` for every match, sorted by position."""
        if not self._matchers or len(doc) == 0:
            return []
        by_lower, by_lemma = self._by_lower, self._by_lemma
        out: set[tuple[str, int, int]] = set()
        for sent in doc.sents:
            todo: set[int] = set(self._always)
            for token in sent:
                hit = by_lower.get(token.lower_)
                if hit:
                    todo.update(hit)
                hit = by_lemma.get(token.lemma_)
                if hit:
                    todo.update(hit)
            if not todo:
                continue
            offset = sent.start
            for idx in todo:
                key = self._keys[idx]
                for _, start, end in self._matchers[idx](sent):
                    out.add((key, start + offset, end + offset))
        return sorted(out, key=lambda m: (m[1], m[2], m[0]))
