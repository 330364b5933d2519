"""Write a reviewed copy of a .docx with clause-lint's findings as Word comments.

* A weak or contradicted result gets one comment per provision, as a reviewer would
  write it (:func:`comment_places`): a lead-in and the items of its list are one
  provision, commented once on the evidence that decides; a finding that comes
  through a defined term is commented on the definition, the text to change, naming
  the provisions that use it. Each says what is wrong, why, and the suggested
  wording (the rule's model clause). Runs are split so that the comment covers the
  sentence, not the whole paragraph, where the run structure allows it.
* One comment on the first paragraph lists every missing clause with its model
  language (and any finding whose passage could not be placed).
* Present and not-applicable results, suppressed results and results whose
  severity is ``none`` get no comment.
* With ``--diff`` (:func:`write_revision_comments`) the comments go on tracked
  changes instead: each regression between the text with every change rejected and
  with every change accepted is commented on the insertions and deletions that
  caused it (:func:`clause_lint.diff.diff_redline`).

Passages are located the way the .docx reader numbers paragraphs
(:mod:`clause_lint.extract.docx`): every ``w:p`` of the body in order, looking
through block-level content controls and custom XML, table cells row by row,
including nested tables. Within the paragraph the passage is found by its letters
and digits in the text as it reads with tracked changes accepted (deleted text and
hidden text skipped), so punctuation or quote normalisation cannot lose it.

The input file is only read; the copy is written to a temporary file beside the
output and moved into place, so a failed run never leaves half a document.
"""

from __future__ import annotations

import copy
import os
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional, Sequence

from .errors import ClauseLintError
from .results import CONTRADICTED, MISSING, WEAK, DocumentResult, Evidence, Report, RuleResult, not_checked_reason

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{%s}" % W_NS
P, R, T, TBL, TR, TC = W + "p", W + "r", W + "t", W + "tbl", W + "tr", W + "tc"
PPR, RPR, SDT, SDT_CONTENT, CUSTOM_XML = W + "pPr", W + "rPr", W + "sdt", W + "sdtContent", W + "customXml"
DEL, MOVE_FROM, VANISH, VAL = W + "del", W + "moveFrom", W + "vanish", W + "val"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
# Punctuation that belongs to the end of a sentence and so to the commented passage.
_TRAILING = set(".;:!?)]\"'\u201d\u2019\u00bb")
# Punctuation that opens the passage ("“Field” means …").
_LEADING = set("([\"'\u201c\u2018\u00ab")
DEFAULT_AUTHOR = "clause-lint"
DEFAULT_INITIALS = "CL"


@dataclass
class AnnotationSummary:
    output: str
    comments: int = 0
    anchored: int = 0  # comments on a passage (weak/contradicted evidence)
    missing: int = 0  # missing clauses listed in the opening comment
    unplaced: list[str] = field(default_factory=list)  # rule ids whose passage was not found


# ----------------------------------------------------------------------------- paragraphs


def _on(value: Optional[str]) -> bool:
    return (value or "1").lower() not in ("0", "false", "off", "none")


def body_paragraphs(body: Any) -> list[Any]:
    """The body's ``w:p`` elements numbered as the .docx reader numbers them (index + 1)."""
    out: list[Any] = []

    def flatten(container: Any) -> Iterator[Any]:
        for child in container:
            if child.tag in (P, TBL):
                yield child
            elif child.tag == SDT:
                content = child.find(SDT_CONTENT)
                if content is not None:
                    yield from flatten(content)
            elif child.tag == CUSTOM_XML:
                yield from flatten(child)

    def through(parent: Any, tag: str) -> Iterator[Any]:
        for child in parent:
            if child.tag == tag:
                yield child
            elif child.tag in (SDT, CUSTOM_XML):
                inner = child.find(SDT_CONTENT) if child.tag == SDT else child
                if inner is not None:
                    yield from through(inner, tag)

    def blocks(container: Any) -> None:
        for child in flatten(container):
            if child.tag == P:
                out.append(child)
            else:
                for tr in through(child, TR):
                    for tc in through(tr, TC):
                        blocks(tc)

    blocks(body)
    return out


def _mark_deleted(p: Any) -> bool:
    ppr = p.find(PPR)
    rpr = ppr.find(RPR) if ppr is not None else None
    return rpr is not None and (rpr.find(DEL) is not None or rpr.find(MOVE_FROM) is not None)


