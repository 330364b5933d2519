"""Resource limits for reading untrusted documents.

Defaults let a 500-page contract through and stop files built to exhaust memory.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 100 * MB  # size of the file on disk
    max_unzipped_bytes: int = 200 * MB  # total uncompressed size of a .docx's parts
    max_zip_entries: int = 5000
    max_compression_ratio: int = 200  # per zip member, uncompressed / compressed
    max_pages: int = 2000
    max_chars: int = 20_000_000  # characters of extracted text per document
    max_seconds: float = 300.0  # time budget per document (clause_lint.guard); 0 = none
    # OCR of scanned PDF pages (clause_lint.extract.ocr), the costliest way to read a
    # page: "auto" (pages without usable text, when Tesseract is installed), "never",
    # "always". It changes what is read, so it is part of the result cache's key.
    ocr: str = "auto"

    def updated(self, **changes: Any) -> "Limits":
        known = {f.name for f in fields(self)}
        return replace(self, **{k: v for k, v in changes.items() if k in known and v is not None})


DEFAULT_LIMITS = Limits()

# The command-line option that sets each limit; the zip limits are fixed.
OPTIONS = {"max_file_bytes": "--max-file-size", "max_pages": "--max-pages", "max_chars": "--max-chars",
           "max_seconds": "--timeout"}


def how_to_raise(key: str) -> str:
    """What a person can do about limit ``key``: ``raise it with --max-file-size``.

    Error messages say this rather than the internal field name.
    """
    option = OPTIONS.get(key)
    return f"raise it with {option}" if option else "a fixed safety limit for untrusted files"
