"""The ingest pipeline: files -> documents -> chunks -> embeddings -> catalog -> indexes.

Three stages overlap, joined by bounded queues (so memory stays bounded):
  reader thread  discover, skip unchanged (size+mtime, then sha256), read, chunk;
  this thread    embed chunks and their sentences in batches (torch uses every core);
  writer thread  one catalog transaction per batch, then the indexes catch up (`Archive.sync`)
                 every few seconds and at the end.
The pipeline is the archive's only writer of documents; the write order that makes a kill -9
safe at any moment is described in `archive/store.py`.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from archive.catalog import CatalogWriter
from archive.chunking import chunk_text
from archive.domain import Chunk, Document, file_identity
from archive.errors import ReadError
from archive.files import Skipped, Unreachable, discover, printable_path, sha256_file
from archive.metadata import Override
from archive.originals import OriginalStore, release
from archive.originals_audit import recover
from archive.readers import RecordError, Source, read_source, registry
from archive.sidecar import Sidecar
from archive.sources import SourceNames
from archive.store import Archive, embed_sentences, embedding_input
from archive.tags import split_tags
from indexer.faults import crash_point
from indexer.sentences import SentenceVectors

IN_FLIGHT_CHARACTERS = 64 * 2**20  # text read but not yet written: bounds memory with big files
EMBED_BATCH_CHUNKS = 256  # chunks per embedding call at most (sorted by length inside)
FIRST_BATCH_CHUNKS = 16  # the first batch, before the embedding rate is known
SYNC_INTERVAL_SECONDS = 15.0  # how stale the indexes may get during a long ingest
SHOWN_PROBLEMS = 5  # bad records named in a file's reason (the rest are counted)
_DONE = object()


@dataclass
class Prepared:
    """A new or changed document, chunked, waiting for its embeddings."""

    document: Document
    chunks: list[Chunk]
    file_path: str
    origins: dict[str, str] = field(default_factory=dict)  # fields set by ingest options


@dataclass
class MetadataUpdate:
    """Ingest options (or a sidecar row) for stored documents whose content is unchanged: their
    metadata is updated and their chunks re-indexed, without reading or embedding anything."""

    doc_ids: list[str]
    override: Override
    done: FileDone


@dataclass
class Embedded:
    """A batch's chunk vectors and each chunk's sentence vectors, in the batch's chunk order."""

    vectors: np.ndarray
    sentences: list[SentenceVectors]


@dataclass
class FileDone:
    """Everything from one file has been handed on; record its state once it is written."""

    path: str
    status: str  # ok | failed | duplicate | unchanged | skipped
    size: int | None = None
    mtime_ns: int | None = None
    sha256: str | None = None
    reason: str | None = None
    identities: set[str] | None = None  # documents the file holds now (None: keep what exists)
    changed: int = 0  # documents of this file that were written
    metadata_changed: int = 0  # unchanged documents of this file whose metadata changed
    copied: bool = False  # a copy of this version is kept in the original store


@dataclass
class IngestReport:
    run_id: int
    files: int = 0
    ingested: int = 0
    unchanged: int = 0
    metadata_updated: int = 0
    duplicates: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    metadata_not_found: list[str] = field(default_factory=list)  # sidecar rows naming no file
    skipped: list[tuple[str, str]] = field(default_factory=list)  # left out on purpose, not failures
    documents: int = 0
    removed: int = 0
    chunks: int = 0
    embedded: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    interrupted: bool = False

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.interrupted else 0

    def to_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "files": self.files,
            "ingested": self.ingested,
            "unchanged": self.unchanged,
            "metadata_updated": self.metadata_updated,
            "duplicates": self.duplicates,
            "failed": [{"path": path, "reason": reason} for path, reason in self.failed],
            "metadata_not_found": self.metadata_not_found,
            "skipped": [{"path": path, "reason": reason} for path, reason in self.skipped],
            "documents": self.documents,
            "removed": self.removed,
            "chunks": self.chunks,
            "embedded": self.embedded,
            "seconds": round(self.seconds, 3),
            "embed_seconds": round(self.embed_seconds, 3),
            "interrupted": self.interrupted,
        }