def _candidates(paragraphs: list[Any], number: int) -> list[Any]:
    """Paragraph ``number`` and those the reader joined to it: paragraphs after a
    deleted paragraph mark, and the rest of its table cell (a cell is one block)."""
    first = paragraphs[number - 1]
    out = [first]
    i = number - 1
    while _mark_deleted(paragraphs[i]) and i + 1 < len(paragraphs):
        i += 1
        out.append(paragraphs[i])
    cell = first.getparent()
    if cell is not None and cell.tag == TC:
        for p in paragraphs[i + 1 :]:
            if p.getparent() is not cell:
                break
            out.append(p)
    return out


# ----------------------------------------------------------------------------- text and runs


def _hidden(r: Any) -> bool:
    rpr = r.find(RPR)
    v = rpr.find(VANISH) if rpr is not None else None
    return v is not None and _on(v.get(VAL))


def _deleted(r: Any, stop: Any) -> bool:
    el = r.getparent()
    while el is not None and el is not stop:
        if el.tag in (DEL, MOVE_FROM):
            return True
        el = el.getparent()
    return False


@dataclass
class _Segment:
    run: Any  # w:r
    paragraph: Any  # w:p
    text: str


def _segments(paragraphs: Sequence[Any]) -> list[_Segment]:
    """Runs of the paragraphs with the text they show once changes are accepted."""
    out = []
    for p in paragraphs:
        for r in p.iter(R):
            if _deleted(r, p) or _hidden(r):
                continue
            # Only runs of this paragraph, not of text boxes drawn inside it.
            anc = r.getparent()
            while anc is not None and anc is not p and anc.tag != P:
                anc = anc.getparent()
            if anc is not p:
                continue
            text = "".join(t.text or "" for t in r.findall(T))
            out.append(_Segment(r, p, text))
    return out


def _key_chars(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())


def _index(segments: list[_Segment]) -> tuple[str, list[tuple[int, int]]]:
    """Letters and digits of the segments, each with (segment, offset in its text)."""
    chars: list[str] = []
    where: list[tuple[int, int]] = []
    for si, seg in enumerate(segments):
        for ci, ch in enumerate(seg.text):
            for k in _key_chars(ch):
                chars.append(k)
                where.append((si, ci))
    return "".join(chars), where


def _find(haystack: str, needle: str) -> Optional[tuple[int, int]]:
    """``(start, end)`` of ``needle`` in ``haystack``; with a long needle, its head
    and tail found separately (text the reader joins differently in between)."""
    if not needle:
        return None
    i = haystack.find(needle)
    if i >= 0:
        return i, i + len(needle)
    if len(needle) > 80:
        head, tail = needle[:40], needle[-40:]
        i = haystack.find(head)
        if i >= 0:
            j = haystack.find(tail, i + len(head))
            if j >= 0:
                return i, j + len(tail)
            return i, len(haystack)
    return None


def _passage(ev: Evidence, document: Any) -> str:
    if document is not None and ev.start is not None and ev.end is not None and 0 <= ev.start < ev.end <= len(document.text):
        return document.text[ev.start : ev.end]
    # Evidence text may be shortened with "…": the longest piece is enough to place it.
    return max((ev.text or "").split("\u2026"), key=len)


def _split_run(r: Any, offset: int) -> Optional[Any]:
    """Split a run holding one w:t at character ``offset``; return the second half.

    Runs with tabs, breaks, fields or several text elements are not split (None).
    """
    texts = [c for c in r if c.tag == T]
    others = [c for c in r if c.tag not in (T, RPR) and not c.tag.endswith("}lastRenderedPageBreak")]
    if len(texts) != 1 or others:
        return None
    t = texts[0]
    value = t.text or ""
    if not 0 < offset < len(value):
        return None
    from docx.oxml import OxmlElement

    # A new w:r made by python-docx (not an lxml deepcopy) so that it is a CT_R that
    # python-docx's comment API accepts.
    second = OxmlElement("w:r")
    for name, value in r.attrib.items():
        second.set(name, value)
    for el in r:
        if el.tag in (RPR, T):
            second.append(copy.deepcopy(el))
    t.text = value[:offset]
    t.set(_XML_SPACE, "preserve")
    t2 = next(c for c in second if c.tag == T)
    t2.text = value[offset:]
    t2.set(_XML_SPACE, "preserve")
    r.addnext(second)
    return second


def _top(el: Any) -> Any:
    """``el`` or its ancestor that is a direct child of its paragraph."""
    while el.getparent() is not None and el.getparent().tag != P:
        el = el.getparent()
    return el


