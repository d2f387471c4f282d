"""One error type for everything a user can cause; the CLI and the API render it."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

# The base type and IndexMismatch live with the indexes, the lowest layer; imported from here too.
from indexer.errors import ArchiveError, IndexMismatch  # noqa: F401


class UsageError(ArchiveError):
    code = "bad_request"
    status = 400
    exit_code = 2


class NotFound(ArchiveError):
    code = "not_found"
    status = 404


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


class OutOfResources(ArchiveError):
    """The machine, not the request: a full disk (507), a read-only or forbidden folder, no memory
    (503). The message names the folder and what to do."""

    code = "insufficient_storage"
    status = 507


_NO_SPACE = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
_NO_ACCESS = (errno.EACCES, errno.EPERM)
FULL_BELOW = 2**20  # bytes free under which a disk I/O error is read as a full disk
_AFTERWARDS = "then run the command again (`archive check` verifies the archive afterwards)"


def resource_error(error: BaseException, folder: Path | str) -> OutOfResources | None:
    """A full disk, a read-only or forbidden folder or exhausted memory as one clear error (None
    for anything else). Looks through the exception's causes: SQLite, Whoosh and FAISS each
    report a full disk in their own way."""
    for cause in _causes(error):
        if isinstance(cause, MemoryError):
            return OutOfResources(
                "out of memory: close other programs or ingest fewer files at a time, " + _AFTERWARDS,
                code="out_of_memory",
                status=503,
            )
        where = getattr(cause, "filename", None) or folder
        number = getattr(cause, "errno", None)
        text = str(cause).lower()
        if (
            number in _NO_SPACE
            or "disk is full" in text
            or "no space left" in text
            or _io_and_full(text, where)
        ):
            return OutOfResources(f"no space left on the disk holding '{where}': free space, {_AFTERWARDS}")
        if number == errno.EROFS or "readonly database" in text or "read-only file system" in text:
            return OutOfResources(
                f"'{where}' is on a read-only file system: use a writable folder (--data), {_AFTERWARDS}",
                code="read_only",
                status=503,
            )
        if number in _NO_ACCESS or "unable to open database file" in text:
            return OutOfResources(
                f"permission denied on '{where}': give this user write access to it, {_AFTERWARDS}",
                code="permission_denied",
                status=503,
            )
        if "disk i/o error" in text:
            return OutOfResources(
                f"a disk I/O error in '{where}': check the disk and its free space, {_AFTERWARDS}",
                code="io_error",
                status=503,
            )
    return None


def _io_and_full(text: str, where: Path | str) -> bool:
    """SQLite says "disk I/O error" when its WAL index cannot grow on a full disk."""
    if "disk i/o error" not in text:
        return False
    folder = Path(where)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder).free < FULL_BELOW
    except OSError:
        return False


def _causes(error: BaseException):
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__
