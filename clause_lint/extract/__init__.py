"""Readers: bytes of one file → :class:`~clause_lint.model.Extracted`.

One module per format; each exposes ``read(data: bytes, path: str, limits: Limits)
-> Extracted`` and raises :class:`~clause_lint.errors.ClauseLintError` for input it
cannot read. :func:`sniff` decides the format from the content first and the file
name second, so a PDF renamed ``.docx`` is read as the PDF it is (with a warning).
"""

from __future__ import annotations

import os
import stat
import zipfile
import io
from typing import Callable, Optional

from ..errors import ClauseLintError, EmptyDocument, LimitExceeded, UnreadableFile, UnsupportedFormat
from ..limits import DEFAULT_LIMITS, Limits, how_to_raise
from ..model import Extracted
from ..text import printable

EXTENSIONS = {
    ".docx": "docx",
    ".docm": "docx",
    ".pdf": "pdf",
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
}
SUPPORTED_FORMATS = ("docx", "pdf", "txt", "md", "html")
SAVE_AS = "save it as .docx or .pdf"
# Documents clause-lint cannot read, by extension: a folder walk names each one it
# skips (a contract left unchecked must not pass unnoticed); other files are counted.
UNSUPPORTED_DOCUMENTS = {
    ".doc": f"legacy Word .doc is not supported; {SAVE_AS}",
    ".dot": f"legacy Word template .dot is not supported; {SAVE_AS}",
    ".dotx": f"Word template .dotx is not supported; {SAVE_AS}",
    ".dotm": f"Word template .dotm is not supported; {SAVE_AS}",
    ".rtf": f"RTF is not supported; {SAVE_AS}",
    ".odt": f"OpenDocument text is not supported; {SAVE_AS}",
    ".ott": f"OpenDocument template is not supported; {SAVE_AS}",
    ".fodt": f"OpenDocument text is not supported; {SAVE_AS}",
    ".pages": f"Apple Pages is not supported; {SAVE_AS}",
    ".wpd": f"WordPerfect is not supported; {SAVE_AS}",
    ".wps": f"Microsoft Works is not supported; {SAVE_AS}",
    ".xps": "XPS is not supported; print it to PDF",
    ".oxps": "XPS is not supported; print it to PDF",
    ".tif": "a TIFF image is not supported; put the scan in a PDF",
    ".tiff": "a TIFF image is not supported; put the scan in a PDF",
}
# spaCy refuses a text over 1,000,000 characters (nlp.max_length) and the checker runs it
# per paragraph; no real paragraph comes near (a 500-page contract has ~1.5 M in all).
MAX_BLOCK_CHARS = 1_000_000


def format_from_name(path: str) -> Optional[str]:
    return EXTENSIONS.get(os.path.splitext(path)[1].lower())


def sniff(data: bytes, path: str) -> tuple[str, Optional[str]]:
    """Return ``(format, warning)`` for ``data`` named ``path``.

    Raises :class:`UnsupportedFormat` for content clause-lint cannot read.
    """
    by_name = format_from_name(path)
    head = data[:2048]
    by_content: Optional[str] = None
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        by_content = "pdf"
    elif head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
            if by_name == "docx":
                raise ClauseLintError(f"not a valid .docx (broken zip archive: {exc})", code="corrupt") from None
            raise UnsupportedFormat("unreadable zip archive; expected .docx") from None
        if "word/document.xml" in names:
            by_content = "docx"
        elif any(n.startswith("xl/") for n in names):
            raise UnsupportedFormat("this is an Excel workbook (.xlsx), not a supported document")
        elif any(n.startswith("ppt/") for n in names):
            raise UnsupportedFormat("this is a PowerPoint file (.pptx), not a supported document")
        elif "content.xml" in names:
            raise UnsupportedFormat("this is an OpenDocument file; save it as .docx or .pdf")
        else:
            if by_name == "docx":
                raise ClauseLintError("not a valid .docx (zip archive without word/document.xml)", code="corrupt")
            raise UnsupportedFormat("zip archive is not a .docx document")
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnsupportedFormat("legacy Word .doc (OLE) or encrypted Office file; save it as .docx or .pdf")
    elif head.startswith(b"{\\rtf"):
        raise UnsupportedFormat("RTF is not supported; save it as .docx or .pdf")
    elif _looks_binary(head):
        if by_name in ("txt", "md", "html") or by_name is None:
            kind = _binary_kind(head)
            raise UnsupportedFormat(f"binary content ({kind}), not text" if kind else "binary content, not text")
    else:
        lowered = head.lstrip().lower()
        if by_name in (None, "txt") and (lowered.startswith(b"<!doctype html") or lowered.startswith(b"<html")):
            by_content = "html"

    if by_content is None:
        if by_name is None:
            ext = os.path.splitext(path)[1] or "(none)"
            raise UnsupportedFormat(f"unsupported file type {ext}; supported: .docx .pdf .txt .md .html")
        if by_name in ("docx", "pdf"):
            raise ClauseLintError(f"not a valid .{by_name} file (content does not match its extension)", code="corrupt")
        return by_name, None
    if by_name is not None and by_name != by_content and not (by_name == "txt" and by_content == "html"):
        return by_content, f"file content is {by_content.upper()}, not {by_name} as its name says; read as {by_content}"
    return by_content, None


