"""Hostile, broken and awkward inputs, generated on the fly (nothing checked in).

Shared by ``tests/test_hostile.py`` (asserts the behaviour), ``scripts/reliability_report.py``
(prints the figures) and ``fuzz/fuzz_readers.py`` (seed corpora). Every case says what
a correct outcome is: an error with one of the listed codes, a normal result, or
either (``expect="any"``) where the file is damaged in a way a reader may legitimately
recover from (PDFium rebuilds a broken cross-reference table, for instance).

Hand-written PDFs are built by :func:`raw_pdf` from object bodies, with a correct
cross-reference table unless a case breaks it on purpose.
"""

from __future__ import annotations

import io
import os
import random
import socket
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

from tests.docx_factory import NS_DECL, DocxBuilder, Level, dele, ins, p, run, table, write_zip
from tests.pdf_factory import Image, build_pdf, flow, scanned_pdf, text_pdf

MB = 1024 * 1024

# A marker that must never appear in any output: it lives only in a file that hostile
# documents try to pull in through external entities.
SECRET = "S3CRET-7f1c2e-DO-NOT-LEAK"

GOOD_CLAUSES = [
    "MASTER SERVICES AGREEMENT",
    "1. Definitions",
    '1.1 "Service" means the facial recognition service described in Schedule 1.',
    "2. Restrictions",
    "2.1 Customer shall not use the Service for any weapon or lethal purpose.",
    "2.2 Customer shall not use the Service for mass surveillance of any person without consent.",
    "3. Term",
    "3.1 This Agreement continues for twelve months from the Effective Date.",
]


# ----------------------------------------------------------------------------- building blocks


def good_docx_bytes(paragraphs: Sequence[str] = GOOD_CLAUSES) -> bytes:
    """A small, valid contract .docx with numbering, a table and a tracked change."""
    doc = DocxBuilder()
    doc.abstract_num(1, Level("decimal", "%1."), Level("decimal", "%1.%2"))
    doc.num(1, abstract=1)
    doc.add(p(paragraphs[0]))
    for text in paragraphs[1:]:
        doc.add(p(text))
    doc.add(p("Numbered clause one.", num=(1, 0)), p(run("Kept "), ins("inserted"), dele(" removed"), num=(1, 1)))
    doc.add(table([["Fee", "Amount"], ["Licence", "100"]]))
    return doc.to_bytes()


def good_pdf_bytes(tmp: Path, pages: int = 2) -> bytes:
    lines = GOOD_CLAUSES * 4
    path = text_pdf(tmp / "_good_pdf.pdf", [lines for _ in range(pages)])
    data = path.read_bytes()
    path.unlink()
    return data


def good_text() -> str:
    return "\n\n".join(GOOD_CLAUSES) + "\n"


