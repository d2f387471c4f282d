"""Finding the files to ingest: paths, folders (recursive) and globs, with a reason for each miss."""

from __future__ import annotations

import errno
import glob
import hashlib
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path


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


def printable_path(path: str | os.PathLike) -> str:
    """A path as text that can be stored and shown: Linux file names are bytes, and bytes that are
    not UTF-8 (which Python keeps as lone surrogates that SQLite and JSON refuse) become `\\xNN`."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def discover(paths: Iterable[str | os.PathLike]) -> Iterator[Candidate | Unreachable]:
    """Every regular file under the given paths, in a stable order, each once."""
    seen: set[Path] = set()
    for raw in paths:
        for match in _expand(os.fspath(raw)):
            for item in _walk(match) if isinstance(match, str) else [match]:
                if isinstance(item, Candidate):
                    if item.path in seen:
                        continue
                    seen.add(item.path)
                yield item


def _expand(raw: str) -> list[str | Unreachable]:
    """The path itself, or what the glob pattern matches."""
    if os.path.lexists(raw) or not glob.has_magic(raw):
        return [raw]
    try:
        matches = sorted(glob.glob(raw, recursive=True))
    except RecursionError:  # glob recurses once per folder level
        return [Unreachable(printable_path(raw), "folders nest too deep for this pattern: give the folder")]
    return matches or [Unreachable(printable_path(raw), "no file matches this pattern")]


def _walk(path: str) -> Iterator[Candidate | Unreachable]:
    """Depth first, names sorted, symlinked folders followed once (a loop is not walked twice);
    iterative, so a folder nested thousands of levels deep cannot exhaust the stack."""
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
                entries = sorted((e for e in listing if not e.name.startswith(".")), key=lambda e: e.name)
        except OSError as error:
            yield Unreachable(printable_path(folder), _reason(error))
            continue
        subfolders = []
        for entry in entries:
            item = _candidate(entry.path)
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
