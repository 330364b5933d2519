"""Errors that clause-lint reports to users as one line each.

Every error a reader or loader raises for bad input is a :class:`ClauseLintError`
with a stable ``code`` (used in JSON output) and a message that reads well after
``PATH: error: ``. Anything else escaping a stage is a bug, and the CLI still turns
it into one line (code ``internal``) instead of a traceback.
"""

from __future__ import annotations


class ClauseLintError(Exception):
    """Base class: a problem with one input that the user can act on."""

    code = "error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class UnsupportedFormat(ClauseLintError):
    code = "unsupported-format"


class CorruptFile(ClauseLintError):
    code = "corrupt"


class EncryptedFile(ClauseLintError):
    code = "encrypted"


class EmptyDocument(ClauseLintError):
    code = "empty"


class NeedsOCR(ClauseLintError):
    code = "needs-ocr"


class LimitExceeded(ClauseLintError):
    code = "limit-exceeded"


class UnreadableFile(ClauseLintError):
    code = "unreadable"


class PackError(ClauseLintError):
    """A rule pack or config file is invalid; message starts with FILE:LINE:COL."""

    code = "pack-error"


class ConfigError(ClauseLintError):
    code = "config-error"
