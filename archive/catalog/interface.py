"""The catalog's interface: what any backend (SQLite today, PostgreSQL next) implements.

The catalog is the archive's source of truth: documents, chunks, their vectors, the index outbox
and how far each index has applied it, file states, runs, metadata edits and the originals each
document came from. Both indexes are derived from it.

Reads are methods of `Catalog` and return records (`archive.catalog.records`). Every write goes
through one unit of work, which commits whole or not at all:

    with catalog.writing() as w:
        new_ids = w.put_document(document, chunks, vectors, sentences, file_path)
        w.record_file(path, status="ok", run_id=run)

Every change to chunks appends their ids to the outbox in the same unit of work, so an index that
missed a change (a crash, a kill) can catch up: `outbox_since(seq)`, then `trim_outbox(seq)` once
every index has applied it (`index_progress`, recorded only after the index committed).

No connection, cursor or row of an engine crosses this interface. Reads made by the thread that
holds a unit of work see that unit's writes (one connection per thread).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from archive.catalog.records import (
    ChunkText,
    Counts,
    DocumentFields,
    DocumentRef,
    Edit,
    FileState,
    Filters,
    IndexRow,
    OriginalRef,
    OriginalUse,
    Outbox,
    StoredChunk,
    StoredVersion,
)

if TYPE_CHECKING:
    from archive.domain import Chunk, Document
    from indexer.sentences import SentenceVectors


@runtime_checkable
class WriterLock(Protocol):
    """One writer per archive across processes (a file lock here, an advisory lock on a server).
    Released by the system when its holder dies, so a crash never leaves the archive locked."""

    def acquire(self, wait: bool = False, timeout: float | None = None) -> None:
        """Take the lock; ArchiveBusy naming the holder when another process has it (and `wait`
        is False or `timeout` seconds passed)."""

    def release(self) -> None: ...

    @property
    def held(self) -> bool: ...


class CatalogWriter(Protocol):
    """One unit of work: every call inside `catalog.writing()` commits together or not at all."""

    def put_document(
        self,
        document: Document,
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
        sentences: Sequence[SentenceVectors],
        file_path: str | None,
        origins: Mapping[str, str] | None = None,
    ) -> list[int]:
        """Insert or replace a document with its chunks and their vectors; queue the index sync.
        Metadata set on purpose before (an edit, an ingest option, a sidecar) is kept over what
        the file says now (`archive.metadata.merge`); `origins` names the fields an ingest option
        or a sidecar set. Returns the new chunk ids (never reused)."""

    def delete_documents(self, doc_ids: Iterable[str]) -> int:
        """Delete documents, their attachments and chunks; queue the index sync. Returns chunks removed."""

    def update_metadata(
        self,
        doc_id: str,
        values: Mapping[str, object],
        origins_now: Mapping[str, str],
        who: str | None = None,
    ) -> list[dict]:
        """Set metadata fields where their origin outranks the stored one; with `who`, record the
        changes in the history; queue the document's chunks for the keyword index. Returns the
        changes (field, old, new)."""

    def put_vectors(self, chunk_ids: Sequence[int], vectors: np.ndarray) -> None: ...

    def put_sentence_vectors(
        self, chunk_ids: Sequence[int], sentences: Sequence[SentenceVectors]
    ) -> None: ...

    def clear_vectors(self) -> None:
        """Drop every stored vector (the model changed: everything is embedded again)."""

    def set_meta(self, key: str, value: str) -> None: ...

    def delete_meta(self, key: str) -> None: ...

    def record_file(
        self,
        path: str,
        *,
        status: str,
        run_id: int,
        size: int | None = None,
        mtime_ns: int | None = None,
        sha256: str | None = None,
        reason: str | None = None,
    ) -> None:
        """What this ingest found for a file (`status` ok, failed or duplicate); a failure is
        also kept in the run's failures."""

    def forget_file(self, path: str) -> None: ...

    def attach_original(self, file_path: str, sha256: str, copied: bool) -> None:
        """Every document of `file_path` now comes from the file version hashing to `sha256`."""

    def drop_copies(self, shas: Iterable[str]) -> None:
        """The kept copies `shas` are lost: serve their documents from their path (hash-checked)."""

    def end_running_runs(self, status: str) -> None:
        """Mark runs still marked running (their process was killed) as ended with `status`."""

    def set_index_progress(self, index: str, generation: int, seq: int) -> None:
        """Index `index` of `generation` has committed every outbox entry up to `seq`."""


