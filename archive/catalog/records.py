"""What the catalog hands out and takes in: typed, frozen records, the same for every backend.

Stored encodings (tags and provenance as JSON, vectors as bytes) are decoded once, by the
backend, into these records; nothing above the catalog parses a stored value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any


def now() -> str:
    """The catalog's timestamps: UTC, ISO 8601, to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def batches(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


@dataclass(frozen=True)
class Filters:
    """Document filters shared by search and listing; every backend compiles them itself."""

    source: str | None = None  # compared without regard to case
    tags: tuple[str, ...] = ()  # every tag must be present (without regard to case)
    format: str | None = None
    date_from: str | None = None  # ISO date, inclusive
    date_to: str | None = None  # ISO date, inclusive

    def __bool__(self) -> bool:
        return bool(self.source or self.tags or self.format or self.date_from or self.date_to)


class _Record:
    """Mapping-style reads (`record["id"]`) for code written against rows; prefer attributes."""

    def __getitem__(self, name: str) -> Any:
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None

    def to_dict(self) -> dict:
        return asdict(self)  # type: ignore[call-overload]


@dataclass(frozen=True)
class StoredVersion(_Record):
    """The stored document with an identity: its id and content hash (is a re-read a change?)."""

    id: str
    sha256: str


@dataclass(frozen=True)
class DocumentRef(_Record):
    """A document named without its text: enough to report a duplicate or a file's documents."""

    id: str
    identity: str
    path: str | None = None
    title: str = ""


@dataclass(frozen=True)
class IndexRow(_Record):
    """What the keyword index stores for a chunk: its text and its document's filterable fields."""

    id: int
    doc_id: str
    text: str
    title: str
    source: str | None
    author: str | None
    tags: tuple[str, ...]
    date: str | None
    format: str


@dataclass(frozen=True)
class ChunkText(_Record):
    """A chunk to embed: its id, text and its document's title."""

    id: int
    text: str
    title: str


@dataclass(frozen=True)
class FileState(_Record):
    """What the last ingest recorded about a file (`status`: ok, failed or duplicate)."""

    path: str
    status: str
    size: int | None = None
    mtime_ns: int | None = None
    sha256: str | None = None
    reason: str | None = None
    run_id: int | None = None
    updated_at: str | None = None


@dataclass(frozen=True)
class Run(_Record):
    """One command that wrote to the archive."""

    id: int
    command: str
    started_at: str
    status: str = "running"
    finished_at: str | None = None
    summary: dict | None = None


@dataclass(frozen=True)
class Edit(_Record):
    """One field changed by hand, as shown in the document's history."""

    field: str
    old_value: str | None
    new_value: str | None
    who: str
    at: str


@dataclass(frozen=True)
class Outbox:
    """Index updates queued after a seq: the highest seq and the chunk ids to make match the catalog."""

    top: int
    chunk_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class OriginalRef(_Record):
    """Where a document's original is: the file it came from and that file's hash as ingested."""

    file_path: str | None
    sha256: str | None


@dataclass(frozen=True)
class OriginalUse(_Record):
    """Documents served from a kept copy, and from a path checked by hash."""

    copied: int
    by_path: int


@dataclass(frozen=True)
class Counts(_Record):
    documents: int
    chunks: int
    embeddings: int
    failed_files: int
    pending_index_updates: int


@dataclass(frozen=True)
class StoredChunk(_Record):
    """A chunk as stored, with what is needed to copy it (its vector and its sentences' blobs)."""

    doc_id: str
    ordinal: int
    start: int
    end: int
    page: int | None
    paragraph: int | None
    text: str
    vector: bytes
    spans: bytes
    sentence_vectors: bytes
    title_vector: bytes | None


# A document's fields as a dict (tags and provenance decoded): the shape the search service, the
# citations and the views read. Kept as a dict while those layers move to typed results.
DocumentFields = dict[str, Any]
