"""The SQLite catalog's part in metadata edits: merging a re-ingested document's metadata with what
was set on purpose before, applying edits and ingest options to stored documents, and the history.
Used by the unit of work (`archive.catalog.sqlite.writer`), on its connection."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping

from archive import metadata
from archive.catalog.records import Edit, now
from archive.domain import Document
from archive.errors import NotFound

_SELECT = f"SELECT {', '.join(metadata.EDITABLE_FIELDS)}, provenance FROM documents WHERE id = ?"


def _stored(db: sqlite3.Connection, doc_id: str) -> tuple[dict, dict[str, str]] | None:
    """A stored document's editable values (tags as a list) and their origins."""
    row = db.execute(_SELECT, (doc_id,)).fetchone()
    if row is None:
        return None
    values = {name: row[name] for name in metadata.EDITABLE_FIELDS}
    values["tags"] = json.loads(values["tags"] or "[]")
    return values, metadata.stored_origins(row["provenance"])


def merged(
    db: sqlite3.Connection, document: Document, overrides: Mapping[str, str] | None
) -> tuple[dict, dict[str, str]]:
    """The metadata to write for a document read again: the stored value wherever its origin
    outranks the new one (`archive.metadata.merge`)."""
    incoming = {name: getattr(document, name) for name in metadata.EDITABLE_FIELDS}
    origins = metadata.origins_of(document, overrides)
    stored = _stored(db, document.id)
    if stored is None:
        return incoming, origins
    return metadata.merge(stored[0], stored[1], incoming, origins)


def update(
    db: sqlite3.Connection,
    doc_id: str,
    values: Mapping[str, object],
    origins_now: Mapping[str, str],
    who: str | None = None,
) -> list[dict]:
    """Set metadata fields, each from its origin in `origins_now` where that outranks the
    stored value's origin (an edit is never undone by an ingest option), and queue the
    document's chunks for the keyword index (their vectors stay; the caller queues them when
    something changed). With `who`, each change is recorded in the edit history. Returns the
    changes: field, old, new."""
    found = _stored(db, doc_id)
    if found is None:
        raise NotFound(f"no document with id '{doc_id}'")
    stored, origins = found
    changes = []
    for name, value in values.items():
        if not metadata.wins(origins_now[name], origins[name]):
            continue
        if value != stored[name]:
            changes.append({"field": name, "old": stored[name], "new": value})
            stored[name] = value
        origins[name] = origins_now[name]
    db.execute(
        "UPDATE documents SET title = ?, source = ?, author = ?, date = ?, url = ?, tags = ?, "
        "provenance = ? WHERE id = ?",
        (
            stored["title"] or "",
            stored["source"],
            stored["author"],
            stored["date"],
            stored["url"],
            json.dumps(stored["tags"] or []),
            json.dumps(origins),
            doc_id,
        ),
    )
    if who is not None:
        _record_edits(db, doc_id, changes, who)
    return changes


def _record_edits(db: sqlite3.Connection, doc_id: str, changes: list[dict], who: str) -> None:
    at = now()
    db.executemany(
        "INSERT INTO edits (doc_id, field, old_value, new_value, who, at) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                doc_id,
                change["field"],
                metadata.shown_value(change["field"], change["old"]),
                metadata.shown_value(change["field"], change["new"]),
                who,
                at,
            )
            for change in changes
        ],
    )


def history(db: sqlite3.Connection, doc_id: str) -> list[Edit]:
    """The document's edits, newest first."""
    rows = db.execute(
        "SELECT field, old_value, new_value, who, at FROM edits WHERE doc_id = ? ORDER BY id DESC",
        (doc_id,),
    ).fetchall()
    return [Edit(**dict(row)) for row in rows]
