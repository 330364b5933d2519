"""Score a pack against labelled documents (``clause-lint eval``).

Labels live beside or apart from the documents as ``<stem>.labels.json``::

    {"SFP101": {"status": "present", "also": ["weak"]}, ...}

``also`` lists other statuses the labeller accepts. A verdict is correct when it
is the status or one of ``also``. Figures per rule and overall:

- accuracy: share of (document, rule) pairs judged correctly;
- balanced accuracy: mean over the four statuses of the share of pairs with that
  true status judged correctly (statuses absent from the labels are left out);
- false assurance: truth is not ``present`` (and ``present`` is not acceptable),
  verdict says ``present`` — the costliest error;
- false alarm: truth is ``present``, verdict says otherwise and that is not acceptable.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Optional

from .results import PRESENT, STATUSES, DocumentResult


@dataclass
class Pair:
    document: str
    rule: str
    truth: str
    also: tuple[str, ...]
    verdict: str

    @property
    def correct(self) -> bool:
        return self.verdict == self.truth or self.verdict in self.also

    @property
    def false_assurance(self) -> bool:
        return self.verdict == PRESENT and self.truth != PRESENT and PRESENT not in self.also

    @property
    def false_alarm(self) -> bool:
        return self.truth == PRESENT and not self.correct


@dataclass
class Scores:
    pairs: list[Pair] = field(default_factory=list)
    unlabelled: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def subset(self, rule: Optional[str]) -> list[Pair]:
        return [p for p in self.pairs if rule is None or p.rule == rule]

    def figures(self, rule: Optional[str] = None) -> dict[str, Any]:
        pairs = self.subset(rule)
        n = len(pairs)
        per_status = {}
        for status in STATUSES:
            with_truth = [p for p in pairs if p.truth == status]
            if with_truth:
                per_status[status] = sum(p.correct for p in with_truth) / len(with_truth)
        not_present = [p for p in pairs if p.truth != PRESENT and PRESENT not in p.also]
        present = [p for p in pairs if p.truth == PRESENT]
        return {
            "pairs": n,
            "accuracy": (sum(p.correct for p in pairs) / n) if n else None,
            "balanced_accuracy": (sum(per_status.values()) / len(per_status)) if per_status else None,
            "recall_by_status": per_status,
            "false_assurance": (sum(p.false_assurance for p in not_present) / len(not_present)) if not_present else 0.0,
            "false_assurance_count": sum(p.false_assurance for p in not_present),
            "false_alarm": (sum(p.false_alarm for p in present) / len(present)) if present else 0.0,
            "false_alarm_count": sum(p.false_alarm for p in present),
        }

    def confusion(self, rule: Optional[str] = None) -> dict[str, dict[str, int]]:
        table = {t: {v: 0 for v in STATUSES + ("not_applicable",)} for t in STATUSES}
        for p in self.subset(rule):
            table.setdefault(p.truth, {}).setdefault(p.verdict, 0)
            table[p.truth][p.verdict] += 1
        return table


def find_labels(labels_dir: str, document_path: str) -> Optional[str]:
    """``<labels_dir>/<stem>.labels.json`` for ``document_path`` (the full file name
    without its last extension), if it exists."""
    base = os.path.basename(document_path)
    stem = base.rsplit(".", 1)[0]
    for candidate in (f"{stem}.labels.json", f"{base}.labels.json"):
        path = os.path.join(labels_dir, candidate)
        if os.path.isfile(path):
            return path
    return None


def load_labels(path: str) -> dict[str, dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: labels must be a JSON object of rule id -> label")
    out = {}
    for rule, label in data.items():
        if isinstance(label, str):
            label = {"status": label}
        if not isinstance(label, dict) or label.get("status") not in STATUSES:
            raise ValueError(f"{path}: {rule}: status must be one of {', '.join(STATUSES)}")
        out[rule] = label
    return out


def score(results: list[DocumentResult], labels_dir: str) -> Scores:
    scores = Scores()
    for doc in results:
        labels_path = find_labels(labels_dir, doc.path)
        if labels_path is None:
            scores.unlabelled.append(doc.path)
            continue
        if doc.error is not None:
            scores.errors.append(f"{doc.path}: {doc.error.message}")
            continue
        labels = load_labels(labels_path)
        verdicts = {r.rule: r.status for r in doc.results}
        for rule, label in sorted(labels.items()):
            if rule not in verdicts:
                continue
            scores.pairs.append(
                Pair(doc.path, rule, label["status"], tuple(label.get("also") or ()), verdicts[rule])
            )
    return scores


def format_scores(scores: Scores, verbose: bool = False) -> str:
    lines: list[str] = []
    rules = sorted({p.rule for p in scores.pairs})
    header = f"{'rule':<8} {'pairs':>5} {'acc':>6} {'bal':>6} {'FA':>6} {'FAlarm':>7}   confusion (truth → verdict P/W/M/C)"
    lines.append(header)
    lines.append("-" * len(header))

    def pct(v: Optional[float]) -> str:
        return "   n/a" if v is None else f"{v * 100:5.1f}%"

    for rule in rules + [None]:
        f = scores.figures(rule)
        conf = scores.confusion(rule)
        cells = " ".join(
            f"{t[0].upper()}:" + "/".join(str(conf[t][v]) for v in STATUSES)
            for t in STATUSES
            if sum(conf[t].values())
        )
        name = rule or "ALL"
        if rule is None:
            lines.append("-" * len(header))
        lines.append(
            f"{name:<8} {f['pairs']:>5} {pct(f['accuracy'])} {pct(f['balanced_accuracy'])} {pct(f['false_assurance'])} {pct(f['false_alarm']):>7}   {cells}"
        )
    total = scores.figures()
    lines.append("")
    lines.append(
        f"balanced accuracy {total['balanced_accuracy'] or 0:.3f}; false assurance {total['false_assurance'] * 100:.1f}% "
        f"({total['false_assurance_count']}); false alarm {total['false_alarm'] * 100:.1f}% ({total['false_alarm_count']}); "
        f"{len({p.document for p in scores.pairs})} documents, {len(scores.pairs)} labelled verdicts"
    )
    if scores.unlabelled:
        lines.append(f"no labels for {len(scores.unlabelled)} document(s): " + ", ".join(sorted(scores.unlabelled)))
    for err in scores.errors:
        lines.append(f"error: {err}")
    if verbose:
        wrong = [p for p in scores.pairs if not p.correct]
        if wrong:
            lines.append("")
            lines.append("disagreements:")
            for p in wrong:
                flag = " FALSE ASSURANCE" if p.false_assurance else ""
                lines.append(f"  {p.document} {p.rule}: truth {p.truth}{'/' + '/'.join(p.also) if p.also else ''}, verdict {p.verdict}{flag}")
    return "\n".join(lines) + "\n"


def to_json(scores: Scores) -> dict[str, Any]:
    rules = sorted({p.rule for p in scores.pairs})
    return {
        "overall": scores.figures(),
        "rules": {r: {**scores.figures(r), "confusion": scores.confusion(r)} for r in rules},
        "disagreements": [
            {"document": p.document, "rule": p.rule, "truth": p.truth, "also": list(p.also), "verdict": p.verdict}
            for p in scores.pairs
            if not p.correct
        ],
        "unlabelled": sorted(scores.unlabelled),
        "errors": scores.errors,
    }