def _locate(paragraphs: list[Any], passage: str) -> Optional[tuple[Any, Any]]:
    """First and last element (direct children of a paragraph) to anchor a comment on."""
    segments = [s for s in _segments(paragraphs) if s.text]
    if not segments:
        return None
    haystack, where = _index(segments)
    found = _find(haystack, _key_chars(passage))
    if found is None:
        return _top(segments[0].run), _top(segments[-1].run)
    (s0, c0), (s1, c1) = where[found[0]], where[found[1] - 1]
    first, last = segments[s0], segments[s1]
    c1 += 1
    while c1 < len(last.text) and last.text[c1] in _TRAILING:
        c1 += 1
    while True:  # take in the opening quote, also when it is the end of the run before
        if c0 > 0 and first.text[c0 - 1] in _LEADING:
            c0 -= 1
        elif c0 == 0 and s0 > 0 and segments[s0 - 1].paragraph is first.paragraph and segments[s0 - 1].text[-1:] in _LEADING:
            s0 -= 1
            first = segments[s0]
            c0 = len(first.text) - 1
        else:
            break
    start_el = end_el = None
    if first.run.getparent() is first.paragraph:
        if first is last:
            tail = _split_run(first.run, c1)
            if tail is None:
                c1 = len(last.text)
        second = _split_run(first.run, c0)
        start_el = second if second is not None else first.run
        if first is last:
            end_el = start_el
    if end_el is None and last.run.getparent() is last.paragraph:
        _split_run(last.run, c1)
        end_el = last.run
    return start_el if start_el is not None else _top(first.run), end_el if end_el is not None else _top(last.run)


# ----------------------------------------------------------------------------- where comments go


@dataclass
class CommentPlace:
    """One comment of one rule: where it is anchored and the evidence it speaks for.

    ``evidence[0]`` decided the place; the rest are further provisions of the same
    list (or, for a definition, the provisions that use the defined term), named in
    the comment rather than commented again.
    """

    evidence: list[Evidence]
    paragraph: Optional[int]
    passage: str
    definition: Optional[str] = None  # the defined term when the comment is on its definition
    on_lead_in: bool = False  # anchored on the lead-in that governs the list's other evidence


# 'via definition of "Field"', 'through the definition of “Field”'
_VIA_DEFINITION = re.compile("definition of [\"\u201c\u2018']([^\"\u201d\u2019']{1,80})[\"\u201d\u2019']")


def _definition_of(ev: Evidence, document: Any) -> Optional[Any]:
    """The :class:`~clause_lint.model.DefinedTerm` through which ``ev`` meets the rule, if any."""
    terms = getattr(document, "defined_terms", None) or {}
    for name in _VIA_DEFINITION.findall(ev.reason or ""):
        found = terms.get(name) or next((t for k, t in terms.items() if k.casefold() == name.casefold()), None)
        if found is not None and 0 <= found.block < len(document.blocks):
            return found
    return None


def _block_of(ev: Evidence, document: Any) -> Optional[Any]:
    blocks = getattr(document, "blocks", None) or []
    if ev.block is not None and 0 <= ev.block < len(blocks):
        return blocks[ev.block]
    if ev.paragraph is not None:
        return next((b for b in blocks if b.paragraph == ev.paragraph), None)
    return None


def _list_key(ev: Evidence, document: Any) -> tuple[str, Any]:
    """The same key for a lead-in and every item of its list, nested items included."""
    block = _block_of(ev, document)
    if block is None:
        return ("paragraph", ev.paragraph)
    seen = {block.index}
    while block.lead_in_block is not None and block.lead_in_block not in seen and 0 <= block.lead_in_block < len(document.blocks):
        seen.add(block.lead_in_block)
        block = document.blocks[block.lead_in_block]
    return ("block", block.index)


