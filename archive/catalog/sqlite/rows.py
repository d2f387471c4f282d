"""Helpers shared by the SQLite catalog's reads and writes: batched `IN` lists, row decoding."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence

import numpy as np

from archive import metadata
from archive.catalog.records import IndexRow, batches

META_COLUMNS = tuple(
    """id identity parent_id external_id title source author date url path format language size
    sha256 tags file_path ingested_at provenance""".split()
)
INDEX_COLUMNS = "c.id, c.doc_id, c.text, d.title, d.source, d.author, d.tags, d.date, d.format"


def select_in(db: sqlite3.Connection, sql: str, keys: list, params: Sequence = ()) -> Iterator[sqlite3.Row]:
    """Rows of `sql` for every key, its `{ids}` bound to the keys 500 at a time (SQLite bounds
    the number of parameters of a statement); `params` follow the keys."""
    for batch in batches(keys, 500):
        marks = ",".join("?" * len(batch))
        yield from db.execute(sql.replace("{ids}", marks), [*batch, *params])


def document_fields(row: sqlite3.Row) -> dict:
    """A document row as a dict, its stored JSON (tags, provenance, pages) decoded."""
    record = dict(row)
    if isinstance(record.get("tags"), str):
        record["tags"] = json.loads(record["tags"])
    if isinstance(record.get("provenance"), str):
        record["provenance"] = metadata.stored_origins(record["provenance"])
    if isinstance(record.get("pages"), str):
        record["pages"] = json.loads(record["pages"])
    return record


def index_row(row: sqlite3.Row) -> IndexRow:
    return IndexRow(
        id=row["id"],
        doc_id=row["doc_id"],
        text=row["text"],
        title=row["title"] or "",
        source=row["source"],
        author=row["author"],
        tags=tuple(json.loads(row["tags"] or "[]")),
        date=row["date"],
        format=row["format"],
    )


def as_matrix(ids: list[int], blobs: list[bytes], dimension: int) -> tuple[np.ndarray, np.ndarray]:
    matrix = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), dimension)
    return np.array(ids, dtype=np.int64), matrix


def lacks(table: str) -> str:
    """SQL condition: chunk `c` has no row in the vector table `table`."""
    return f"NOT EXISTS (SELECT 1 FROM {table} v WHERE v.chunk_id = c.id)"
