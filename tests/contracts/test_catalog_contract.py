"""The contract every catalog backend passes (archive/catalog/interface.py). A new backend adds one
entry to BACKENDS: how to open a fresh catalog, and how to make one as an older version left it.

Real engines only: the SQLite backend runs on real files in tmp_path."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from archive.catalog import Catalog, CatalogWriter, Filters, WriterLock, open_catalog
from archive.catalog.sqlite.schema import MIGRATIONS
from archive.domain import Chunk, Document
from archive.errors import ArchiveBusy, NotFound
from indexer.sentences import SentenceVectors

DIMENSION = 4


@dataclass(frozen=True)
class Backend:
    name: str
    open: Callable[[Path], Catalog]  # a new, empty catalog for the data folder
    old: Callable[[Path], None]  # leaves a catalog with one document, as the first version wrote it


def _sqlite_v1(data_dir: Path) -> None:
    db = sqlite3.connect(data_dir / "catalog.sqlite3")
    db.executescript(MIGRATIONS[0])
    db.execute(
        "INSERT INTO documents (id, identity, title, format, sha256, tags, text, ingested_at) "
        "VALUES ('old1', 'file:/old.txt', 'Old', 'text', 'abc', '[\"Kept\"]', 'old text', '2020-01-01')"
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()


BACKENDS = [
    Backend("sqlite", lambda data: open_catalog(data, "", create=True), _sqlite_v1),
]


@pytest.fixture(params=BACKENDS, ids=lambda backend: backend.name)
def backend(request) -> Backend:
    return request.param


@pytest.fixture
def catalog(backend, tmp_path):
    opened = backend.open(tmp_path)
    yield opened
    opened.close()


def document(name: str, *, text: str | None = None, parent: str | None = None, **fields) -> Document:
    text = text or f"{name} first passage. {name} second passage."
    return Document(
        identity=f"file:/docs/{name}",
        text=text,
        format=fields.pop("format", "text"),
        sha256=fields.pop("sha256", f"sha-{name}-{len(text)}"),
        title=fields.pop("title", name.title()),
        path=f"/docs/{name}",
        parent_identity=f"file:/docs/{parent}" if parent else None,
        **fields,
    )


def put(w: CatalogWriter, doc: Document, *, file_path: str | None = None, seed: int = 0) -> list[int]:
    half = len(doc.text) // 2
    chunks = [Chunk(0, 0, half, doc.text[:half]), Chunk(1, half, len(doc.text), doc.text[half:], page=1)]
    vectors = np.random.default_rng(seed).random((2, DIMENSION), dtype=np.float32)
    sentences = [SentenceVectors.of([(0, 3)], vectors[i : i + 1], vectors[i]) for i in range(2)]
    return w.put_document(doc, chunks, vectors, sentences, file_path or doc.path)


def test_an_empty_catalog_answers_every_read(catalog):
    assert isinstance(catalog, Catalog)
    assert tuple(catalog.counts().to_dict().values()) == (0, 0, 0, 0, 0)
    assert catalog.list_documents() == ([], 0)
    assert catalog.last_seq() == 0 and catalog.outbox_since(0).chunk_ids == frozenset()
    assert catalog.chunk_ids() == set() and list(catalog.iter_index_rows()) == []
    assert catalog.facet("source") == [] and catalog.facet("tags") == []
    assert catalog.file_state("/nowhere") is None and catalog.failed_files() == []
    assert catalog.index_progress("keyword", 1) is None and catalog.get_meta("model") is None
    assert catalog.allowed_chunk_ids(Filters(source="x")).size == 0
    with pytest.raises(NotFound, match="no document with id 'missing'"):
        catalog.document("missing")


def test_a_document_is_stored_with_its_chunks_and_vectors(catalog):
    doc = document("alpha", tags=["Iran", "Gaza"], source="Wire", date="2024-03-01")
    with catalog.writing() as w:
        ids = put(w, doc, seed=1)
    stored = catalog.document(doc.id)
    assert (stored["title"], stored["tags"], stored["text"]) == ("Alpha", ["Iran", "Gaza"], doc.text)
    assert [c["id"] for c in catalog.chunks_of(doc.id)] == ids
    rows = catalog.index_rows(ids)
    assert [r.id for r in rows] == ids and rows[0].tags == ("Iran", "Gaza") and rows[0].doc_id == doc.id
    found, matrix = catalog.vectors(ids, DIMENSION)
    expected = np.random.default_rng(1).random((2, DIMENSION), dtype=np.float32)
    assert found.tolist() == ids and np.array_equal(matrix, expected)
    assert set(catalog.sentence_vectors(ids, DIMENSION)) == set(ids)
    assert catalog.passages(ids)[ids[1]]["chunk_text"] == doc.text[len(doc.text) // 2 :]
    assert catalog.chunk_documents(ids) == dict.fromkeys(ids, doc.id)
    assert catalog.outbox_since(0).chunk_ids == frozenset(ids)
    assert catalog.stored_version(doc.identity).sha256 == doc.sha256
    assert catalog.documents_from_file(doc.path)[0].id == doc.id


def test_replacing_a_document_gives_new_chunk_ids_and_queues_old_and_new(catalog):
    with catalog.writing() as w:
        first = put(w, document("alpha"))
    seq = catalog.last_seq()
    with catalog.writing() as w:
        second = put(w, document("alpha", text="alpha rewritten entirely. new words here."))
    assert not set(first) & set(second), "a chunk id is never reused"
    assert catalog.outbox_since(seq).chunk_ids == frozenset(first + second)
    assert catalog.index_rows(first) == [] and catalog.chunk_ids() == set(second)


def test_deleting_a_document_removes_its_attachments_and_chunks(catalog):
    with catalog.writing() as w:
        ids = put(w, document("mail")) + put(w, document("mail-part", parent="mail"))
        kept = put(w, document("other"))
    assert [c["id"] for c in catalog.children(document("mail").id)] == [document("mail-part").id]
    seq = catalog.last_seq()
    with catalog.writing() as w:
        assert w.delete_documents([document("mail").id]) == len(ids)
    assert catalog.chunk_ids() == set(kept) and catalog.counts().documents == 1
    assert catalog.outbox_since(seq).chunk_ids == frozenset(ids)
    assert catalog.vectors(ids, DIMENSION)[0].size == 0


def test_the_outbox_is_trimmed_and_progress_recorded_per_index_and_generation(catalog):
    with catalog.writing() as w:
        put(w, document("alpha"))
        put(w, document("beta"))
    top = catalog.last_seq()
    with catalog.writing() as w:
        w.set_index_progress("keyword", 3, top)
        w.set_index_progress("vector", 3, top - 1)
    assert (catalog.index_progress("keyword", 3), catalog.index_progress("vector", 3)) == (top, top - 1)
    assert catalog.index_progress("keyword", 4) is None  # another generation starts from scratch
    catalog.trim_outbox(top - 1)
    assert catalog.counts().pending_index_updates == 1
    assert catalog.outbox_since(top - 1).top == top
    catalog.trim_outbox(top)
    assert catalog.outbox_since(top).top == top and catalog.last_seq() == top  # seqs never go back


def test_file_states_and_runs(catalog):
    run = catalog.start_run("ingest /docs")
    assert catalog.has_running_run()
    with catalog.writing() as w:
        w.record_file("/docs/a", status="ok", run_id=run, size=5, mtime_ns=7, sha256="s")
        w.record_file("/docs/b", status="failed", run_id=run, reason="unreadable")
    assert catalog.file_state("/docs/a").to_dict() | {"updated_at": None} == {
        "path": "/docs/a",
        "status": "ok",
        "size": 5,
        "mtime_ns": 7,
        "sha256": "s",
        "reason": None,
        "run_id": run,
        "updated_at": None,
    }
    assert [(f.path, f.reason) for f in catalog.failed_files()] == [("/docs/b", "unreadable")]
    with catalog.writing() as w:
        w.forget_file("/docs/b")
    assert catalog.failed_files() == [] and catalog.counts().failed_files == 0
    catalog.finish_run(run, "ok", {"files": 2})
    assert not catalog.has_running_run()
    other = catalog.start_run("ingest killed")
    with catalog.writing() as w:
        w.end_running_runs("killed")
    assert other > run and not catalog.has_running_run()


def test_metadata_edits_win_over_a_later_ingest_and_are_kept_in_the_history(catalog):
    doc = document("alpha", source="Wire")
    with catalog.writing() as w:
        ids = put(w, doc)
        changes = w.update_metadata(
            doc.id, {"source": "Desk", "tags": ["Edited"]}, {"source": "user", "tags": "user"}, who="ana"
        )
    assert {c["field"] for c in changes} == {"source", "tags"}
    history = catalog.history(doc.id)
    assert {(e.field, e.new_value, e.who) for e in history} >= {("source", "Desk", "ana")}
    seq = catalog.last_seq()
    with catalog.writing() as w:
        put(w, document("alpha", source="Wire again"))  # the file says otherwise: the edit stays
        assert w.update_metadata(doc.id, {"source": "cli"}, {"source": "cli"}) == []
    stored = catalog.document(doc.id)
    assert (stored["source"], stored["tags"], stored["provenance"]["source"]) == ("Desk", ["Edited"], "user")
    assert catalog.outbox_since(seq).chunk_ids >= frozenset(ids)
    with pytest.raises(NotFound), catalog.writing() as w:
        w.update_metadata("missing", {"source": "x"}, {"source": "user"})


@pytest.mark.parametrize(
    "filters, expected",
    [
        (Filters(), {"alpha", "beta", "gamma"}),
        (Filters(source="wire"), {"alpha", "gamma"}),
        (Filters(tags=("iran",)), {"alpha", "beta"}),
        (Filters(tags=("Iran", "gaza")), {"alpha"}),
        (Filters(format="html"), {"beta"}),
        (Filters(date_from="2024-02-01"), {"beta", "gamma"}),
        (Filters(date_to="2024-02-01"), {"alpha", "beta"}),
        (Filters(source="Wire", date_from="2024-01-02", date_to="2024-12-31"), {"gamma"}),
        (Filters(source="nobody"), set()),
    ],
)
def test_filters_of_every_kind(catalog, filters, expected):
    with catalog.writing() as w:
        put(w, document("alpha", source="Wire", tags=["Iran", "Gaza"], date="2024-01-01"))
        put(w, document("beta", source="Desk", tags=["IRAN"], date="2024-02-01", format="html"))
        put(w, document("gamma", source="WIRE", date="2024-03-01"))
    names = {document(n).id: n for n in ("alpha", "beta", "gamma")}
    listed, total = catalog.list_documents(filters=filters)
    assert {names[d["id"]] for d in listed} == expected and total == len(expected)
    allowed = catalog.allowed_chunk_ids(filters).tolist()
    assert {names[d] for d in catalog.chunk_documents(allowed).values()} == expected
    assert {
        names[d] for d in catalog.chunk_documents(sorted(catalog.chunk_ids()), filters).values()
    } == expected


def test_facets_count_documents(catalog):
    with catalog.writing() as w:
        put(w, document("alpha", source="Wire", tags=["Iran", "Gaza"]))
        put(w, document("beta", source="Wire", tags=["Iran"], format="html"))
    assert catalog.facet("source") == [("Wire", 2)]
    assert catalog.facet("format") == [("html", 1), ("text", 1)]  # ties by value
    assert catalog.facet("tags") == [("Iran", 2), ("Gaza", 1)]


def test_a_large_batch_in_one_unit_of_work(catalog):
    with catalog.writing() as w:
        for number in range(700):
            put(w, document(f"doc{number:04d}"), seed=number)
    ids = sorted(catalog.chunk_ids())
    assert len(ids) == 1400 and len(catalog.index_rows(ids)) == 1400
    assert catalog.vectors(ids, DIMENSION)[1].shape == (1400, DIMENSION)
    assert sum(len(rows) for rows in catalog.iter_index_rows(batch_size=300)) == 1400
    assert len(catalog.passages(ids)) == len(catalog.chunk_documents(ids)) == 1400
    with catalog.writing() as w:
        assert w.delete_documents([document(f"doc{n:04d}").id for n in range(700)]) == 1400
    assert catalog.counts().chunks == 0


def test_a_failed_unit_of_work_leaves_nothing_behind(catalog):
    with catalog.writing() as w:
        put(w, document("kept"))
    before = (catalog.counts(), catalog.last_seq())
    with pytest.raises(RuntimeError, match="boom"), catalog.writing() as w:
        put(w, document("lost"))
        w.delete_documents([document("kept").id])
        w.record_file("/docs/lost", status="ok", run_id=1)
        w.set_meta("model", "x")
        raise RuntimeError("boom")
    assert (catalog.counts(), catalog.outbox_since(0).top) == (before[0], before[1])
    assert catalog.document(document("kept").id)["title"] == "Kept"
    assert catalog.file_state("/docs/lost") is None and catalog.get_meta("model") is None


def test_reads_inside_a_unit_of_work_see_its_writes(catalog):
    with catalog.writing() as w:
        put(w, document("alpha"), file_path="/docs/shared")
        assert [ref.id for ref in catalog.documents_from_file("/docs/shared")] == [document("alpha").id]


def test_vectors_are_replaced_and_cleared(catalog):
    with catalog.writing() as w:
        ids = put(w, document("alpha"))
        w.clear_vectors()
    assert catalog.missing_vectors() == {"embeddings": 2, "sentence_vectors": 2}
    assert [c.id for c in catalog.chunks_without_embedding()] == ids
    assert catalog.chunks_without_sentence_vectors()[0].title == "Alpha"
    with catalog.writing() as w:
        w.put_vectors(ids, np.ones((2, DIMENSION), dtype=np.float32))
    assert catalog.missing_vectors()["embeddings"] == 0
    assert np.array_equal(next(catalog.iter_vectors(DIMENSION))[1], np.ones((2, DIMENSION)))


def test_originals_are_tracked_per_document(catalog):
    with catalog.writing() as w:
        put(w, document("mail"), file_path="/up/mail.eml")
        put(w, document("mail-part", parent="mail"), file_path="/up/mail.eml")
        put(w, document("plain"), file_path="/up/plain.txt")
        w.attach_original("/up/mail.eml", "sha-mail", True)
        w.attach_original("/up/plain.txt", "sha-plain", False)
    assert catalog.original_ref(document("mail-part").id).to_dict() == {
        "file_path": "/up/mail.eml",
        "sha256": "sha-mail",
    }
    assert catalog.originals_in_use() == {"sha-mail"} and catalog.original_in_use("sha-mail")
    assert catalog.originals_of_documents([document("mail").id]) == {"sha-mail"}
    assert catalog.originals_of_file("/up/mail.eml") == {"sha-mail"}
    assert catalog.paths_without_copy("/up") == {"/up/plain.txt"}
    assert catalog.paths_of_original("sha-plain") == ["/up/plain.txt"]
    assert catalog.original_use().to_dict() == {"copied": 2, "by_path": 1}
    with catalog.writing() as w:
        w.drop_copies(["sha-mail"])
    assert not catalog.original_in_use("sha-mail") and catalog.originals_in_use() == set()
    with pytest.raises(NotFound):
        catalog.original_ref("missing")


def test_a_catalog_left_by_the_first_version_is_migrated(backend, tmp_path):
    backend.old(tmp_path)
    catalog = open_catalog(tmp_path)
    try:
        old = catalog.document("old1")
        assert (old["title"], old["tags"], old["provenance"]["title"]) == ("Old", ["Kept"], "file")
        assert catalog.history("old1") == [] and catalog.index_progress("keyword", 1) is None
        with catalog.writing() as w:
            put(w, document("new"))
        assert catalog.counts().documents == 2
    finally:
        catalog.close()


def test_a_missing_catalog_is_not_created_by_a_reader(tmp_path):
    with pytest.raises(NotFound, match="no archive"):
        open_catalog(tmp_path / "nothing")
    assert not (tmp_path / "nothing" / "catalog.sqlite3").exists()


def test_the_writer_lock_admits_one_writer(catalog, backend, tmp_path):
    other = backend.open(tmp_path)  # another process's view of the same archive
    first, second = catalog.writer_lock(), other.writer_lock()
    assert isinstance(first, WriterLock)
    first.acquire()
    try:
        assert first.held
        with pytest.raises(ArchiveBusy, match="another process is writing"):
            second.acquire(wait=True, timeout=0.3)
        assert not second.held
    finally:
        first.release()
    second.acquire()
    assert second.held
    second.release()
    other.close()
