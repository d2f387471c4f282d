"""The SQLite catalog: the source of truth for documents, chunks, embeddings and ingest history.

Both indexes are derived from it. Every change to chunks appends the chunk ids to `index_queue`
in the same transaction, so an index that missed a change (a crash, a kill) can catch up.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from archive import metadata
from archive.catalog_metadata import MetadataMixin
from archive.domain import Chunk, Document, document_id
from archive.errors import ArchiveError, NotFound
from archive.schema import MIGRATIONS
from indexer.sentences import SentenceVectors

CATALOG_FILE = "catalog.sqlite3"


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Filters:
    """Document filters shared by search and listing."""

    source: str | None = None
    tags: tuple[str, ...] = ()
    format: str | None = None
    date_from: str | None = None
    date_to: str | None = None

    def __bool__(self) -> bool:
        return bool(self.source or self.tags or self.format or self.date_from or self.date_to)

    def sql(self, alias: str = "d") -> tuple[str, list]:
        clauses, params = [], []
        if self.source:
            clauses.append(f"{alias}.source = ? COLLATE NOCASE")
            params.append(self.source)
        if self.format:
            clauses.append(f"{alias}.format = ?")
            params.append(self.format)
        if self.date_from:
            clauses.append(f"{alias}.date >= ?")
            params.append(self.date_from)
        if self.date_to:
            clauses.append(f"{alias}.date <= ?")
            params.append(self.date_to)
        for tag in self.tags:
            clauses.append(f"EXISTS (SELECT 1 FROM json_each({alias}.tags) WHERE value = ? COLLATE NOCASE)")
            params.append(tag)
        return (" AND ".join(clauses) or "1"), params


class Catalog(MetadataMixin):
    def __init__(self, data_dir: Path, *, create: bool = False):
        self.path = Path(data_dir) / CATALOG_FILE
        if not self.path.exists() and not create:
            raise NotFound(
                f"no archive in '{data_dir}' (run `archive ingest PATH` to create one)",
                code="no_archive",
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._migrate()

    # -- connections -------------------------------------------------------------------------

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection (sqlite3 connections are not shared between threads)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: everything inside commits together or not at all."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise ArchiveError(
                f"the catalog {self.path} has schema version {version}, newer than this program "
                f"understands ({len(MIGRATIONS)}); upgrade the archive program"
            )
        for number in range(version, len(MIGRATIONS)):
            with self.transaction() as db:
                if db.execute("PRAGMA user_version").fetchone()[0] != number:
                    continue  # another process migrated meanwhile
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {number + 1}")

    # -- meta ----------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, db: sqlite3.Connection, key: str, value: str) -> None:
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- documents -----------------------------------------------------------------------------

    def document(self, doc_id: str, *, with_text: bool = True) -> dict:
        columns = "*" if with_text else ", ".join(f"d.{c}" for c in _META_COLUMNS)
        row = self.db.execute(f"SELECT {columns} FROM documents d WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise NotFound(f"no document with id '{doc_id}'")
        return document_dict(row)

    def stored_version(self, identity: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT id, sha256 FROM documents WHERE identity = ?", (identity,)).fetchone()

    def same_content(self, sha256: str, identity: str) -> sqlite3.Row | None:
        """Another document with exactly this content (an exact duplicate)."""
        return self.db.execute(
            "SELECT id, identity, path, title FROM documents WHERE sha256 = ? AND identity != ? LIMIT 1",
            (sha256, identity),
        ).fetchone()

    def documents_from_file(self, file_path: str) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT id, identity FROM documents WHERE file_path = ?", (file_path,)
        ).fetchall()

    def list_documents(
        self, limit: int = 50, offset: int = 0, filters: Filters | None = None
    ) -> tuple[list[dict], int]:
        where, params = (filters or Filters()).sql()
        total = self.db.execute(f"SELECT COUNT(*) FROM documents d WHERE {where}", params).fetchone()[0]
        rows = self.db.execute(
            f"SELECT {', '.join('d.' + c for c in _META_COLUMNS)}, "
            "(SELECT COUNT(*) FROM chunks c WHERE c.doc_id = d.id) AS chunks "
            f"FROM documents d WHERE {where} ORDER BY d.date DESC, d.title, d.id LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
        return [document_dict(row) for row in rows], total

    def children(self, doc_id: str) -> list[dict]:
        rows = self.db.execute(
            f"SELECT {', '.join(_META_COLUMNS)} FROM documents WHERE parent_id = ? ORDER BY identity",
            (doc_id,),
        ).fetchall()
        return [document_dict(row) for row in rows]

    def chunks_of(self, doc_id: str) -> list[dict]:
        rows = self.db.execute(
            'SELECT id, ordinal, start, "end", page, paragraph, text FROM chunks '
            "WHERE doc_id = ? ORDER BY ordinal",
            (doc_id,),
        ).fetchall()
        return [dict(row) for row in rows]

    def counts(self) -> dict[str, int]:
        db = self.db
        return {
            "documents": db.execute("SELECT COUNT(*) FROM documents").fetchone()[0],
            "chunks": db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0],
            "embeddings": db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0],
            "failed_files": db.execute("SELECT COUNT(*) FROM files WHERE status = 'failed'").fetchone()[0],
            "pending_index_updates": db.execute("SELECT COUNT(*) FROM index_queue").fetchone()[0],
        }

    def facet(self, column: str) -> list[tuple[str, int]]:
        assert column in ("source", "format")
        rows = self.db.execute(
            f"SELECT {column}, COUNT(*) FROM documents WHERE {column} IS NOT NULL "
            f"GROUP BY {column} ORDER BY COUNT(*) DESC, {column}"
        ).fetchall()
        return [(row[0], row[1]) for row in rows]

    # -- writes (inside a transaction) ----------------------------------------------------------

    def put_document(
        self,
        db: sqlite3.Connection,
        document: Document,
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
        sentences: Sequence[SentenceVectors],
        file_path: str | None,
        origins: Mapping[str, str] | None = None,
    ) -> list[int]:
        """Insert or replace a document with its chunks, their embeddings and their sentences'
        embeddings; queue the index sync. Metadata set on purpose before (an edit, an ingest
        option, a sidecar) is kept over what the file says now (`archive.metadata.merge`);
        `origins` names the fields an ingest option or a sidecar set."""
        old_chunks = self._chunk_ids(db, [document.id])
        db.execute("DELETE FROM chunks WHERE doc_id = ?", (document.id,))
        parent_id = _parent_id(document)
        meta, provenance = self._merged_metadata(db, document, origins)
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
                parent_id,
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
        self.put_vectors(db, new_ids, vectors)
        self.put_sentence_vectors(db, new_ids, sentences)
        self.queue_index_sync(db, old_chunks + new_ids)
        return new_ids

    def delete_documents(self, db: sqlite3.Connection, doc_ids: Iterable[str]) -> int:
        """Delete documents, their attachments and chunks; queue the index sync. Returns chunks removed."""
        ids = self._with_children(db, list(doc_ids))
        chunk_ids = self._chunk_ids(db, ids)
        self.queue_index_sync(db, chunk_ids)
        db.executemany("DELETE FROM documents WHERE id = ?", [(i,) for i in ids])
        return len(chunk_ids)

    def queue_index_sync(self, db: sqlite3.Connection, chunk_ids: Iterable[int]) -> None:
        db.executemany("INSERT INTO index_queue (chunk_id) VALUES (?)", [(i,) for i in chunk_ids])

    def _chunk_ids(self, db: sqlite3.Connection, doc_ids: list[str]) -> list[int]:
        return [
            row[0] for row in self._select_in("SELECT id FROM chunks WHERE doc_id IN ({ids})", doc_ids, db=db)
        ]

    def _with_children(self, db: sqlite3.Connection, doc_ids: list[str]) -> list[str]:
        found, frontier = list(doc_ids), list(doc_ids)
        while frontier:
            marks = ",".join("?" * len(frontier))
            frontier = [
                r[0] for r in db.execute(f"SELECT id FROM documents WHERE parent_id IN ({marks})", frontier)
            ]
            found += frontier
        return found

    # -- files, runs, failures ----------------------------------------------------------------

    def file_state(self, path: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM files WHERE path = ?", (path,)).fetchone()

    def record_file(
        self,
        db: sqlite3.Connection,
        path: str,
        *,
        status: str,
        run_id: int,
        size: int | None = None,
        mtime_ns: int | None = None,
        sha256: str | None = None,
        reason: str | None = None,
    ) -> None:
        db.execute(
            "INSERT OR REPLACE INTO files (path, size, mtime_ns, sha256, status, reason, run_id, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (path, size, mtime_ns, sha256, status, reason, run_id, now()),
        )
        if status == "failed":
            db.execute(
                "INSERT INTO failures (run_id, path, reason, at) VALUES (?, ?, ?, ?)",
                (run_id, path, reason or "", now()),
            )

    def forget_file(self, db: sqlite3.Connection, path: str) -> None:
        db.execute("DELETE FROM files WHERE path = ?", (path,))

    def failed_files(self) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT path, reason, updated_at FROM files WHERE status = 'failed' ORDER BY path"
        ).fetchall()

    def start_run(self, command: str) -> int:
        with self.transaction() as db:
            cursor = db.execute("INSERT INTO runs (command, started_at) VALUES (?, ?)", (command, now()))
            return cursor.lastrowid

    def finish_run(self, run_id: int, status: str, summary: dict) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?",
                (now(), status, json.dumps(summary), run_id),
            )

    # -- the index outbox -----------------------------------------------------------------------

    def queued_since(self, seq: int) -> tuple[int, set[int]]:
        """(highest seq, chunk ids queued after `seq`)."""
        rows = self.db.execute(
            "SELECT seq, chunk_id FROM index_queue WHERE seq > ? ORDER BY seq", (seq,)
        ).fetchall()
        if not rows:
            return max(seq, self.last_seq()), set()
        return rows[-1][0], {row[1] for row in rows}

    def last_seq(self) -> int:
        row = self.db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'index_queue'").fetchone()
        return row[0] if row else 0

    def trim_queue(self, upto_seq: int) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM index_queue WHERE seq <= ?", (upto_seq,))

    # -- chunk reads ----------------------------------------------------------------------------

    def index_rows(self, chunk_ids: Iterable[int]) -> list[sqlite3.Row]:
        """What the keyword index stores for each chunk that still exists."""
        return list(
            self._select_in(
                "SELECT c.id, c.doc_id, c.text, d.title, d.source, d.author, d.tags, d.date, "
                "d.format FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE c.id IN ({ids})",
                sorted(chunk_ids),
            )
        )

    def iter_index_rows(self, batch_size: int = 1000) -> Iterator[list[sqlite3.Row]]:
        last = 0
        while True:
            rows = self.db.execute(
                "SELECT c.id, c.doc_id, c.text, d.title, d.source, d.author, d.tags, d.date, "
                "d.format FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE c.id > ? "
                "ORDER BY c.id LIMIT ?",
                (last, batch_size),
            ).fetchall()
            if not rows:
                return
            yield rows
            last = rows[-1]["id"]

    def vectors(self, chunk_ids: Iterable[int], dimension: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, matrix) of stored embeddings for the chunks that have one."""
        rows = list(
            self._select_in(
                "SELECT chunk_id, vector FROM embeddings WHERE chunk_id IN ({ids})", sorted(chunk_ids)
            )
        )
        return _as_matrix([row[0] for row in rows], [row[1] for row in rows], dimension)

    def iter_vectors(self, dimension: int, batch_size: int = 5000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        last = 0
        while True:
            rows = self.db.execute(
                "SELECT chunk_id, vector FROM embeddings WHERE chunk_id > ? ORDER BY chunk_id LIMIT ?",
                (last, batch_size),
            ).fetchall()
            if not rows:
                return
            yield _as_matrix([r[0] for r in rows], [r[1] for r in rows], dimension)
            last = rows[-1][0]

    def chunk_ids(self) -> set[int]:
        return {row[0] for row in self.db.execute("SELECT id FROM chunks")}

    def chunks_without_embedding(self) -> list[sqlite3.Row]:
        return self._chunks_without("embeddings")

    def chunks_without_sentence_vectors(self) -> list[sqlite3.Row]:
        return self._chunks_without("sentence_vectors")

    def missing_vectors(self) -> dict[str, int]:
        """How many chunks lack their embedding, and their sentence vectors."""
        return {
            table: self.db.execute(f"SELECT COUNT(*) FROM chunks c WHERE {_lacks(table)}").fetchone()[0]
            for table in ("embeddings", "sentence_vectors")
        }

    def _chunks_without(self, table: str) -> list[sqlite3.Row]:
        """Chunks (id, text, document title) that have no row in `table` (a vector table)."""
        return self.db.execute(
            "SELECT c.id, c.text, d.title FROM chunks c JOIN documents d ON d.id = c.doc_id "
            f"WHERE {_lacks(table)} ORDER BY c.id"
        ).fetchall()

    def put_vectors(self, db: sqlite3.Connection, ids: Sequence[int], vectors: np.ndarray) -> None:
        db.executemany(
            "INSERT OR REPLACE INTO embeddings (chunk_id, vector) VALUES (?, ?)",
            [(int(i), np.asarray(v, dtype=np.float32).tobytes()) for i, v in zip(ids, vectors, strict=True)],
        )

    def put_sentence_vectors(
        self, db: sqlite3.Connection, ids: Sequence[int], sentences: Sequence[SentenceVectors]
    ) -> None:
        db.executemany(
            "INSERT OR REPLACE INTO sentence_vectors (chunk_id, spans, vectors, title) VALUES (?, ?, ?, ?)",
            [(int(i), *block.to_blobs()) for i, block in zip(ids, sentences, strict=True)],
        )

    def sentence_vectors(self, chunk_ids: Iterable[int], dimension: int) -> dict[int, SentenceVectors]:
        """Stored sentence vectors of the chunks that have them."""
        rows = self._select_in(
            "SELECT chunk_id, spans, vectors, title FROM sentence_vectors WHERE chunk_id IN ({ids})",
            list(chunk_ids),
        )
        return {row[0]: SentenceVectors.from_blobs(row[1], row[2], row[3], dimension) for row in rows}

    def passages(self, chunk_ids: Sequence[int]) -> dict[int, dict]:
        """Chunks with their documents' metadata, for the ids that still exist."""
        columns = (
            'c.id AS chunk_id, c.ordinal, c.start, c."end", c.page, c.paragraph, c.text AS chunk_text, '
            + ", ".join("d." + c for c in _META_COLUMNS)
        )
        return {row["chunk_id"]: dict(row) for row in self._chunk_rows(columns, chunk_ids, Filters())}

    def chunk_documents(self, chunk_ids: Sequence[int], filters: Filters | None = None) -> dict[int, str]:
        """Document id of each chunk that still exists (and passes filters): all ranking needs."""
        return {row[0]: row[1] for row in self._chunk_rows("c.id, c.doc_id", chunk_ids, filters or Filters())}

    def _chunk_rows(self, columns: str, chunk_ids: Sequence[int], filters: Filters) -> list[sqlite3.Row]:
        """`columns` of the given chunks joined with their documents."""
        where, params = filters.sql()
        sql = f"SELECT {columns} FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE c.id IN ({{ids}})"
        return list(self._select_in(f"{sql} AND {where}", list(chunk_ids), params))

    def _select_in(
        self, sql: str, keys: list, params: Sequence = (), db: sqlite3.Connection | None = None
    ) -> Iterator[sqlite3.Row]:
        """Rows of `sql` for every key, its `{ids}` bound to the keys 500 at a time (SQLite bounds
        the number of parameters of a statement); `params` follow the keys."""
        for batch in batches(keys, 500):
            marks = ",".join("?" * len(batch))
            yield from (db or self.db).execute(sql.replace("{ids}", marks), [*batch, *params])

    def allowed_chunk_ids(self, filters: Filters) -> np.ndarray:
        where, params = filters.sql()
        rows = self.db.execute(
            f"SELECT c.id FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE {where}", params
        ).fetchall()
        return np.array([r[0] for r in rows], dtype=np.int64)


_META_COLUMNS = tuple(
    """id identity parent_id external_id title source author date url path format language size
    sha256 tags file_path ingested_at provenance""".split()
)


def document_dict(row: sqlite3.Row) -> dict:
    record = dict(row)
    if isinstance(record.get("tags"), str):
        record["tags"] = json.loads(record["tags"])
    if isinstance(record.get("provenance"), str):
        record["provenance"] = metadata.stored_origins(record["provenance"])
    if isinstance(record.get("pages"), str):
        record["pages"] = json.loads(record["pages"])
    return record


def _parent_id(document: Document) -> str | None:
    return document_id(document.parent_identity) if document.parent_identity else None


def _as_matrix(ids: list[int], blobs: list[bytes], dimension: int) -> tuple[np.ndarray, np.ndarray]:
    matrix = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), dimension)
    return np.array(ids, dtype=np.int64), matrix


def _lacks(table: str) -> str:
    """SQL condition: chunk `c` has no row in the vector table `table`."""
    return f"NOT EXISTS (SELECT 1 FROM {table} v WHERE v.chunk_id = c.id)"


def batches(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
