"""The one error type for everything a user can cause, from the indexes up: the CLI and the API
render it. It lives in the lowest layer so that indexer/ imports nothing from archive/;
archive/errors.py adds the archive's own kinds.
"""

from __future__ import annotations


class ArchiveError(Exception):
    """A problem the user can act on. `code` is stable (API clients match on it)."""

    code = "archive_error"
    status = 400  # HTTP status when it reaches the API
    exit_code = 1  # process exit status when it reaches the CLI

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status

    def to_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}}


class IndexMismatch(ArchiveError):
    """The indexes were built with another model or settings than configured."""

    code = "index_mismatch"
    status = 409