class ProgressSink(Protocol):
    def start(self, total_files: int) -> None: ...
    def advance(self, files: float, chunks: int) -> None: ...
    def close(self) -> None: ...


class NoProgress:
    def start(self, total_files: int) -> None:
        pass

    def advance(self, files: float, chunks: int) -> None:
        pass

    def close(self) -> None:
        pass


class Ingestor:
    def __init__(
        self,
        archive: Archive,
        *,
        source: str | None = None,
        tags: Iterable[str] = (),
        retry_failed: bool = False,
        progress: ProgressSink | None = None,
        sidecar: Sidecar | None = None,
        copy_originals: bool | None = None,
    ):
        self.archive = archive
        self.catalog = archive.catalog
        self.source_name = source
        self.tags = split_tags(list(tags))
        self.sidecar = sidecar
        self.retry_failed = retry_failed
        self.progress = progress or NoProgress()
        self._stop = threading.Event()
        self._errors: list[BaseException] = []
        self._in_flight = Budget(IN_FLIGHT_CHARACTERS)
        copy = archive.settings.copy_originals if copy_originals is None else copy_originals
        self._originals = OriginalStore(archive.data_dir)
        self.store = self._originals if copy else None  # where this ingest keeps copies, if it does
        self._released: set[str] = set()  # copies that may have lost their last document

    # -- the three stages -----------------------------------------------------------------------

    def run(self, paths: Iterable[str]) -> IngestReport:
        started = time.monotonic()
        self.archive.prepare_for_writing()
        self._sources = SourceNames(name for name, _ in self.catalog.facet("source"))
        recover(self.catalog, self._originals)  # before this run is started
        paths = list(paths)
        if self.retry_failed and not paths:
            paths = [row["path"] for row in self.catalog.failed_files()]
        report = IngestReport(run_id=self.catalog.start_run("ingest " + " ".join(paths)[:500]))
        candidates = list(discover(paths, self.archive.data_dir))
        report.files = len(candidates)
        if self.sidecar is not None:
            report.metadata_not_found = self.sidecar.unmatched(
                c.shown for c in candidates if not isinstance(c, Unreachable | Skipped)
            )
        self.progress.start(len(candidates))
        prepared: queue.Queue = queue.Queue(maxsize=64)
        to_write: queue.Queue = queue.Queue(maxsize=4)
        reader = threading.Thread(
            target=self._guard, args=(self._read_all, candidates, prepared), name="ingest-reader", daemon=True
        )
        writer = threading.Thread(
            target=self._guard, args=(self._write_all, to_write, report), name="ingest-writer", daemon=True
        )
        reader.start()
        writer.start()
        try:
            self._embed_all(prepared, to_write, report)
        except KeyboardInterrupt:
            report.interrupted = True
            self._stop.set()
            _drain(prepared)
        finally:
            _put(to_write, _DONE, self._stop)
            writer.join()
            self._stop.set()
            _drain(prepared)
            reader.join()
            self.progress.close()
        release(self.catalog, self._originals, self._released)
        if self._errors:
            self.catalog.finish_run(report.run_id, "error", report.to_dict())
            raise self._errors[0]
        report.seconds = time.monotonic() - started
        status = "interrupted" if report.interrupted else ("failed" if report.failed else "ok")
        self.catalog.finish_run(report.run_id, status, report.to_dict())
        return report

    def _guard(self, target, *args) -> None:
        try:
            target(*args)
        except BaseException as error:  # surfaced in the main thread
            self._errors.append(error)
            self._stop.set()

    def _read_all(self, candidates: list, out: queue.Queue) -> None:
        seen_content: dict[str, str] = {}
        for candidate in candidates:
            if self._stop.is_set():
                break
            for item in self._read_one(candidate, seen_content):
                if isinstance(item, Prepared):
                    self._in_flight.take(len(item.document.text), self._stop)
                if not _put(out, item, self._stop):
                    return
        _put(out, _DONE, self._stop)

    def _embed_all(self, prepared: queue.Queue, out: queue.Queue, report: IngestReport) -> None:
        """Hand batches to the writer, each committed in bounded time: a batch closes at the
        number of chunks embedded in `commit_seconds` at the rate measured so far (at most
        EMBED_BATCH_CHUNKS), or when its first item has waited `commit_seconds`. (A batch of 256
        chunks took 4 minutes to embed on a busy machine: a kill lost all of it.) One document is
        never split: its chunks are committed together."""
        batch: list = []
        pending_chunks = 0
        opened = time.monotonic()
        while not self._stop.is_set():
            try:
                item = prepared.get(timeout=0.5)
            except queue.Empty:
                if batch and (pending_chunks == 0 or self._overdue(opened)):
                    _put(out, self._embed(batch, report), self._stop)  # file markers only, or late
                    batch, pending_chunks = [], 0
                continue
            if item is _DONE:
                break
            if not batch:
                opened = time.monotonic()
            batch.append(item)
            if isinstance(item, Prepared):
                pending_chunks += len(item.chunks)
            if pending_chunks >= self._batch_chunks(report) or (pending_chunks and self._overdue(opened)):
                _put(out, self._embed(batch, report), self._stop)
                batch, pending_chunks = [], 0
        if batch and not self._stop.is_set():
            _put(out, self._embed(batch, report), self._stop)

    def _batch_chunks(self, report: IngestReport) -> int:
        """How many chunks this machine embeds in `commit_seconds` (measured on earlier batches)."""
        if report.embed_seconds <= 0 or report.embedded == 0:
            return FIRST_BATCH_CHUNKS
        rate = report.embedded / report.embed_seconds
        return int(min(EMBED_BATCH_CHUNKS, max(1, rate * self.archive.settings.commit_seconds)))

    def _overdue(self, opened: float) -> bool:
        return time.monotonic() - opened >= self.archive.settings.commit_seconds

    def _embed(self, batch: list, report: IngestReport) -> tuple[list, Embedded | None]:
        chunks = [
            (item.document.title, chunk.text)
            for item in batch
            if isinstance(item, Prepared)
            for chunk in item.chunks
        ]
        if not chunks:
            return batch, None
        started = time.monotonic()
        embedder = self.archive.embedder
        vectors = embedder.embed([embedding_input(title, text) for title, text in chunks])
        sentences = embed_sentences(embedder, chunks)
        crash_point("embedded")
        report.embed_seconds += time.monotonic() - started
        report.embedded += len(chunks)
        return batch, Embedded(vectors, sentences)

    def _write_all(self, incoming: queue.Queue, report: IngestReport) -> None:
        last_sync = time.monotonic()
        while True:
            try:
                item = incoming.get(timeout=0.5)
            except queue.Empty:
                if self._stop.is_set():
                    break
                continue
            if item is _DONE:
                break
            self._write_batch(*item, report)
            if time.monotonic() - last_sync > SYNC_INTERVAL_SECONDS:
                self.archive.sync()
                last_sync = time.monotonic()
        self.archive.sync()

    # -- reading one file -----------------------------------------------------------------------

    def _read_one(self, candidate, seen_content: dict[str, str]) -> Iterator[Prepared | FileDone]:
        if isinstance(candidate, Unreachable | Skipped):
            status = "skipped" if isinstance(candidate, Skipped) else "failed"
            yield FileDone(candidate.path, status, reason=candidate.reason)
            return
        path = candidate.shown
        state = self.catalog.file_state(path)
        if self.retry_failed and state is not None and state["status"] != "failed":
            yield FileDone(path, "unchanged")
            return
        if self._unchanged(state, candidate.size, candidate.mtime_ns):
            yield from self._unchanged_file(FileDone(path, "unchanged"))
            return
        source = self._source(candidate)
        try:  # what the first bytes and the size already refuse (a 50 GB video) is never hashed
            registry().preflight(source)
            source.sha256 = sha256_file(candidate.path)
        except ReadError as error:
            yield FileDone(path, "failed", candidate.size, candidate.mtime_ns, reason=error.message)
            return
        except OSError as error:
            yield FileDone(path, "failed", reason=f"cannot read: {error.strerror or error}")
            return
        done = FileDone(path, "ok", candidate.size, candidate.mtime_ns, source.sha256)
        if state is not None and state["status"] in ("ok", "duplicate") and state["sha256"] == source.sha256:
            done.status = "unchanged"
            yield from self._unchanged_file(done)
            return
        yield from self._read_documents(source, done, seen_content)
        self._keep_copy(candidate, done)
        yield done

    def _keep_copy(self, candidate, done: FileDone) -> None:
        """Copy the file into the original store before the transaction that refers to it."""
        if self.store is None or done.status != "ok" or self._stop.is_set():
            return
        try:
            self.store.put(candidate.path, done.sha256)
        except OSError as error:
            done.status = "failed"
            done.reason = (
                f"cannot keep a copy of the original in {self.store.root}: {error.strerror or error}"
            )
            return
        done.copied = True
        self._released.add(done.sha256)  # kept only if the transaction referring to it commits

    def _source(self, candidate) -> Source:
        return Source(
            name=printable_path(candidate.path.name),
            identity=file_identity(candidate.shown),
            path=candidate.path,
            size=candidate.size,
            max_bytes=self.archive.settings.max_file_bytes,
            max_seconds=self.archive.settings.read_seconds,
        )

    def _unchanged(self, state, size: int, mtime_ns: int) -> bool:
        if state is None or state["status"] not in ("ok", "duplicate"):
            return False
        if (state["size"], state["mtime_ns"]) != (size, mtime_ns):
            return False
        # A duplicate stays skipped only while the document it duplicates is still there.
        return state["status"] == "ok" or self.catalog.same_content(state["sha256"], "") is not None

    def _read_documents(self, source: Source, done: FileDone, seen_content: dict[str, str]):
        identities: set[str] = set()
        problems: list[str] = []  # the first few bad records, for the report
        bad_records = 0
        duplicates: list[str] = []
        try:
            for item in read_source(source):
                if self._stop.is_set():
                    return
                if isinstance(item, RecordError):
                    bad_records += 1
                    if len(problems) < SHOWN_PROBLEMS:
                        problems.append(f"{item.location}: {item.reason}" if item.location else item.reason)
                    continue
                identities.add(item.identity)
                stored = self.catalog.stored_version(item.identity)
                if stored is not None and stored["sha256"] == item.sha256:
                    override = self._override(done.path)
                    if override:  # this document is unchanged: only its metadata may change
                        yield MetadataUpdate([stored["id"]], override, done)
                    continue
                original = seen_content.get(item.sha256) or self._original_of(item)
                if original is not None:
                    duplicates.append(original)
                    continue
                seen_content[item.sha256] = item.path or item.identity
                yield self._prepare(item, done.path)
                done.changed += 1
        except ReadError as error:
            done.status, done.reason = "failed", error.message
            return  # keep whatever an earlier version of this file left in the archive
        if bad_records:
            # A bad record may be one the archive holds from before: remove nothing from this file.
            done.status = "failed"
            more = bad_records - len(problems)
            shown = "; ".join(problems) + (f"; and {more} more" if more else "")
            done.reason = f"{bad_records} record(s) could not be read: {shown}"
            return
        done.identities = identities
        if identities and len(duplicates) == len(identities):
            done.status, done.reason = "duplicate", f"same content as {duplicates[0]}"

    def _original_of(self, document: Document) -> str | None:
        """Where the archive already holds exactly this content under another identity."""
        row = self.catalog.same_content(document.sha256, document.identity)
        if row is None:
            return None
        return row["path"] or row["title"] or row["identity"]

    def _unchanged_file(self, done: FileDone) -> Iterator[MetadataUpdate | FileDone]:
        override = self._override(done.path)
        if override:
            doc_ids = [row["id"] for row in self.catalog.documents_from_file(done.path)]
            yield MetadataUpdate(doc_ids, override, done)
        yield done

    def _override(self, file_path: str) -> Override:
        """What this ingest sets on the documents of a file: --source, --tag, its sidecar row."""
        override = Override()
        if self.source_name:
            override.set({"source": self.source_name}, "cli")
        if self.tags:
            override.set({"tags": self.tags}, "cli")
        if self.sidecar is not None:
            override.set(self.sidecar.values_for(file_path), "sidecar")
        return override

    def _prepare(self, document: Document, file_path: str) -> Prepared:
        document.source = self._sources.canonical(document.source)
        override = self._override(file_path)
        override.apply(document)
        chunks = chunk_text(document.text, self.archive.settings.chunking, document.pages)
        return Prepared(document, chunks, file_path, override.field_origins())

    # -- writing --------------------------------------------------------------------------------

    def _write_batch(self, items: list, embedded: Embedded | None, report: IngestReport) -> None:
        offset = 0
        files_done = 0
        chunks_written = 0
        with self.catalog.writing() as w:
            for item in items:
                if isinstance(item, Prepared):
                    count = len(item.chunks)
                    w.put_document(
                        item.document,
                        item.chunks,
                        embedded.vectors[offset : offset + count],
                        embedded.sentences[offset : offset + count],
                        item.file_path,
                        item.origins,
                    )
                    offset += count
                    chunks_written += count
                    report.documents += 1
                    continue
                if isinstance(item, MetadataUpdate):
                    self._update_metadata(w, item)
                    continue
                files_done += 1
                report.removed += self._record_file(w, item, report.run_id)
                _count(report, item)
            crash_point("catalog-commit")  # tests: everything written, COMMIT not yet
        report.chunks += chunks_written
        self._in_flight.give(sum(len(i.document.text) for i in items if isinstance(i, Prepared)))
        self.progress.advance(files_done, chunks_written)

    def _update_metadata(self, w: CatalogWriter, update: MetadataUpdate) -> None:
        for doc_id in update.doc_ids:
            stored = self.catalog.document(doc_id, with_text=False)
            values, origins = update.override.stored_values(stored["tags"])
            if w.update_metadata(doc_id, values, origins):
                update.done.metadata_changed += 1

    def _record_file(self, w: CatalogWriter, done: FileDone, run_id: int) -> int:
        """Record the file's state; remove documents that its new version no longer holds."""
        removed = 0
        if done.status == "skipped":
            return removed
        if done.identities is not None:
            self._released |= self.catalog.originals_of_file(done.path)  # what its old version kept
            stale = [
                row["id"]
                for row in self.catalog.documents_from_file(done.path)
                if row["identity"] not in done.identities
            ]
            if stale:
                w.delete_documents(stale)
                removed = len(stale)
        if done.status == "unchanged":
            if done.sha256 is not None:  # touched but identical: remember the new mtime
                w.record_file(
                    done.path,
                    status="ok",
                    run_id=run_id,
                    size=done.size,
                    mtime_ns=done.mtime_ns,
                    sha256=done.sha256,
                )
            return removed
        if done.status == "ok" and done.identities is not None:
            w.attach_original(done.path, done.sha256, done.copied)
        w.record_file(
            done.path,
            status=done.status,
            run_id=run_id,
            size=done.size,
            mtime_ns=done.mtime_ns,
            sha256=done.sha256,
            reason=done.reason,
        )
        return removed


