"""Archive operations besides ingest and search, shared by the CLI and the web API."""

from __future__ import annotations

import json
from pathlib import Path

from archive import metadata, originals
from archive.catalog import Filters
from archive.citations.paragraphs import Paragraph, locate, of_document
from archive.errors import NotFound
from archive.search import PUBLIC_FIELDS
from archive.store import Archive


def stats(archive: Archive) -> dict:
    counts = archive.catalog.counts()
    manifest = archive.manifest
    sizes = _disk_sizes(archive.data_dir)
    return {
        "documents": counts["documents"],
        "chunks": counts["chunks"],
        "failed_files": counts["failed_files"],
        "model": manifest.model["name"] if manifest else archive.settings.model,
        "dimension": manifest.model["dimension"] if manifest else None,
        "precision": manifest.model.get("precision") if manifest else None,
        "generation": manifest.generation if manifest else None,
        "vector_index": archive.vector.kind if archive.vector else None,
        "keyword_indexed": archive.keyword.count() if archive.keyword else 0,
        "vector_indexed": archive.vector.count() if archive.vector else 0,
        "pending_index_updates": counts["pending_index_updates"],
        "formats": dict(archive.catalog.facet("format")),
        "sources": dict(archive.catalog.facet("source")),
        "disk_bytes": sizes,
        "originals": _originals_stats(archive),
        "data_dir": str(archive.data_dir.resolve()),
    }


def _originals_stats(archive: Archive) -> dict[str, int]:
    """Copies kept in the data folder, and documents served from a copy or from a hash-checked path."""
    copies, size = originals.OriginalStore(archive.data_dir).usage()
    copied, checked = archive.catalog.db.execute(
        "SELECT COALESCE(SUM(original_copy = 1), 0), "
        "COALESCE(SUM(original_copy = 0 AND file_path IS NOT NULL), 0) FROM documents"
    ).fetchone()
    return {"stored": copies, "stored_bytes": size, "documents_copied": copied, "documents_by_path": checked}


def _disk_sizes(data_dir: Path) -> dict[str, int]:
    def size_of(path: Path) -> int:
        if path.is_file():
            return path.stat().st_size
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())

    catalog = sum(size_of(p) for p in data_dir.glob("catalog.sqlite3*"))
    keyword = sum(size_of(p) for p in data_dir.glob("indexes/gen-*/keyword"))
    vector = sum(size_of(p) for p in data_dir.glob("indexes/gen-*/vectors.faiss"))
    stored = size_of(data_dir / originals.ORIGINALS_FOLDER)
    return {"catalog": catalog, "keyword_index": keyword, "vector_index": vector, "originals": stored}


def list_documents(
    archive: Archive, limit: int = 50, offset: int = 0, filters: Filters | None = None
) -> dict:
    documents, total = archive.catalog.list_documents(limit, offset, filters)
    return {
        "total": total,
        "offset": offset,
        "limit": limit,
        "documents": [
            {**public_document(d), "chunks": d["chunks"], "ingested_at": d["ingested_at"]} for d in documents
        ],
    }


def public_document(record: dict) -> dict:
    return {name: record.get(name) for name in PUBLIC_FIELDS}


def show(archive: Archive, doc_id: str, *, with_text: bool = True) -> dict:
    document = archive.catalog.document(doc_id)
    numbered = of_document(document)
    result = {
        **public_document(document),
        "language": document.get("language"),
        "size": document.get("size"),
        "sha256": document.get("sha256"),
        "ingested_at": document.get("ingested_at"),
        "parent_id": document.get("parent_id"),
        "attachments": [public_document(c) for c in archive.catalog.children(doc_id)],
        "chunks": [
            {**chunk, **_where(numbered, chunk["start"])} for chunk in archive.catalog.chunks_of(doc_id)
        ],
        "provenance": document.get("provenance") or metadata.stored_origins(None),
        "history": archive.catalog.history(doc_id),
    }
    if with_text:
        result["text"] = document["text"]
        result["pages"] = document.get("pages")
    return result


def _where(numbered: list[Paragraph], offset: int) -> dict:
    """Page and paragraph of a passage starting at `offset`, in the document view's numbering
    (the catalog's chunk rows count paragraphs through the whole document, pages or not)."""
    found = locate(numbered, offset)
    return {"page": found.page if found else None, "paragraph": found.number if found else None}


def delete(archive: Archive, doc_ids: list[str]) -> dict:
    """Remove documents (and their attachments) from the catalog and both indexes."""
    for doc_id in doc_ids:
        archive.catalog.document(doc_id, with_text=False)  # NotFound names the bad id
    archive.prepare_for_writing()
    with archive.catalog.transaction() as db:
        documents = [archive.catalog.document(i, with_text=False) for i in doc_ids]
        kept = originals.shas_of_documents(db, doc_ids)
        chunks = archive.catalog.delete_documents(db, doc_ids)
        for document in documents:
            path = document.get("file_path")
            if path and not archive.catalog.documents_from_file(path):
                archive.catalog.forget_file(db, path)  # re-ingesting the file brings it back
    originals.release(archive.catalog.db, originals.OriginalStore(archive.data_dir), kept)
    archive.sync()
    return {"deleted": doc_ids, "chunks_removed": chunks}


