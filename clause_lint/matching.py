"""Token-pattern matching that only runs a pattern where it can match.

spaCy's ``Matcher`` walks every token of what it is given and evaluates the
set-valued predicates (``{"LEMMA": {"IN": …}}``) of all its patterns there, so its
cost grows with patterns × tokens, even where no pattern can match. A pack has
hundreds of patterns and a contract thousands of sentences, and most sentences
can match only a few of them.

:class:`AnchoredMatcher` keeps, for each pattern, an *anchor*: the words one of its
required tokens must be (chosen to be the rarest such token: "surveillance" rather
than "the"). Patterns run sentence by sentence, and only in sentences that contain
their anchor and every other word they require. Matches never cross a sentence
boundary, which is also what clause matching wants. Patterns with no anchorable
token run on every sentence.

A pattern written with what :func:`compile_steps` evaluates (word tests on LOWER,
LEMMA and TEXT, three flags, the usual operators: all the bundled pack and the
grammar write) is matched here, grown out from each occurrence of its anchor over
the doc's hash columns, without a spaCy call or a Span; any other pattern gets a
spaCy ``Matcher`` of its own, run in windows around its anchor. Both give every
``(start, end)`` spaCy's Matcher gives (tests compare them on real and generated
text).
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from .nlp import columns, lemma_of, more_columns, sentence_words

# Words too common to make a useful anchor.
_COMMON = frozenset(
    "the a an to of in on at as by for with and or not no any all this that these those it its is are be "
    "shall may will must can would should if when where which who your our their such other "
    # frequent in any contract, so they select nothing either
    "use used using uses usage service services customer provider party parties agreement terms data "
    "information law laws applicable right rights license licence product products software you we".split()
)


def with_lemma_forms(pattern: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``pattern`` with each LEMMA word joined by its lemma: tokens carry lemmas, so a
    pack that writes ``{LEMMA: {IN: [data, findings]}}`` means "datum" and "finding"
    too — written as is, those words could never match."""
    out = []
    for spec in pattern:
        value = spec.get("LEMMA")
        if isinstance(value, str) and lemma_of(value) != value.lower():
            spec = dict(spec, LEMMA={"IN": [value, lemma_of(value)]})
        elif isinstance(value, dict) and len(value) == 1 and set(value) <= {"IN", "NOT_IN"}:
            ((how, words),) = value.items()
            if isinstance(words, list) and all(isinstance(w, str) for w in words):
                extra = [lemma_of(w) for w in words if lemma_of(w) not in words and lemma_of(w) != w.lower()]
                if extra:
                    spec = dict(spec, LEMMA={how: words + list(dict.fromkeys(extra))})
        out.append(spec)
    return out


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


# Columns a compiled token test reads (see :func:`_token_columns`).
_ATTR_COLUMN = {"LOWER": 0, "LEMMA": 1, "ORTH": 2, "TEXT": 2, "IS_ALPHA": 3, "IS_PUNCT": 4, "IS_SENT_START": 5}
_EQ, _IN, _NOT_IN = 0, 1, 2


class _Step:
    """One token spec of a pattern, compiled: its tests on the token columns as
    ``(column, kind, value)`` and how many tokens it takes (``high`` None: no limit)."""

    __slots__ = ("tests", "low", "high")

    def __init__(self, tests: tuple[tuple[int, int, Any], ...], low: int, high: Optional[int]) -> None:
        self.tests, self.low, self.high = tests, low, high


def _op_range(op: Any) -> Optional[tuple[int, Optional[int]]]:
    if op is None:
        return 1, 1
    if op == "?":
        return 0, 1
    if op == "*":
        return 0, None
    if op == "+":
        return 1, None
    if isinstance(op, str) and op.startswith("{") and op.endswith("}"):
        parts = [p.strip() for p in op[1:-1].split(",")]
        try:
            if len(parts) == 1:
                return int(parts[0]), int(parts[0])
            if len(parts) == 2:
                low = int(parts[0]) if parts[0] else 0
                return low, (int(parts[1]) if parts[1] else None)
        except ValueError:
            return None
    return None  # "!" and anything else: left to spaCy


def compile_steps(pattern: list[dict[str, Any]], strings: Any) -> Optional[list[_Step]]:
    """The pattern as :class:`_Step` s when it uses only what they evaluate (LOWER,
    LEMMA, TEXT/ORTH as a word, ``IN`` or ``NOT_IN`` a list of words; the IS_ALPHA,
    IS_PUNCT and IS_SENT_START flags; the ``?``, ``*``, ``+`` and ``{m,n}``
    operators); None leaves it to spaCy."""
    steps = []
    for spec in pattern:
        span = _op_range(spec.get("OP"))
        if span is None:
            return None
        tests: list[tuple[int, int, Any]] = []
        for key, value in spec.items():
            if key == "OP":
                continue
            col = _ATTR_COLUMN.get(key)
            if col is None:
                return None
            if col >= 3:  # a flag
                if not isinstance(value, bool):
                    return None
                tests.append((col, _EQ, int(value)))
            elif isinstance(value, str):
                tests.append((col, _EQ, strings.add(value)))
            elif (isinstance(value, dict) and len(value) == 1 and set(value) <= {"IN", "NOT_IN"}
                  and isinstance(next(iter(value.values())), list)
                  and all(isinstance(w, str) for w in next(iter(value.values())))):
                ((how, words),) = value.items()
                tests.append((col, _IN if how == "IN" else _NOT_IN, frozenset(strings.add(w) for w in words)))
            else:
                return None
        steps.append(_Step(tuple(tests), *span))
    return steps or None


