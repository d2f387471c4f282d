"""A small JSON file beside an index that records how far it has caught up with the catalog.

It is written (atomically) only after the index itself is committed, so it may lag the index but
never lead it; replaying changes the index already holds is harmless (updates are idempotent).
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def write_atomic(path: Path, data: bytes, *, mode: int = 0o644, exclusive: bool = False) -> None:
    """Write a whole file or nothing: a temporary file, flushed to disk, renamed over `path` (with
    `exclusive`, linked to it instead: FileExistsError if another process made it first). On a full
    disk or any other failure `path` is untouched and the temporary file is removed."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if exclusive:
            os.link(temporary, path)
        else:
            os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (the folder's entry), where the system allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_json_atomic(path: Path, data: dict) -> None:
    write_atomic(path, json.dumps(data, indent=2, sort_keys=True).encode("utf-8"))


def read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


class IndexState:
    def __init__(self, path: Path):
        self.path = path

    @property
    def applied_seq(self) -> int:
        data = read_json(self.path)
        return int(data["applied_seq"]) if data else 0

    def mark_applied(self, seq: int, **extra) -> None:
        write_json_atomic(self.path, {"applied_seq": seq, **extra})

    def stamp(self) -> int:
        """A value that changes whenever the state file is rewritten (for readers to reload)."""
        try:
            return self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return 0
