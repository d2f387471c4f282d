"""The SQLite catalog: one file (WAL mode), one connection per thread, migrations on open.

Both indexes are derived from it. Every change to chunks appends the chunk ids to `index_queue`
in the same transaction, so an index that missed a change (a crash, a kill) can catch up.
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from archive.catalog.records import (
    Counts,
    DocumentRef,
    Edit,
    FileState,
    Filters,
    Outbox,
    StoredVersion,
    now,
)
from archive.catalog.sqlite import metadata as stored_metadata
from archive.catalog.sqlite.chunks import ChunkReads
from archive.catalog.sqlite.filters import where
from archive.catalog.sqlite.originals import OriginalReads
from archive.catalog.sqlite.rows import META_COLUMNS, document_fields
from archive.catalog.sqlite.schema import MIGRATIONS
from archive.catalog.sqlite.writer import SQLiteWriter
from archive.errors import ArchiveError, NotFound
from archive.locking import WriteLock


class SQLiteCatalog(ChunkReads, OriginalReads):
    """`archive.catalog.interface.Catalog` in a SQLite file; the writer lock is a file lock in
    `lock_dir` (the data folder)."""

    def __init__(self, path: Path, *, lock_dir: Path | None = None, create: bool = False):
        self.path = Path(path)
        self.location = str(self.path)
        if not self.path.exists() and not create:
            raise NotFound(
                f"no archive in '{self.path.parent}' (run `archive ingest PATH` to create one)",
                code="no_archive",
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock_dir = Path(lock_dir) if lock_dir is not None else self.path.parent
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
            try:
                conn = self._connect()
            except sqlite3.OperationalError as error:
                if _read_only(self.path.parent):  # SQLite says only "unable to open database file"
                    raise OSError(errno.EROFS, "read-only file system", str(self.path.parent)) from error
                raise
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA user_version").fetchone()  # opens the file (and its WAL) now
        return conn

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    @contextmanager
    def writing(self) -> Iterator[SQLiteWriter]:
        """One unit of work: everything inside commits together or not at all."""
        with self._transaction() as db:
            yield SQLiteWriter(db)

    def writer_lock(self) -> WriteLock:
        return WriteLock(self._lock_dir)

    def compact(self) -> None:
        """Fold the write-ahead log into the file (after a bulk load)."""
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise ArchiveError(
                f"the catalog {self.path} has schema version {version}, newer than this program "
                f"understands ({len(MIGRATIONS)}); upgrade the archive program"
            )
        for number in range(version, len(MIGRATIONS)):
            with self._transaction() as db:
                if db.execute("PRAGMA user_version").fetchone()[0] != number:
                    continue  # another process migrated meanwhile
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {number + 1}")

    # -- meta, documents ---------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def document(self, doc_id: str, *, with_text: bool = True) -> dict:
        columns = "*" if with_text else ", ".join(f"d.{c}" for c in META_COLUMNS)
        row = self.db.execute(f"SELECT {columns} FROM documents d WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise NotFound(f"no document with id '{doc_id}'")
        return document_fields(row)

    def stored_version(self, identity: str) -> StoredVersion | None:
        row = self.db.execute("SELECT id, sha256 FROM documents WHERE identity = ?", (identity,)).fetchone()
        return StoredVersion(row[0], row[1]) if row else None

    def same_content(self, sha256: str, identity: str) -> DocumentRef | None:
        row = self.db.execute(
            "SELECT id, identity, path, title FROM documents WHERE sha256 = ? AND identity != ? LIMIT 1",
            (sha256, identity),
        ).fetchone()
        return DocumentRef(row[0], row[1], row[2], row[3]) if row else None

    def documents_from_file(self, file_path: str) -> list[DocumentRef]:
        rows = self.db.execute(
            "SELECT id, identity, path, title FROM documents WHERE file_path = ?", (file_path,)
        )
        return [DocumentRef(row[0], row[1], row[2], row[3]) for row in rows]

    def list_documents(
        self, limit: int = 50, offset: int = 0, filters: Filters | None = None
    ) -> tuple[list[dict], int]:
        condition, params = where(filters)
        total = self.db.execute(f"SELECT COUNT(*) FROM documents d WHERE {condition}", params).fetchone()[0]
        rows = self.db.execute(
            f"SELECT {', '.join('d.' + c for c in META_COLUMNS)}, "
            "(SELECT COUNT(*) FROM chunks c WHERE c.doc_id = d.id) AS chunks "
            f"FROM documents d WHERE {condition} ORDER BY d.date DESC, d.title, d.id LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
        return [document_fields(row) for row in rows], total

    def children(self, doc_id: str) -> list[dict]:
        rows = self.db.execute(
            f"SELECT {', '.join(META_COLUMNS)} FROM documents WHERE parent_id = ? ORDER BY identity",
            (doc_id,),
        ).fetchall()
        return [document_fields(row) for row in rows]

    def all_documents(self) -> Iterator[dict]:
        for row in self.db.execute("SELECT * FROM documents ORDER BY rowid"):
            yield document_fields(row)

    def history(self, doc_id: str) -> list[Edit]:
        return stored_metadata.history(self.db, doc_id)

    def counts(self) -> Counts:
        db = self.db
        return Counts(
            documents=db.execute("SELECT COUNT(*) FROM documents").fetchone()[0],
            chunks=db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0],
            embeddings=db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0],
            failed_files=db.execute("SELECT COUNT(*) FROM files WHERE status = 'failed'").fetchone()[0],
            pending_index_updates=db.execute("SELECT COUNT(*) FROM index_queue").fetchone()[0],
        )

    def facet(self, field: str) -> list[tuple[str, int]]:
        if field == "tags":
            sql = (
                "SELECT tag.value, COUNT(*) FROM documents d, json_each(d.tags) AS tag "
                "GROUP BY tag.value ORDER BY COUNT(*) DESC, tag.value"
            )
        elif field in ("source", "format"):
            sql = (
                f"SELECT {field}, COUNT(*) FROM documents WHERE {field} IS NOT NULL "
                f"GROUP BY {field} ORDER BY COUNT(*) DESC, {field}"
            )
        else:
            raise ValueError(f"no facet '{field}' (source, format or tags)")
        return [(row[0], row[1]) for row in self.db.execute(sql)]

    # -- files and runs ----------------------------------------------------------------------

    def file_state(self, path: str) -> FileState | None:
        row = self.db.execute("SELECT * FROM files WHERE path = ?", (path,)).fetchone()
        return FileState(**dict(row)) if row else None

    def failed_files(self) -> list[FileState]:
        rows = self.db.execute("SELECT * FROM files WHERE status = 'failed' ORDER BY path")
        return [FileState(**dict(row)) for row in rows]

    def start_run(self, command: str) -> int:
        with self._transaction() as db:
            return db.execute(
                "INSERT INTO runs (command, started_at) VALUES (?, ?)", (command, now())
            ).lastrowid

    def finish_run(self, run_id: int, status: str, summary: dict) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?",
                (now(), status, json.dumps(summary), run_id),
            )

    def has_running_run(self) -> bool:
        return self.db.execute("SELECT 1 FROM runs WHERE status = 'running' LIMIT 1").fetchone() is not None

    # -- the index outbox --------------------------------------------------------------------

    def outbox_since(self, seq: int) -> Outbox:
        rows = self.db.execute(
            "SELECT seq, chunk_id FROM index_queue WHERE seq > ? ORDER BY seq", (seq,)
        ).fetchall()
        if not rows:
            return Outbox(max(seq, self.last_seq()))
        return Outbox(rows[-1][0], frozenset(row[1] for row in rows))

    def last_seq(self) -> int:
        row = self.db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'index_queue'").fetchone()
        return row[0] if row else 0

    def trim_outbox(self, upto_seq: int) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM index_queue WHERE seq <= ?", (upto_seq,))

    def index_progress(self, index: str, generation: int) -> int | None:
        row = self.db.execute(
            "SELECT seq FROM index_progress WHERE name = ? AND generation = ?", (index, generation)
        ).fetchone()
        return row[0] if row else None


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False
