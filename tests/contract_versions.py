"""Versions of one small facial-recognition contract, written as real .md, .docx and .pdf.

A version is a list of sections ``(heading, [clause, ...])``; clause numbers are never
typed in the spec: the .docx gets Word automatic numbering (so moving a clause
renumbers it as Word would), the .md and .pdf get the numbers printed as text. The
clauses are ones whose verdict the rule pack decides plainly, so that a change to them
flips a rule for a reason a reader can see.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Sequence, Union

from tests.docx_factory import DocxBuilder, Level, dele, heading_styles, ins, p, run
from tests.pdf_factory import text_pdf

Section = tuple[str, Sequence[str]]
Version = Sequence[Section]

TITLE = "Face Recognition Services Agreement"
INTRO = "The Service performs facial recognition on images supplied by Customer."

WEAPONS = "Customer shall not use the Service for any weapon system."
POLICE = "Customer shall not use the Service for law enforcement purposes unless authorised by a court order."
COVERT = "Customer shall not use the Service to conduct covert surveillance of individuals."
ENFORCE = "Provider may suspend or terminate the Service if Customer breaches any restriction in this Agreement."

BASE: Version = [
    ("Use Restrictions", [WEAPONS, POLICE, COVERT]),
    ("Enforcement", [ENFORCE]),
]
# The weapons ban deleted (1.2 and 1.3 become 1.1 and 1.2).
DELETED: Version = [
    ("Use Restrictions", [POLICE, COVERT]),
    ("Enforcement", [ENFORCE]),
]
# The weapons ban narrowed to what the provider does not consent to.
NARROWED: Version = [
    ("Use Restrictions", [WEAPONS.replace("system.", "system, except with our written consent."), POLICE, COVERT]),
    ("Enforcement", [ENFORCE]),
]
# The weapons ban made non-binding.
NON_BINDING: Version = [
    ("Use Restrictions", [WEAPONS.replace("shall not", "should not"), POLICE, COVERT]),
    ("Enforcement", [ENFORCE]),
]
# The weapons ban moved to a section of its own: every clause after it is renumbered.
MOVED: Version = [
    ("Use Restrictions", [POLICE, COVERT]),
    ("Prohibited Applications", [WEAPONS]),
    ("Enforcement", [ENFORCE]),
]


def numbered(version: Version) -> list[tuple[str, list[tuple[str, str]]]]:
    """``[("1. Use Restrictions", [("1.1", text), ...]), ...]`` as a reader sees it."""
    return [(f"{i}. {heading}", [(f"{i}.{j}", c) for j, c in enumerate(clauses, 1)])
            for i, (heading, clauses) in enumerate(version, 1)]


def write_md(path: Union[str, Path], version: Version) -> Path:
    lines = [f"# {TITLE}", "", INTRO, ""]
    for heading, clauses in numbered(version):
        lines += [f"## {heading}", ""]
        for label, text in clauses:
            lines += [f"{label} {text}", ""]
    path = Path(path)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def docx_builder(version: Version) -> DocxBuilder:
    doc = DocxBuilder().style(*heading_styles(2))
    doc.abstract_num(1, Level("decimal", "%1."), Level("decimal", "%1.%2"))
    doc.num(1, abstract=1)
    doc.add(p(TITLE, style="Heading1"), p(INTRO))
    for heading, clauses in version:
        doc.add(p(heading, style="Heading2", num=(1, 0)))
        for text in clauses:
            doc.add(p(text, num=(1, 1)))
    return doc


def write_docx(path: Union[str, Path], version: Version) -> Path:
    return docx_builder(version).save(path)


def write_pdf(path: Union[str, Path], version: Version) -> Path:
    lines = [TITLE, "", INTRO, ""]
    for heading, clauses in numbered(version):
        lines += [heading, ""]
        for label, text in clauses:
            wrapped = textwrap.wrap(f"{label} {text}", 80)
            lines += wrapped + [""]
    return text_pdf(path, [lines])


WRITERS = {"md": write_md, "docx": write_docx, "pdf": write_pdf}


def write(folder: Union[str, Path], name: str, version: Version, fmt: str) -> Path:
    return WRITERS[fmt](Path(folder) / f"{name}.{fmt}", version)


# A redline by two reviewers of BASE: J. Doe deletes the weapons ban (text and paragraph
# mark, so 1.2 and 1.3 move up) and narrows the surveillance ban; A. Smith makes the
# law-enforcement ban non-binding.
DOE, SMITH = "J. Doe", "A. Smith"
DOE_DATE, SMITH_DATE = "2026-03-02T10:00:00Z", "2026-03-04T09:30:00Z"


def redline_builder() -> DocxBuilder:
    doc = DocxBuilder().style(*heading_styles(2))
    doc.abstract_num(1, Level("decimal", "%1."), Level("decimal", "%1.%2"))
    doc.num(1, abstract=1)
    doc.add(p(TITLE, style="Heading1"), p(INTRO))
    doc.add(p("Use Restrictions", style="Heading2", num=(1, 0)))
    doc.add(p(dele(WEAPONS, author=DOE, date=DOE_DATE, rid=11), num=(1, 1), mark_deleted=True))
    doc.add(p(run("Customer "), dele("shall", author=SMITH, date=SMITH_DATE, rid=12),
              ins("should", author=SMITH, date=SMITH_DATE, rid=13),
              run(" not use the Service for law enforcement purposes unless authorised by a court order."),
              num=(1, 1)))
    doc.add(p(run("Customer shall not use the Service to conduct covert surveillance of individuals"),
              ins(", except with our written consent", author=DOE, date=DOE_DATE, rid=14), run("."), num=(1, 1)))
    doc.add(p("Enforcement", style="Heading2", num=(1, 0)))
    doc.add(p(ENFORCE, num=(1, 1)))
    return doc