def one_line(text: str, limit: int = 300) -> str:
    """``text`` as one printable line of at most ``limit`` characters.

    Error and warning messages can quote strings from a hostile file; a newline would
    forge a second ``PATH: error:`` line and an escape sequence would drive the terminal.
    """
    if text.isprintable() and len(text) <= limit:
        return text
    cleaned = printable(text)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "\u2026"


def _looks_binary(head: bytes) -> bool:
    if not head:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return False  # BOM: text in some Unicode encoding
    if b"\x00" in head:
        # UTF-16 without BOM has NULs in every other byte; leave that to the text reader
        even = head[0::2].count(0)
        odd = head[1::2].count(0)
        half = len(head) // 2 or 1
        if max(even, odd) > 0.4 * half and min(even, odd) < 0.05 * half:
            return False
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > 0.1 * len(head)


def _binary_kind(head: bytes) -> Optional[str]:
    signatures = {
        b"\x89PNG": "PNG image",
        b"\xff\xd8\xff": "JPEG image",
        b"GIF8": "GIF image",
        b"\x1f\x8b": "gzip archive",
        b"\x7fELF": "executable",
        b"MZ": "executable",
    }
    for sig, name in signatures.items():
        if head.startswith(sig):
            return name
    return None


def _reader(fmt: str) -> Callable[[bytes, str, Limits], Extracted]:
    if fmt == "docx":
        from . import docx as mod
    elif fmt == "pdf":
        from . import pdf as mod
    elif fmt == "html":
        from . import html as mod
    elif fmt == "md":
        from . import markdown as mod
    else:
        from . import plaintext as mod
    return mod.read


def read_bytes(data: bytes, path: str, limits: Limits = DEFAULT_LIMITS, tracked_changes: str = "accept") -> Extracted:
    """Read ``data`` (the content of ``path``) into raw blocks.

    ``tracked_changes="reject"`` reads a .docx as it was before its tracked changes
    (other formats have none and read the same either way).
    """
    if len(data) > limits.max_file_bytes:
        raise LimitExceeded(
            f"file is {len(data):,} bytes, over the limit of {limits.max_file_bytes:,} ({how_to_raise('max_file_bytes')})"
        )
    if not data.strip():
        raise EmptyDocument("file is empty")
    fmt, warning = sniff(data, path)
    try:
        if fmt == "docx":
            from . import docx

            extracted = docx.read(data, path, limits, tracked_changes)
        else:
            extracted = _reader(fmt)(data, path, limits)
    except ClauseLintError as exc:
        # Messages quote names taken from the file (zip members, relationship targets).
        exc.message = one_line(exc.message)
        exc.args = (exc.message,)
        raise
    extracted.warnings = [one_line(w) for w in extracted.warnings]
    if warning:
        extracted.warnings.insert(0, warning)
    if not any(b.text.strip() for b in extracted.blocks):
        raise EmptyDocument("no text found in the document")
    longest = max(len(b.text) for b in extracted.blocks)
    if longest > MAX_BLOCK_CHARS:
        raise LimitExceeded(
            f"a paragraph of {longest:,} characters is longer than the {MAX_BLOCK_CHARS:,} one paragraph may have"
        )
    total = sum(len(b.text) for b in extracted.blocks)
    if total > limits.max_chars:
        raise LimitExceeded(f"document has {total:,} characters of text, over the limit of {limits.max_chars:,} ({how_to_raise('max_chars')})")
    return extracted


def read_path(path: str, limits: Limits = DEFAULT_LIMITS, tracked_changes: str = "accept") -> Extracted:
    """Read the file at ``path``; size is checked before the file is loaded."""
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise UnreadableFile("is a directory")
        if not stat.S_ISREG(st.st_mode):
            # A FIFO would block the run forever, /dev/zero never ends: regular files only.
            raise UnreadableFile("not a regular file (device, pipe or socket)")
        size = st.st_size
        if size > limits.max_file_bytes:
            raise LimitExceeded(f"file is {size:,} bytes, over the limit of {limits.max_file_bytes:,} ({how_to_raise('max_file_bytes')})")
        with open(path, "rb") as fh:
            data = fh.read(limits.max_file_bytes + 1)
    except ClauseLintError:
        raise
    except IsADirectoryError:
        raise UnreadableFile("is a directory") from None
    except FileNotFoundError:
        raise UnreadableFile("no such file") from None
    except PermissionError:
        raise UnreadableFile("permission denied") from None
    except OSError as exc:
        raise UnreadableFile(exc.strerror or str(exc)) from None
    return read_bytes(data, path, limits, tracked_changes)
