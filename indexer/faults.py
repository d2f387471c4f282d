"""Crash points for the crash-safety tests: `ARCHIVE_CRASH_AT=<point>` makes the process kill
itself with SIGKILL the Nth time (`ARCHIVE_CRASH_AFTER`, default 1) it reaches that point.

Points: `embedded` (a batch embedded, nothing written), `catalog-commit` (inside an ingest batch's
catalog transaction, before COMMIT), `keyword-commit` (Whoosh segment written, before its TOC),
`keyword-applied` (Whoosh committed, state file not yet), `vector-save` (FAISS temporary file
written, not yet renamed), `vector-applied` (renamed, state file not yet).
Unset in normal use: each call is one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

_counts: dict[str, int] = {}


def crash_point(name: str) -> None:
    if os.environ.get("ARCHIVE_CRASH_AT") != name:
        return
    _counts[name] = _counts.get(name, 0) + 1
    if _counts[name] >= int(os.environ.get("ARCHIVE_CRASH_AFTER", "1")):
        os.kill(os.getpid(), signal.SIGKILL)