def edit(archive: Archive, doc_id: str, changes: dict, who: str) -> dict:
    """Set metadata fields by hand (validated; None clears a field). The edit outranks anything
    an ingest reads later, is recorded in the history with `who`, and reaches the keyword index
    in the same transaction's outbox (the chunks' vectors are kept: nothing is re-embedded)."""
    values = metadata.validate(changes)
    archive.catalog.document(doc_id, with_text=False)  # NotFound names the bad id
    archive.prepare_for_writing()
    with archive.catalog.transaction() as db:
        applied = archive.catalog.update_metadata(db, doc_id, values, dict.fromkeys(values, "user"), who=who)
    archive.sync()
    document = archive.catalog.document(doc_id, with_text=False)
    return {
        "document": public_document(document),
        "provenance": document["provenance"],
        "changed": applied,
        "history": archive.catalog.history(doc_id),
    }


def reindex(archive: Archive, progress=None) -> dict:
    manifest = archive.rebuild(progress)
    return {
        "generation": manifest.generation,
        **{
            k: v
            for k, v in stats(archive).items()
            if k in ("documents", "chunks", "keyword_indexed", "vector_indexed")
        },
    }


def original_file(archive: Archive, doc_id: str) -> originals.Original | None:
    """The original a document came from: its kept copy, or the file at its path when it still
    hashes to what was ingested (OriginalChanged when it does not); None when there is none."""
    found = originals.record(archive.catalog.db, doc_id)
    return originals.open_original(originals.OriginalStore(archive.data_dir), archive.data_dir, found)


def original_available(archive: Archive, doc_id: str) -> bool:
    found = originals.record(archive.catalog.db, doc_id)
    return originals.available(originals.OriginalStore(archive.data_dir), archive.data_dir, found)


# -- used by the web server (and available to the CLI) ------------------------------------------


def open_archive(settings) -> Archive:
    """A read-only Archive; a data folder without a catalog gets an empty one (a fresh server)."""
    from archive.catalog import CATALOG_FILE, Catalog

    data_dir = Path(settings.data_dir)
    if not (data_dir / CATALOG_FILE).exists():
        Catalog(data_dir, create=True).close()
    return Archive(settings)


def facets(archive: Archive) -> dict:
    """Values to filter on, most frequent first: sources, formats and tags with their counts."""
    rows = archive.catalog.db.execute(
        "SELECT tag.value, COUNT(*) FROM documents d, json_each(d.tags) AS tag "
        "GROUP BY tag.value ORDER BY COUNT(*) DESC, tag.value"
    ).fetchall()
    return {
        "sources": [{"value": v, "count": n} for v, n in archive.catalog.facet("source")],
        "formats": [{"value": v, "count": n} for v, n in archive.catalog.facet("format")],
        "tags": [{"value": row[0], "count": row[1]} for row in rows],
    }


def describe(archive: Archive, doc_id: str) -> dict:
    """`show` plus what a reader of the document needs: its parent message and its original file."""
    result = show(archive, doc_id)
    parent_id = result.get("parent_id")
    parent = None
    if parent_id:
        try:
            parent = public_document(archive.catalog.document(parent_id, with_text=False))
        except NotFound:
            parent = None
    result["parent"] = parent
    result["original_available"] = original_available(archive, doc_id)
    return result


MAX_CHUNK_ID = 2**63 - 1


def passage(archive: Archive, chunk_id: int) -> dict:
    """One passage (chunk) with its document and a citation whose quote opens the passage."""
    from archive.citations import cite_passage

    rows = archive.catalog.passages([chunk_id]) if 0 < chunk_id <= MAX_CHUNK_ID else {}
    row = rows.get(chunk_id)
    if row is None:
        raise NotFound(f"no passage with id {chunk_id}")
    text = row["chunk_text"]
    document = public_document(row)
    if isinstance(document["tags"], str):
        document["tags"] = json.loads(document["tags"])
    record = {
        "id": chunk_id,
        "text": text,
        "start": row["start"],
        "end": row["end"],
        "document": document,
    }
    numbered = of_document(archive.catalog.document(document["id"]))
    record.update(_where(numbered, row["start"]))
    record["citation"] = cite_passage(document, record, archive.settings.base_url, numbered)
    return record


def documents_from_files(archive: Archive, paths: list[str]) -> list[dict]:
    """The documents (with attachments) that the given files hold now, in file order."""
    found = []
    for path in paths:
        for row in archive.catalog.documents_from_file(path):
            found.append(public_document(archive.catalog.document(row["id"], with_text=False)))
    return found


def recover_if_idle(settings) -> bool:
    """Apply index updates a crashed writer left queued, unless another process is writing now
    (it does the same catch-up itself). True when the archive was brought up to date here."""
    from archive.errors import ArchiveBusy

    try:
        with Archive(settings, write=True) as archive:
            return archive.manifest is not None and archive.recover()
    except ArchiveBusy:
        return False
