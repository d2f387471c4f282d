"""The SQLite catalog's reads of chunks and their vectors (a part of `SQLiteCatalog`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from archive.catalog.records import ChunkText, Filters, IndexRow, StoredChunk
from archive.catalog.sqlite.filters import where
from archive.catalog.sqlite.rows import (
    INDEX_COLUMNS,
    META_COLUMNS,
    as_matrix,
    document_fields,
    index_row,
    lacks,
    select_in,
)
from indexer.sentences import SentenceVectors


class ChunkReads:
    db: sqlite3.Connection

    def chunk_ids(self) -> set[int]:
        return {row[0] for row in self.db.execute("SELECT id FROM chunks")}

    def chunks_of(self, doc_id: str) -> list[dict]:
        rows = self.db.execute(
            'SELECT id, ordinal, start, "end", page, paragraph, text FROM chunks '
            "WHERE doc_id = ? ORDER BY ordinal",
            (doc_id,),
        ).fetchall()
        return [dict(row) for row in rows]

    def index_rows(self, chunk_ids: Iterable[int]) -> list[IndexRow]:
        sql = f"SELECT {INDEX_COLUMNS} FROM chunks c JOIN documents d ON d.id = c.doc_id "
        sql += "WHERE c.id IN ({ids})"
        return [index_row(row) for row in select_in(self.db, sql, sorted(chunk_ids))]

    def iter_index_rows(self, batch_size: int = 1000) -> Iterator[list[IndexRow]]:
        last = 0
        while True:
            rows = self.db.execute(
                f"SELECT {INDEX_COLUMNS} FROM chunks c JOIN documents d ON d.id = c.doc_id "
                "WHERE c.id > ? ORDER BY c.id LIMIT ?",
                (last, batch_size),
            ).fetchall()
            if not rows:
                return
            yield [index_row(row) for row in rows]
            last = rows[-1]["id"]

    def vectors(self, chunk_ids: Iterable[int], dimension: int) -> tuple[np.ndarray, np.ndarray]:
        sql = "SELECT chunk_id, vector FROM embeddings WHERE chunk_id IN ({ids})"
        rows = list(select_in(self.db, sql, sorted(chunk_ids)))
        return as_matrix([row[0] for row in rows], [row[1] for row in rows], dimension)

    def iter_vectors(self, dimension: int, batch_size: int = 5000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        last = 0
        while True:
            rows = self.db.execute(
                "SELECT chunk_id, vector FROM embeddings WHERE chunk_id > ? ORDER BY chunk_id LIMIT ?",
                (last, batch_size),
            ).fetchall()
            if not rows:
                return
            yield as_matrix([r[0] for r in rows], [r[1] for r in rows], dimension)
            last = rows[-1][0]

    def sentence_vectors(self, chunk_ids: Iterable[int], dimension: int) -> dict[int, SentenceVectors]:
        sql = "SELECT chunk_id, spans, vectors, title FROM sentence_vectors WHERE chunk_id IN ({ids})"
        rows = select_in(self.db, sql, list(chunk_ids))
        return {row[0]: SentenceVectors.from_blobs(row[1], row[2], row[3], dimension) for row in rows}

    def chunks_without_embedding(self) -> list[ChunkText]:
        return self._chunks_without("embeddings")

    def chunks_without_sentence_vectors(self) -> list[ChunkText]:
        return self._chunks_without("sentence_vectors")

    def missing_vectors(self) -> dict[str, int]:
        return {
            table: self.db.execute(f"SELECT COUNT(*) FROM chunks c WHERE {lacks(table)}").fetchone()[0]
            for table in ("embeddings", "sentence_vectors")
        }

    def _chunks_without(self, table: str) -> list[ChunkText]:
        """Chunks that have no row in `table` (a vector table)."""
        rows = self.db.execute(
            "SELECT c.id, c.text, d.title FROM chunks c JOIN documents d ON d.id = c.doc_id "
            f"WHERE {lacks(table)} ORDER BY c.id"
        )
        return [ChunkText(row[0], row[1], row[2] or "") for row in rows]

    def chunk_texts_after(self, chunk_id: int) -> list[ChunkText]:
        rows = self.db.execute(
            "SELECT c.id, c.text, d.title FROM chunks c JOIN documents d ON d.id = c.doc_id "
            "WHERE c.id > ? ORDER BY c.id",
            (chunk_id,),
        )
        return [ChunkText(row[0], row[1], row[2] or "") for row in rows]

    def stored_chunks(self) -> Iterator[StoredChunk]:
        rows = self.db.execute(
            'SELECT c.doc_id, c.ordinal, c.start, c."end", c.page, c.paragraph, c.text, e.vector, '
            "s.spans, s.vectors AS sentence_vectors, s.title AS title_vector "
            "FROM chunks c JOIN embeddings e ON e.chunk_id = c.id "
            "JOIN sentence_vectors s ON s.chunk_id = c.id ORDER BY c.doc_id, c.ordinal"
        )
        for row in rows:
            yield StoredChunk(**dict(row))

    def passages(self, chunk_ids: Sequence[int]) -> dict[int, dict]:
        columns = (
            'c.id AS chunk_id, c.ordinal, c.start, c."end", c.page, c.paragraph, c.text AS chunk_text, '
            + ", ".join("d." + c for c in META_COLUMNS)
        )
        return {
            row["chunk_id"]: document_fields(row) for row in self._chunk_rows(columns, chunk_ids, Filters())
        }

    def chunk_documents(self, chunk_ids: Sequence[int], filters: Filters | None = None) -> dict[int, str]:
        return {row[0]: row[1] for row in self._chunk_rows("c.id, c.doc_id", chunk_ids, filters or Filters())}

    def _chunk_rows(self, columns: str, chunk_ids: Sequence[int], filters: Filters) -> list[sqlite3.Row]:
        """`columns` of the given chunks joined with their documents."""
        condition, params = where(filters)
        sql = f"SELECT {columns} FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE c.id IN ({{ids}})"
        return list(select_in(self.db, f"{sql} AND {condition}", list(chunk_ids), params))

    def allowed_chunk_ids(self, filters: Filters) -> np.ndarray:
        condition, params = where(filters)
        rows = self.db.execute(
            f"SELECT c.id FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE {condition}", params
        ).fetchall()
        return np.array([r[0] for r in rows], dtype=np.int64)
