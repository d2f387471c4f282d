"""One error type for everything a user can cause; the CLI and the API render it."""

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


class UsageError(ArchiveError):
    code = "bad_request"
    status = 400
    exit_code = 2


class NotFound(ArchiveError):
    code = "not_found"
    status = 404


class IndexMismatch(ArchiveError):
    """The indexes were built with another model or settings than configured."""

    code = "index_mismatch"
    status = 409


class ArchiveBusy(ArchiveError):
    """Another process holds the write lock (an ingest is running); `holder` says which."""

    code = "busy"
    status = 409

    def __init__(self, message: str, *, holder: str = ""):
        super().__init__(message)
        self.holder = holder


class ReadError(ArchiveError):
    """A file could not be turned into a document; the message names the reason."""

    code = "unreadable"
    status = 422
