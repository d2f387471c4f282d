"""A small JSON file beside an index that records how far it has caught up with the catalog.

It is written (atomically) only after the index itself is committed, so it may lag the index but
never lead it; replaying changes the index already holds is harmless (updates are idempotent).
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def write_json_atomic(path: Path, data: dict) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


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
