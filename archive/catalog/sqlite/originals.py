"""The SQLite catalog's reads of which documents refer to which original (part of `SQLiteCatalog`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from archive.catalog.records import OriginalRef, OriginalUse
from archive.errors import NotFound


class OriginalReads:
    db: sqlite3.Connection

    def original_ref(self, doc_id: str) -> OriginalRef:
        row = self.db.execute(
            "SELECT file_path, original_sha256 FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"no document with id '{doc_id}'")
        return OriginalRef(row[0], row[1])

    def original_use(self) -> OriginalUse:
        copied, by_path = self.db.execute(
            "SELECT COALESCE(SUM(original_copy = 1), 0), "
            "COALESCE(SUM(original_copy = 0 AND file_path IS NOT NULL), 0) FROM documents"
        ).fetchone()
        return OriginalUse(copied, by_path)

    def originals_in_use(self) -> set[str]:
        rows = self.db.execute("SELECT DISTINCT original_sha256 FROM documents WHERE original_copy = 1")
        return {row[0] for row in rows if row[0]}

    def original_in_use(self, sha256: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM documents WHERE original_sha256 = ? AND original_copy = 1 LIMIT 1", (sha256,)
        ).fetchone()
        return row is not None

    def originals_of_file(self, file_path: str) -> set[str]:
        rows = self.db.execute(
            "SELECT DISTINCT original_sha256 FROM documents WHERE file_path = ? AND original_copy = 1",
            (file_path,),
        )
        return {row[0] for row in rows}

    def originals_of_documents(self, doc_ids: Iterable[str]) -> set[str]:
        shas: set[str] = set()
        for doc_id in doc_ids:
            rows = self.db.execute(
                "SELECT DISTINCT original_sha256 FROM documents "
                "WHERE (id = ? OR parent_id = ?) AND original_copy = 1",
                (doc_id, doc_id),
            )
            shas |= {row[0] for row in rows}
        return shas

    def paths_of_original(self, sha256: str) -> list[str]:
        rows = self.db.execute(
            "SELECT DISTINCT file_path FROM documents WHERE original_sha256 = ?", (sha256,)
        )
        return [row[0] for row in rows if row[0]]

    def paths_without_copy(self, folder: str) -> set[str]:
        prefix = folder.rstrip("/") + "/"
        rows = self.db.execute(
            "SELECT DISTINCT file_path FROM documents "
            "WHERE original_copy = 0 AND substr(file_path, 1, ?) = ?",
            (len(prefix), prefix),
        )
        return {row[0] for row in rows}