def _passes(tests: tuple[tuple[int, int, Any], ...], cols: tuple[list[int], ...], i: int) -> bool:
    for col, kind, value in tests:
        v = cols[col][i]
        if kind == _EQ:
            if v != value:
                return False
        elif kind == _IN:
            if v not in value:
                return False
        elif v in value:
            return False
    return True


def _reach(steps: list[_Step], at: int, limit: int, cols: tuple[list[int], ...], forward: bool) -> set[int]:
    """Where ``steps`` can end when they start at token ``at`` and run forwards (up to
    ``limit``), or where they can start when they end at ``at`` and are read
    backwards (down to ``limit``)."""
    places = {at}
    for step in steps if forward else reversed(steps):
        nxt: set[int] = set()
        for pos in places:
            n = 0
            if step.low == 0:
                nxt.add(pos)
            while (step.high is None or n < step.high) and (pos < limit if forward else pos > limit) \
                    and _passes(step.tests, cols, pos if forward else pos - 1):
                pos += 1 if forward else -1
                n += 1
                if n >= step.low:
                    nxt.add(pos)
        places = nxt
        if not places:
            break
    return places


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
        # per matcher: its compiled steps (None: spaCy's Matcher runs it), the step its
        # anchor word is (None: none takes exactly one token), and whether its tests
        # read the ORTH / IS_ALPHA columns
        self._steps: list[Optional[list[_Step]]] = []
        self._pivot: list[Optional[int]] = []
        self._more: list[bool] = []
        # per matcher: its anchor as (is_lemma, word hashes), and the longest match
        self._anchors: list[Optional[tuple[bool, frozenset[int]]]] = []
        self._max_len: list[Optional[int]] = []
        # the anchor indexes' keys as sets, for one C-level intersection per sentence
        self._lower_keys: frozenset[int] = frozenset()
        self._lemma_keys: frozenset[int] = frozenset()

    def add(self, key: str, patterns: Iterable[list[dict[str, Any]]]) -> None:
        """Add ``patterns`` under ``key``, one small spaCy matcher per pattern.

        (Measured: one matcher per key runs 1.5-2x slower, because each call then
        evaluates every pattern's predicates on every token of the sentence.)"""
        strings = self.vocab.strings
        for pattern in map(with_lemma_forms, patterns):
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
            steps = compile_steps(pattern, strings)
            self._steps.append(steps)
            self._pivot.append(next((k for k, (spec, step) in enumerate(zip(pattern, steps or ()))
                                     if (step.low, step.high) == (1, 1) and found is not None and _words(spec) == found),
                                    None))
            self._more.append(any(col >= 2 for step in steps or () for col, _k, _v in step.tests))
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
        self._lower_keys = frozenset(self._by_lower)
        self._lemma_keys = frozenset(self._by_lemma)

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
        lower_keys, lemma_keys = self._lower_keys, self._lemma_keys
        out: set[tuple[str, int, int]] = set()
        checks = self._checks
        cols: tuple[list[int], ...] = (low_col, lem_col)  # ORTH and IS_ALPHA added when a pattern reads them
        for sent_start, sent_end, lowers, lemmas in sentence_words(doc):
            todo: set[int] = set(always)
            # The intersections run in C over the smaller side; the loops only see hits.
            for h in lower_keys & lowers:
                todo |= by_lower[h]
            for h in lemma_keys & lemmas:
                todo |= by_lemma[h]
            if not todo:
                continue
            for idx in todo:
                # Every other required word must be in the sentence too (a loop, not any():
                # this runs for every candidate pattern of every sentence).
                missing = False
                for is_lemma, words in checks[idx]:
                    if (lemmas if is_lemma else lowers).isdisjoint(words):
                        missing = True
                        break
                if missing:
                    continue
                key = self._keys[idx]
                steps = self._steps[idx]
                if steps is not None:
                    if self._more[idx] and len(cols) == 2:
                        cols = (low_col, lem_col, *more_columns(doc))
                    pivot = self._pivot[idx]
                    if pivot is not None:
                        # Grow each match out from an occurrence of its anchor word.
                        is_lemma, words = self._anchors[idx]  # type: ignore[misc]
                        col = lem_col if is_lemma else low_col
                        tests = steps[pivot].tests
                        for i in range(sent_start, sent_end):
                            if col[i] in words and _passes(tests, cols, i):
                                ends = _reach(steps[pivot + 1:], i + 1, sent_end, cols, forward=True)
                                if ends:
                                    for start in _reach(steps[:pivot], i, sent_start, cols, forward=False):
                                        out.update((key, start, end) for end in ends)
                    else:
                        for lo, hi in self._windows(idx, low_col, lem_col, sent_start, sent_end):
                            for start in range(lo, hi):
                                out.update((key, start, end) for end in _reach(steps, start, hi, cols, forward=True)
                                           if end > start)
                    continue
                for lo, hi in self._windows(idx, low_col, lem_col, sent_start, sent_end):
                    for _, start, end in self._matcher(idx)(doc[lo:hi]):
                        out.add((key, start + lo, end + lo))
        return sorted(out, key=lambda m: (m[1], m[2], m[0]))