def raw_pdf(objects: Sequence[bytes], root: int = 1, xref: str = "good", trailer_extra: bytes = b"",
            header: bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n") -> bytes:
    """A PDF from object bodies (object ``i+1`` is ``objects[i]``).

    ``xref``: ``"good"``, ``"shifted"`` (every offset wrong by 7 bytes), ``"garbage"``
    (the table is noise) or ``"missing"`` (no table, ``startxref`` points nowhere).
    """
    out = bytearray(header)
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref_at = len(out)
    n = len(objects) + 1
    if xref == "missing":
        xref_at = 999_999
    elif xref == "garbage":
        out += b"xref\n0 %d\n" % n + b"zz garbage ~~ not a table \x00\x01\n" * n
    else:
        shift = 7 if xref == "shifted" else 0
        out += b"xref\n0 %d\n0000000000 65535 f \n" % n
        for off in offsets:
            out += b"%010d 00000 n \n" % (off + shift)
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (n, root, trailer_extra, xref_at)
    return bytes(out)


def _stream(content: bytes, compress: bool = False) -> bytes:
    if compress:
        data = zlib.compress(content, 9)
        return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
    return b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _text_content(lines: Sequence[str], size: float = 11, top: float = 760, leading: float = 14) -> bytes:
    ops = [b"BT /F1 %g Tf %g TL 72 %g Td" % (size, leading, top)]
    for line in lines:
        safe = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1", "replace")
        ops.append(b"(" + safe + b") Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


def simple_pdf(lines: Sequence[str] = GOOD_CLAUSES, xref: str = "good") -> bytes:
    """One page of text, written by hand."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            _stream(_text_content(lines)),
            FONT,
        ],
        xref=xref,
    )


def _flip_bits(data: bytes, count: int, seed: int, start: int = 0, end: Optional[int] = None) -> bytes:
    rng = random.Random(seed)
    buf = bytearray(data)
    end = len(buf) if end is None else end
    for _ in range(count):
        i = rng.randrange(start, end)
        buf[i] ^= 1 << rng.randrange(8)
    return bytes(buf)


def _docx_with(document_xml: str, extra: Optional[dict[str, bytes]] = None, styles_xml: Optional[str] = None) -> bytes:
    doc = DocxBuilder(document_xml=document_xml)
    data = doc.to_bytes()
    if extra is None and styles_xml is None:
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    if styles_xml is not None:
        entries["word/styles.xml"] = styles_xml.encode()
    entries.update(extra or {})
    return write_zip(entries)


def _body(*paragraphs: str) -> str:
    return f'<w:document {NS_DECL}><w:body>{"".join(paragraphs)}</w:body></w:document>'


# ----------------------------------------------------------------------------- the cases


@dataclass
class Case:
    """One hostile input: how to make it and what a correct outcome is."""

    name: str  # file name in the folder being checked
    make: Callable[[Path], Optional[bytes]]  # bytes to write, or None if make() wrote the file itself
    expect: str  # "error", "ok" or "any"
    codes: tuple[str, ...] = ()  # acceptable error codes
    says: str = ""  # text the error or a warning must contain
    about: str = ""  # what the case tests, for the report
    slow: bool = False  # large; left out of the quick mixed run
    posix_only: bool = False


def _truncated_docx(d: Path) -> bytes:
    data = good_docx_bytes()
    return data[: len(data) // 2]


def _bitflip_docx(d: Path) -> bytes:
    # Flip bits inside the compressed body of word/document.xml: the zip directory
    # is intact, so the damage is found by inflating or by the CRC check.
    data = good_docx_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    return _flip_bits(data, 12, seed=1, start=start, end=start + info.compress_size)


def _zip_bomb_docx(d: Path) -> bytes:
    # 150 MB of paragraphs inflating from well under 1 MB.
    para = b"<w:p><w:r><w:t>lol</w:t></w:r></w:p>"
    body = b'<w:document ' + NS_DECL.encode() + b"><w:body>" + para * (150 * MB // len(para)) + b"</w:body></w:document>"
    return write_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": body})


def _lying_zip_docx(d: Path) -> bytes:
    """word/document.xml declares 1 KB in both zip headers but inflates to 30 MB."""
    big = b"<w:document " + NS_DECL.encode() + b"><w:body>" + b"<w:p/>" * (5 * MB) + b"</w:body></w:document>"
    data = bytearray(DocxBuilder(document_xml=big.decode()).to_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("word/document.xml")
    lie = struct.pack("<I", 1024)
    # local header: uncompressed size at offset 22
    data[info.header_offset + 22: info.header_offset + 26] = lie
    # central directory entry: find it by its signature and name
    name = info.filename.encode()
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack("<H", data[pos + 28: pos + 30])[0]
        if data[pos + 46: pos + 46 + name_len] == name:
            data[pos + 24: pos + 28] = lie
        pos = data.find(b"PK\x01\x02", pos + 4)
    return bytes(data)


def _many_entries_docx(d: Path) -> bytes:
    entries = {f"word/media/x{i}.xml": b"" for i in range(20_000)}
    with zipfile.ZipFile(io.BytesIO(good_docx_bytes())) as zf:
        entries.update({n: zf.read(n) for n in zf.namelist()})
    return write_zip(entries, zipfile.ZIP_STORED)


def _billion_laughs_docx(d: Path) -> bytes:
    ents = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10)]
    xml = (
        '<?xml version="1.0"?>\n<!DOCTYPE w:document [' + "".join(ents) + "]>"
        + _body(p("The parties agree as follows."), "<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>")
    )
    return _docx_with(xml)


def secret_file(d: Path) -> Path:
    path = d / "secret.dat"
    if not path.exists():
        path.write_text(SECRET + "\n", encoding="utf-8")
    return path


def _xxe_docx(d: Path) -> bytes:
    url = secret_file(d).resolve().as_uri()
    xml = (
        f'<?xml version="1.0"?>\n<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{url}">'
        f'<!ENTITY pw SYSTEM "file:///etc/passwd">]>'
        + _body(p("Secret follows:"), "<w:p><w:r><w:t>&xxe;</w:t></w:r></w:p>",
                "<w:p><w:r><w:t>&pw;</w:t></w:r></w:p>")
    )
    styles = (
        f'<?xml version="1.0"?>\n<!DOCTYPE w:styles [<!ENTITY xxe SYSTEM "{url}">]>'
        f'<w:styles {NS_DECL}><w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="&xxe;"/></w:style></w:styles>'
    )
    return _docx_with(xml, styles_xml=styles)


def _xxe_dtd_docx(d: Path) -> bytes:
    # External DTD and parameter entity: the classic out-of-band exfiltration shape.
    url = secret_file(d).resolve().as_uri()
    xml = (
        f'<?xml version="1.0"?>\n<!DOCTYPE w:document SYSTEM "{url}" [<!ENTITY % ext SYSTEM "{url}"> %ext;]>'
        + _body(p("Body text of a contract."))
    )
    return _docx_with(xml)


def _xxe_html(d: Path) -> bytes:
    url = secret_file(d).resolve().as_uri()
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE html [<!ENTITY xxe SYSTEM "{url}">]>\n'
        f"<html><body><h1>Agreement</h1><p>1. Secret: &xxe;</p><p>2. The parties agree.</p></body></html>"
    ).encode()


def _deep_nesting_docx(d: Path) -> bytes:
    # Content controls nested far deeper than any real document.
    depth = 5000
    inner = p("Deep clause text.")
    xml = _body("<w:sdt><w:sdtContent>" * depth + inner + "</w:sdtContent></w:sdt>" * depth)
    return _docx_with(xml)


def _page_loop_pdf(d: Path) -> bytes:
    # The page tree's only kid is the tree itself.
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
        b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 3 0 R] /Count 1 >>",
    ])


def _count_lie_pdf(d: Path) -> bytes:
    # /Count claims a billion pages; there is one.
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1000000000 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(_text_content(GOOD_CLAUSES)),
        FONT,
    ])


def _many_pages_pdf(d: Path) -> bytes:
    # 50,000 pages from a 350 KB file: every kid is the same page object.
    kids = b" ".join(b"3 0 R" for _ in range(50_000))
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count 50000 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(_text_content(GOOD_CLAUSES)),
        FONT,
    ])


def _text_bomb_pdf(d: Path) -> bytes:
    # One page whose compressed content stream inflates to ~25 M characters of text.
    line = b"(" + b"A" * 1000 + b") Tj T*\n"
    content = b"BT /F1 1 Tf 1 TL 0 14000 Td\n" + line * 25_000 + b"ET"
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 14400 14400] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(content, compress=True),
        FONT,
    ])


def _huge_page_pdf(d: Path) -> bytes:
    # A legal but enormous page: 200" x 200", 1,200 lines of small contract text.
    lines = [f"{i}. Clause {i}: the Supplier shall keep the records described in clause {i} for five years."
             for i in range(1, 1201)]
    content = _text_content(lines, size=6, top=14300, leading=7)
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 14400 14400] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(content, compress=True),
        FONT,
    ])


def _table_maze_pdf(d: Path) -> bytes:
    """A 200x200-inch page of 2,000 lines, each of twelve words set far apart at
    jittered places: every line looks like a table row, and the columns never settle."""
    rng = random.Random(11)
    words = [b"Service", b"Fee", b"Term", b"Notice", b"Price", b"Support", b"Licence", b"Region", b"Seats",
             b"Level", b"Credit", b"Total"]
    ops = [b"BT /F1 6 Tf"]
    for row in range(2000):
        y = 14300 - 7 * row
        for col in range(12):
            x = 72 + col * 1100 + rng.randint(0, 900)
            ops.append(b"1 0 0 1 %d %d Tm (%s) Tj" % (x, y, words[col]))
    ops.append(b"ET")
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 14400 14400] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(b"\n".join(ops), compress=True),
        FONT,
    ])


def _truncated_pdf(d: Path) -> bytes:
    data = good_pdf_bytes(d)
    return data[: len(data) * 2 // 3]


def _bitflip_pdf(d: Path) -> bytes:
    data = good_pdf_bytes(d)
    # Keep the header and the end-of-file marker; damage the middle.
    return _flip_bits(data, 40, seed=2, start=64, end=len(data) - 64)


def _encrypted_empty_pdf(d: Path) -> bytes:
    path = build_pdf(d / "_enc_empty.pdf", [flow(GOOD_CLAUSES)], encrypt=("", "owner-pass"))
    data = path.read_bytes()
    path.unlink()
    return data


def _encrypted_pdf(d: Path) -> bytes:
    path = build_pdf(d / "_enc.pdf", [flow(GOOD_CLAUSES)], encrypt=("user-pass", "owner-pass"))
    data = path.read_bytes()
    path.unlink()
    return data


def _scanned_pdf(d: Path) -> bytes:
    path = scanned_pdf(d / "_scan.pdf", pages=2)
    data = path.read_bytes()
    path.unlink()
    return data


def _huge_scan_pdf(d: Path) -> bytes:
    # A 200" x 200" page holding only an image: OCR would render it at 60,000 pixels
    # a side (3.6 gigapixels) without the cap on the rendered size.
    path = build_pdf(d / "_huge_scan.pdf", [[Image(0, 0, 14400, 14400, pixels=200)]], page_size=(14400, 14400))
    data = path.read_bytes()
    path.unlink()
    return data


def _big_text(d: Path) -> None:
    """~50 MB of contract-like text, written in chunks (never held whole in memory)."""
    para = ("4.2 The Supplier shall maintain complete and accurate records of all processing "
            "carried out under this Agreement and shall make them available on request. ") * 4 + "\n\n"
    chunk = para * 2000
    target = 50 * MB
    with open(d / "big-50mb.txt", "w", encoding="utf-8") as fh:
        written = 0
        while written < target:
            fh.write(chunk)
            written += len(chunk)
    return None


def _long_line_text(d: Path) -> bytes:
    # 3 M characters with no line break and no space: one "token" for the NLP stage.
    return b"1. " + b"x" * 3_000_000 + b"\n"


def _deep_numbering_text(d: Path) -> bytes:
    lines = []
    for depth in range(1, 60):
        label = ".".join(["1"] * depth)
        lines.append(f"{label} Clause at depth {depth} shall apply.")
    lines.append("(" + ")(".join(["a"] * 500) + ") Label soup.")
    return "\n".join(lines).encode()


def _nested_markdown(d: Path) -> bytes:
    return (b"> " * 20_000 + b"quote\n") + (b"".join(b"  " * i + b"- item\n" for i in range(1500)))


def _utf16(d: Path) -> bytes:
    return good_text().replace("Service", "Servic\u00e9").encode("utf-16")  # with BOM


def _utf16_nobom(d: Path) -> bytes:
    return good_text().replace("Service", "Servic\u00e9").encode("utf-16-le")


def _latin1(d: Path) -> bytes:
    return good_text().replace("Service", "Servic\u00e9").encode("latin-1")


def _utf8_bom(d: Path) -> bytes:
    return b"\xef\xbb\xbf" + good_text().replace("Service", "Servic\u00e9").encode("utf-8")


def _junk_txt(d: Path) -> bytes:
    return random.Random(7).randbytes(64 * 1024)


def _png_txt(d: Path) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + random.Random(8).randbytes(4096)


def _junk_pdf(d: Path) -> bytes:
    return random.Random(9).randbytes(10_000)


def _pdf_named_docx(d: Path) -> bytes:
    return good_pdf_bytes(d, pages=1)


def _docx_named_pdf(d: Path) -> bytes:
    return good_docx_bytes()


def _docx_named_txt(d: Path) -> bytes:
    return good_docx_bytes()


def _xlsx_named_docx(d: Path) -> bytes:
    return write_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})


def _symlink_loop(d: Path) -> None:
    # A file link cycle (a.txt -> b.txt -> a.txt) and a folder link to an ancestor.
    os.symlink("loop-b.txt", d / "loop-a.txt")
    os.symlink("loop-a.txt", d / "loop-b.txt")
    (d / "sub").mkdir(exist_ok=True)
    os.symlink("..", d / "sub" / "up")
    return None


def _dangling(d: Path) -> None:
    os.symlink("does-not-exist.docx", d / "dangling.docx")
    return None


def _fifo(d: Path) -> None:
    # A named pipe: opening it for reading would block forever without a writer.
    os.mkfifo(d / "pipe.txt")
    return None


def _dev_zero(d: Path) -> None:
    os.symlink("/dev/zero", d / "zero.txt")
    return None


def _socket(d: Path) -> None:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    cwd = os.getcwd()
    try:
        os.chdir(d)  # socket paths are limited to ~100 bytes; bind a relative name
        s.bind("sock.md")
    finally:
        os.chdir(cwd)
        s.close()
    return None


def _unreadable(d: Path) -> Optional[bytes]:
    path = d / "unreadable.txt"
    path.write_text(good_text(), encoding="utf-8")
    os.chmod(path, 0)
    return None


def _empty(d: Path) -> bytes:
    return b""


def _whitespace(d: Path) -> bytes:
    return b" \n\t\r\n   \n"


CASES: list[Case] = [
    # .docx
    Case("truncated.docx", _truncated_docx, "error", ("corrupt",), "zip", "first half of a valid .docx"),
    Case("bitflip.docx", _bitflip_docx, "error", ("corrupt",), "", "12 bits flipped in the compressed document part"),
    Case("zip-bomb.docx", _zip_bomb_docx, "error", ("limit-exceeded",), "over the limit", "150 MB of XML compressed to <1 MB"),
    Case("lying-zip.docx", _lying_zip_docx, "error", ("corrupt", "limit-exceeded"), "", "zip headers declare 1 KB, member inflates to 30 MB"),
    Case("many-entries.docx", _many_entries_docx, "error", ("limit-exceeded",), "entries, over the limit", "20,000 zip entries"),
    Case("billion-laughs.docx", _billion_laughs_docx, "any", ("corrupt",), "", "10^9-fold entity expansion in document.xml"),
    Case("xxe.docx", _xxe_docx, "any", ("corrupt",), "", "external entities (local secret, /etc/passwd) in document and styles"),
    Case("xxe-dtd.docx", _xxe_dtd_docx, "any", ("corrupt",), "", "external DTD and parameter entity"),
    Case("deep-nesting.docx", _deep_nesting_docx, "error", ("corrupt",), "", "5,000 nested content controls"),
    Case("xlsx-named.docx", _xlsx_named_docx, "error", ("unsupported-format",), "Excel", "an .xlsx renamed .docx"),
    # .pdf
    Case("truncated.pdf", _truncated_pdf, "error", ("corrupt",), "truncated", "first two thirds of a valid PDF"),
    Case("bitflip.pdf", _bitflip_pdf, "any", ("corrupt", "empty", "needs-ocr"), "", "40 bits flipped in a valid PDF"),
    Case("page-loop.pdf", _page_loop_pdf, "error", ("corrupt",), "", "page tree that contains itself"),
    Case("count-lie.pdf", _count_lie_pdf, "any", ("corrupt", "limit-exceeded"), "", "/Count 1,000,000,000 with one page"),
    Case("many-pages.pdf", _many_pages_pdf, "error", ("limit-exceeded",), "raise it with --max-pages", "50,000 pages in 350 KB"),
    Case("text-bomb.pdf", _text_bomb_pdf, "error", ("limit-exceeded",), "more text than a page", "one page inflating to 25 M characters"),
    Case("huge-page.pdf", _huge_page_pdf, "ok", (), "", "one 200x200-inch page with 1,200 lines"),
    Case("table-maze.pdf", _table_maze_pdf, "ok", (), "", "2,000 lines of twelve far-apart words at jittered places (table finding stays linear)"),
    Case("xref-shifted.pdf", lambda d: simple_pdf(xref="shifted"), "ok", (), "", "every xref offset wrong"),
    Case("xref-garbage.pdf", lambda d: simple_pdf(xref="garbage"), "ok", (), "", "xref table replaced by noise"),
    Case("xref-missing.pdf", lambda d: simple_pdf(xref="missing"), "ok", (), "", "no xref table, startxref points past the end"),
    Case("encrypted-empty-password.pdf", _encrypted_empty_pdf, "ok", (), "", "encrypted, empty user password"),
    Case("encrypted.pdf", _encrypted_pdf, "error", ("encrypted",), "password", "encrypted with a user password"),
    Case("scanned.pdf", _scanned_pdf, "error", ("needs-ocr",), "", "image-only pages"),
    Case("huge-scan.pdf", _huge_scan_pdf, "error", ("needs-ocr",), "", "a 200x200-inch page holding only an image (OCR renders at most 6,000 px a side)"),
    Case("junk.pdf", _junk_pdf, "error", ("corrupt",), "", "random bytes named .pdf"),
    # wrong extensions
    Case("pdf-named.docx", _pdf_named_docx, "ok", (), "content is PDF", "a PDF named .docx"),
    Case("docx-named.pdf", _docx_named_pdf, "ok", (), "content is DOCX", "a .docx named .pdf"),
    Case("docx-named.txt", _docx_named_txt, "ok", (), "content is DOCX", "a .docx named .txt"),
    # text
    Case("empty.txt", _empty, "error", ("empty",), "empty", "0 bytes"),
    Case("empty.docx", _empty, "error", ("empty",), "empty", "0 bytes named .docx"),
    Case("empty.pdf", _empty, "error", ("empty",), "empty", "0 bytes named .pdf"),
    Case("whitespace.md", _whitespace, "error", ("empty",), "empty", "only whitespace"),
    Case("junk.txt", _junk_txt, "error", ("unsupported-format",), "binary", "64 KB of random bytes named .txt"),
    Case("image.txt", _png_txt, "error", ("unsupported-format",), "PNG", "a PNG named .txt"),
    Case("utf16-bom.txt", _utf16, "ok", (), "", "UTF-16 with BOM"),
    Case("utf16-nobom.txt", _utf16_nobom, "ok", (), "", "UTF-16-LE without BOM"),
    Case("latin1.txt", _latin1, "ok", (), "", "Latin-1"),
    Case("utf8-bom.txt", _utf8_bom, "ok", (), "", "UTF-8 with BOM"),
    Case("long-line.txt", _long_line_text, "error", ("limit-exceeded",), "paragraph", "3 M characters without a space or line break"),
    Case("deep-numbering.txt", _deep_numbering_text, "ok", (), "", "numbering 59 levels deep and 500 chained labels"),
    Case("nested.md", _nested_markdown, "any", ("limit-exceeded", "corrupt"), "", "20,000 nested quotes, 1,500 nested list levels"),
    Case("url.html", lambda d: b"https://example.com/contract.html", "ok", (), "", "HTML that is only a URL (bs4 warns on such input)"),
    Case("xxe.html", _xxe_html, "any", ("corrupt",), "", "external entity in an XHTML file"),
    Case("big-50mb.txt", _big_text, "any", ("limit-exceeded",), "", "50 MB of text", slow=True),
    # the file system
    Case("loop-a.txt", _symlink_loop, "error", ("unreadable",), "loop", "symlink cycle a->b->a and a folder link to its parent", posix_only=True),
    Case("dangling.docx", _dangling, "error", ("unreadable",), "broken symbolic link", "symlink to a missing file", posix_only=True),
    Case("pipe.txt", _fifo, "error", ("unreadable",), "regular file", "a named pipe (FIFO)", posix_only=True),
    Case("zero.txt", _dev_zero, "error", ("unreadable",), "regular file", "a symlink to /dev/zero", posix_only=True),
    Case("sock.md", _socket, "error", ("unreadable",), "regular file", "a Unix socket", posix_only=True),
]

# Where a case makes several paths, the other paths it makes and their expectations.
EXTRA_PATHS = {"loop-a.txt": ["loop-b.txt"]}

UNREADABLE = Case("unreadable.txt", _unreadable, "error", ("unreadable",), "permission denied", "mode 000 (not as root)",
                  posix_only=True)


def cases(include_slow: bool = False) -> list[Case]:
    out = [c for c in CASES if include_slow or not c.slow]
    if os.name != "posix":
        out = [c for c in out if not c.posix_only]
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        out.append(UNREADABLE)  # root reads mode-000 files, so the case proves nothing there
    return out


def materialize(case: Case, folder: Path) -> list[Path]:
    """Create the case's file(s) in ``folder``; return the paths it made."""
    folder.mkdir(parents=True, exist_ok=True)
    data = case.make(folder)
    if data is not None:
        (folder / case.name).write_bytes(data)
    return [folder / case.name] + [folder / n for n in EXTRA_PATHS.get(case.name, [])]


# ----------------------------------------------------------------------------- left out, and named


@dataclass
class Skipped:
    """A document of a format clause-lint cannot read, met in a folder walk: left out
    of the run and named on stderr (``PATH: skipped: ...``) with ``says`` in the reason."""

    name: str
    data: bytes
    says: str


SKIPPED = [
    Skipped("legacy.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1016), "legacy Word .doc"),
    Skipped("letter.rtf", b"{\\rtf1\\ansi Customer shall not use the Service in any weapon system.}", "RTF"),
    Skipped("draft.odt", b"PK\x03\x04" + bytes(60), "OpenDocument"),
    Skipped("scan.tiff", b"II*\x00" + bytes(60), "TIFF"),
]

# File names built to hurt the people reading a report: a newline that forges a
# second report line, terminal escape codes (colour, window title, bell), a carriage
# return that overwrites the line, and a right-to-left override that shows the
# name backwards. Each must appear escaped (``\\n``, ``\\x1b``) in every
# people-facing format, and exactly in JSON and SARIF.
HOSTILE_NAMES = [
    "evil\n\x1b[31mred\x1b[0m.md",
    "title\x1b]0;pwned\x07.md",
    "cr\rforged: error: nothing.md",
    "invoice\u202edm.exe.md",
]


# ----------------------------------------------------------------------------- fuzz seeds


def fuzz_seeds() -> dict[str, dict[str, bytes]]:
    """Seed inputs for ``fuzz/fuzz_readers.py``, per target."""
    import tempfile

    from tests.docx_factory import Style, block_sdt, complex_field, heading_styles, hyperlink, sdt, simple_field

    seeds: dict[str, dict[str, bytes]] = {"docx": {}, "docx-xml": {}, "pdf": {}, "text": {}}
    rich = DocxBuilder()
    rich.style(*heading_styles(2), Style("ListClause", "List Clause", num=(1, 0)))
    rich.abstract_num(1, Level("decimal", "%1."), Level("decimal", "%1.%2"), Level("lowerLetter", "(%3)"),
                      Level("lowerRoman", "(%4)"))
    rich.num(1, abstract=1)
    rich.num(2, abstract=1, start_overrides={0: 5})
    rich.add(
        p("Agreement", style="Heading1"),
        p("Definitions", num=(1, 0)),
        p(run("The "), ins("Service", author="A"), dele(" old"), run(" means the product."), num=(1, 1)),
        p("Lead-in to a list:", num=(1, 1)),
        p("first item;", num=(1, 2)),
        p("second item.", num=(1, 3)),
        p("Styled clause", style="ListClause"),
        p(sdt("in a control"), hyperlink("link"), complex_field("REF x", "4.2"), simple_field("PAGE", "3")),
        table([["a", "b"], ["c", "d"]]),
        block_sdt(p("Restarted list", num=(2, 0))),
    )
    rich.header(p("Header text"))
    rich.footnote(p("A footnote."))
    seeds["docx"]["rich.docx"] = rich.to_bytes()
    seeds["docx"]["good.docx"] = good_docx_bytes()
    for name, data in seeds["docx"].items():
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            parts = [zf.read("word/document.xml")]
            parts.append(zf.read("word/numbering.xml") if "word/numbering.xml" in zf.namelist() else b"")
            parts.append(zf.read("word/styles.xml"))
        seeds["docx-xml"][name + ".xml"] = b"\x00\x00".join(parts)
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        seeds["pdf"]["good.pdf"] = good_pdf_bytes(t, pages=2)
        seeds["pdf"]["encrypted-empty.pdf"] = _encrypted_empty_pdf(t)
        seeds["pdf"]["two-column.pdf"] = build_pdf(t / "c.pdf", [flow(GOOD_CLAUSES, x=40) + flow(GOOD_CLAUSES, x=320)]).read_bytes()
        seeds["pdf"]["hand.pdf"] = simple_pdf()
        seeds["pdf"]["hand-compressed.pdf"] = raw_pdf([
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R 3 0 R] /Count 2 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            _stream(_text_content(GOOD_CLAUSES), compress=True),
            FONT,
        ])
    text = good_text().encode()
    seeds["text"]["good.txt"] = b"\x00" + text
    seeds["text"]["good.md"] = b"\x01# Agreement\n\n## 1. Terms\n\n1. First\n   - nested\n\n> quote\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    seeds["text"]["good.html"] = b"\x02<html><body><h1>Agreement</h1><ol><li>One<ol><li>Sub</li></ol></li></ol><table><tr><td>x</td></tr></table></body></html>"
    seeds["text"]["utf16.txt"] = b"\x00" + _utf16(Path("."))
    seeds["text"]["latin1.txt"] = b"\x00" + _latin1(Path("."))
    return seeds


# ----------------------------------------------------------------------------- running the CLI


@dataclass
class Outcome:
    returncode: Optional[int]  # None: killed after the timeout
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float  # largest resident set of the CLI and its workers

    @property
    def hung(self) -> bool:
        return self.returncode is None

    @property
    def traceback(self) -> bool:
        return "Traceback (most recent call last)" in self.stdout + self.stderr


# Runs the CLI under an address-space limit and reports its children's peak RSS from
# a wrapper process, so each measurement covers exactly one run.
_WRAPPER = r"""
import json, resource, subprocess, sys, time
limit, timeout, cwd = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
def preexec():
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
t0 = time.monotonic()
try:
    p = subprocess.run([sys.executable, "-m", "clause_lint", *sys.argv[4:]], capture_output=True, cwd=cwd,
                       preexec_fn=preexec, timeout=timeout)
    rc, out, err = p.returncode, p.stdout, p.stderr
except subprocess.TimeoutExpired as exc:
    rc, out, err = None, exc.stdout or b"", exc.stderr or b""
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
json.dump({"rc": rc, "out": out.decode("utf-8", "replace"), "err": err.decode("utf-8", "replace"),
           "seconds": time.monotonic() - t0, "rss": rss}, sys.stdout)
"""

ROOT = Path(__file__).resolve().parents[1]
MEMORY_LIMIT = 2 * 1024 * MB  # RLIMIT_AS for each CLI run


def run_cli(args: Sequence[str], timeout: float = 240.0, memory_limit: int = MEMORY_LIMIT,
            env: Optional[dict[str, str]] = None) -> Outcome:
    """``python -m clause_lint ARGS`` in a subprocess with RLIMIT_AS and a timeout."""
    import json
    import subprocess
    import sys

    run_env = dict(os.environ if env is None else env)
    run_env["PYTHONPATH"] = str(ROOT) + os.pathsep + run_env.get("PYTHONPATH", "")
    run_env.setdefault("NO_COLOR", "1")
    proc = subprocess.run(
        [sys.executable, "-c", _WRAPPER, str(memory_limit), str(timeout), str(ROOT), *map(str, args)],
        capture_output=True, env=run_env, timeout=timeout + 60,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"measuring wrapper failed: {proc.stderr.decode(errors='replace')[-2000:]}")
    data = json.loads(proc.stdout)
    return Outcome(data["rc"], data["out"], data["err"], data["seconds"], data["rss"])