def comment_places(result: RuleResult, document: Any = None) -> list[CommentPlace]:
    """Where a reviewer would comment on ``result``: one place per provision.

    The evidence that decides the status (``weakens``/``contradicts``) is grouped: a
    lead-in and the items of its list are one provision, commented once on the first
    piece of evidence; evidence that meets the rule through a defined term is
    commented once on that definition, the text to change, naming the provisions that
    use it.
    """
    evidence = [e for e in result.evidence if e.role in ("weakens", "contradicts")] or list(result.evidence)
    groups: dict[tuple[str, Any], CommentPlace] = {}
    for ev in evidence:
        term = _definition_of(ev, document) if document is not None else None
        if term is not None:
            # The same key as evidence found in the definition itself: one comment there.
            key = _list_key(Evidence(text="", reason="", role="", block=term.block), document)
            place = groups.get(key)
            if place is None:
                block = document.blocks[term.block]
                place = groups[key] = CommentPlace([], block.paragraph, document.text[block.start:block.end] or term.definition)
            place.definition = term.term
            place.evidence.append(ev)
            continue
        key = _list_key(ev, document)
        if key not in groups:
            block = _block_of(ev, document)
            groups[key] = CommentPlace([ev], ev.paragraph, _passage(ev, document),
                                       on_lead_in=block is not None and key == ("block", block.index))
        else:
            groups[key].evidence.append(ev)
    return list(groups.values())


def _where(ev: Evidence) -> str:
    """``§4.2(b)``, else the full location label (``¶7``)."""
    from .report import location_label, section_label

    return section_label(ev.section) or location_label(ev) or "another passage"




def _join(items: list[str]) -> str:
    items = list(dict.fromkeys(items))
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# ----------------------------------------------------------------------------- comment text


def _status_word(status: str) -> str:
    return {WEAK: "WEAK", CONTRADICTED: "CONTRADICTED", MISSING: "MISSING"}.get(status, status.upper())


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _one_line(text: Optional[str]) -> str:
    """One line of comment text: whitespace collapsed, characters XML cannot hold dropped."""
    return _NOT_XML.sub("", " ".join((text or "").split()))


def finding_comment(result: RuleResult, ev: Evidence, rule: Any = None, place: Optional[CommentPlace] = None) -> str:
    """The comment a reviewer would write on one provision: what is wrong, why, the fix."""
    from .report import model_clause

    lines = [f"clause-lint {result.rule} {result.name}: {_status_word(result.status)} ({result.severity})"]
    lines.append(_one_line(result.message))
    if place is not None and place.definition is not None:
        users = [_where(e) for e in sorted(place.evidence, key=lambda e: (e.start is None, e.start or 0))
                 if e.reason and _VIA_DEFINITION.search(e.reason)]
        lines.append(
            f"The definition of \u201c{_one_line(place.definition)}\u201d is the text to change: through it, "
            f"{_join(users)} fall{'s' if len(set(users)) == 1 else ''} short of the rule."
        )
    elif place is not None and len(place.evidence) > 1 and not place.on_lead_in:
        lines.append(f"The same applies to {_join([_where(e) for e in place.evidence[1:]])} of this list.")
    if ev.role == "weakens" and result.status == CONTRADICTED:
        lines.append("This passage also falls short of the rule.")
    if ev.reason:
        lines.append("Why: " + _one_line(ev.reason))
    fix = model_clause(result, rule)
    if fix:
        lines.append("Suggested wording: " + _one_line(fix))
    if result.reference:
        lines.append("Reference: " + _one_line(result.reference))
    return "\n".join(lines)


