"""Changing the archive from the server: one writer at a time, uploads ingested in the background.

`Writer` serialises this process's changes (uploads, deletes) and takes the archive's write lock
for each; when another process holds it (a CLI ingest), the change fails with ArchiveBusy (409).
`JobRunner` ingests uploads one job at a time on a worker thread with the core `Ingestor`; a job
is the progress sink, so its JSON shows files and chunks done while it runs. Uploads always keep a
copy of their original in the archive's store, so a job's folder is removed once it is done or
failed, and on start-up the folders of jobs that died are swept (see `web/uploads.py`).
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from archive import operations
from archive.catalog import open_catalog
from archive.config import Settings
from archive.errors import ArchiveBusy, ArchiveError, NotFound
from archive.ingest import Ingestor
from archive.store import Archive
from web import uploads

log = logging.getLogger(__name__)


def busy(error: ArchiveBusy) -> ArchiveBusy:
    """The lock's message, worded for a web user (there is no --wait to pass here)."""
    holder = f" ({error.holder})" if error.holder else ""
    return ArchiveBusy(
        f"An ingest is already running in another process{holder}. The archive takes no changes "
        "until it has finished; try again then."
    )


class Writer:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._gate = threading.Lock()

    @contextmanager
    def open(self, timeout: float | None = None) -> Iterator[Archive]:
        """A writable Archive; waits up to `timeout` for this server's own running change."""
        if not self._gate.acquire(timeout=-1 if timeout is None else timeout):
            raise ArchiveBusy("This server is ingesting an upload right now; try again when it has finished.")
        try:
            try:
                archive = Archive(self.settings, write=True, wait=False)
            except ArchiveBusy as error:
                raise busy(error) from None
            with archive:
                yield archive
        finally:
            self._gate.release()

    def check_available(self) -> None:
        """Fail fast (409) when another process writes; this server's own jobs simply queue."""
        if self._gate.locked():
            return
        try:
            operations.ensure_not_busy(self.settings)
        except ArchiveBusy as error:
            raise busy(error) from None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass
class Job:
    """One upload: its saved files, its progress while ingesting, then its report or error."""

    id: str
    folder: Path
    paths: list[Path]
    source: str | None = None
    tags: list[str] = field(default_factory=list)
    status: str = "queued"  # queued | running | done | failed
    total_files: int = 0
    done_files: float = 0
    chunks: int = 0
    report: dict | None = None
    exception: ArchiveError | None = None
    created_at: str = field(default_factory=_now)
    finished_at: str | None = None
    _finished: threading.Event = field(default_factory=threading.Event, repr=False)

    # -- the core pipeline's ProgressSink -------------------------------------------------------

    def start(self, total_files: int) -> None:
        self.total_files = total_files
        self.status = "running"

    def advance(self, files: float, chunks: int) -> None:
        self.done_files += files
        self.chunks += chunks

    def close(self) -> None:
        pass

    # -- life cycle -----------------------------------------------------------------------------

    def finish(self, report: dict | None = None, error: ArchiveError | None = None) -> None:
        self.report = report
        self.exception = error
        self.status = "failed" if error else "done"
        self.finished_at = _now()
        self._finished.set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._finished.wait(timeout)

    @property
    def finished(self) -> bool:
        return self._finished.is_set()

    def to_dict(self) -> dict:
        return {
            "job_id": self.id,
            "status": self.status,
            "files": [path.name for path in self.paths],
            "total_files": self.total_files or len(self.paths),
            "done_files": round(self.done_files),
            "chunks": self.chunks,
            "report": self.report,
            "error": self.exception.to_dict()["error"] if self.exception else None,
            "created_at": self.created_at,
            "finished_at": self.finished_at,
        }


class JobRunner:
    """Runs upload jobs in order on one worker thread; remembers the last `keep` jobs."""

    def __init__(self, writer: Writer, keep: int = 200):
        self.writer = writer
        self.keep = keep
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._queue: queue.Queue[Job] = queue.Queue()
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None
        sweep_dead_jobs(writer.settings)

    def submit(self, job: Job) -> Job:
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > self.keep:
                oldest = next(iter(self._jobs))
                if not self._jobs[oldest].finished:
                    break
                del self._jobs[oldest]
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="upload-ingest", daemon=True)
                self._worker.start()
        self._queue.put(job)
        return job

    def get(self, job_id: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None:
            raise NotFound(f"no upload job '{job_id}' (jobs are kept until the server restarts)")
        return job

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            self.run(job)

    def run(self, job: Job) -> None:
        try:
            with self.writer.open() as archive:
                job.status = "running"
                ingestor = Ingestor(
                    archive, source=job.source, tags=job.tags, progress=job, copy_originals=True
                )
                report = ingestor.run([str(job.folder)]).to_dict()
                uploaded = operations.documents_from_files(archive, [str(p) for p in job.paths])
            self._finish(job, report={**report, "uploaded": uploaded})
        except ArchiveError as error:
            self._finish(job, error=error)
        except Exception:
            log.exception("upload job %s failed", job.id)
            failure = "The ingest failed on the server; the details are in its log."
            self._finish(job, error=ArchiveError(failure, code="internal", status=500))

    @staticmethod
    def _finish(job: Job, **outcome) -> None:
        """The uploaded files go first (what became a document is kept in the original store)."""
        uploads.discard(job.folder)
        job.finish(**outcome)


def sweep_dead_jobs(settings: Settings) -> None:
    """Remove upload folders that jobs of a stopped server left behind."""
    data_dir = Path(settings.data_dir)
    folder = data_dir / uploads.UPLOADS_FOLDER
    if not folder.is_dir():
        return
    try:
        catalog = open_catalog(data_dir, settings.catalog)
    except NotFound:
        needed: set[str] = set()  # no archive yet: no upload is any document's original
    else:
        try:
            needed = catalog.paths_without_copy(str(folder.resolve()))
        finally:
            catalog.close()
    removed = uploads.sweep(folder, needed)
    if removed:
        log.info("removed %d file(s) left in %s by upload jobs that did not finish", removed, folder)