class Budget:
    """A quantity shared between threads: `take` waits while it is spent (one item may exceed it)."""

    def __init__(self, limit: int):
        self.limit, self.used = limit, 0
        self._changed = threading.Condition()

    def take(self, amount: int, stop: threading.Event) -> None:
        with self._changed:
            while self.used and self.used + amount > self.limit and not stop.is_set():
                self._changed.wait(0.5)
            self.used += amount

    def give(self, amount: int) -> None:
        with self._changed:
            self.used = max(0, self.used - amount)
            self._changed.notify_all()


def _count(report: IngestReport, done: FileDone) -> None:
    if done.status == "failed":
        report.failed.append((done.path, done.reason or "unknown error"))
    elif done.status == "skipped":
        report.skipped.append((done.path, done.reason or ""))
    elif done.status == "duplicate":
        report.duplicates += 1
    elif done.status == "unchanged" or (done.status == "ok" and done.changed == 0):
        if done.metadata_changed:
            report.metadata_updated += 1
        else:
            report.unchanged += 1
    else:
        report.ingested += 1


def _put(channel: queue.Queue, item, stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            channel.put(item, timeout=0.5)
            return True
        except queue.Full:
            continue
    return False


def _drain(channel: queue.Queue) -> None:
    while True:
        try:
            channel.get_nowait()
        except queue.Empty:
            return
