"""Token-pattern matching that only runs a pattern where it can match.

spaCy's ``Matcher`` walks every token of what it is given and evaluates the
set-valued predicates (``{"LEMMA": {"IN": …}}``) of all its patterns there, so its
cost grows with patterns × tokens, even where no pattern can match. A pack has
hundreds of patterns and a contract thousands of sentences, and most sentences
can match only a few of them.

:class:`AnchoredMatcher` keeps one small spaCy ``Matcher`` per pattern and, for
each, an *anchor*: the words one of its required
tokens must be (chosen to be the rarest such token: "surveillance" rather than
"the"). Matchers run sentence by sentence, and only in sentences that contain an
anchor of their pattern. Matches never
cross a sentence boundary, which is also what clause matching wants. Patterns
with no anchorable token run on every sentence.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from .nlp import columns, sentence_bounds

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


def requirements(pattern: list[dict[str, Any]]) -> list[tuple[str, frozenset[str]]]:
    """Every ``(attr, words)`` a match of ``pattern`` must contain (one per required token)."""
    out = []
    for spec in pattern:
        if _optional(spec):
            continue
        words = _words(spec)
        if words is not None:
            out.append(words)
    return out


def _fixed(pattern: list[dict[str, Any]]) -> Optional[list[tuple[bool, frozenset[str]]]]:
    """For a pattern of plain word tests only (no operators, no other attributes),
    the sequence of ``(is_lemma, words)``; such patterns are matched without spaCy."""
    out = []
    for spec in pattern:
        if "OP" in spec or len(spec) != 1:
            return None
        words = _words(spec)
        if words is None:
            return None
        out.append((words[0] == "LEMMA", words[1]))
    return out or None


def max_length(pattern: list[dict[str, Any]]) -> Optional[int]:
    """The most tokens a match of ``pattern`` can span, or None when unbounded."""
    total = 0
    for spec in pattern:
        op = spec.get("OP")
        if op in (None, "!", "?"):
            total += 1
        elif op in ("*", "+"):
            return None
        elif isinstance(op, str) and op.startswith("{") and op.endswith("}"):
            parts = op[1:-1].split(",")
            high = parts[-1].strip()
            if not high:
                return None
            total += int(high)
        else:
            return None
    return total


class AnchoredMatcher:
    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        self._matchers: list[Optional[Matcher]] = []
        self._patterns: list[list[dict[str, Any]]] = []
        self._keys: list[str] = []
        self._always: set[int] = set()
        # anchor word hash -> matcher indexes, for the LOWER and LEMMA attributes
        self._by_lower: dict[int, set[int]] = {}
        self._by_lemma: dict[int, set[int]] = {}
        # per matcher: the other required tokens, as (is_lemma, word hashes)
        self._checks: list[list[tuple[bool, frozenset[int]]]] = []
        # per matcher: a fixed word sequence matched directly, or None
        self._fixed: list[Optional[list[tuple[bool, frozenset[int]]]]] = []
        # per matcher: its anchor as (is_lemma, word hashes), and the longest match
        self._anchors: list[Optional[tuple[bool, frozenset[int]]]] = []
        self._max_len: list[Optional[int]] = []

    def add(self, key: str, patterns: Iterable[list[dict[str, Any]]]) -> None:
        """Add ``patterns`` under ``key``, one small spaCy matcher per pattern.

        (Measured: one matcher per key runs 1.5-2x slower, because each call then
        evaluates every pattern's predicates on every token of the sentence.)"""
        strings = self.vocab.strings
        for pattern in patterns:
            idx = len(self._matchers)
            # The spaCy matcher is built on first use (:meth:`_matcher`): adding a
            # pattern compiles its regular expressions, and most patterns of a pack
            # never meet a sentence holding their words in a short document.
            self._matchers.append(None)
            self._patterns.append(pattern)
            self._keys.append(key)
            found = anchor(pattern)
            self._checks.append(
                [(attr == "LEMMA", frozenset(strings.add(w) for w in words))
                 for attr, words in requirements(pattern) if (attr, words) != found]
            )
            fixed = _fixed(pattern)
            self._fixed.append(
                None if fixed is None else [(is_lemma, frozenset(strings.add(w) for w in words)) for is_lemma, words in fixed]
            )
            self._max_len.append(max_length(pattern))
            self._anchors.append(
                None if found is None else (found[0] == "LEMMA", frozenset(strings.add(w) for w in found[1]))
            )
            if found is None:
                self._always.add(idx)
                continue
            attr, words = found
            index = self._by_lemma if attr == "LEMMA" else self._by_lower
            for w in words:
                index.setdefault(strings.add(w), set()).add(idx)

    def _matcher(self, idx: int) -> Matcher:
        """The spaCy matcher of pattern ``idx``, built the first time it is needed."""
        matcher = self._matchers[idx]
        if matcher is None:
            matcher = self._matchers[idx] = Matcher(self.vocab)
            matcher.add(self._keys[idx], [self._patterns[idx]])
        return matcher

    def _windows(self, idx: int, low_col: list[int], lem_col: list[int], sent_start: int, sent_end: int) -> list[tuple[int, int]]:
        """Token ranges of the sentence that can hold a match of pattern ``idx``.

        A match contains its anchor and spans at most ``max_len`` tokens, so it lies
        within ``max_len - 1`` tokens either side of an anchor occurrence; long
        sentences are only searched there. Unanchored or unbounded patterns search
        the whole sentence.
        """
        anchor_words = self._anchors[idx]
        reach = self._max_len[idx]
        if anchor_words is None or reach is None or reach * 2 >= sent_end - sent_start:
            return [(sent_start, sent_end)]
        is_lemma, words = anchor_words
        col = lem_col if is_lemma else low_col
        out: list[tuple[int, int]] = []
        for i in range(sent_start, sent_end):
            if col[i] in words:
                lo, hi = max(sent_start, i - reach + 1), min(sent_end, i + reach)
                if out and lo <= out[-1][1]:
                    out[-1] = (out[-1][0], hi)
                else:
                    out.append((lo, hi))
        return out

    def __len__(self) -> int:
        return len(self._matchers)

    def __call__(self, doc: Doc) -> list[tuple[str, int, int]]:
        """``(key, start, end)`` for every match, sorted by position."""
        if not self._matchers or len(doc) == 0:
            return []
        # One pass over the doc's attribute columns instead of Python Token objects.
        low_col, lem_col = columns(doc)
        by_lower, by_lemma, always = self._by_lower, self._by_lemma, self._always
        out: set[tuple[str, int, int]] = set()
        checks = self._checks
        for sent_start, sent_end in sentence_bounds(doc):
            lowers = set(low_col[sent_start:sent_end])
            lemmas = set(lem_col[sent_start:sent_end])
            todo: set[int] = set(always)
            for h in lowers:
                hit = by_lower.get(h)
                if hit:
                    todo |= hit
            for h in lemmas:
                hit = by_lemma.get(h)
                if hit:
                    todo |= hit
            if not todo:
                continue
            for idx in todo:
                # Every other required word must be in the sentence too.
                if any((lemmas if is_lemma else lowers).isdisjoint(words) for is_lemma, words in checks[idx]):
                    continue
                key = self._keys[idx]
                fixed = self._fixed[idx]
                if fixed is not None:
                    n = len(fixed)
                    first_lemma, first_words = fixed[0]
                    first_col = lem_col if first_lemma else low_col
                    rest = [(j, lem_col if is_lemma else low_col, words) for j, (is_lemma, words) in enumerate(fixed[1:], 1)]
                    for i in range(sent_start, sent_end - n + 1):
                        if first_col[i] in first_words and all(col[i + j] in words for j, col, words in rest):
                            out.add((key, i, i + n))
                    continue
                for lo, hi in self._windows(idx, low_col, lem_col, sent_start, sent_end):
                    for _, start, end in self._matcher(idx)(doc[lo:hi]):
                        out.add((key, start + lo, end + lo))
        return sorted(out, key=lambda m: (m[1], m[2], m[0]))
