"""Accuracy of a pack on the labelled development corpus, split into folds.

    python benchmarks/bench_accuracy.py [--corpus ../shared/corpus] [--pack NAME]
                                        [--disagreements] [--held-out-details]

Every labelled document of the corpus (``docs/`` and ``bin/``) is put in one of
``FOLDS`` folds by a hash of its file stem, so the split is fixed, needs no list to
keep up to date and takes new documents as they come. Fold ``HELD_OUT`` is the fold
nobody tunes on: its figures are printed as totals only, and its disagreements are
never listed unless ``--held-out-details`` is given (for a closing measurement, not
while tuning). The script prints, for the tuning folds, the held-out fold and all of
it: balanced accuracy, false assurance, false alarm and recall by status, per rule
for the tuning folds, and the gap between tuned and held-out balanced accuracy —
the figure that says whether a change generalised or memorised.

Documents are checked with ``--assume-applicable``, as the labels are made.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import time
from typing import Optional

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from clause_lint.evaluate import Scores, find_labels, format_scores, load_labels  # noqa: E402
from clause_lint.evaluate import Pair  # noqa: E402
from clause_lint.results import STATUSES  # noqa: E402
from clause_lint.runner import make_linter, run  # noqa: E402
from clause_lint.settings import Settings  # noqa: E402

FOLDS = 5
HELD_OUT = 0


def fold_of(path: str) -> int:
    """The fold of a labelled document: a hash of its stem, stable across machines."""
    stem = os.path.basename(path).split(".", 1)[0]
    return int(hashlib.sha1(stem.encode("utf-8")).hexdigest(), 16) % FOLDS


def labelled_documents(corpus: str) -> list[tuple[str, str]]:
    """(document path, labels path) for every labelled document under ``corpus``."""
    out = []
    for sub in ("docs", "bin"):
        folder = os.path.join(corpus, sub)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if name.endswith(".json"):
                continue
            path = os.path.join(folder, name)
            labels = find_labels(folder, path)
            if labels is not None:
                out.append((path, labels))
    return out


def _words(text: str) -> list[str]:
    return [w for w in "".join(c.lower() if c.isalnum() else " " for c in text).split() if len(w) >= 3]


def quote_agrees(quote: str, cited: str) -> bool:
    """Whether a quote holds the cited clause: most of the cited clause's words (at
    least 60 %, over its first 40 words) appear in the quote."""
    want = _words(cited)[:40]
    if not want:
        return False
    have = set(_words(quote))
    return sum(w in have for w in want) >= 0.6 * len(want)


_CITED = re.compile(r"'([^']{2,}?)' \(")


def quote_holds_words(quote: str, reason: str) -> Optional[bool]:
    """Whether a quote holds at least one of the phrases its reason cites ("'weapon
    system' (weapons …)"); None when the reason cites none."""
    words = _CITED.findall(reason)
    if not words:
        return None
    norm = lambda t: " ".join(t.lower().replace("\u2019", "'").split())  # noqa: E731
    have = norm(quote)
    return any(norm(w) in have for w in words)


def summary(scores: Scores) -> str:
    f = scores.figures()
    recall = ", ".join(f"{s} {f['recall_by_status'][s]:.2f}" for s in STATUSES if s in f["recall_by_status"])
    not_present = sum(1 for p in scores.pairs if p.truth != "present" and "present" not in p.also)
    present = sum(1 for p in scores.pairs if p.truth == "present")
    return (
        f"balanced {f['balanced_accuracy'] or 0:.3f}; false assurance {f['false_assurance'] * 100:.1f}% "
        f"({f['false_assurance_count']} of {not_present}); false alarm {f['false_alarm'] * 100:.1f}% "
        f"({f['false_alarm_count']} of {present}); recall {recall}; "
        f"{len({p.document for p in scores.pairs})} documents"
    )


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=os.path.normpath(os.path.join(here, "..", "..", "shared", "corpus")))
    ap.add_argument("--pack", action="append", default=None)
    ap.add_argument("--disagreements", action="store_true", help="list the tuning folds' disagreements")
    ap.add_argument("--held-out-details", action="store_true", help="also list the held-out fold's (closing measurement only)")
    args = ap.parse_args()

    docs = labelled_documents(args.corpus)
    if not docs:
        print(f"no labelled documents under {args.corpus}", file=sys.stderr)
        return 2
    settings = Settings(assume_applicable=True)
    if args.pack:
        settings.packs = list(args.pack)
    settings.jobs = 1
    started = time.perf_counter()
    report = run([d for d, _ in docs], settings, make_linter(settings))
    elapsed = time.perf_counter() - started
    labels_of = dict(docs)

    folds: dict[str, Scores] = {"tuned": Scores(), "held-out": Scores(), "all": Scores()}
    # Evidence agreement: on right verdicts other than missing, does the first quote
    # hold the clause the labeller cited?
    agree: dict[str, list[int]] = {"tuned": [0, 0], "held-out": [0, 0], "all": [0, 0]}
    # ... and among the first three quotes, which a reader of the report sees together
    shown: dict[str, int] = {"tuned": 0, "held-out": 0, "all": 0}
    held_words = [0, 0]  # quotes (every evidence) holding the words their reason cites
    for result in report.documents:
        labels = load_labels(labels_of[result.path])
        if result.error is not None:
            for s in folds.values():
                s.errors.append(f"{result.path}: {result.error.message}")
            continue
        verdicts = {r.rule: r.status for r in result.results}
        part = "held-out" if fold_of(result.path) == HELD_OUT else "tuned"
        by_rule = {r.rule: r for r in result.results}
        for r in result.results:
            for e in r.evidence:
                held = quote_holds_words(e.text, e.reason)
                if held is not None:
                    held_words[0] += held
                    held_words[1] += 1
                    if args.disagreements and not held and part == "tuned":
                        print(f"quote: {os.path.basename(result.path)} {r.rule}: {e.text[:90]!r} lacks the words of {e.reason[:90]!r}")
        for rule, label in sorted(labels.items()):
            if rule in verdicts:
                pair = Pair(result.path, rule, label["status"], tuple(label.get("also") or ()), verdicts[rule])
                folds[part].pairs.append(pair)
                folds["all"].pairs.append(pair)
                cited = label.get("evidence") or ""
                if pair.correct and pair.verdict != "missing" and cited.strip():
                    first = by_rule[rule].evidence[0].text if by_rule[rule].evidence else ""
                    hit = quote_agrees(first, cited)
                    among = any(quote_agrees(e.text, cited) for e in by_rule[rule].evidence[:3])
                    for key in (part, "all"):
                        agree[key][0] += hit
                        agree[key][1] += 1
                        shown[key] += among
                    if args.disagreements and part == "tuned" and not hit:
                        print(f"evidence: {os.path.basename(result.path)} {rule}: quoted {first[:90]!r}; labelled {cited[:90]!r}")

    print(f"corpus {args.corpus}: {len(docs)} labelled documents, fold {HELD_OUT} of {FOLDS} held out "
          f"({len({p.document for p in folds['held-out'].pairs})} documents); {elapsed:.1f} s")
    print()
    print("tuning folds, per rule:")
    print(format_scores(folds["tuned"], verbose=args.disagreements), end="")
    if args.held_out_details:
        print()
        print("held-out fold, per rule (closing measurement):")
        print(format_scores(folds["held-out"], verbose=True), end="")
    print()
    for name in ("tuned", "held-out", "all"):
        print(f"{name:>9}: {summary(folds[name])}")
    for name in ("tuned", "held-out", "all"):
        got, total = agree[name]
        print(f"{name:>9}: evidence agreement {got} of {total} right non-missing verdicts"
              + (f" ({got / total * 100:.0f}%)" if total else "")
              + (f"; the labelled clause among the first three quotes: {shown[name]} ({shown[name] / total * 100:.0f}%)" if total else ""))
    print(f"   quotes: {held_words[0]} of {held_words[1]} hold the words their reason cites")
    tuned = folds["tuned"].figures()["balanced_accuracy"] or 0
    held = folds["held-out"].figures()["balanced_accuracy"] or 0
    print(f"      gap: tuned − held-out balanced accuracy = {tuned - held:+.3f}")
    for err in folds["all"].errors:
        print(f"error: {err}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
