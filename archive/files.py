"""Finding the files to ingest: paths, folders (recursive) and globs, with a reason for each miss.

Two things are never ingested, whatever is named: what a symbolic link points to outside the
folders the user named (a link to /etc/passwd or to a folder elsewhere), and an archive's data
folder (this archive's, or any folder holding a catalog or an API key). Both come back as
`Skipped` with the reason. A link that stays inside the named folders is followed: it adds no
file the walk would not reach anyway, and skipping it would only add noise to the report.
"""

from __future__ import annotations

import errno
import glob
import hashlib
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from archive.catalog import CATALOG_FILE

# A folder holding one of these is an archive's data folder (the catalog, the server's secret).
DATA_FOLDER_MARKERS = (CATALOG_FILE, "api_key")
UPLOADS_FOLDER = "uploads"  # the one part of the data folder the server ingests from


@dataclass(frozen=True)
class Candidate:
    path: Path  # absolute, symlinks resolved
    size: int
    mtime_ns: int

    @property
    def shown(self) -> str:
        """The path as stored in the catalog and shown in reports (see `printable_path`)."""
        return printable_path(self.path)


@dataclass(frozen=True)
class Unreachable:
    path: str  # printable (see `printable_path`)
    reason: str


@dataclass(frozen=True)
class Skipped:
    """Left out on purpose (a link out of the named folders, a data folder); not a failure."""

    path: str  # printable
    reason: str


def printable_path(path: str | os.PathLike) -> str:
    """A path as text that can be stored and shown: Linux file names are bytes, and bytes that are
    not UTF-8 (which Python keeps as lone surrogates that SQLite and JSON refuse) become `\\xNN`."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


_ESCAPED_BYTE = re.compile(rb"\\x([89a-fA-F][0-9a-fA-F])")


def real_paths(shown: str) -> list[bytes]:
    """The file system names a printable path may stand for: itself, then with its `\\xNN`
    escapes turned back into bytes (only bytes >= 0x80 are ever escaped, see `printable_path`)."""
    literal = shown.encode("utf-8")
    unescaped = _ESCAPED_BYTE.sub(lambda m: bytes([int(m.group(1), 16)]), literal)
    return [literal] if unescaped == literal else [literal, unescaped]


def discover(
    paths: Iterable[str | os.PathLike], data_dir: str | os.PathLike | None = None
) -> Iterator[Candidate | Unreachable | Skipped]:
    """Every regular file under the given paths, in a stable order, each once; never a file of
    `data_dir` (but its uploads folder) or of another archive, nor one reached by a link leaving
    the named paths."""
    named = [(raw, _expand(os.fspath(raw))) for raw in paths]
    fence = Fence([root for raw, matches in named for root in _roots(os.fspath(raw), matches)], data_dir)
    seen: set[Path] = set()
    for _, matches in named:
        for match in matches:
            for item in _walk(match, fence) if isinstance(match, str) else [match]:
                if isinstance(item, Candidate):
                    if item.path in seen:
                        continue
                    seen.add(item.path)
                yield item


class Fence:
    """Where the walk may go: inside the named roots, never into an archive's data folder."""

    def __init__(self, roots: Iterable[str], data_dir: str | os.PathLike | None):
        self.roots = [os.path.realpath(root) for root in roots]
        self.data_dir = os.path.realpath(data_dir) if data_dir is not None else None
        self.data_inode = _inode(self.data_dir) if self.data_dir else None

    def refusal(self, path: str) -> str | None:
        """Why `path` (a named path or a link met while walking) must not be followed, or None."""
        real = os.path.realpath(path)
        if not any(_within(real, root) for root in self.roots):
            return f"a symbolic link to {printable_path(real)}, outside the folders given: not followed"
        own = self.data_dir is not None and _within(real, self.data_dir)
        if own and not _within(real, os.path.join(self.data_dir, UPLOADS_FOLDER)):
            return _OWN_DATA
        folder = real if os.path.isdir(real) else os.path.dirname(real)
        return self.folder_refusal(_inode(folder), data_folder_marker(folder))

    def folder_refusal(self, inode: tuple[int, int] | None, marker: str | None) -> str | None:
        """Why a folder (its inode, the data-folder marker it holds) is not walked, or None."""
        if inode is not None and inode == self.data_inode:
            return _OWN_DATA
        if marker:
            return f"an archive's data folder (it holds {marker}): never ingested"
        return None