@runtime_checkable
class Catalog(Protocol):
    """The archive's source of truth; see the module's docstring."""

    location: str  # what the catalog is, for messages (a file path, a server URL without password)

    def close(self) -> None: ...

    def writing(self) -> AbstractContextManager[CatalogWriter]:
        """One unit of work (see the module's docstring); waits for another writer's to finish."""

    def writer_lock(self) -> WriterLock:
        """The lock that makes this process the archive's one writer."""

    def compact(self) -> None:
        """Reclaim space after a bulk load (a backend may have nothing to do)."""

    # -- meta, documents ---------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None: ...

    def document(self, doc_id: str, *, with_text: bool = True) -> DocumentFields:
        """A document's fields (NotFound naming the id when there is none)."""

    def stored_version(self, identity: str) -> StoredVersion | None: ...

    def same_content(self, sha256: str, identity: str) -> DocumentRef | None:
        """Another document with exactly this content (an exact duplicate)."""

    def documents_from_file(self, file_path: str) -> list[DocumentRef]: ...

    def list_documents(
        self, limit: int = 50, offset: int = 0, filters: Filters | None = None
    ) -> tuple[list[DocumentFields], int]:
        """A page of documents (newest date first, with their chunk count) and the total."""

    def children(self, doc_id: str) -> list[DocumentFields]: ...

    def all_documents(self) -> Iterator[DocumentFields]:
        """Every document with its text, in the order they were first stored (to copy an archive)."""

    def chunks_of(self, doc_id: str) -> list[dict]: ...

    def history(self, doc_id: str) -> list[Edit]:
        """The document's edits, newest first."""

    def counts(self) -> Counts: ...

    def facet(self, field: str) -> list[tuple[str, int]]:
        """Values of `field` (source, format or tags) with their document counts, most frequent first."""

    # -- files and runs ----------------------------------------------------------------------

    def file_state(self, path: str) -> FileState | None: ...

    def failed_files(self) -> list[FileState]: ...

    def start_run(self, command: str) -> int: ...

    def finish_run(self, run_id: int, status: str, summary: dict) -> None: ...

    def has_running_run(self) -> bool: ...

    # -- the index outbox --------------------------------------------------------------------

    def outbox_since(self, seq: int) -> Outbox:
        """Chunk ids queued after `seq`, and the highest seq."""

    def last_seq(self) -> int:
        """The highest seq ever queued (0 for none)."""

    def trim_outbox(self, upto_seq: int) -> None:
        """Forget the entries every index has applied (its own unit of work)."""

    def index_progress(self, index: str, generation: int) -> int | None:
        """The seq index `index` of `generation` applied, None when never recorded here."""

    # -- chunks and vectors ------------------------------------------------------------------

    def chunk_ids(self) -> set[int]: ...

    def index_rows(self, chunk_ids: Iterable[int]) -> list[IndexRow]:
        """What the keyword index stores for each of these chunks that still exists."""

    def iter_index_rows(self, batch_size: int = 1000) -> Iterator[list[IndexRow]]: ...

    def vectors(self, chunk_ids: Iterable[int], dimension: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, matrix) of stored embeddings for the chunks that have one."""

    def iter_vectors(
        self, dimension: int, batch_size: int = 5000
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]: ...

    def sentence_vectors(self, chunk_ids: Iterable[int], dimension: int) -> dict[int, SentenceVectors]: ...

    def chunks_without_embedding(self) -> list[ChunkText]: ...

    def chunks_without_sentence_vectors(self) -> list[ChunkText]: ...

    def missing_vectors(self) -> dict[str, int]:
        """How many chunks lack their embedding (`embeddings`) and sentence vectors (`sentence_vectors`)."""

    def chunk_texts_after(self, chunk_id: int) -> list[ChunkText]:
        """Chunks with an id above `chunk_id`, in id order (what an ingest added)."""

    def stored_chunks(self) -> Iterator[StoredChunk]:
        """Every embedded chunk with its vectors, by document and ordinal (to copy an archive)."""

    def passages(self, chunk_ids: Sequence[int]) -> dict[int, dict]:
        """Chunks with their documents' fields, for the ids that still exist."""

    def chunk_documents(self, chunk_ids: Sequence[int], filters: Filters | None = None) -> dict[int, str]:
        """Document id of each chunk that still exists (and passes `filters`)."""

    def allowed_chunk_ids(self, filters: Filters) -> np.ndarray: ...

    # -- originals ---------------------------------------------------------------------------

    def original_ref(self, doc_id: str) -> OriginalRef:
        """The file a document came from and its hash as ingested (NotFound naming the id)."""

    def original_use(self) -> OriginalUse: ...

    def originals_in_use(self) -> set[str]:
        """Hashes of every kept copy some document refers to."""

    def original_in_use(self, sha256: str) -> bool: ...

    def originals_of_file(self, file_path: str) -> set[str]: ...

    def originals_of_documents(self, doc_ids: Iterable[str]) -> set[str]:
        """The kept copies the documents (and their attachments) refer to."""

    def paths_of_original(self, sha256: str) -> list[str]: ...

    def paths_without_copy(self, folder: str) -> set[str]:
        """Recorded paths under `folder` that are the only original of some document."""
