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


@dataclass(frozen=True)
class Unreachable:
    path: str
    reason: str


def discover(paths: Iterable[str | os.PathLike]) -> Iterator[Candidate | Unreachable]:
    """Every regular file under the given paths, in a stable order, each once."""
    seen: set[Path] = set()
    for raw in paths:
        raw = os.fspath(raw)
        matches = [raw]
        if not os.path.lexists(raw) and glob.has_magic(raw):
            matches = sorted(glob.glob(raw, recursive=True))
            if not matches:
                yield Unreachable(raw, "no file matches this pattern")
                continue
        for match in matches:
            for item in _walk(match):
                if isinstance(item, Candidate):
                    if item.path in seen:
                        continue
                    seen.add(item.path)
                yield item


def _walk(path: str) -> Iterator[Candidate | Unreachable]:
    item = _candidate(path)
    if item is not None:
        yield item
        return
    visited: set[tuple[int, int]] = set()
    errors: list[OSError] = []
    for folder, subfolders, names in os.walk(path, followlinks=True, onerror=errors.append):
        info = os.stat(folder)
        key = (info.st_dev, info.st_ino)
        if key in visited:  # a symlink back into a folder already walked
            subfolders[:] = []
            continue
        visited.add(key)
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        for name in sorted(names):
            item = None if name.startswith(".") else _candidate(os.path.join(folder, name))
            if item is not None:
                yield item
    for error in errors:
        yield Unreachable(error.filename or path, _reason(error))


def _candidate(path: str) -> Candidate | Unreachable | None:
    """A Candidate for a readable regular file, Unreachable with the reason, None for a folder."""
    try:
        info = os.stat(path)
    except OSError as error:
        return Unreachable(path, _reason(error))
    if stat.S_ISDIR(info.st_mode):
        return None
    if not stat.S_ISREG(info.st_mode):
        return Unreachable(path, "not a regular file (device, pipe or socket)")
    if not os.access(path, os.R_OK):
        return Unreachable(path, "permission denied (file is not readable)")
    return Candidate(Path(path).resolve(), info.st_size, info.st_mtime_ns)


def _reason(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "symlink loop (the link points back at itself)"
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