_OWN_DATA = "inside this archive's data folder: never ingested"


def _inode(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def data_folder_marker(folder: str, names: Iterable[str] | None = None) -> str | None:
    """The file that makes `folder` an archive's data folder, or None."""
    if names is not None:
        present = set(names)
        return next((name for name in DATA_FOLDER_MARKERS if name in present), None)
    return next((n for n in DATA_FOLDER_MARKERS if os.path.lexists(os.path.join(folder, n))), None)


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _expand(raw: str) -> list[str | Unreachable]:
    """The path itself, or what the glob pattern matches."""
    if os.path.lexists(raw) or not glob.has_magic(raw):
        return [raw]
    try:
        matches = sorted(glob.glob(raw, recursive=True))
    except RecursionError:  # glob recurses once per folder level
        return [Unreachable(printable_path(raw), "folders nest too deep for this pattern: give the folder")]
    return matches or [Unreachable(printable_path(raw), "no file matches this pattern")]


def _roots(raw: str, matches: list[str | Unreachable]) -> list[str]:
    """What the user named: the path itself, or for a pattern the folder before its first wildcard
    (a match that is a link out of that folder was not named)."""
    if matches == [raw]:
        return [raw]
    parts = Path(raw).parts
    fixed = next((i for i, part in enumerate(parts) if glob.has_magic(part)), len(parts))
    return [os.path.join(*parts[:fixed]) if fixed else os.curdir]


def _walk(path: str, fence: Fence) -> Iterator[Candidate | Unreachable | Skipped]:
    """Depth first, names sorted, symlinked folders inside the roots followed once (a loop is not
    walked twice); iterative, so a folder nested thousands of levels deep cannot exhaust the stack."""
    refusal = fence.refusal(path)
    if refusal:
        yield Skipped(printable_path(path), refusal)
        return
    item = _candidate(path)
    if item is not None:
        yield item
        return
    visited: set[tuple[int, int]] = set()
    folders = [path]
    while folders:
        folder = folders.pop()
        try:
            info = os.stat(folder)
            if (info.st_dev, info.st_ino) in visited:  # a symlink back into a folder already walked
                continue
            visited.add((info.st_dev, info.st_ino))
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as error:
            yield Unreachable(printable_path(folder), _reason(error))
            continue
        marker = data_folder_marker(folder, (e.name for e in entries))
        refusal = fence.folder_refusal((info.st_dev, info.st_ino), marker)
        if refusal:
            yield Skipped(printable_path(folder), refusal)
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            refusal = fence.refusal(entry.path) if entry.is_symlink() else None
            item = Skipped(printable_path(entry.path), refusal) if refusal else _candidate(entry.path)
            if item is None:
                subfolders.append(entry.path)
            else:
                yield item
        folders.extend(reversed(subfolders))


def _candidate(path: str) -> Candidate | Unreachable | None:
    """A Candidate for a readable regular file, Unreachable with the reason, None for a folder."""
    try:
        info = os.stat(path)
    except OSError as error:
        return Unreachable(printable_path(path), _reason(error))
    if stat.S_ISDIR(info.st_mode):
        return None
    if not stat.S_ISREG(info.st_mode):
        return Unreachable(printable_path(path), "not a regular file (device, pipe or socket)")
    if not os.access(path, os.R_OK):
        return Unreachable(printable_path(path), "permission denied (file is not readable)")
    return Candidate(Path(path).resolve(), info.st_size, info.st_mtime_ns)


def _reason(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "symlink loop (following the link leads back to itself)"
    if error.errno == errno.ENOENT:
        return "no such file or directory"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return error.strerror or str(error)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(2**20):
            digest.update(block)
    return digest.hexdigest()
