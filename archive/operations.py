"""Archive operations besides ingest and search, shared by the CLI and the web API."""

from __future__ import annotations

from collections.abc import Sequence
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
        **archive.index_counts(),
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
    use = archive.catalog.original_use()
    return {
        "stored": copies,
        "stored_bytes": size,
        "documents_copied": use.copied,
        "documents_by_path": use.by_path,
    }


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
        "history": [edit.to_dict() for edit in archive.catalog.history(doc_id)],
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
    return delete_releasing_files(archive, doc_ids)[0]


def delete_releasing_files(archive: Archive, doc_ids: list[str]) -> tuple[dict, list[str]]:
    """`delete`, and the files that no document comes from any more (an uploaded one can go)."""
    for doc_id in doc_ids:
        archive.catalog.document(doc_id, with_text=False)  # NotFound names the bad id
    archive.prepare_for_writing()
    with archive.catalog.writing() as w:
        documents = [archive.catalog.document(i, with_text=False) for i in doc_ids]
        documents += [child for i in doc_ids for child in archive.catalog.children(i)]
        kept = archive.catalog.originals_of_documents(doc_ids)
        chunks = w.delete_documents(doc_ids)
        released = []
        for path in dict.fromkeys(d.get("file_path") for d in documents):
            if path and not archive.catalog.documents_from_file(path):
                w.forget_file(path)  # re-ingesting the file brings it back
                released.append(path)
    originals.release(archive.catalog, originals.OriginalStore(archive.data_dir), kept)
    archive.sync()
    return {"deleted": doc_ids, "chunks_removed": chunks}, released


def edit(archive: Archive, doc_id: str, changes: dict, who: str) -> dict:
    """Set metadata fields by hand (validated; None clears a field). The edit outranks anything
    an ingest reads later, is recorded in the history with `who`, and reaches the keyword index
    in the same transaction's outbox (the chunks' vectors are kept: nothing is re-embedded)."""
    values = metadata.validate(changes)
    archive.catalog.document(doc_id, with_text=False)  # NotFound names the bad id
    archive.prepare_for_writing()
    with archive.catalog.writing() as w:
        applied = w.update_metadata(doc_id, values, dict.fromkeys(values, "user"), who=who)
    archive.sync()
    document = archive.catalog.document(doc_id, with_text=False)
    return {
        "document": public_document(document),
        "provenance": document["provenance"],
        "changed": applied,
        "history": [edit.to_dict() for edit in archive.catalog.history(doc_id)],
    }


def retag(
    archive: Archive, doc_id: str, added: Sequence[str], removed: Sequence[str], clear: bool
) -> list[str]:
    """The document's tags after adding `added` and removing `removed` (without regard to case),
    or only `added` with `clear`: the value `edit` sets for `tags`."""
    current = [] if clear else archive.catalog.document(doc_id, with_text=False)["tags"]
    gone = {tag.casefold() for tag in removed}
    return [tag for tag in current if tag.casefold() not in gone] + list(added)


def health(archive: Archive) -> dict:
    """What a load balancer polls: documents, chunks and the current generation."""
    archive.refresh()  # a first ingest (or a reindex) elsewhere creates a new generation
    counts = archive.catalog.counts()
    return {
        "status": "ok",
        "documents": counts.documents,
        "chunks": counts.chunks,
        "generation": archive.manifest.generation if archive.manifest else None,
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
    found = archive.catalog.original_ref(doc_id)
    return originals.open_original(originals.OriginalStore(archive.data_dir), archive.data_dir, found)


def original_available(archive: Archive, doc_id: str) -> bool:
    found = archive.catalog.original_ref(doc_id)
    return originals.available(originals.OriginalStore(archive.data_dir), archive.data_dir, found)


# -- used by the web server (and available to the CLI) ------------------------------------------


def open_archive(settings) -> Archive:
    """A read-only Archive; a data folder without a catalog gets an empty one (a fresh server)."""
    from archive.catalog import open_catalog

    open_catalog(settings.data_dir, settings.catalog, create=True).close()
    return Archive(settings)


def ensure_not_busy(settings) -> None:
    """ArchiveBusy naming the holder when another process writes to the archive now (the
    writer lock is taken and released at once: a probe, not a reservation)."""
    from archive.catalog import open_catalog

    catalog = open_catalog(settings.data_dir, settings.catalog, create=True)
    try:
        lock = catalog.writer_lock()
        lock.acquire(wait=False)
        lock.release()
    finally:
        catalog.close()


def facets(archive: Archive) -> dict:
    """Values to filter on, most frequent first: sources, formats and tags with their counts."""
    return {
        plural: [{"value": v, "count": n} for v, n in archive.catalog.facet(field)]
        for plural, field in (("sources", "source"), ("formats", "format"), ("tags", "tags"))
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
        for ref in archive.catalog.documents_from_file(path):
            found.append(public_document(archive.catalog.document(ref.id, with_text=False)))
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
