"""The SQLite unit of work: every write of the catalog, on the connection of one transaction."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from archive.catalog.records import now
from archive.catalog.sqlite import metadata as stored_metadata
from archive.catalog.sqlite.rows import select_in
from archive.domain import Chunk, Document, document_id
from indexer.sentences import SentenceVectors


class SQLiteWriter:
    """`archive.catalog.interface.CatalogWriter` on one open transaction (BEGIN IMMEDIATE)."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def put_document(
        self,
        document: Document,
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
        sentences: Sequence[SentenceVectors],
        file_path: str | None,
        origins: Mapping[str, str] | None = None,
    ) -> list[int]:
        db = self.db
        old_chunks = self._chunk_ids([document.id])
        db.execute("DELETE FROM chunks WHERE doc_id = ?", (document.id,))
        meta, provenance = stored_metadata.merged(db, document, origins)
        db.execute(
            "INSERT INTO documents (id, identity, parent_id, external_id, title, source, author, "
            "date, url, path, format, language, size, sha256, tags, text, pages, file_path, "
            "ingested_at, provenance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET parent_id=excluded.parent_id, "
            "external_id=excluded.external_id, title=excluded.title, source=excluded.source, "
            "author=excluded.author, date=excluded.date, url=excluded.url, path=excluded.path, "
            "format=excluded.format, language=excluded.language, size=excluded.size, "
            "sha256=excluded.sha256, tags=excluded.tags, text=excluded.text, "
            "pages=excluded.pages, file_path=excluded.file_path, ingested_at=excluded.ingested_at, "
            "provenance=excluded.provenance",
            (
                document.id,
                document.identity,
                document_id(document.parent_identity) if document.parent_identity else None,
                document.external_id,
                meta["title"] or "",
                meta["source"],
                meta["author"],
                meta["date"],
                meta["url"],
                document.path,
                document.format,
                document.language,
                document.size,
                document.sha256,
                json.dumps(meta["tags"] or []),
                document.text,
                json.dumps(document.pages) if document.pages else None,
                file_path,
                now(),
                json.dumps(provenance),
            ),
        )
        new_ids = []
        for chunk in chunks:
            cursor = db.execute(
                'INSERT INTO chunks (doc_id, ordinal, start, "end", page, paragraph, text) '
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (document.id, chunk.ordinal, chunk.start, chunk.end, chunk.page, chunk.paragraph, chunk.text),
            )
            new_ids.append(cursor.lastrowid)
        self.put_vectors(new_ids, vectors)
        self.put_sentence_vectors(new_ids, sentences)
        self._queue(old_chunks + new_ids)
        return new_ids

    def delete_documents(self, doc_ids: Iterable[str]) -> int:
        ids = self._with_children(list(doc_ids))
        chunk_ids = self._chunk_ids(ids)
        self._queue(chunk_ids)
        self.db.executemany("DELETE FROM documents WHERE id = ?", [(i,) for i in ids])
        return len(chunk_ids)

    def update_metadata(
        self,
        doc_id: str,
        values: Mapping[str, object],
        origins_now: Mapping[str, str],
        who: str | None = None,
    ) -> list[dict]:
        changes = stored_metadata.update(self.db, doc_id, values, origins_now, who)
        if changes:
            self._queue(self._chunk_ids([doc_id]))
        return changes

    def put_vectors(self, chunk_ids: Sequence[int], vectors: np.ndarray) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO embeddings (chunk_id, vector) VALUES (?, ?)",
            [
                (int(i), np.asarray(v, dtype=np.float32).tobytes())
                for i, v in zip(chunk_ids, vectors, strict=True)
            ],
        )

    def put_sentence_vectors(self, chunk_ids: Sequence[int], sentences: Sequence[SentenceVectors]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO sentence_vectors (chunk_id, spans, vectors, title) VALUES (?, ?, ?, ?)",
            [(int(i), *block.to_blobs()) for i, block in zip(chunk_ids, sentences, strict=True)],
        )

    def clear_vectors(self) -> None:
        self.db.execute("DELETE FROM embeddings")
        self.db.execute("DELETE FROM sentence_vectors")

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def delete_meta(self, key: str) -> None:
        self.db.execute("DELETE FROM meta WHERE key = ?", (key,))

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
        self.db.execute(
            "INSERT OR REPLACE INTO files (path, size, mtime_ns, sha256, status, reason, run_id, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (path, size, mtime_ns, sha256, status, reason, run_id, now()),
        )
        if status == "failed":
            self.db.execute(
                "INSERT INTO failures (run_id, path, reason, at) VALUES (?, ?, ?, ?)",
                (run_id, path, reason or "", now()),
            )

    def forget_file(self, path: str) -> None:
        self.db.execute("DELETE FROM files WHERE path = ?", (path,))

    def attach_original(self, file_path: str, sha256: str, copied: bool) -> None:
        self.db.execute(
            "UPDATE documents SET original_sha256 = ?, original_copy = ? WHERE file_path = ?",
            (sha256, int(copied), file_path),
        )

    def drop_copies(self, shas: Iterable[str]) -> None:
        self.db.executemany(
            "UPDATE documents SET original_copy = 0 WHERE original_sha256 = ?", [(sha,) for sha in shas]
        )

    def end_running_runs(self, status: str) -> None:
        self.db.execute(
            "UPDATE runs SET status = ?, finished_at = ? WHERE status = 'running'", (status, now())
        )

    def set_index_progress(self, index: str, generation: int, seq: int) -> None:
        self.db.execute(
            "INSERT INTO index_progress (name, generation, seq) VALUES (?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET generation = excluded.generation, seq = excluded.seq",
            (index, generation, seq),
        )

    def _queue(self, chunk_ids: Iterable[int]) -> None:
        self.db.executemany("INSERT INTO index_queue (chunk_id) VALUES (?)", [(i,) for i in chunk_ids])

    def _chunk_ids(self, doc_ids: list[str]) -> list[int]:
        return [
            row[0] for row in select_in(self.db, "SELECT id FROM chunks WHERE doc_id IN ({ids})", doc_ids)
        ]

    def _with_children(self, doc_ids: list[str]) -> list[str]:
        found, frontier = list(doc_ids), list(doc_ids)
        while frontier:
            marks = ",".join("?" * len(frontier))
            frontier = [
                r[0]
                for r in self.db.execute(f"SELECT id FROM documents WHERE parent_id IN ({marks})", frontier)
            ]
            found += frontier
        return found