def opening_comment(report: Report, doc: DocumentResult, missing: list[RuleResult], unplaced: list[RuleResult], placed: int) -> str:
    from .report import model_clause, rule_map

    rules = rule_map(report)
    packs = ", ".join(f"{p.name} {p.version}" for p in report.packs)
    lines = [f"clause-lint review ({packs}): {len(missing)} missing clause(s); {placed} passage(s) commented where they stand."]
    why = not_checked_reason(doc, report.packs)
    if why is not None:
        lines.append(f"Not checked: {_one_line(why)} (run with --assume-applicable to check it anyway).")
    else:
        for pack, applicable in sorted(doc.applicable.items()):
            if not applicable:
                lines.append(
                    f"Pack {pack} was judged not applicable to this document, so its rules were not checked "
                    "(run with --assume-applicable to check them anyway)."
                )
    if missing:
        lines.append("Missing clauses and model language to add:")
        for r in missing:
            lines.append(f"\u2022 {r.rule} {r.name} ({r.severity}): {_one_line(r.message)}")
            fix = model_clause(r, rules.get(r.rule))
            if fix:
                lines.append(f"  Model clause: {_one_line(fix)}")
    for r in unplaced:
        lines.append(f"\u2022 {r.rule} {r.name}: {_status_word(r.status)} ({r.severity}), passage not found in the file: {_one_line(r.message)}")
        fix = model_clause(r, rules.get(r.rule))
        if fix:
            lines.append(f"  Suggested wording: {_one_line(fix)}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- writing


def _add_comment(document: Any, first: Any, last: Any, text: str, author: str, initials: str) -> None:
    """A comment from ``first`` to ``last`` (children of paragraphs), with python-docx."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

    if first.tag == R and last.tag == R:
        # The ordinary case: python-docx places the range marks and the reference.
        para = Paragraph(first.getparent(), document)
        document.add_comment([Run(first, para), Run(last, para)], text=text, author=author, initials=initials)
        return
    # An anchor that is a tracked insertion, hyperlink or content control: same marks,
    # placed around the whole element (a comment range may not cut into it).
    comment = document.comments.add_comment(text=text, author=author, initials=initials)
    cid = str(comment.comment_id)
    first.addprevious(OxmlElement("w:commentRangeStart", attrs={qn("w:id"): cid}))
    ref = OxmlElement("w:r")
    ref.append(OxmlElement("w:rPr"))
    ref[0].append(OxmlElement("w:rStyle", attrs={qn("w:val"): "CommentReference"}))
    ref.append(OxmlElement("w:commentReference", attrs={qn("w:id"): cid}))
    last.addnext(ref)
    last.addnext(OxmlElement("w:commentRangeEnd", attrs={qn("w:id"): cid}))


def _opening_anchor(paragraphs: list[Any]) -> tuple[Any, Any]:
    """The whole first paragraph that shows text (else the first paragraph)."""
    from docx.oxml import OxmlElement

    for p in paragraphs:
        segs = [s for s in _segments([p]) if s.text.strip()]
        if segs:
            return _top(segs[0].run), _top(segs[-1].run)
    p = paragraphs[0]
    r = OxmlElement("w:r")
    p.append(r)
    return r, r


def _annotatable(result: RuleResult) -> bool:
    return result.is_finding and result.suppressed is None


def _same_file(a: str, b: str) -> bool:
    try:
        if os.path.exists(b) and os.path.samefile(a, b):
            return True
    except OSError:
        pass
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def write_annotated(
    source: str,
    output: str,
    report: Report,
    document: Any = None,
    *,
    author: str = DEFAULT_AUTHOR,
    initials: str = DEFAULT_INITIALS,
) -> AnnotationSummary:
    """Write ``source`` with comments for the findings of ``report`` (one document) to ``output``.

    ``document`` (the :class:`~clause_lint.model.Document` the report was made
    from) gives the exact passage of each evidence; without it the evidence text is
    used.
    """
    from .report import rule_map

    doc_result = report.documents[0]
    wdoc, paragraphs = _open(source, output)
    summary = AnnotationSummary(output=output)
    rules = rule_map(report)

    findings = [r for r in doc_result.results if _annotatable(r)]
    missing = [r for r in findings if r.status == MISSING]
    unplaced: list[RuleResult] = []
    placed = 0
    for result in findings:
        if result.status not in (WEAK, CONTRADICTED):
            continue
        placed_here = 0
        for place in comment_places(result, document):
            if place.paragraph is None or not 1 <= place.paragraph <= len(paragraphs):
                continue
            anchor = _locate(_candidates(paragraphs, place.paragraph), place.passage)
            if anchor is None:
                continue
            text = finding_comment(result, place.evidence[0], rules.get(result.rule), place=place)
            _add_comment(wdoc, anchor[0], anchor[1], text, author, initials)
            placed_here += 1
        if placed_here:
            placed += placed_here
        else:
            unplaced.append(result)
            summary.unplaced.append(result.rule)
    summary.anchored = placed
    summary.missing = len(missing)
    summary.comments = placed
    if missing or unplaced or not all(doc_result.applicable.values()):
        first, last = _opening_anchor(paragraphs)
        _add_comment(wdoc, first, last, opening_comment(report, doc_result, missing, unplaced, placed), author, initials)
        summary.comments += 1

    from .safefile import write_file

    write_file(output, wdoc.save, "the annotated copy")
    return summary


def _open(source: str, output: str) -> tuple[Any, list[Any]]:
    """The python-docx document of ``source`` and its body paragraphs, or one-line errors."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if _same_file(source, output):
        raise ClauseLintError(f"{output}: refusing to overwrite the document being annotated; choose another -o")
    try:
        wdoc = docx.Document(source)
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise ClauseLintError(f"{source}: cannot open for annotation: {exc}") from None
    except Exception as exc:  # python-docx raises lxml and zip errors of many kinds
        raise ClauseLintError(f"{source}: cannot open for annotation ({type(exc).__name__}: {exc})") from None
    paragraphs = body_paragraphs(wdoc.element.body)
    if not paragraphs:
        raise ClauseLintError(f"{source}: the document body has no paragraph to comment on")
    return wdoc, paragraphs


# ----------------------------------------------------------------------------- comments on revisions

_REVISION_ELEMENTS = {"insertion": (W + "ins", W + "moveTo"), "deletion": (DEL, MOVE_FROM)}
_REVISION_TEXT = (T, W + "delText")


def _revision_elements(paragraphs: list[Any], kind: str, author: Optional[str], date: Optional[str]) -> list[tuple[int, Any, str]]:
    """``(paragraph number, element, key characters)`` of every tracked change of this
    kind, author and date that holds text, in document order."""
    out = []
    for number, p in enumerate(paragraphs, 1):
        for el in p.iter(*_REVISION_ELEMENTS[kind]):
            if el.get(W + "author") != author or el.get(W + "date") != date:
                continue
            text = "".join(t.text or "" for t in el.iter(*_REVISION_TEXT))
            if _key_chars(text):
                out.append((number, el, _key_chars(text)))
    return out


def _locate_revision(paragraphs: list[Any], rev: Any) -> Optional[tuple[Any, Any]]:
    """First and last element of the tracked change(s) that make up ``rev``.

    The reader joins the pieces Word splits one change into; here the pieces are
    found again as consecutive elements whose text adds up to the revision's, the
    run nearest the paragraph the reader gave winning when the same words were
    changed in several places at once.
    """
    want = _key_chars(rev.text)
    found = _revision_elements(paragraphs, rev.kind, rev.author, rev.date)
    spans = []
    for i in range(len(found)):
        text = ""
        for j in range(i, len(found)):
            text += found[j][2]
            if not want.startswith(text):
                break
            if text == want:
                spans.append((found[i][0], found[i][1], found[j][1]))
                break
    if not spans:
        return None
    target = rev.paragraph or 0
    number, first, last = min(spans, key=lambda s: (s[0] < target, abs(s[0] - target)))
    return _top(first), _top(last)


def revision_comment(rd: Any) -> str:
    """What a regression's revision does, the rule's message and the suggested wording."""
    lines = [f"clause-lint {rd.rule} {rd.name}: {_one_line(rd.summary())}."]
    if rd.message:
        lines.append(_one_line(rd.message))
    if rd.remediation:
        lines.append("Suggested wording: " + _one_line(rd.remediation))
    return "\n".join(lines)


def write_revision_comments(
    source: str,
    output: str,
    diff_report: Any,
    *,
    author: str = DEFAULT_AUTHOR,
    initials: str = DEFAULT_INITIALS,
) -> AnnotationSummary:
    """Write ``source`` to ``output`` with a comment on each tracked change that caused a
    regression of ``diff_report`` (from :func:`clause_lint.diff.diff_redline`).

    Regressions that no revision in their clause explains (the change was in a
    definition, say) and revisions that cannot be found again are listed in one
    comment on the first paragraph.
    """
    wdoc, paragraphs = _open(source, output)
    summary = AnnotationSummary(output=output)
    leftover = []
    for rd in diff_report.regressions:
        placed = 0
        for rev in rd.revisions:
            anchor = _locate_revision(paragraphs, rev)
            if anchor is None:
                continue
            _add_comment(wdoc, anchor[0], anchor[1], revision_comment(rd), author, initials)
            placed += 1
        summary.anchored += placed
        if not placed:
            leftover.append(rd)
            summary.unplaced.append(rd.rule)
    summary.comments = summary.anchored
    if leftover:
        lines = [f"clause-lint: {len(leftover)} regression(s) between the text with every change rejected and with "
                 "every change accepted that no single tracked change explains:"]
        for rd in leftover:
            lines.append(f"\u2022 {_one_line(rd.summary())}")
            if rd.remediation:
                lines.append(f"  Suggested wording: {_one_line(rd.remediation)}")
        first, last = _opening_anchor(paragraphs)
        _add_comment(wdoc, first, last, "\n".join(lines), author, initials)
        summary.comments += 1
    from .safefile import write_file

    write_file(output, wdoc.save, "the annotated copy")
    return summary


def html_output_path(output: str) -> str:
    """``REVIEWED.docx`` → ``REVIEWED.html`` (the report written for non-Word input)."""
    root, ext = os.path.splitext(output)
    return output if ext.lower() in (".html", ".htm") else root + ".html"
