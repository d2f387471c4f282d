"""One writer per archive across processes: an exclusive `flock` on `write.lock`.

The kernel releases the lock when its holder dies (even by SIGKILL), so a crash never leaves
the archive locked.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import sys
import time
from pathlib import Path

from archive.errors import ArchiveBusy


class WriteLock:
    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / "write.lock"
        self._fd: int | None = None

    def acquire(self, wait: bool = False, timeout: float | None = None) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not wait or (deadline is not None and time.monotonic() > deadline):
                    holder = _holder(fd)
                    os.close(fd)
                    raise ArchiveBusy(
                        f"another process is writing to this archive ({holder}); wait for it to "
                        "finish or use --wait",
                        holder=holder,
                    ) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.write(
            fd,
            json.dumps(
                {
                    "pid": os.getpid(),
                    "command": " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))[
                        :200
                    ],
                    "since": dt.datetime.now().isoformat(timespec="seconds"),
                }
            ).encode(),
        )
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None


def _holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return f"pid {info.get('pid')}, `{info.get('command')}` since {info.get('since')}"
    except (ValueError, OSError):
        return "unknown process"
