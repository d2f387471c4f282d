"""The original files the archive serves: a copy kept in the data folder, or a path checked by hash.

Copies live under `DATA/originals/<first two hex digits>/<sha256>`: content-addressed, so a
content shared by many files or documents is kept once. A copy is written to a temporary file
beside its final name, fsynced, renamed, and its folder fsynced: a file under a final name is
always complete, and a kill leaves at most a temporary file (`archive check --repair` removes it).

Each document records the sha256 of the file it came from (`original_sha256`) and whether a copy
was kept (`original_copy`). The copy is written before the transaction that refers to it, and
removed after the transaction that released it (a delete, a changed file re-ingested), so a kill
leaves at most an orphan copy, never a document without its copy. Without a copy (`ingest
--no-copy`, or a document ingested before copies existed) the file at the recorded path is served
only when its bytes still hash to the recorded sha256, and what is served is exactly what was hashed.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from archive.catalog import Catalog
from archive.catalog.records import OriginalRef
from archive.errors import ArchiveError
from archive.files import UPLOADS_FOLDER, real_paths

ORIGINALS_FOLDER = "originals"
TEMPORARY_PREFIX = ".partial-"
BLOCK = 2**20
SPOOL_BYTES = 8 * 2**20  # a verified download bigger than this is staged on disk, not in memory


class OriginalChanged(ArchiveError):
    """The file at the recorded path is no longer the one ingested: nothing is served."""

    code = "original_changed"
    status = 409


class ChangedWhileCopying(OSError):
    """The file's bytes changed between hashing and copying."""


@dataclass
class Original:
    """What a download serves: the bytes of a kept copy, or verified bytes of the file at its path."""

    name: str
    size: int
    stream: BinaryIO


class OriginalStore:
    def __init__(self, data_dir: str | os.PathLike):
        self.root = Path(data_dir) / ORIGINALS_FOLDER

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def put(self, source: Path, sha256: str) -> None:
        """Keep a copy of `source`, whose content hashes to `sha256` (unless one is kept already);
        raises ChangedWhileCopying when the bytes copied hash to something else."""
        target = self.path_of(sha256)
        if target.is_file():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, dir=target.parent)
        try:
            with open(source, "rb") as reader, os.fdopen(handle, "wb") as writer:
                digest = _copy(reader, writer)
                writer.flush()
                os.fsync(writer.fileno())
            if digest != sha256:
                raise ChangedWhileCopying(f"{source} changed while it was being copied; ingest it again")
            os.replace(temporary, target)
            _fsync_folder(target.parent)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def remove(self, sha256: str) -> None:
        self.path_of(sha256).unlink(missing_ok=True)

    def kept(self) -> Iterator[tuple[str, Path]]:
        """Every copy (sha256, path) under its own name; temporary files are not copies."""
        for path in self._files():
            if path == self.path_of(path.name) and not path.name.startswith(TEMPORARY_PREFIX):
                yield path.name, path

    def strays(self) -> list[Path]:
        """Files that are no copy: unfinished (a kill while copying) or not where a copy goes."""
        return [
            path for path in self._files() if path != self.path_of(path.name) or path.name.startswith(".")
        ]

    def usage(self) -> tuple[int, int]:
        """(copies, bytes) kept."""
        sizes = [path.stat().st_size for _, path in self.kept()]
        return len(sizes), sum(sizes)

    def _files(self) -> Iterator[Path]:
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir():
                yield from sorted(p for p in folder.iterdir() if p.is_file())


def _copy(reader: BinaryIO, writer: BinaryIO) -> str:
    digest = hashlib.sha256()
    while block := reader.read(BLOCK):
        digest.update(block)
        writer.write(block)
    return digest.hexdigest()


def _fsync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


# -- after the catalog's units of work ----------------------------------------------------------


def release(catalog: Catalog, store: OriginalStore, shas: Iterable[str]) -> int:
    """Remove the copies among `shas` that no document keeps any more (after the change that
    released them committed); returns how many were removed."""
    removed = 0
    for sha in set(shas):
        if not catalog.original_in_use(sha) and store.has(sha):
            store.remove(sha)
            removed += 1
    return removed


# -- serving -------------------------------------------------------------------------------------


def download_name(file_path: str) -> str:
    """The file's own name as text (bytes that are not UTF-8 become U+FFFD)."""
    raw = real_paths(file_path)[-1]
    return os.path.basename(raw).decode("utf-8", errors="replace")


def available(store: OriginalStore, data_dir: Path, found: OriginalRef) -> bool:
    """Whether a download may succeed (cheap: the hash is checked when the file is downloaded)."""
    if not found.file_path or not found.sha256:
        return False
    return store.has(found.sha256) or file_at(found.file_path, data_dir) is not None


def open_original(store: OriginalStore, data_dir: Path, found: OriginalRef) -> Original | None:
    """The original to serve, None when there is none; OriginalChanged when the file at the
    recorded path no longer hashes to what was ingested (an edit, a replacement by a link)."""
    if not found.file_path or not found.sha256:
        return None  # no recorded hash: nothing proves the file is the one ingested
    name = download_name(found.file_path)
    try:  # opened at once: a copy released meanwhile is either served whole or not found
        kept = open(store.path_of(found.sha256), "rb")  # noqa: SIM115 - handed to the response
    except FileNotFoundError:
        pass
    else:
        return Original(name, os.fstat(kept.fileno()).st_size, kept)
    path = file_at(found.file_path, data_dir)
    if path is None:
        return None
    try:
        stream, digest, size = _verified_copy(path)
    except OSError:
        return None  # unreadable now (permissions, gone meanwhile): not available
    if digest != found.sha256:
        stream.close()
        raise OriginalChanged(
            f"The file changed since it was ingested: {found.file_path}. Nothing is served; "
            "ingest it again to keep the new version."
        )
    return Original(name, size, stream)


def file_at(file_path: str, data_dir: Path) -> bytes | None:
    """The recorded path as it is on disk, when it is a regular file reached without a link and
    outside the data folder (but its uploads); None otherwise."""
    data = os.fsencode(os.path.realpath(data_dir))
    uploads = os.path.join(data, os.fsencode(UPLOADS_FOLDER))
    for raw in real_paths(file_path):
        try:
            info = os.lstat(raw)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or os.path.realpath(raw) != raw:
            continue  # a folder, a device, or a link put in the file's place
        if _inside(raw, data) and not _inside(raw, uploads):
            continue
        return raw
    return None


def _inside(path: bytes, folder: bytes) -> bool:
    return path == folder or path.startswith(folder.rstrip(b"/") + b"/")


def _verified_copy(path: bytes) -> tuple[BinaryIO, str, int]:
    """The file's bytes staged aside (memory, then disk), their sha256 and size: what is served is
    what was hashed, even if the file changes meanwhile."""
    staged = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - handed to the response
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        with os.fdopen(os.open(path, flags), "rb") as reader:
            digest = _copy(reader, staged)
        size = staged.tell()
        staged.seek(0)
    except BaseException:
        staged.close()
        raise
    return staged, digest, size
